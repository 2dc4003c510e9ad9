"""HashedCrossing: hashes the cross of two or more categorical features into `num_bins` bins, as Keras
3's HashedCrossing does through TensorFlow's sparse.cross_hashed (no TensorFlow needed here).

Each row's features are folded into one 64-bit fingerprint, starting from TensorFlow's key
0xDECAFCAFFE, with FingerprintCat64: a string enters as its FarmHash Fingerprint64
(utils/farmhash.py), an integer as itself (two's complement); the bin is the fingerprint mod num_bins.

    HashedCrossing(num_bins=5)((["A", "B", "A", "B", "A"], [101, 101, 101, 102, 102]))   # [1, 4, 1, 1, 3]
"""
import numpy

from neuroflow.engine.keras_tensor import KerasTensor
from neuroflow.layers.category_encoding import encode_categorical
from neuroflow.layers.host_layer import _check_choice, _HostLayer, _to_host
from neuroflow.layers.layer import Layer
from neuroflow.utils.farmhash import fingerprint64

HOST_NUMPY = "a preprocessing layer: hashes on the host"  # numpy here works on host data (tests/test_backend_seam.py)

_MASK = (1 << 64) - 1
_HASH_KEY = 0xDECAFCAFFE  # TensorFlow's default key for cross_hashed
_MUL = 0xC6A4A7935BD1E995
_OUTPUT_MODES = ("int", "one_hot")


def _shift_mix(value):
    return value ^ (value >> 47)


def fingerprint_cat64(first, second):
    """TensorFlow's FingerprintCat64: two 64-bit fingerprints combined into one (order matters)."""
    result = first ^ _MUL
    result ^= (_shift_mix((second * _MUL) & _MASK) * _MUL) & _MASK
    result = (result * _MUL) & _MASK
    result = (_shift_mix(result) * _MUL) & _MASK
    return _shift_mix(result)


def _feature_fingerprint(value):
    if isinstance(value, str):
        return fingerprint64(value)
    return int(value) & _MASK


def cross_hash(features, num_bins):
    """The bin of one row's crossed `features` (strings or integers, in order)."""
    fingerprint = _HASH_KEY
    for value in features:
        fingerprint = fingerprint_cat64(fingerprint, _feature_fingerprint(value))
    return fingerprint % num_bins


class HashedCrossing(_HostLayer):
    """Crosses two or more features of shape (), (batch,) or (batch, 1) and hashes each cross to a bin.

    Args:
        num_bins: the number of bins, a positive integer.
        output_mode: 'int' (the bin, default, int64) or 'one_hot' (num_bins wide).
        sparse: must be False.
    """

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None, **kwargs):
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, **kwargs)
        where = f"HashedCrossing '{self.name}'"
        if isinstance(num_bins, bool) or not isinstance(num_bins, (int, numpy.integer)) or num_bins <= 0:
            raise ValueError(f"{where}: `num_bins` must be a positive integer, got {num_bins!r}")
        _check_choice(where, "output_mode", output_mode, _OUTPUT_MODES)
        if sparse:
            raise ValueError(f"{where}: `sparse=True` is not supported (neuroflow has no sparse tensors)")
        self.num_bins, self.output_mode, self.sparse = int(num_bins), output_mode, False
        self.built = True  # no weights

    def __call__(self, inputs, *args, **kwargs):
        where = f"HashedCrossing '{self.name}'"
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"{where} must be called on a list or tuple of inputs, got {type(inputs).__name__}")
        if len(inputs) < 2:
            raise ValueError(f"{where} must be called on at least two inputs, got {len(inputs)}")
        if not any(isinstance(x, KerasTensor) for x in inputs):
            inputs = tuple(_to_host(x) for x in inputs)  # each feature keeps its own dtype
        return Layer.__call__(self, tuple(inputs), *args, **kwargs)

    def call(self, inputs):
        where = f"HashedCrossing '{self.name}'"
        features = [numpy.asarray(_to_host(x)) for x in inputs]
        shape = features[0].shape
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ValueError(f"{where}: every input must have shape (), (batch,) or (batch, 1), got {shape}")
        if any(f.shape != shape for f in features[1:]):
            raise ValueError(f"{where}: all inputs must have the same shape, got {[f.shape for f in features]}")
        if any(f.dtype.kind not in "iuO" for f in features):
            raise ValueError(f"{where}: every input must be of an integer or string dtype, got "
                             f"{[str(f.dtype) for f in features]}")
        rows = [f.reshape(-1).tolist() for f in features]
        bins = numpy.asarray([cross_hash(row, self.num_bins) for row in zip(*rows)], dtype="int64").reshape(shape)
        if self.output_mode == "int":
            return self._output(bins.astype(self.dtype))
        flat = bins[..., 0] if bins.ndim == 2 else bins
        return self._output(encode_categorical(flat, "one_hot", self.num_bins, dtype=self.dtype, layer=where))

    def compute_output_shape(self, input_shape):
        first = tuple(input_shape[0])
        if self.output_mode == "int":
            return first
        if not first:
            return (self.num_bins,)
        return (first[:-1] if len(first) == 2 else first) + (self.num_bins,)

    def get_config(self):
        config = super().get_config()
        config.update({"num_bins": self.num_bins, "output_mode": self.output_mode, "sparse": self.sparse})
        return config

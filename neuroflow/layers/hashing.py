"""Hashing: maps strings or integers to `num_bins` buckets by FarmHash Fingerprint64, as Keras 3's
Hashing does through TensorFlow's to_hash_bucket_fast (utils/farmhash.py; no TensorFlow needed).

    Hashing(num_bins=3)([["A"], ["B"], ["C"], ["D"], ["E"]])      # [[1], [0], [1], [1], [2]]
"""
import numpy

from neuroflow.layers.category_encoding import encode_categorical
from neuroflow.layers.host_layer import _check_choice, _HostLayer, _to_host
from neuroflow.utils.farmhash import fingerprint64

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "a preprocessing layer: hashes strings and integers on the host"

_OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


class Hashing(_HostLayer):
    """Hashes each value to a bin in [0, num_bins): fingerprint64(str(value)) mod num_bins.

    Integers are hashed as their decimal strings and floats are first truncated to integers (as Keras
    does); strings as their UTF-8 bytes. With `mask_value`, values equal to it go to bin 0 and the
    others to 1 + fingerprint mod (num_bins - 1).

    Args:
        num_bins: the number of bins (mask bin included).
        mask_value: a value mapped to bin 0, or None.
        salt: Keras' keyed (SipHash) variant; not supported (raises NotImplementedError).
        output_mode: 'int' (the bin of each value, default), 'one_hot', 'multi_hot' or 'count' (as
            CategoryEncoding, with num_bins categories).
        sparse: must be False.
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False, **kwargs):
        if output_mode == "int" and not kwargs.get("dtype"):
            kwargs["dtype"] = "int64"
        super().__init__(**kwargs)
        where = f"Hashing '{self.name}'"
        if num_bins is None or isinstance(num_bins, bool) or not isinstance(num_bins, (int, numpy.integer)) \
                or num_bins <= 0:
            raise ValueError(f"{where}: `num_bins` must be a positive integer, got {num_bins!r}")
        _check_choice(where, "output_mode", output_mode, _OUTPUT_MODES)
        if sparse:
            raise ValueError(f"{where}: `sparse=True` is not supported (neuroflow has no sparse tensors)")
        if salt is not None:
            raise NotImplementedError(f"{where}: `salt` (Keras' keyed SipHash buckets) is not supported; use "
                                      "salt=None (FarmHash Fingerprint64 buckets)")
        self.num_bins = int(num_bins)
        self.mask_value = mask_value
        self.salt = None
        self.output_mode = output_mode
        self.sparse = False

    def _bins(self, values):
        bins, masked = self.num_bins, None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            masked = values == self.mask_value
        if values.dtype.kind == "f":
            values = values.astype("int64")
        flat = [fingerprint64(str(value)) % bins for value in values.reshape(-1).tolist()]
        indices = numpy.asarray(flat, dtype="int64").reshape(values.shape)
        if masked is not None:
            indices = numpy.where(masked, 0, indices + 1)
        return indices

    def call(self, inputs):
        values = _to_host(inputs)
        if self.output_mode == "one_hot" and values.ndim > 0 and values.shape[-1] == 1:
            values = values[..., 0]
        indices = self._bins(numpy.asarray(values))
        if self.output_mode == "int":
            return self._output(indices.astype(self.dtype))
        return self._output(encode_categorical(indices, self.output_mode, self.num_bins, dtype=self.dtype,
                                               layer=f"Hashing '{self.name}'"))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        return input_shape[:-1] + (self.num_bins,) if input_shape else (self.num_bins,)

    def get_config(self):
        config = super().get_config()
        config.update({"num_bins": self.num_bins, "salt": self.salt, "mask_value": self.mask_value,
                       "output_mode": self.output_mode, "sparse": self.sparse})
        return config

"""Discretization: numbers to bins, by given boundaries or by quantiles learned in `adapt`."""
import numpy

from neuroflow.layers.category_encoding import _ENCODINGS, encode_categorical
from neuroflow.layers.host_layer import _batches, _check_choice, _HostLayer, _listify, _to_host

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "a preprocessing layer: bins on the host (adapt and call), outside the device graph"


def _compress_summary(summary, epsilon):
    """Keras' quantile summary compression: re-sample the (values, weights) summary at cumulative
    weight fractions epsilon, 2 epsilon, ..., 1 by linear interpolation. Small summaries pass unchanged."""
    values, weights = summary
    if len(values) * epsilon < 1:
        return summary
    fractions = epsilon + numpy.arange(0.0, 1.0, epsilon)
    cumulative = numpy.cumsum(weights)
    position = cumulative / cumulative[-1]
    new_values = numpy.interp(fractions, position, values)
    new_cumulative = numpy.interp(fractions, position, cumulative)
    new_weights = numpy.diff(new_cumulative, prepend=0.0)
    return numpy.stack([new_values, new_weights]).astype("float32")


def _summarize(values, epsilon):
    """Every `step`-th sorted value (step = max(n * epsilon, 1)) with weight `step`."""
    values = numpy.sort(numpy.asarray(values, dtype="float32").reshape(-1))
    step = max(values.size * epsilon, 1)
    kept = values[int(step - 1)::int(step)]
    return numpy.stack([kept, numpy.full(kept.shape, step, dtype=kept.dtype)])


class Discretization(_HostLayer):
    """Buckets numbers into bins: output i where bin_boundaries[i-1] <= x < bin_boundaries[i].

        Discretization(bin_boundaries=[0., 1., 2.])([[-1.5, 1.0, 2.0]])   # [[0, 2, 3]]
        layer = Discretization(num_bins=4); layer.adapt(x)                 # boundaries at quantiles

    Args:
        bin_boundaries: sorted boundaries (len(bin_boundaries) + 1 bins).
        num_bins: the number of bins `adapt` finds (approximate quantiles, Keras' algorithm).
        epsilon: the quantile summary's error tolerance (default 0.01).
        output_mode: "int" (int32 bin indices), "one_hot", "multi_hot" or "count".
        sparse: must be False.
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int", sparse=False, **kwargs):
        super().__init__(**kwargs)
        where = f"Discretization '{self.name}'"
        _check_choice(where, "output_mode", output_mode, ("int",) + _ENCODINGS)
        if sparse:
            raise ValueError(f"{where}: `sparse=True` is not supported (neuroflow has no sparse tensors)")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"{where}: `num_bins` must be >= 0, got {num_bins}")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(f"{where}: pass `num_bins` or `bin_boundaries`, not both")
        if num_bins is None and bin_boundaries is None:
            raise ValueError(f"{where}: pass either `num_bins` (and call adapt) or `bin_boundaries`")
        if bin_boundaries is not None:
            bin_boundaries = [float(b) for b in _listify(bin_boundaries)]
            if any(b > a for b, a in zip(bin_boundaries, bin_boundaries[1:])):
                raise ValueError(f"{where}: `bin_boundaries` must be sorted, got {bin_boundaries}")
        self.bin_boundaries = bin_boundaries
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = False

    def adapt(self, data, batch_size=None, steps=None):
        """Sets `bin_boundaries` to approximate quantiles of `data` (Keras' summary algorithm)."""
        if self.num_bins is None:
            raise ValueError(f"Discretization '{self.name}' was given `bin_boundaries`; adapt() needs `num_bins`")
        summary = numpy.zeros((2, 0), dtype="float32")
        for number, batch in enumerate(_batches(data)):
            if steps is not None and number >= steps:
                break
            merged = numpy.concatenate([summary, _summarize(_to_host(batch), self.epsilon)], axis=1)
            summary = _compress_summary(merged[:, numpy.argsort(merged[0], kind="stable")], self.epsilon)
        self.bin_boundaries = _compress_summary(summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(f"Discretization '{self.name}': pass `bin_boundaries` or call adapt(data) before "
                             "calling the layer")
        array = _to_host(inputs)
        if array.dtype == object:
            raise ValueError(f"Discretization '{self.name}' expects numbers; got strings")
        indices = numpy.digitize(array, numpy.asarray(self.bin_boundaries, dtype=array.dtype
                                                      if array.dtype.kind == "f" else "float64"))
        if self.output_mode == "int":
            return self._output(indices.astype("int32"))
        return self._output(encode_categorical(indices, self.output_mode, len(self.bin_boundaries) + 1,
                                               dtype=self.dtype, layer=f"Discretization '{self.name}'"))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins
        if self.output_mode == "one_hot":
            if len(input_shape) > 1 and input_shape[-1] == 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        if len(input_shape) >= 2:
            return (input_shape[0],) + input_shape[2:] + (depth,)
        return (depth,)

    def get_config(self):
        config = super().get_config()
        config.update({"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins, "epsilon": self.epsilon,
                       "output_mode": self.output_mode, "sparse": False})
        return config

    @classmethod
    def from_config(cls, config):
        # Adapted boundaries and num_bins both appear in the config; the constructor takes one of them.
        config = dict(config)
        boundaries = config.pop("bin_boundaries", None) if config.get("num_bins") is not None else None
        layer = cls(**config)
        if boundaries is not None:
            layer.bin_boundaries = list(boundaries)
        return layer

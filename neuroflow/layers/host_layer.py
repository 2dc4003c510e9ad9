"""The common ground of the vocabulary and encoding layers: they work on host NumPy arrays.

CategoryEncoding, StringLookup, IntegerLookup, TextVectorization and Discretization map raw values
(strings, integer ids, floats) to indices or to fixed-size count vectors, as Keras 3's preprocessing
layers do. They have no trainable weights and are not differentiable: inputs stay host NumPy arrays
(strings as str/object arrays or lists) and outputs are integer or float Tensors.
"""
import numpy

from neuroflow import backend
from neuroflow.engine.keras_tensor import KerasTensor
from neuroflow.engine.tensor import Tensor
from neuroflow.layers.layer import Layer
from neuroflow.utils import nest
from neuroflow.utils.errors import unknown_name_error

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "the base of the preprocessing layers that compute on the host"


def _to_host(value):
    """A NumPy array for a Tensor, array, list or scalar; strings become an array of Python str."""
    if isinstance(value, Tensor):
        array = backend.to_numpy(value.value)
    elif isinstance(value, (str, bytes)):
        array = numpy.asarray([value], dtype=object).reshape(())
    else:
        array = numpy.asarray(value) if not isinstance(value, numpy.ndarray) else value
    if array.dtype.kind in "SUO":
        array = _as_strings(array)
    return array


def _as_strings(array):
    """An object array of str (bytes decoded as UTF-8, as Keras decodes tf.string)."""
    flat = [item.decode("utf-8") if isinstance(item, bytes) else str(item) for item in numpy.asarray(array).reshape(-1)]
    result = numpy.empty(len(flat), dtype=object)
    result[:] = flat
    return result.reshape(numpy.shape(array))


def _batches(data):
    """The batches of `adapt` data: the array itself, or each item of an iterable of batches."""
    if isinstance(data, (list, tuple, numpy.ndarray, Tensor, str, bytes)):
        return [data]
    if hasattr(data, "__iter__"):
        return data
    return [data]


def _check_choice(layer, argument, value, choices):
    if value not in choices:
        raise unknown_name_error(f"{layer} `{argument}`", value, choices)


class _HostLayer(Layer):
    """Base of the layers here: inputs stay host NumPy arrays (strings included), never cast to floatx."""

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, (list, tuple)) and not any(isinstance(x, KerasTensor) for x in nest.flatten(inputs)):
            inputs = _to_host(inputs)  # a list of values is one input, not several
        return super().__call__(inputs, *args, **kwargs)

    def _to_tensor(self, x):
        if isinstance(x, Tensor) or x is None:
            return x
        array = _to_host(x)
        return array if array.dtype == object else Tensor(backend.xp.asarray(array))

    def _output(self, array):
        return Tensor(backend.xp.asarray(array))


def _integer_ids(layer, array):
    """`array` as int64 ids; float arrays are accepted when they hold whole numbers (models feed floats)."""
    if array.dtype.kind in "iub":
        return array.astype("int64", copy=False)
    if array.dtype.kind == "f":
        if numpy.all(numpy.isfinite(array)) and numpy.all(array == numpy.round(array)):
            return array.astype("int64")
        raise ValueError(f"{type(layer).__name__} '{layer.name}' expects integer ids; got non-integer floats")
    raise ValueError(f"{type(layer).__name__} '{layer.name}' expects integer ids; got values of dtype {array.dtype} "
                     f"(strings need StringLookup)")


def _listify(value):
    if isinstance(value, Tensor):
        value = value.numpy()
    if isinstance(value, numpy.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [v.item() if isinstance(v, numpy.generic) else v for v in value]
    return value

"""Batches as tuples and datasets in two: pack_x_y_sample_weight, unpack_x_y_sample_weight,
split_dataset (keras.utils), on NumPy arrays and lists of samples."""
import numpy

from neuroflow.utils import nest

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "host-side data preparation and reporting (files, sequences, boxes, progress)"


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The batch a `train_step` may return: `x` alone (a 1-tuple when x is itself a list or tuple),
    `(x, y)`, or `(x, y, sample_weight)`."""
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    if sample_weight is None:
        return x, y
    return x, y, sample_weight


def unpack_x_y_sample_weight(data):
    """`(x, y, sample_weight)` from a batch of 1, 2 or 3 items (missing ones are None).

    Raises:
        ValueError: a tuple of another length.
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(f"Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, found: "
                     f"{data}")


def _size(value, total, name):
    if isinstance(value, float):
        if not 0 < value < 1:
            raise ValueError(f"`{name}` should be a float between 0 and 1 or a positive int. Received: {name}={value}")
        return round(value * total)
    if isinstance(value, (int, numpy.integer)) and not isinstance(value, bool):
        if not 0 < value <= total:
            raise ValueError(f"`{name}` should be a positive int at most the dataset size ({total}). "
                             f"Received: {name}={value}")
        return int(value)
    raise TypeError(f"Invalid `{name}` type: expected a float between 0 and 1, an int or None. Received: {name}={value!r}")


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None, preferred_backend=None):
    """Splits a dataset in two along the sample axis.

    Args:
        dataset: an array, a tuple (or list, or dict) of arrays with one row per sample, or a list of samples.
        left_size, right_size: a fraction (float in (0, 1)) or a count of samples; the one not given
            is the rest (both None: half and half).
        shuffle, seed: shuffle the samples before splitting.
        preferred_backend: accepted for Keras compatibility (the halves are always NumPy).

    Returns:
        (left, right), each of the same structure as `dataset`.

    Raises:
        ValueError: sizes out of range or larger than the dataset together.
    """
    leaves = [numpy.asarray(leaf) for leaf in nest.flatten(dataset)] if not _is_sample_list(dataset) else None
    total = len(dataset) if leaves is None else len(leaves[0])
    if leaves is not None and any(len(leaf) != total for leaf in leaves):
        raise ValueError(f"Every array of `dataset` must have the same number of samples. Received lengths "
                         f"{[len(leaf) for leaf in leaves]}")
    if left_size is None and right_size is None:
        left_size = 0.5
    left = None if left_size is None else _size(left_size, total, "left_size")
    right = None if right_size is None else _size(right_size, total, "right_size")
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(f"The sum of `left_size` and `right_size` is greater than the total number of samples "
                         f"({total}). Received: left_size={left_size}, right_size={right_size}")
    order = numpy.arange(total)
    if shuffle:
        numpy.random.RandomState(numpy.random.randint(1e6) if seed is None else seed).shuffle(order)
    parts = order[:left], order[left:left + right]
    if leaves is None:
        return tuple([dataset[i] for i in part] for part in parts)
    nested = isinstance(dataset, (list, tuple, dict))
    return tuple(nest.pack_like(dataset, [leaf[part] for leaf in leaves]) if nested else leaves[0][part]
                 for part in parts)


def _is_sample_list(dataset):
    # A list of samples (not of arrays with one row per sample): its items are not all arrays of equal length.
    if not isinstance(dataset, list) or not dataset:
        return False
    return not all(isinstance(item, numpy.ndarray) and len(item) == len(dataset[0]) for item in dataset)

"""Data handling for fit / evaluate / predict: checks at the door, splits, batches, sample weights.

Arrays are checked once when they enter (lengths agree, values finite), so nothing fails later
deep inside NumPy. Batches are cut by index on the host, then handed to the model; on a device
backend, arrays that fit are moved there once and cut there instead (training/device_data.py).
"""
import math

import numpy

from neuroflow import random as nf_random
from neuroflow.engine.tensor import Tensor
from neuroflow.utils import nest
from neuroflow.utils.py_dataset import PyDataset

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = ("checks and slices the host data; on a device it moves there once when it fits (device_data.py), "
              "else each batch as it enters the step")


def to_host_array(x, what):
    """A NumPy array for array-like `x` (lists, Tensors, pandas objects), with a clear error otherwise."""
    if isinstance(x, Tensor):
        return x.numpy()
    if isinstance(x, numpy.ndarray):
        return _numeric(x, what) if x.dtype != object else to_host_array(x.tolist(), what)
    if hasattr(x, "to_numpy"):
        return _numeric(numpy.asarray(x.to_numpy()), what)
    try:
        array = numpy.asarray(x)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{what} must be an array (or a list / dict of arrays); could not convert "
                         f"{type(x).__name__}: {error}. If these are sequences of different lengths, pad sequences "
                         "to one length first, e.g. with neuroflow.utils.pad_sequences") from None
    if array.dtype == object:
        raise ValueError(f"{what} could not be converted to a numeric array (ragged or mixed content of type "
                         f"{type(x).__name__}); pad sequences to one length first, e.g. with "
                         "neuroflow.utils.pad_sequences")
    return _numeric(array, what)


def _numeric(array, what):
    if array.dtype.kind not in "biufc":
        raise ValueError(f"{what} must hold numbers, but its dtype is {array.dtype} (e.g. strings); encode text or "
                         "categories as numbers first (e.g. integer ids or neuroflow.utils.to_categorical)")
    return array


def standardize(data, what):
    """Converts every leaf of x / y / sample_weight to a NumPy array."""
    if data is None:
        return None
    if isinstance(data, dict):
        return {key: to_host_array(value, f"{what}[{key!r}]") for key, value in data.items()}
    if isinstance(data, (list, tuple)) and data and all(_is_array_like(d) for d in data):
        return [to_host_array(d, f"{what}[{i}]") for i, d in enumerate(data)]
    return to_host_array(data, what)


def _is_array_like(x):
    return isinstance(x, (numpy.ndarray, Tensor)) or hasattr(x, "to_numpy") or (
        isinstance(x, (list, tuple)) and len(x) > 0 and isinstance(x[0], (list, tuple, numpy.ndarray)))


def prepare(x, y, sample_weight, what, check_targets=True):
    """x, y and sample_weight as NumPy arrays, checked once where they enter fit / evaluate / *_on_batch."""
    x = standardize(x, "x")
    y = standardize(y, "y")
    sample_weight = standardize(sample_weight, "sample_weight")
    if x is None:
        raise ValueError(f"{what} needs input data `x`")
    for name, data in (("x", x), ("y", y), ("sample_weight", sample_weight)):
        if data is not None and any(getattr(leaf, "ndim", 1) == 0 for leaf in _leaves(data)):
            raise ValueError(f"{what}: {name} is a scalar, but it needs a first (batch) axis: one entry per sample, "
                             f"e.g. numpy.array([{name}])")
    if num_samples(x, y, sample_weight) == 0:
        raise ValueError(f"{what} received 0 samples (x has an empty first axis); pass at least one sample")
    check_finite(x, "x")
    if y is not None and check_targets:
        check_finite(y, "y")
    check_sample_weight(sample_weight, "sample_weight")
    return x, y, sample_weight


def check_sample_weight(sample_weight, what):
    """Refuses NaN, inf and negative sample weights: each would train silently on a wrong objective."""
    if sample_weight is None:
        return
    check_finite(sample_weight, what)
    for index, array in enumerate(_leaves(sample_weight)):
        if array is not None and array.size and array.min() < 0:
            position = tuple(int(i) for i in numpy.argwhere(array < 0)[0])
            label = what if isinstance(sample_weight, numpy.ndarray) else f"{what}[{index}]"
            raise ValueError(f"{label} must be non-negative, but holds {int((array < 0).sum())} negative value(s); the "
                             f"first is {array[position]} at index {position}. A negative weight would push the loss "
                             "up for those samples; use 0 to ignore a sample.")


def _leaves(data):
    # One array (the usual case) needs no structure walk.
    return [data] if isinstance(data, numpy.ndarray) else nest.flatten(data)


def num_samples(x, y=None, sample_weight=None):
    """The common length of every array, or a ValueError listing the sizes."""
    sizes = {}
    for name, data in (("x", x), ("y", y), ("sample_weight", sample_weight)):
        if data is not None:
            sizes[name] = [len(a) if getattr(a, "ndim", 1) > 0 else 1 for a in _leaves(data)]
    distinct = {size for values in sizes.values() for size in values}
    if len(distinct) > 1:
        detail = "\n".join(f"  {name} sizes: {', '.join(map(str, values))}" for name, values in sizes.items())
        raise ValueError("Data cardinality is ambiguous: the arrays do not all have the same number of samples.\n"
                         f"{detail}\nMake sure all arrays contain the same number of samples.")
    return distinct.pop() if distinct else 0


def check_finite(data, what):
    """Raises if a float array holds NaN or inf (training on them silently yields NaN weights)."""
    arrays = _leaves(data)
    for index, array in enumerate(arrays):
        if array is None or array.dtype.kind not in "fc":
            continue
        finite = numpy.isfinite(array)
        if not finite.all():
            bad = numpy.argwhere(~finite)[0]
            position = tuple(int(i) for i in bad)
            label = what if len(arrays) == 1 else f"{what}[{index}]"
            value = array[position]
            count = int((~finite).sum())
            raise ValueError(f"{label} contains {count} non-finite value(s) (NaN or inf); the first is {value} at index "
                             f"{position}. Clean or impute the data before training.")


def take(data, indices):
    """Rows `indices` of every array in a nested structure."""
    if data is None:
        return None
    if isinstance(data, dict):
        return {key: _rows(value, indices) for key, value in data.items()}
    if isinstance(data, list):
        return [_rows(value, indices) for value in data]
    return _rows(data, indices)


def _rows(array, indices):
    # A shuffled batch of a matrix: ndarray.take copies the rows in one C loop, 0.8 us against 1.8 us
    # for fancy indexing (32 rows of 64 float32); a 1-D array or a slice indexes faster as it is.
    if type(indices) is not slice and getattr(array, "ndim", 1) > 1 and hasattr(array, "take"):
        return array.take(indices, axis=0)
    return array[indices]


def split_validation(x, y, sample_weight, validation_split):
    """Keras' rule: the validation set is the LAST fraction of the samples, taken before shuffling."""
    if not 0 <= validation_split < 1:
        raise ValueError(f"validation_split must be a float in [0, 1), got {validation_split!r}")
    total = num_samples(x, y, sample_weight)
    split_at = int(math.floor(total * (1.0 - validation_split)))
    if split_at == 0 or split_at == total:
        raise ValueError(f"validation_split={validation_split} leaves no samples for "
                         f"{'training' if split_at == 0 else 'validation'} with {total} samples")
    train = slice(0, split_at)
    valid = slice(split_at, total)
    return ((take(x, train), take(y, train), take(sample_weight, train)),
            (take(x, valid), take(y, valid), take(sample_weight, valid)))


def validation_arrays(validation_data):
    """fit's `validation_data` of arrays as (x_val, y_val, sample_weight_val), the weights None when not given."""
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        raise ValueError("validation_data must be a tuple (x_val, y_val) or (x_val, y_val, val_sample_weight), "
                         "a generator or a PyDataset")
    return tuple(validation_data) + (None,) * (3 - len(validation_data))


def class_weights_to_sample_weights(y, class_weight, whole_data=True):
    """Per-sample weights from {class index: weight}, reading the class from one-hot or integer labels.

    Args:
        whole_data: `y` holds every target (arrays given to fit), so a weight for a class that no
            target has is a mistake too; a generator's batch (False) may lack some classes.

    Raises:
        ValueError: for a non-dict, a weight that is not a finite non-negative number, a class of
            the targets without a weight, or (with `whole_data`) a class the targets do not have.
    """
    if not isinstance(class_weight, dict):
        raise ValueError(f"class_weight must be a dict {{class index: weight}}, got {type(class_weight).__name__}")
    labels = nest.flatten(y)
    if len(labels) != 1:
        raise ValueError("class_weight is only supported for models with a single output; use sample_weight instead")
    labels = labels[0]
    one_hot = labels.ndim >= 2 and labels.shape[-1] > 1
    if one_hot:
        classes = labels.argmax(axis=-1)
    else:
        classes = labels.reshape(len(labels), -1)[:, 0]
        classes = numpy.round(classes).astype(numpy.int64)
    try:
        table = {int(cls): float(weight) for cls, weight in class_weight.items()}
    except (TypeError, ValueError):
        raise ValueError(f"class_weight must map integer class indices to numbers, got {class_weight!r}") from None
    bad = {cls: weight for cls, weight in table.items() if not numpy.isfinite(weight) or weight < 0}
    if bad:
        raise ValueError(f"class_weight values must be finite and non-negative, got {bad}")
    present = sorted(int(c) for c in numpy.unique(classes))
    unweighted = [cls for cls in present if cls not in table]
    if unweighted:
        raise ValueError(f"class_weight has no weight for class(es) {unweighted} found in the targets (classes "
                         f"{present}); class_weight covers {sorted(table)}. Give every class a weight (1.0 to keep it "
                         "as is).")
    known = range(labels.shape[-1]) if one_hot else present
    unknown = sorted(cls for cls in table if cls not in known)
    if unknown and (whole_data or one_hot):
        raise ValueError(f"class_weight names class(es) {unknown} that the targets do not have (their classes are "
                         f"{list(known)}); check the class indices")
    weights = numpy.ones(len(labels), dtype="float32")
    for cls, weight in table.items():
        weights[classes == cls] = weight
    return weights


class ArrayBatches:
    """Batches of in-memory arrays, reshuffled each epoch when `shuffle` is true."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=32, shuffle=False, steps=None):
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.count = num_samples(x, y, sample_weight)
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        full_steps = int(math.ceil(self.count / self.batch_size)) if self.count else 0
        self.steps = full_steps if steps is None else min(int(steps), full_steps)

    def __iter__(self):
        order = self.epoch_order()
        for step in range(self.steps):
            start, stop = step * self.batch_size, min((step + 1) * self.batch_size, self.count)
            index = order[start:stop] if order is not None else slice(start, stop)
            yield take(self.x, index), take(self.y, index), take(self.sample_weight, index)

    def epoch_order(self):
        """This epoch's sample order (drawn from neuroflow's generator), or None in the arrays' own order."""
        if not self.shuffle:
            return None
        order = nf_random.generator().permutation(self.count)
        if self.shuffle == "batch":
            # Keras' 'batch' mode shuffles whole batches, keeping each batch's samples together.
            batches = nf_random.generator().permutation(self.steps)
            order = numpy.concatenate([numpy.arange(b * self.batch_size, min((b + 1) * self.batch_size, self.count))
                                       for b in batches])
        return order

    @property
    def nbytes(self):
        """The bytes of every array (x, y and sample_weight): what moving them to a device takes."""
        return sum(int(leaf.nbytes) for part in (self.x, self.y, self.sample_weight) if part is not None
                   for leaf in _leaves(part))

    def __len__(self):
        return self.steps


# ---- generators and PyDatasets ---------------------------------------------------------------

class SizedBatches:
    """The batches of a generator / PyDataset source, re-iterable per epoch through `make_iterator`."""

    def __init__(self, make_iterator, source):
        self.make_iterator = make_iterator
        self.source = source

    def __iter__(self):
        return self.make_iterator()

    @property
    def exhausted(self):
        return getattr(self.source, "exhausted", False)

    @property
    def short(self):
        return getattr(self.source, "short", False)


def is_batch_source(x):
    """True for inputs that yield whole batches themselves: a PyDataset or a Python iterator / generator."""
    if isinstance(x, PyDataset):
        return True
    return hasattr(x, "__next__") or (hasattr(x, "__iter__") and not isinstance(
        x, (numpy.ndarray, list, tuple, dict, str, Tensor)) and not hasattr(x, "to_numpy"))


def unpack_batch(batch, where):
    """Splits a batch from a generator / PyDataset into standardized (x, y, sample_weight)."""
    if isinstance(batch, tuple):
        if not 1 <= len(batch) <= 3:
            raise ValueError(f"A batch from {where} must be x, (x,), (x, y) or (x, y, sample_weight); "
                             f"got a tuple of {len(batch)} elements")
        batch = batch + (None,) * (3 - len(batch))
    else:
        batch = (batch, None, None)
    x, y, sample_weight = (standardize(part, name) for part, name in zip(batch, ("x", "y", "sample_weight")))
    if num_samples(x, y, sample_weight) == 0:
        raise ValueError(f"A batch from {where} is empty (0 samples); if it is a PyDataset, its __len__ may count more "
                         "batches than its data fills")
    check_finite(x, f"x (a batch from {where})")
    if y is not None:
        check_finite(y, f"y (a batch from {where})")
    check_sample_weight(sample_weight, f"sample_weight (a batch from {where})")
    return x, y, sample_weight


class DatasetBatches:
    """Batches read from a PyDataset by index, in shuffled order when asked (as Keras does)."""

    def __init__(self, dataset, steps=None, shuffle=False):
        self.dataset = dataset
        self.shuffle = shuffle
        count = len(dataset)
        if count == 0:
            raise ValueError(f"The PyDataset {type(dataset).__name__} has length 0 (its __len__ returned 0), so there "
                             "is nothing to train or evaluate on")
        self.steps = count if steps is None else min(int(steps), count)

    def __iter__(self):
        self.dataset.on_epoch_begin()
        order = nf_random.generator().permutation(len(self.dataset)) if self.shuffle else range(len(self.dataset))
        for step in range(self.steps):
            yield unpack_batch(self.dataset[int(order[step])], f"{type(self.dataset).__name__}[{int(order[step])}]")
        self.dataset.on_epoch_end()

    def __len__(self):
        return self.steps


class GeneratorBatches:
    """Batches pulled from a Python generator. With `steps`, each epoch takes that many and the next
    epoch continues the same generator (Keras' semantics); without, an epoch runs until it is exhausted.
    """

    def __init__(self, generator, steps=None):
        self.iterator = iter(generator)
        self.steps = None if steps is None else int(steps)
        self.exhausted = False
        self.short = False  # the last pass ended before `steps` batches

    def __iter__(self):
        taken = 0
        while self.steps is None or taken < self.steps:
            try:
                batch = next(self.iterator)
            except StopIteration:
                self.exhausted = True
                self.short = self.steps is not None
                return
            taken += 1
            yield unpack_batch(batch, "the generator")

    def __len__(self):
        return self.steps or 0


def batch_source(x, steps=None, shuffle=False):
    if isinstance(x, PyDataset):
        return DatasetBatches(x, steps, shuffle)
    return GeneratorBatches(x, steps)

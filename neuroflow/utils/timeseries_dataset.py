"""`timeseries_dataset_from_array`: sliding windows over a series, in batches that fit, evaluate and
predict accept (keras.utils.timeseries_dataset_from_array).

Window `i` starts at `start_index + p_i` (p_i = 0, sequence_stride, 2 * sequence_stride, ...) and
takes `sequence_length` steps `sampling_rate` apart; its target is `targets[start_index + p_i]`. Keras
returns a tf.data.Dataset; here the batches come from a `PyDataset`, gathered from the array when
asked, so no window is copied before its batch is read.
"""
import numpy

from neuroflow.utils.py_dataset import PyDataset

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "host-side data preparation and reporting (files, sequences, boxes, progress)"


class TimeseriesDataset(PyDataset):
    """Batches of windows over `data` (and their targets), by index; iterable as well.

    Attributes:
        start_positions: the first step of each window, relative to `start_index`, in batch order.
    """

    def __init__(self, data, targets, sequence_length, sampling_rate, batch_size, start_positions, start_index,
                 end_index):
        super().__init__()
        self.data = data
        self.targets = targets
        self.sequence_length = sequence_length
        self.sampling_rate = sampling_rate
        self.batch_size = batch_size
        self.start_positions = start_positions
        self.start_index = start_index
        self.end_index = end_index

    def __len__(self):
        if self.batch_size is None:
            return len(self.start_positions)
        return -(-len(self.start_positions) // self.batch_size)

    def __getitem__(self, index):
        if not -len(self) <= index < len(self):
            raise IndexError(f"Batch index {index} is out of range for a dataset of {len(self)} batches")
        index %= len(self)
        size = 1 if self.batch_size is None else self.batch_size
        starts = self.start_index + self.start_positions[index * size:(index + 1) * size]
        steps = starts[:, None] + numpy.arange(self.sequence_length) * self.sampling_rate
        windows = numpy.asarray(self.data)[steps]
        labels = None if self.targets is None else numpy.asarray(self.targets)[starts]
        if self.batch_size is None:
            windows = windows[0]
            labels = None if labels is None else labels[0]
        return windows if labels is None else (windows, labels)

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1, sampling_rate=1, batch_size=128,
                                  shuffle=False, seed=None, start_index=None, end_index=None, format="tf"):
    """Windows of `sequence_length` steps over `data`, batched, with their targets.

    Args:
        data: an array (or anything indexable by an integer array) of steps along axis 0.
        targets: one target per step, indexed like `data`: a window starting at step i gets
            `targets[i]`. None for windows alone.
        sequence_length: the number of steps in a window.
        sequence_stride: steps between the starts of consecutive windows.
        sampling_rate: steps between the samples inside a window.
        batch_size: windows per batch; None gives single windows, unbatched.
        shuffle: shuffle the order of the windows (once, with `seed`).
        seed: the shuffling seed.
        start_index, end_index: the steps used are `data[start_index:end_index]`.
        format: "tf" or "grain" (Keras' choice of loader); either gives the same NumPy batches here.

    Returns:
        A `PyDataset` whose items are `(windows, targets)` (or windows alone when `targets` is None),
        windows of shape `(batch, sequence_length) + data.shape[1:]`.

    Raises:
        ValueError: for an index, stride or rate outside the data, naming the argument.
    """
    length = len(data)
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: start_index={start_index}")
        if start_index >= length:
            raise ValueError(f"`start_index` must be lower than the length of the data. Received: "
                             f"start_index={start_index}, for data of length {length}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(f"`end_index` must be higher than `start_index`. Received: start_index={start_index}, "
                             f"and end_index={end_index}")
        if end_index >= length:
            raise ValueError(f"`end_index` must be lower than the length of the data. Received: end_index={end_index}, "
                             f"for data of length {length}")
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if value <= 0:
            raise ValueError(f"`{name}` must be higher than 0. Received: {name}={value}")
        if value >= length:
            raise ValueError(f"`{name}` must be lower than the length of the data. Received: {name}={value}, for "
                             f"data of length {length}")
    start_index = start_index or 0
    end_index = length if end_index is None else end_index
    count = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        count = min(count, len(targets))
    positions = numpy.arange(0, max(count, 0), sequence_stride, dtype="int64")
    if shuffle:
        numpy.random.RandomState(numpy.random.randint(1e6) if seed is None else seed).shuffle(positions)
    return TimeseriesDataset(data, targets, sequence_length, sampling_rate, batch_size, positions, start_index,
                             end_index)

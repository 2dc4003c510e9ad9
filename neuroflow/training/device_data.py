"""In-memory data on the device for the whole of fit / evaluate / predict, when it fits.

On a device backend, batches cut on the host move to the device one step at a time: a copy per
array per step. When the arrays given to fit (x, y, sample_weight, then the validation data) fit
in a share of the device's free memory (`neuroflow.config.set_device_data_fraction`, default
0.5), they move there once, at the start, and each batch is cut there by index. A shuffled
epoch draws its permutation on the host exactly as on NumPy (the same generator, so the same
sample order and results) and moves it as one small index array per epoch.

Data that does not fit, generators and PyDatasets keep moving batch by batch. Either way the
host checks of training/data.py (finite values, lengths, label ranges) ran before, on the host.
Each decision is logged to the "neuroflow.training" logger (level INFO).
"""
import logging

from neuroflow import backend, settings
from neuroflow.training.data import ArrayBatches
from neuroflow.utils import nest

logger = logging.getLogger("neuroflow.training")


class DeviceArrayBatches(ArrayBatches):
    """The batches of an ArrayBatches whose arrays were moved to the device, cut there.

    Args:
        batches: the host ArrayBatches (its arrays, batch size, shuffling and steps are taken over).
    """

    def __init__(self, batches):
        self.__dict__.update(batches.__dict__)
        self.x, self.y, self.sample_weight = (nest.map_structure(backend.to_device, part) if part is not None else None
                                              for part in (batches.x, batches.y, batches.sample_weight))

    def epoch_order(self):
        """The host's permutation (the same draws as on NumPy), moved to the device in one copy."""
        order = super().epoch_order()
        return None if order is None else backend.to_device(order)


class DeviceBudget:
    """The device memory one fit / evaluate / predict may fill with its arrays, measured once at its start.

    Args:
        what: 'fit', 'evaluate' or 'predict', for the log.
    """

    def __init__(self, what):
        self.what = what
        free = backend.device_free_memory() if backend.on_device() else None
        self.free = free
        self.left = 0 if free is None else int(free * settings.device_data_fraction)

    def place(self, batches, name="the data"):
        """`batches` moved to the device when they fit in what is left of the budget, else as they are.

        Only in-memory arrays (ArrayBatches) move; on NumPy, and for generators, nothing changes.
        """
        if self.free is None or type(batches) is not ArrayBatches:
            return batches
        size = batches.nbytes
        if size > self.left:
            logger.info("%s: %s (%s) moves to the device batch by batch: over the budget of %s left of %s "
                        "(set_device_data_fraction(%g) of %s free)", self.what, name, _size(size), _size(self.left),
                        _size(self.free * settings.device_data_fraction), settings.device_data_fraction,
                        _size(self.free))
            return batches
        self.left -= size
        logger.info("%s: %s (%s) moved to the device once", self.what, name, _size(size))
        return DeviceArrayBatches(batches)


def _size(nbytes):
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if nbytes >= scale:
            return f"{nbytes / scale:.1f} {unit}"
    return f"{int(nbytes)} bytes"


def place_for_fit(batches, validation):
    """fit's training batches, then its validation batches (or None), each moved to the device if it still fits."""
    budget = DeviceBudget("fit")
    return budget.place(batches, "the training data"), budget.place(validation, "the validation data")


class PredictOutputs:
    """predict's outputs batch by batch, for the host: kept on the device and copied once at the end
    when the first batch's outputs times the number of batches fit what is left of the budget
    (one wait for the device per output instead of one per batch), else copied batch by batch.

    Args:
        budget: predict's DeviceBudget (what its inputs left).
        steps: the number of batches (None when unknown: a generator's).
    """

    def __init__(self, budget, steps):
        self.budget, self.steps = budget, steps
        self.batches = []
        self.keep = None  # decided at the first batch

    def add(self, arrays):
        """One batch's flat outputs (arrays of the backend)."""
        if self.keep is None:
            batched = self.budget.free is not None and self.steps and all(getattr(array, "ndim", 0) for array in arrays)
            self.keep = bool(batched and sum(int(array.nbytes) for array in arrays) * self.steps <= self.budget.left)
        self.batches.append(arrays if self.keep else [backend.to_numpy(array) for array in arrays])

    def on_host(self):
        """Per batch, the flat outputs as NumPy arrays."""
        if not self.keep or not self.batches:
            return self.batches
        columns = []
        for parts in zip(*self.batches):  # each output: its batches joined on the device, one copy
            joined = backend.to_numpy(backend.xp.concatenate(parts, axis=0))
            starts = [0]
            for part in parts:
                starts.append(starts[-1] + len(part))
            columns.append([joined[start:stop] for start, stop in zip(starts, starts[1:])])
        return [list(batch) for batch in zip(*columns)]

"""PyDataset: a dataset of batches that fit / evaluate / predict index (keras.utils.PyDataset).

    class Batches(PyDataset):
        def __init__(self, x, y, batch_size, **kwargs):
            super().__init__(**kwargs)
            self.x, self.y, self.batch_size = x, y, batch_size

        def __len__(self):
            return math.ceil(len(self.x) / self.batch_size)

        def __getitem__(self, index):
            rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
            return self.x[rows], self.y[rows]

    model.fit(Batches(x, y, 32), epochs=3)

`__getitem__` returns `x`, `(x, y)` or `(x, y, sample_weight)`. `on_epoch_end` runs after each epoch.
"""


class PyDataset:
    """Base class for datasets of batches addressed by index.

    Args:
        workers, use_multiprocessing, max_queue_size: accepted for Keras compatibility; batches are
            read in the training thread (NumPy releases the GIL in its heavy kernels anyway).
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__ (the number of batches)")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index) returning a batch")

    @property
    def num_batches(self):
        return len(self)

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass


Sequence = PyDataset

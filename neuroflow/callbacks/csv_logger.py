"""CSVLogger: writes one row of epoch results per epoch to a CSV file."""
import collections.abc
import csv
import io
import os

import numpy

from neuroflow.callbacks.callback import Callback
from neuroflow.utils.atomic_file import write_text


def _cell(value):
    """A log value as a CSV cell: strings and scalars as they are, sequences as '[a, b, ...]'."""
    if isinstance(value, str):
        return value
    if isinstance(value, collections.abc.Iterable) and numpy.ndim(value) != 0:
        return f'"[{", ".join(map(str, value))}]"'
    return value


class CSVLogger(Callback):
    """Streams the epoch logs of `fit` to a CSV file.

    The header is `epoch` followed by the log names in sorted order (plus any `val_` metric names
    the model declares in `metrics_names` that the first epoch lacked); each epoch writes one row,
    the epoch counted from 0, 'NA' for a missing value. With `append=True` an existing file is
    continued, without a second header.

        epoch,accuracy,loss,val_accuracy,val_loss
        0,0.91,0.30,0.95,0.17

    Args:
        filename: path of the CSV file, e.g. 'run/log.csv'.
        separator: string between the cells. Defaults to ','.
        append: True continues an existing file; False overwrites it.

    Example:

    ```python
    model.fit(x, y, epochs=5, callbacks=[neuroflow.callbacks.CSVLogger("training.log")])
    ```
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        self.append_header = True
        existing = ""
        if self.append and os.path.exists(self.filename):
            with open(self.filename, newline="") as handle:
                existing = handle.read()
            self.append_header = not existing
        self._close()
        # The rows are kept in memory and the whole file is replaced after each epoch
        # (utils/atomic_file.py): a run killed while writing leaves the previous epoch's file intact,
        # never a torn last row.
        self.csv_file = io.StringIO(existing, newline="")
        self.csv_file.seek(0, io.SEEK_END)
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.csv_file is None or self.csv_file.closed:
            self.on_train_begin()
        if self.keys is None:
            self.keys = sorted(logs.keys())
            # Validation may be missing from this epoch's logs (e.g. validation_freq > 1): keep a
            # column for each validation metric the model declares.
            for name in getattr(self.model, "metrics_names", None) or []:
                if name.startswith("val_") and name not in self.keys:
                    self.keys.append(name)
        if self.writer is None:
            separator = self.sep

            class Dialect(csv.excel):
                delimiter = separator

            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys, dialect=Dialect)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        write_text(self.filename, self.csv_file.getvalue())

    def on_train_end(self, logs=None):
        self._close()
        self.writer = None

    def _close(self):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()

"""TensorBoard: per-epoch (and per-batch) scalars and weight histograms, in TensorBoard's event files.

The files are written by `utils/tensorboard_events.py` (no TensorFlow, no protobuf); view them with
`tensorboard --logdir logs` (`pip install "neuroflow[tensorboard]"`).
"""
import os
import time

import numpy

from neuroflow.callbacks.callback import Callback
from neuroflow.utils.tensorboard_events import EventFileWriter

HOST_NUMPY = "reads the logs and learning rates as host numbers"  # numpy here works on host data (tests/test_backend_seam.py)


def _number(value):
    return float(numpy.asarray(getattr(value, "value", value)).reshape(-1)[0])


class TensorBoard(Callback):
    """Logs training to `log_dir/train` and `log_dir/validation` as Keras' TensorBoard callback does.

    At each epoch end: `epoch_<name>` scalars of the training logs and the learning rate in `train/`,
    of the `val_` logs (prefix dropped) in `validation/`; with `histogram_freq=N`, every N epochs a
    `<weight path>/histogram` of each weight. With `update_freq="batch"` or an integer N, every N-th
    training batch writes `batch_<name>` scalars at the global batch step. Each evaluation (also
    fit's validation) writes `evaluation_<name>_vs_iterations` at the optimizer's step count.

    Args:
        log_dir: the folder of the runs (default "logs").
        histogram_freq: epochs between weight histograms; 0 writes none.
        write_graph: accepted for Keras' signature; neuroflow has no graph to write.
        write_images: accepted for Keras' signature; weight images are not written.
        write_steps_per_second: also log `steps_per_second` per epoch (and per batch).
        update_freq: "epoch", "batch", or an integer number of batches.
        profile_batch: must be 0 (no profiler, as with Keras' torch backend).
        embeddings_freq: epochs between saves of the weights to `train/keras_embedding.ckpt-<epoch>.weights.h5`.
        embeddings_metadata: accepted for Keras' signature.

    Raises:
        ValueError: `profile_batch` is not 0, or `update_freq` is neither "epoch", "batch" nor a positive integer.
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0, embeddings_freq=0,
                 embeddings_metadata=None):
        super().__init__()
        if profile_batch:
            raise ValueError("Profiling is not available in neuroflow. "
                             f"Received: profile_batch={profile_batch!r} (must be 0)")
        if update_freq not in ("epoch", "batch") and not (isinstance(update_freq, int) and update_freq > 0):
            raise ValueError("Argument `update_freq` must be 'epoch', 'batch' or a positive integer. "
                             f"Received: update_freq={update_freq!r}")
        self.log_dir = str(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._global_train_batch = 0
        self._global_test_batch = 0
        self._writers = {}
        self._batch_start_time = 0.0
        self._epoch_start_time = 0.0
        self._epoch_start_iterations = 0

    def set_model(self, model):
        super().set_model(model)
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        self._close_writers()

    def _writer(self, which):
        # Created on first use, so that a run without validation makes no validation folder.
        if which not in self._writers:
            self._writers[which] = EventFileWriter(self._train_dir if which == "train" else self._val_dir)
        return self._writers[which]

    def _close_writers(self):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def _iterations(self):
        optimizer = getattr(self.model, "optimizer", None)
        return int(_number(optimizer.iterations)) if optimizer is not None and hasattr(optimizer, "iterations") else None

    def on_train_begin(self, logs=None):
        self._global_train_batch = 0

    def on_train_end(self, logs=None):
        self._close_writers()

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        if self.write_steps_per_second:
            self._batch_start_time = time.time()

    def on_train_batch_end(self, batch, logs=None):
        if self.update_freq == "epoch" or self._global_train_batch % self.update_freq:
            return
        writer = self._writer("train")
        if self.write_steps_per_second:
            elapsed = max(time.time() - self._batch_start_time, 1e-12)
            writer.add_scalar("batch_steps_per_second", 1.0 / elapsed, self._global_train_batch)
        for name, value in (logs or {}).items():
            writer.add_scalar(f"batch_{name}", _number(value), self._global_train_batch)
        writer.flush()

    def on_test_batch_begin(self, batch, logs=None):
        self._global_test_batch += 1

    def on_test_end(self, logs=None):
        step = self._iterations()
        if step is None or not logs:
            return
        writer = self._writer("validation")
        for name, value in logs.items():
            writer.add_scalar(f"evaluation_{name}_vs_iterations", _number(value), step)
        writer.flush()

    def on_epoch_begin(self, epoch, logs=None):
        if self.write_steps_per_second:
            self._epoch_start_iterations = self._iterations() or 0
            self._epoch_start_time = time.time()

    def on_epoch_end(self, epoch, logs=None):
        self._log_epoch_metrics(epoch, logs or {})
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            os.makedirs(self._train_dir, exist_ok=True)
            self.model.save_weights(os.path.join(self._train_dir, f"keras_embedding.ckpt-{epoch}.weights.h5"))

    def _log_epoch_metrics(self, epoch, logs):
        train = {name: value for name, value in logs.items() if not name.startswith("val_")}
        validation = {name[4:]: value for name, value in logs.items() if name.startswith("val_")}
        optimizer = getattr(self.model, "optimizer", None)
        if train and optimizer is not None and hasattr(optimizer, "learning_rate"):
            train["learning_rate"] = _number(optimizer.learning_rate)
        if train and self.write_steps_per_second:
            steps = (self._iterations() or 0) - self._epoch_start_iterations
            train["steps_per_second"] = steps / max(time.time() - self._epoch_start_time, 1e-12)
        for which, values in (("train", train), ("validation", validation)):
            if values:
                writer = self._writer(which)
                for name, value in values.items():
                    writer.add_scalar(f"epoch_{name}", _number(value), epoch)
                writer.flush()

    def _log_weights(self, epoch):
        writer = self._writer("train")
        for layer in self.model.layers:
            for weight in layer.weights:
                name = str(getattr(weight, "path", None) or weight.name).replace(":", "_")
                writer.add_histogram(f"{name}/histogram", numpy.asarray(weight.numpy()), epoch)
        writer.flush()

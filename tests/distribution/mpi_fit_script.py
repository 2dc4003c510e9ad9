"""The classic MNIST MLP fit once, for the data-parallel tests: `mpirun -n N python mpi_fit_script.py OUT MODE`.

Each rank writes OUT/rank_<r>.npz (weights, History, evaluate, predict); run without mpirun it is
the one-process reference. MODE: 'fit' (the traced step), 'eager' (run_eagerly), 'stuck' (rank 1
stops answering at its 3rd batch), 'killed' (rank 1 is killed at its 3rd batch), 'uneven'
(rank 1 reads one batch less).
Real MNIST (the first 2,048 images) when NEUROFLOW_DATA_DIR holds mnist.npz, else a synthetic set.
"""
import json
import os
import signal
import sys
import time

import numpy

import neuroflow
from neuroflow import callbacks, distribution, layers, models

SAMPLES = 2048


def mnist_slice():
    try:
        (images, labels), _ = neuroflow.datasets.mnist.load_data()
    except Exception:  # no offline copy: a synthetic set of the same shapes
        generator = numpy.random.default_rng(0)
        images, labels = generator.integers(0, 256, size=(SAMPLES, 28, 28)), generator.integers(0, 10, size=SAMPLES)
    images = images[:SAMPLES].reshape(-1, 28 * 28).astype("float32") / 255
    return images, neuroflow.utils.to_categorical(labels[:SAMPLES], 10)


class Misbehave(callbacks.Callback):
    """Rank 1 of the job hangs or dies at its 3rd batch."""

    def __init__(self, mode, rank):
        super().__init__()
        self.mode, self.rank = mode, rank

    def on_train_batch_end(self, batch, logs=None):
        if self.rank == 1 and batch == 2:
            if self.mode == "stuck":
                time.sleep(600)
            if self.mode == "killed":
                os.kill(os.getpid(), signal.SIGKILL)


def main(out, mode="fit"):
    """Fits Dense(512, relu) - Dense(10, softmax) with rmsprop, global batch 128, one epoch; writes the results."""
    timeout = 3 if mode == "stuck" else None
    distribution.set_distribution(distribution.DataParallel(timeout=timeout))
    rank = distribution.distribution().process_id
    neuroflow.set_random_seed(0)
    x, y = mnist_slice()
    if mode == "uneven" and rank == 1:
        x, y = x[:-128], y[:-128]
    model = models.Sequential([layers.Input((28 * 28,)), layers.Dense(512, activation="relu"),
                               layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"],
                  run_eagerly=mode == "eager")
    # Named per rank, so the test can see that only rank 0 kept its file-writing callbacks.
    writers = [callbacks.CSVLogger(os.path.join(out, f"log_rank{rank}.csv")),
               callbacks.ModelCheckpoint(os.path.join(out, f"ckpt_rank{rank}.weights.h5"), save_weights_only=True)]
    history = model.fit(x, y, batch_size=128, epochs=1, validation_split=0.1, verbose=2,
                        callbacks=writers + [Misbehave(mode, rank)])
    # 130 rows in batches of 64: the last batch has 2 rows, so with 4 ranks two of them get none.
    evaluation = model.evaluate(x[:130], y[:130], batch_size=64, verbose=0)
    predictions = model.predict(x[:130], batch_size=64, verbose=0)
    # BatchNormalization's moving statistics: each rank updates them on its own rows; fit averages them.
    normalized = models.Sequential([layers.Input((28 * 28,)), layers.Dense(16), layers.BatchNormalization(),
                                    layers.Dense(10, activation="softmax")])
    normalized.compile(optimizer="adam", loss="categorical_crossentropy")
    normalized.fit(x[:512], y[:512], batch_size=128, epochs=1, verbose=0)
    moving_mean, moving_variance = (w.numpy() for w in normalized.non_trainable_weights)
    numpy.savez(os.path.join(out, f"rank_{rank}.npz"), *model.get_weights(), predictions=predictions,
                evaluation=numpy.array(evaluation), history=json.dumps(history.history),
                moving_mean=moving_mean, moving_variance=moving_variance)
    distribution.set_distribution(None)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "fit")

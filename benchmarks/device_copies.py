"""Host <-> device copies per training step, counted on the CPU's stand-in device (issue 16).

    python benchmarks/device_copies.py            # the table below, in a few seconds

On a GPU every copy is a cudaMemcpy, and a device -> host copy also makes the host wait for
the device. The stand-in (neuroflow/testing/device_standin.py) counts both directions, so the
figures here are exact and need no GPU. For each model: a first fit traces the step; the second
fit of 2 epochs is counted, once with the default free-memory figure (the arrays fit on the
device: they move once, at the start of fit) and once with 1 KiB free (they move batch by batch);
then the mlp under optimizers and metrics that read a norm or check a range in their step.
Columns: copies per step host -> device (count, bytes), device -> host (count), and the copies
of the whole counted fit.
"""
import numpy

import neuroflow
from neuroflow import layers, ops
from neuroflow.testing import device_standin

SAMPLES, BATCH, EPOCHS = 64, 8, 2


def _mlp():
    return neuroflow.Sequential([layers.Input((8,)), layers.Dense(8, activation="relu"), layers.Dense(3)]), \
        numpy.random.default_rng(7).normal(size=(SAMPLES, 8)).astype("float32")


def _convnet_dropout():
    return neuroflow.Sequential([layers.Input((8, 8, 1)), layers.Conv2D(4, 3, activation="relu"), layers.MaxPooling2D(),
                                 layers.Flatten(), layers.Dropout(0.5), layers.Dense(3, activation="softmax")]), \
        numpy.random.default_rng(7).random((SAMPLES, 8, 8, 1), dtype="float32")


def _noise_layers():
    return neuroflow.Sequential([layers.Input((8,)), layers.GaussianNoise(0.1), layers.Dense(8, activation="selu"),
                                 layers.AlphaDropout(0.2), layers.GaussianDropout(0.2), layers.Dropout(0.3),
                                 layers.Dense(3)]), \
        numpy.random.default_rng(7).normal(size=(SAMPLES, 8)).astype("float32")


def _recurrent_dropout():
    return neuroflow.Sequential([layers.Input((6,), dtype="int32"), layers.Embedding(20, 4),
                                 layers.LSTM(5, dropout=0.2, recurrent_dropout=0.2, return_sequences=True),
                                 layers.GRU(4, dropout=0.2), layers.BatchNormalization(), layers.Dense(3)]), \
        numpy.random.default_rng(7).integers(0, 20, size=(SAMPLES, 6))


class _Sampling(layers.Layer):
    """A VAE's sampling layer as Keras' example writes it: a `neuroflow.random` draw from the layer's SeedGenerator."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = neuroflow.random.SeedGenerator(1337)

    def call(self, inputs):
        return inputs + neuroflow.random.normal(shape=ops.shape(inputs), seed=self.seed_generator)


def _sampling():
    return neuroflow.Sequential([layers.Input((8,)), layers.Dense(8), _Sampling(), layers.Dense(3)]), \
        numpy.random.default_rng(7).normal(size=(SAMPLES, 8)).astype("float32")


def _binary():
    return neuroflow.Sequential([layers.Input((8,)), layers.Dense(8, activation="relu"),
                                 layers.Dense(1, activation="sigmoid")]), \
        numpy.random.default_rng(7).normal(size=(SAMPLES, 8)).astype("float32")


MODELS = {"mlp": _mlp, "convnet+dropout": _convnet_dropout, "noise layers": _noise_layers,
          "lstm/gru+dropout": _recurrent_dropout, "seeded draw (vae)": _sampling}
# The mlp under optimizers and metrics whose step reads a norm or checks a range.
COMPILED = {
    "nadam": (_mlp, {"optimizer": "nadam"}),
    "lamb": (_mlp, {"optimizer": "lamb"}),
    "adafactor": (_mlp, {"optimizer": "adafactor"}),
    "sgd clipnorm": (_mlp, {"optimizer": lambda: neuroflow.optimizers.SGD(0.01, clipnorm=1.0)}),
    "adam global_clipnorm": (_mlp, {"optimizer": lambda: neuroflow.optimizers.Adam(global_clipnorm=1.0)}),
    "auc+precision+recall": (_binary, {"loss": "binary_crossentropy", "metrics": ["auc", "precision", "recall"]}),
}


def count(make, free_bytes, shuffle=True, optimizer="adam", loss="sparse_categorical_crossentropy",
          metrics=("accuracy",)):
    """(host->device copies, bytes, device->host copies) of a counted fit, and its steps."""
    y = numpy.random.default_rng(8).integers(0, 3, SAMPLES)
    if loss == "binary_crossentropy":
        y = (y > 0).astype("float32")
    with device_standin.use_standin():
        neuroflow.set_random_seed(1)
        model, x = make()
        model.compile(optimizer=optimizer() if callable(optimizer) else optimizer, loss=loss, metrics=list(metrics))
        model.fit(x, y, epochs=1, batch_size=BATCH, verbose=0)  # traces the step
        with device_standin.free_memory(free_bytes):
            device_standin.reset_counters()
            model.fit(x, y, epochs=EPOCHS, batch_size=BATCH, verbose=0, shuffle=shuffle)
        steps = EPOCHS * SAMPLES // BATCH
        return (device_standin.host_to_device.count, device_standin.host_to_device.bytes,
                device_standin.device_to_host.count, steps)


def main():
    print(f"{SAMPLES} samples, batch {BATCH}, {EPOCHS} epochs counted (after a tracing fit), shuffle on")
    print(f"{'model':20s} {'data':9s} {'h->d/step':>9s} {'bytes/step':>10s} {'d->h/step':>9s} "
          f"{'h->d fit':>8s} {'d->h fit':>8s}")
    for name, make in MODELS.items():
        for placement, free in (("once", 16 * 2**30), ("per step", 1024)):
            uploads, uploaded, downloads, steps = count(make, free)
            print(f"{name:20s} {placement:9s} {uploads / steps:9.2f} {uploaded / steps:10.0f} {downloads / steps:9.2f} "
                  f"{uploads:8d} {downloads:8d}")
    for name, (make, compile_arguments) in COMPILED.items():
        uploads, uploaded, downloads, steps = count(make, 16 * 2**30, **compile_arguments)
        print(f"{name:20s} {'once':9s} {uploads / steps:9.2f} {uploaded / steps:10.0f} {downloads / steps:9.2f} "
              f"{uploads:8d} {downloads:8d}")


if __name__ == "__main__":
    main()

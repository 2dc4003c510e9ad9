"""MNIST MLP 784-512-10, RMSprop: neuroflow in float32 vs the same model under 'mixed_float16'.

The lecture model of benchmarks/mnist_mlp.py (batch 128, categorical cross-entropy), once in float32
and once with `mixed_precision.set_global_policy("mixed_float16")` and the usual float32 softmax
(`Activation("softmax", dtype="float32")`), compile wrapping RMSprop in a LossScaleOptimizer. Each
runs in its own subprocess (_harness.py). On the NumPy backend float16 matmuls have no BLAS
kernel, so mixed precision is expected to lose on the CPU; the figure says by how much. On a GPU
(NEUROFLOW_BACKEND=cupy) the float16 products run on cuBLAS, where mixed precision is meant to pay.

    python benchmarks/mixed_precision.py --pin --epochs 1       # CPU seconds of one 1-thread epoch
    python benchmarks/mixed_precision.py --epochs 3             # wall seconds, all cores
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness  # noqa: E402
import mnist_mlp  # noqa: E402

CONFIG = dict(mnist_mlp.CONFIG, epochs=2)
TARGETS = {}  # a measurement, not a target: mixed precision is for the GPU


def _mixed_model(library, config):
    layers = library.layers
    stack = [layers.Input(shape=(784,))] + [layers.Dense(units, activation="relu") for units in config["hidden"]]
    model = library.models.Sequential(stack + [layers.Dense(10), layers.Activation("softmax", dtype="float32")])
    optimizer = library.optimizers.RMSprop(learning_rate=config["learning_rate"], rho=config["rho"],
                                           epsilon=config["epsilon"])
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def run_mixed_float16(config):
    neuroflow = _harness.timed_import("neuroflow")
    data = _harness.load_data(config)
    neuroflow.random.set_random_seed(config["seed"])
    neuroflow.mixed_precision.set_global_policy("mixed_float16")
    model = _mixed_model(neuroflow, config)
    return _harness.fit_timed(neuroflow, model, data["x_train"], mnist_mlp._one_hot(data["y_train"]), data["x_test"],
                              mnist_mlp._one_hot(data["y_test"]), config)


CONTENDERS = {"neuroflow": mnist_mlp.run_neuroflow, "mixed_float16": run_mixed_float16}

if __name__ == "__main__":
    _harness.run_benchmark(__doc__, CONTENDERS, CONFIG, mnist_mlp.prepare, __file__, TARGETS)

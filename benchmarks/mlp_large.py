"""MNIST MLP 784-1024-1024-10, Adam: neuroflow vs Keras 3 on JAX, PyTorch eager, hand NumPy and the GEMM floor.

Dense(1024, relu) - Dense(1024, relu) - Dense(10, softmax), Adam (Keras' defaults: lr 0.001,
beta_1 0.9, beta_2 0.999, epsilon 1e-7), categorical cross-entropy, batch 256, 3 epochs, float32:
the contenders and figures of benchmarks/mnist_mlp.py on a network whose matrix products and
optimizer passes are four times larger.

    python benchmarks/mlp_large.py [--pin] [--peer-python PYTHON] [--json large.json]

Target (issue 15): neuroflow at most 1.0x Keras-JAX.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness  # noqa: E402
import mnist_mlp  # noqa: E402

CONFIG = dict(mnist_mlp.CONFIG, epochs=3, batch_size=256, hidden=[1024, 1024], optimizer="adam")
TARGETS = {"keras_jax": 1.0, "torch": 1.0, "numpy": 1.0, "gemm": 1.3}

if __name__ == "__main__":
    _harness.run_benchmark(__doc__, mnist_mlp.CONTENDERS, CONFIG, mnist_mlp.prepare, __file__, TARGETS)

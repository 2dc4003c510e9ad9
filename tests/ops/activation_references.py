"""NumPy references for every activation kernel, shared by the activation and dense tests."""
import math

import numpy

np = numpy
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softplus(x):
    return np.log1p(np.exp(x))


def hard_sigmoid(x):
    return np.clip(x / 6.0 + 0.5, 0.0, 1.0)


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def erf(x):
    return np.vectorize(math.erf)(x)


# name -> (reference, (low, high) input range avoiding nothing in particular, options)
REFERENCES = {
    "linear": (lambda x: x, (-3, 3)),
    "relu": (lambda x: np.maximum(x, 0), (-3, 3)),
    "sigmoid": (sigmoid, (-5, 5)),
    "tanh": (np.tanh, (-3, 3)),
    "softmax": (softmax, (-3, 3)),
    "log_softmax": (lambda x: np.log(softmax(x)), (-3, 3)),
    "exponential": (np.exp, (-2, 2)),
    "leaky_relu": (lambda x: np.where(x > 0, x, 0.2 * x), (-3, 3)),
    "relu6": (lambda x: np.clip(x, 0, 6), (-2, 8)),
    "elu": (lambda x: np.where(x > 0, x, np.expm1(x)), (-3, 3)),
    "selu": (lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x)), (-3, 3)),
    "softplus": (softplus, (-5, 5)),
    "softsign": (lambda x: x / (1 + np.abs(x)), (-3, 3)),
    "hard_sigmoid": (hard_sigmoid, (-5, 5)),
    "hard_silu": (lambda x: x * hard_sigmoid(x), (-5, 5)),
    "hard_swish": (lambda x: x * hard_sigmoid(x), (-5, 5)),
    "silu": (lambda x: x * sigmoid(x), (-5, 5)),
    "swish": (lambda x: x * sigmoid(x), (-5, 5)),
    "gelu": (lambda x: 0.5 * x * (1 + erf(x / math.sqrt(2))), (-4, 4)),
    "mish": (lambda x: x * np.tanh(softplus(x)), (-4, 4)),
    "celu": (lambda x: np.maximum(x, 0) + np.expm1(np.minimum(x, 0)), (-3, 3)),
    "hard_tanh": (lambda x: np.clip(x, -1, 1), (-3, 3)),
    "hard_shrink": (lambda x: np.where(np.abs(x) > 0.5, x, 0.0), (-3, 3)),
    "soft_shrink": (lambda x: np.sign(x) * np.maximum(np.abs(x) - 0.5, 0.0), (-3, 3)),
    "log_sigmoid": (lambda x: np.log(sigmoid(x)), (-5, 5)),
    "sparse_plus": (lambda x: np.where(x <= -1, 0.0, np.where(x < 1, (x + 1) ** 2 / 4, x)), (-3, 3)),
    "sparse_sigmoid": (lambda x: np.clip((x + 1) / 2, 0.0, 1.0), (-3, 3)),
    "squareplus": (lambda x: (x + np.sqrt(x * x + 4)) / 2, (-3, 3)),
    "tanh_shrink": (lambda x: x - np.tanh(x), (-3, 3)),
    "threshold": (lambda x: np.where(x > 0, x, 0.0), (-3, 3)),  # the kernel's defaults: threshold 0, value 0
}

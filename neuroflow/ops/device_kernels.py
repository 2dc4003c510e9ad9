"""Fused elementwise kernels for the cupy backend: one GPU launch where the NumPy path runs several ufuncs.

GPU only. Each kernel is a `cupy.ElementwiseKernel` built from `backend.xp` the first time the cupy
backend asks for it (this module never imports cupy); on NumPy `get` returns None and the callers
keep their NumPy code, which stays the reference. The
bodies repeat the NumPy path's formulas term for term, in the same order, with the same float32
constants (Python floats there are cast to the array's dtype, so they are passed here already
cast). The stand-in device runs the same bodies through a NumPy emulation of ElementwiseKernel,
so the parity tests (tests/training/test_on_device.py: Adam, RMSprop, relu, sigmoid, tanh) check
the formulas bit for bit on the CPU; on a GPU they check the compiled kernels to float32
tolerance. Their speed is not measured yet.

Kept small on purpose: the activations' vjps that every model runs (relu, sigmoid, tanh) and the
updates of Adam and RMSprop (the benchmarks' optimizers), each one launch per variable. Other op
families define their own kernels here with `define` (the fused LSTM / GRU steps:
ops/recurrent/step_kernels.py). `unfused()` turns every fused path off for a block, cuDNN's
included (ops/cudnn.py), so a GPU run can compare them with the unfused device code.
"""
import contextlib

from neuroflow import backend

# name -> (input parameters, output parameters, body), in CuPy's ElementwiseKernel notation.
_SOURCES = {
    # g * (y > 0): the boolean as a factor (not a select), so NaN gradients propagate as on NumPy.
    "relu_vjp": ("T g, T y", "T dx", "dx = g * (T)(y > 0)"),
    "sigmoid_vjp": ("T g, T y", "T dx", "dx = g * y * ((T)1 - y)"),
    "tanh_vjp": ("T g, T y", "T dx", "dx = g * ((T)1 - y * y)"),
    # Adam (optimizers/adam.py): m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2); w -= alpha m / (sqrt(v) + eps).
    "adam": ("T g, T one_minus_beta_1, T one_minus_beta_2, T epsilon, T alpha", "T w, T m, T v",
             "m += (g - m) * one_minus_beta_1; v += (g * g - v) * one_minus_beta_2; "
             "w -= (m / (sqrt(v) + epsilon)) * alpha"),
    # RMSprop without momentum or centring (optimizers/rmsprop.py): v = rho v + (1 - rho) g^2; w -= lr g / sqrt(v + eps).
    "rmsprop": ("T g, T rho, T one_minus_rho, T epsilon, T learning_rate", "T w, T v",
                "v = v * rho + (g * g) * one_minus_rho; w -= (g / sqrt(v + epsilon)) * learning_rate"),
}

_built = {}
_switch = {"enabled": True}


def define(name, inputs, outputs, body):
    """Adds kernel `name` (CuPy ElementwiseKernel notation); `get(name)` builds it on first use."""
    if name in _SOURCES and _SOURCES[name] != (inputs, outputs, body):
        raise ValueError(f"device kernel {name!r} is already defined with another body")
    _SOURCES[name] = (inputs, outputs, body)


def enabled():
    """False inside `unfused()`: the device runs its plain ufunc / im2col code."""
    return _switch["enabled"]


@contextlib.contextmanager
def unfused():
    """Runs the block without fused kernels or cuDNN (the device's unfused paths), then restores the switch."""
    previous = _switch["enabled"]
    _switch["enabled"] = False
    try:
        yield
    finally:
        _switch["enabled"] = previous


def get(name):
    """The fused kernel `name` on the cupy backend, or None on NumPy (use the NumPy code).

    The tests' stand-in device emulates ElementwiseKernel in NumPy, so there these bodies run too
    and the parity tests compare them with the NumPy path on every machine.
    """
    name_of_backend = backend.backend()
    if name_of_backend == "numpy" or not _switch["enabled"]:
        return None
    kernel = _built.get((name_of_backend, name))
    if kernel is None:
        factory = getattr(backend.xp, "ElementwiseKernel", None)
        if factory is None:
            return None
        inputs, outputs, body = _SOURCES[name]
        kernel = _built[name_of_backend, name] = factory(inputs, outputs, body, f"neuroflow_{name}")
    return kernel


def activation_vjp(name, derivative):
    """`derivative(g, x, y, **options)` of a y-only activation, fused on the GPU when it has no options."""
    kernel_name = f"{name}_vjp"

    def fused_or_numpy(g, x, y, **options):
        kernel = None if options or g.dtype != y.dtype else get(kernel_name)
        if kernel is None:
            return derivative(g, x, y, **options)
        return kernel(g, y)
    fused_or_numpy.__name__ = getattr(derivative, "__name__", kernel_name)
    return fused_or_numpy

"""keras.ops.view_as_real and view_as_complex: a complex tensor as (..., 2) real pairs and back."""
from neuroflow import backend
from neuroflow.engine.registry import apply
from neuroflow.engine.tensor import convert_to_tensor
from neuroflow.ops.plain import plain_op


def _as_real(a):
    return backend.xp.stack([a.real, a.imag], axis=-1)


def _as_complex(a):
    return a[..., 0] + 1j * a[..., 1]


view_as_real_op = plain_op("view_as_real", _as_real)
view_as_complex_op = plain_op("view_as_complex", _as_complex)


def view_as_real(x):
    """The real and imaginary parts of x as a last axis of size 2."""
    if not hasattr(x, "shape"):
        x = convert_to_tensor(x)
    return apply(view_as_real_op, (x,), {})


def view_as_complex(x):
    """x (..., 2) read as real and imaginary parts: a complex tensor (...)."""
    if not hasattr(x, "shape"):
        x = convert_to_tensor(x)
    if len(x.shape) < 1 or x.shape[-1] != 2:
        raise ValueError(f"ops.view_as_complex expects a last axis of size 2 (real, imag); received x.shape={tuple(x.shape)}")
    return apply(view_as_complex_op, (x,), {})

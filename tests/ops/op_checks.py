"""Shared checks for op tests: one helper per kind of check, so each op test is a line or two.

`check_op(fn, reference, *inputs)` does both checks an op needs: the forward value against a
NumPy reference in float32 and float64 (with the dtype preserved), and a float64
finite-difference gradient check of every floating input.
"""
import numpy

from neuroflow import random as nf_random
from neuroflow.engine.tensor import Tensor
from neuroflow.testing import check_gradients


def uniform(*shape, low=-2.0, high=2.0, seed=0):
    """A float64 array drawn from the package generator with a fixed seed."""
    return nf_random.generator(seed).uniform(low, high, size=shape)


def make_inputs(specs, low=-2.0, high=2.0, seed=0):
    """Arrays for `specs`: a tuple is a shape (random float64 values), anything else is used as is."""
    arrays = []
    for offset, spec in enumerate(specs):
        if isinstance(spec, tuple):
            arrays.append(uniform(*spec, low=low, high=high, seed=seed + offset))
        else:
            arrays.append(numpy.asarray(spec))
    return arrays


def check_forward(fn, reference, *arrays, rtol=1e-5, atol=1e-6):
    """fn(*Tensors) matches reference(*arrays) for float32 and float64 inputs, and keeps the dtype."""
    arrays = [numpy.asarray(a) for a in arrays]
    expected = numpy.asarray(reference(*arrays))
    for dtype in (numpy.float32, numpy.float64):
        tensors = [Tensor(a.astype(dtype) if a.dtype.kind == "f" else a) for a in arrays]
        out = fn(*tensors)
        assert isinstance(out, Tensor), f"expected a Tensor, got {type(out).__name__}"
        if expected.dtype.kind == "f":
            assert out.dtype == numpy.dtype(dtype).name, f"{dtype.__name__} input gave {out.dtype} output"
        else:
            assert out.dtype == expected.dtype.name
        assert out.shape == expected.shape, f"shape {out.shape}, expected {expected.shape}"
        tolerance = (rtol, atol) if dtype is numpy.float64 else (max(rtol, 2e-5), max(atol, 2e-5))
        numpy.testing.assert_allclose(out.numpy(), expected, rtol=tolerance[0], atol=tolerance[1])
    return expected


def check_grad(fn, *arrays, wrt=None, **tolerances):
    """Float64 finite-difference gradient check of fn (neuroflow.testing.check_gradients)."""
    return check_gradients(fn, *arrays, wrt=wrt, **tolerances)


def check_op(fn, reference, *specs, low=-2.0, high=2.0, wrt=None, seed=0, **tolerances):
    """Forward value against `reference` (skipped when None), then the gradient check."""
    arrays = make_inputs(specs, low=low, high=high, seed=seed)
    if reference is not None:
        check_forward(fn, reference, *arrays)
    return check_grad(fn, *arrays, wrt=wrt, **tolerances)

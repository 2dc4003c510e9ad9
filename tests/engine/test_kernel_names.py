"""Kernels carry their op's name: a traceback or a profile through a kernel says `<op>.forward` / `<op>.vjp`."""
import cProfile
import pstats
import traceback

import numpy
import pytest

from neuroflow import ops
from neuroflow.engine import GradientTape, Op, Tensor, get_op

failing = Op("test_failing_kernels")


@failing.forward
def _(a):
    return a * 2.0, a


@failing.vjp
def _(residuals, g, needs):
    raise FloatingPointError("the vjp fails on purpose")


def _frame_names(error):
    return [frame.name for frame in traceback.extract_tb(error.__traceback__)]


def test_a_failing_forward_names_its_op_in_the_traceback():
    with pytest.raises(ValueError) as caught:
        ops.matmul(numpy.ones((2, 3)), numpy.ones((2, 3)))
    assert "matmul.forward" in _frame_names(caught.value)
    assert "_" not in _frame_names(caught.value)


def test_a_failing_vjp_names_its_op_in_the_traceback():
    x = Tensor(numpy.ones(3))
    with GradientTape() as tape:
        tape.watch(x)
        y = ops.sum(failing(x))
    with pytest.raises(FloatingPointError) as caught:
        tape.gradient(y, x)
    assert "test_failing_kernels.vjp" in _frame_names(caught.value)


def test_profiles_name_the_kernels():
    x = Tensor(numpy.ones((4, 3)))
    kernel = Tensor(numpy.ones((3, 2)))
    profile = cProfile.Profile()
    profile.enable()
    with GradientTape() as tape:
        tape.watch(kernel)
        loss = ops.sum(ops.dense(x, kernel, activation="relu"))
    tape.gradient(loss, kernel)
    profile.disable()
    names = {name for (_, _, name) in pstats.Stats(profile).stats}
    assert {"dense.forward", "dense.vjp", "sum.forward", "sum.vjp"} <= names
    assert "_" not in names


def test_a_kernel_shared_by_two_ops_is_named_after_each():
    # ops/reduction.py registers one function as the vjp of both max and min.
    assert get_op("max")._vjp.__name__ == "max.vjp"
    assert get_op("min")._vjp.__name__ == "min.vjp"
    assert get_op("max")._vjp.__code__.co_name == "max.vjp"
    assert get_op("add")._forward.__qualname__ == "add.forward"


def test_renamed_kernels_keep_defaults_and_closures():
    scale = 3.0
    op = Op("test_renamed_kernel_defaults")

    @op.forward
    def _(a, *, offset=1.0):
        return a * scale + offset, None

    assert op._forward.__kwdefaults__ == {"offset": 1.0}
    assert float(op(Tensor(numpy.array(1.0))).value) == 4.0
    assert _.__name__ == "_"  # the decorated function itself is left as it was

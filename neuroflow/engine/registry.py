"""The op registry: each op's forward and its vector-Jacobian product, side by side.

An op is defined once:

    multiply = Op("multiply")

    @multiply.forward
    def _(a, b):
        return a * b, (a, b)            # output, residuals kept for the backward pass

    @multiply.vjp
    def _(residuals, g, needs):
        a, b = residuals
        return g * b, g * a             # one gradient per input (None: not differentiable)

Forwards take and return backend arrays; `needs[i]` says whether input i wants a gradient, so a
vjp can skip costly work (the input-gradient matmul of a first layer, say). Gradients may have the
broadcast shape: the reverse walk reduces them to each input's shape (engine/graph.py). The
decorators name the kernels `multiply.forward` and `multiply.vjp`, which is what a traceback or a
profile through them shows.
"""
import types

from neuroflow import backend
from neuroflow.engine import autocast as autocast_module
from neuroflow.engine import tape as tape_module
from neuroflow.engine import trace as trace_module
from neuroflow.engine.keras_tensor import KerasTensor, symbolic_op_call
from neuroflow.engine.tensor import Tensor

_OPS = {}


def _named_kernel(function, name):
    """`function` under the name `<op>.forward` / `<op>.vjp`, so tracebacks and profiles name the op.

    Kernels are written as `def _(...)` under the decorators; without this every frame of every
    kernel would read `_`. Tracebacks and profilers read the code object's name (co_name; Python
    3.11+ also co_qualname), so the renamed code goes into a copy of the function: a kernel shared
    by two ops (one vjp for max and min) keeps a name per op, and the caller's function is left as it
    is. The copy shares globals, defaults and closure, so it runs exactly as the original.
    """
    code = getattr(function, "__code__", None)
    if code is None:
        return function  # a builtin or a functools.partial: it has no code of its own to name
    if hasattr(code, "co_qualname"):
        code = code.replace(co_name=name, co_qualname=name)
    else:
        code = code.replace(co_name=name)
    kernel = types.FunctionType(code, function.__globals__, name, function.__defaults__, function.__closure__)
    kernel.__kwdefaults__ = function.__kwdefaults__
    kernel.__qualname__ = name
    kernel.__doc__ = function.__doc__
    kernel.__module__ = function.__module__
    kernel.__dict__.update(function.__dict__)
    return kernel


class Op:
    """A named primitive: forward(arrays, **params) -> (output, residuals); vjp(residuals, g, needs)."""

    __slots__ = ("name", "_forward", "_vjp")

    def __init__(self, name):
        if name in _OPS:
            raise ValueError(f"An op named {name!r} is already registered")
        self.name = name
        self._forward = None
        self._vjp = None
        _OPS[name] = self

    def forward(self, function):
        self._forward = _named_kernel(function, f"{self.name}.forward")
        return function

    def vjp(self, function):
        self._vjp = _named_kernel(function, f"{self.name}.vjp")
        return function

    @property
    def differentiable(self):
        return self._vjp is not None

    def __call__(self, *inputs, **params):
        return apply(self, inputs, params)

    def __repr__(self):
        return f"<Op {self.name}>"


def _to_array(x):
    if isinstance(x, (int, float, bool)):
        # Python numbers stay weakly typed so `float32_tensor * 2.0` stays float32.
        return x
    if isinstance(x, KerasTensor):
        raise _SymbolicInput()
    return backend.xp.asarray(x)


class _SymbolicInput(Exception):
    """Raised while converting inputs when one is a functional-API placeholder."""


def apply(op, inputs, params):
    """Runs `op` on `inputs` and records it on every active tape watching one of them.

    This runs for every op of every training step, so it is written for few Python operations:
    a plain loop instead of generator expressions, and the tape's watch test inlined.
    """
    if autocast_module.active is not None:  # inside a mixed-precision layer's call: variables read as float16
        inputs = autocast_module.active.cast_inputs(inputs)
    try:
        arrays = [x.value if isinstance(x, Tensor) else _to_array(x) for x in inputs]
    except _SymbolicInput:
        return symbolic_op_call(op, inputs, params)
    output, residuals = op._forward(*arrays, **params)
    result = Tensor(output)
    if tape_module._active_tapes and op._vjp is not None:
        for tape in tape_module._active_tapes:
            if tape._recording:
                needs = tape._needs(inputs)
                if needs is not None:
                    tape._record(op, inputs, result, residuals, needs)
    if trace_module.active is not None:
        trace_module.active.record(op, inputs, params, result)
    return result


def get_op(name):
    return _OPS[name]


def registered_ops():
    """Names of all registered ops."""
    return sorted(_OPS)

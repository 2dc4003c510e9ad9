"""What the fused recurrent ops share: time-major layout, masks, argument checks, the state ops.

The public wrappers check shapes here (naming the op and the argument), make the default zero
state with an op (so a traced step makes it afresh per batch), and slice outputs with `time_slice`.
"""
from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.ops.activation import KERNELS
from neuroflow.utils.errors import unknown_name_error


def _activation(name, argument):
    name = "linear" if name is None else name
    if name not in KERNELS:
        raise unknown_name_error(argument, name, KERNELS)
    return KERNELS[name]


def _time_major(x, go_backwards):
    """(batch, time, features) -> contiguous (time * batch, features), reversed in time if asked."""
    if go_backwards:
        x = x[:, ::-1]
    return backend.xp.ascontiguousarray(x.transpose(1, 0, 2)).reshape(-1, x.shape[2])


def _time_major_mask(mask, go_backwards, dtype):
    """(batch, time) bool -> (time, batch, 1) of 0/1 in `dtype`, or None."""
    if mask is None:
        return None
    mask = mask[:, ::-1] if go_backwards else mask
    return backend.xp.ascontiguousarray(mask.T[:, :, None]).astype(dtype)


def _keep_where_masked(new, old, step_mask):
    """new = m * new + (1 - m) * old for a 0/1 column m: the masked rows keep the old state."""
    if step_mask is not None:
        new -= old
        new *= step_mask
        new += old


def _to_batch_major(sequence, go_backwards):
    """(time, batch, units) -> (batch, time, units); go_backwards output stays in processing order."""
    return backend.xp.ascontiguousarray(sequence.transpose(1, 0, 2))


def _dx(dz_flat, kernel, batch, time, go_backwards):
    dx = (dz_flat @ kernel.T).reshape(time, batch, -1).transpose(1, 0, 2)
    return dx[:, ::-1] if go_backwards else dx


def _split_optional(arrays, has_bias, has_mask, has_recurrent_mask):
    arrays = list(arrays)
    fixed, rest = arrays[:5], arrays[5:]
    bias = rest.pop(0) if has_bias else None
    mask = rest.pop(0) if has_mask else None
    recurrent_mask = rest.pop(0) if has_recurrent_mask else None
    return fixed, bias, mask, recurrent_mask


# ---- slicing the packed LSTM output ----------------------------------------------------------

time_slice_op = Op("time_slice")


@time_slice_op.forward
def _(a, index=None):
    """a[:, index] for an int or slice `index` (axis 1); the vjp writes g back without add.at."""
    return a[:, index], (a.shape, index)


@time_slice_op.vjp
def _(residuals, g, needs):
    shape, index = residuals
    grad = backend.xp.zeros(shape, dtype=g.dtype)
    grad[:, index] = g
    return (grad,)


# ---- public wrappers -------------------------------------------------------------------------

def _check(name, inputs, kernel, recurrent_kernel, gates, initial_state, mask, recurrent_mask, bias, bias_shape):
    if len(inputs.shape) != 3:
        raise ValueError(f"{name} expects inputs of shape (batch, time, features), got {tuple(inputs.shape)}")
    batch, time, features = inputs.shape
    if time is not None and time < 1:
        raise ValueError(f"{name} needs at least one time step, got inputs of shape {tuple(inputs.shape)}")
    units = recurrent_kernel.shape[0]
    if tuple(kernel.shape) != (features, gates * units):
        raise ValueError(f"{name} expects a kernel of shape {(features, gates * units)} for {features} input "
                         f"features and {units} units, got {tuple(kernel.shape)}")
    if tuple(recurrent_kernel.shape) != (units, gates * units):
        raise ValueError(f"{name} expects a recurrent_kernel of shape {(units, gates * units)}, "
                         f"got {tuple(recurrent_kernel.shape)}")
    if bias is not None and tuple(bias.shape) != bias_shape:
        raise ValueError(f"{name} expects a bias of shape {bias_shape}, got {tuple(bias.shape)}")
    for state_name, state in initial_state:
        if tuple(state.shape)[-1:] != (units,) or len(state.shape) != 2:
            raise ValueError(f"{name} expects {state_name} of shape (batch, {units}), got {tuple(state.shape)}")
    if mask is not None and tuple(mask.shape) != (batch, time):
        raise ValueError(f"{name} expects a mask of shape (batch, time) = {(batch, time)}, got {tuple(mask.shape)}")
    if recurrent_mask is not None and tuple(recurrent_mask.shape)[-1:] != (units,):
        raise ValueError(f"{name} expects a recurrent_mask of shape (batch, {units}), got {tuple(recurrent_mask.shape)}")
    return units


zero_state = Op("zero_state")


@zero_state.forward
def _(inputs, units=1):
    """Zeros (batch, units) in the inputs' dtype: the default initial state. No vjp: a constant.

    An op rather than a bare array so that a traced training step makes it afresh for each batch
    (engine/trace.py refuses batch-sized arrays made outside ops).
    """
    return backend.xp.zeros((inputs.shape[0], units), dtype=inputs.dtype), None


def _zeros_state(inputs, units):
    return apply(zero_state, (inputs,), {"units": units})


def _apply_sequence_op(op, arrays, bias, mask, recurrent_mask, go_backwards, **attributes):
    """Applies a fused sequence op to (inputs, h0, c0 or h0, kernel, recurrent_kernel) and the optional
    bias, mask and recurrent_mask that are given; the op's `has_*` attributes say which were."""
    arrays = tuple(arrays) + tuple(a for a in (bias, mask, recurrent_mask) if a is not None)
    return apply(op, arrays, {"has_bias": bias is not None, "has_mask": mask is not None,
                              "has_recurrent_mask": recurrent_mask is not None, "go_backwards": bool(go_backwards),
                              **attributes})


def _bool_mask(mask):
    if mask is None:
        return None
    value = mask.value if hasattr(mask, "value") else backend.xp.asarray(mask)
    return value.astype(bool, copy=False)

"""The fused SimpleRNN sequence op: forward loop, BPTT vjp, and the `simple_rnn` wrapper."""
from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.ops.activation import KERNELS
from neuroflow.ops.recurrent.sequence import (
    _activation,
    _apply_sequence_op,
    _bool_mask,
    _check,
    _dx,
    _keep_where_masked,
    _split_optional,
    _time_major,
    _time_major_mask,
    _to_batch_major,
    _zeros_state,
    time_slice_op,
)

simple_rnn_op = Op("simple_rnn")


@simple_rnn_op.forward
def _(x, h0, unused, kernel, recurrent_kernel, *optional, has_bias=True, has_mask=False, has_recurrent_mask=False,
      go_backwards=False, activation="tanh"):
    """Returns (batch, time, units): h_t = a(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)."""
    xp = backend.xp
    (_, h0, _, kernel, recurrent_kernel), bias, mask, recurrent_mask = _split_optional(
        (x, h0, unused, kernel, recurrent_kernel) + optional, has_bias, has_mask, has_recurrent_mask)
    batch, time, _ = x.shape
    units = recurrent_kernel.shape[0]
    dtype = xp.result_type(x, kernel, recurrent_kernel, h0)
    act = KERNELS[activation]
    x_flat = _time_major(x, go_backwards)
    inputs_part = x_flat @ kernel
    if bias is not None:
        inputs_part += bias
    inputs_part = inputs_part.reshape(time, batch, units)
    step_mask = _time_major_mask(mask, go_backwards, dtype)
    hidden = xp.empty((time + 1, batch, units), dtype=dtype)
    hidden[0] = h0
    candidate = xp.empty((time, batch, units), dtype=dtype)  # activated, before masking
    pre = xp.empty_like(candidate) if act.needs_input else None
    for t in range(time):
        h_prev = hidden[t] if recurrent_mask is None else hidden[t] * recurrent_mask
        a = candidate[t]
        xp.matmul(h_prev, recurrent_kernel, out=a)
        a += inputs_part[t]
        if pre is not None:
            pre[t] = a
        if activation == "tanh":
            xp.tanh(a, out=a)
        else:
            a[...] = act.forward(a)
        hidden[t + 1] = a
        if step_mask is not None:
            _keep_where_masked(hidden[t + 1], hidden[t], step_mask[t])
    residuals = (x_flat, kernel, recurrent_kernel, recurrent_mask, step_mask, candidate, pre, hidden, act,
                 has_bias, has_mask, has_recurrent_mask, go_backwards)
    return _to_batch_major(hidden[1:], go_backwards), residuals


@simple_rnn_op.vjp
def _(residuals, g, needs):
    (x_flat, kernel, recurrent_kernel, recurrent_mask, step_mask, candidate, pre, hidden, act,
     has_bias, has_mask, has_recurrent_mask, go_backwards) = residuals
    xp = backend.xp
    time, batch, units = candidate.shape
    slope = act.derivative(xp.ones((), dtype=candidate.dtype), pre, candidate)
    g_hidden = g.transpose(1, 0, 2)
    dz = xp.empty_like(candidate)
    dh_carry = xp.zeros((batch, units), dtype=candidate.dtype)
    recurrent_t = recurrent_kernel.T
    for t in range(time - 1, -1, -1):
        dh = g_hidden[t] + dh_carry
        if step_mask is not None:
            dh_pass = dh * (1 - step_mask[t])
            dh *= step_mask[t]
        xp.multiply(dh, slope[t], out=dz[t])
        dh_carry = dz[t] @ recurrent_t
        if recurrent_mask is not None:
            dh_carry *= recurrent_mask
        if step_mask is not None:
            dh_carry += dh_pass
    dz_flat = dz.reshape(time * batch, units)
    h_prev = hidden[:-1] if recurrent_mask is None else hidden[:-1] * recurrent_mask
    grads = [_dx(dz_flat, kernel, batch, time, go_backwards) if needs[0] else None,
             dh_carry if needs[1] else None, None,
             (x_flat.T @ dz_flat) if needs[3] else None,
             (h_prev.reshape(-1, units).T @ dz_flat) if needs[4] else None]
    if has_bias:
        grads.append(dz_flat.sum(axis=0) if needs[5] else None)
    grads += [None] * (int(has_mask) + int(has_recurrent_mask))
    return tuple(grads)


def simple_rnn(inputs, initial_h, kernel, recurrent_kernel, bias=None, mask=None, go_backwards=False,
               activation="tanh", recurrent_mask=None):
    """A whole SimpleRNN sequence: h_t = activation(x_t @ kernel + (h_{t-1} * recurrent_mask) @ R + bias).

    Returns:
        (sequence (batch, time, units), final h (batch, units)). Other arguments as in `lstm`.
    """
    act = _activation(activation, "activation")
    units = recurrent_kernel.shape[0]
    _check("simple_rnn", inputs, kernel, recurrent_kernel, 1, [("initial_h", s) for s in [initial_h] if s is not None],
           mask, recurrent_mask, bias, (units,))
    initial_h = _zeros_state(inputs, units) if initial_h is None else initial_h
    mask = _bool_mask(mask)
    sequence = _apply_sequence_op(simple_rnn_op, (inputs, initial_h, initial_h, kernel, recurrent_kernel), bias, mask,
                                  recurrent_mask, go_backwards, activation=act.name)
    return sequence, apply(time_slice_op, (sequence,), {"index": inputs.shape[1] - 1})

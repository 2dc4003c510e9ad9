"""The fused LSTM sequence op: a feature-major forward loop and its BPTT vjp, and the `lstm` wrapper."""
from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.ops.activation import KERNELS
from neuroflow.ops.recurrent import step_kernels
from neuroflow.ops.recurrent.sequence import (
    _activation,
    _apply_sequence_op,
    _bool_mask,
    _check,
    _keep_where_masked,
    _split_optional,
    _zeros_state,
    time_slice_op,
)

lstm_op = Op("lstm")

# Internal gate order g, i, f, o (Keras' blocks 2, 0, 1, 3): the sigmoid gates i, f, o sit side by
# side, and in the vjp the partners of the gate derivatives ([i, g] for [g, i], [c_{t-1}, a(c_t)]
# for [f, o]) are two contiguous (batch, 2, units) views, so each pair takes one multiply.
_LSTM_ORDER = (2, 0, 1, 3)
_LSTM_INVERSE = (1, 2, 0, 3)


def _permute_gates(a, units, order):
    """The gate blocks of the last axis of `a` in `order` (block k of the result is block order[k])."""
    return backend.xp.concatenate([a[..., k * units:(k + 1) * units] for k in order], axis=-1)


@lstm_op.forward
def _(x, h0, c0, kernel, recurrent_kernel, *optional, has_bias=True, has_mask=False, has_recurrent_mask=False,
      go_backwards=False, activation="tanh", recurrent_activation="sigmoid"):
    """Returns (batch, time + 1, units): the hidden states of every step, then the final carry c.

    z = x_t @ kernel + (h_{t-1} * recurrent_mask) @ recurrent_kernel + bias = [z_i, z_f, z_c, z_o]
    i = ra(z_i), f = ra(z_f), g = a(z_c), o = ra(z_o); c_t = f c_{t-1} + i g; h_t = o a(c_t).

    The loop works feature-major (transposed: (features, batch) per step), so every gate block is a
    contiguous (units, batch) slab and each elementwise call is one flat pass (a (batch, units) column
    block of a (batch, 4 units) row is a strided 2-D walk, ~8x slower at these sizes). Each step is ONE
    product [kernel; recurrent_kernel; bias]^T @ [x_t, h_{t-1}, 1]^T on a buffer the loop fills with h as
    it goes; the vjp reuses that buffer for all three weight gradients in one product.
    """
    xp = backend.xp
    (_, h0, c0, kernel, recurrent_kernel), bias, mask, recurrent_mask = _split_optional(
        (x, h0, c0, kernel, recurrent_kernel) + optional, has_bias, has_mask, has_recurrent_mask)
    batch, time, features = x.shape
    units = recurrent_kernel.shape[0]
    dtype = xp.result_type(x, kernel, recurrent_kernel, h0)
    act, ract = KERNELS[activation], KERNELS[recurrent_activation]
    # tanh + sigmoid: sigmoid(z) = 0.5 tanh(z / 2) + 0.5, so all four gates take ONE tanh call per
    # step on pre-activations whose sigmoid rows were halved in the weights.
    fused = activation == "tanh" and recurrent_activation == "sigmoid"
    rows = [kernel, recurrent_kernel] + ([bias.reshape(1, -1)] if bias is not None else [])
    weights = _permute_gates(xp.concatenate(rows, axis=0).astype(dtype, copy=False), units, _LSTM_ORDER)
    weights_t = xp.ascontiguousarray(weights.T)  # (4 units, width)
    if fused:
        weights_t[units:] *= 0.5
    width = weights.shape[0]
    # inputs_and_state[:, t] = [x_t, h_{t-1} (* recurrent_mask), 1]^T, (width, batch) per step; the
    # (width, time * batch) reshape lines up with the vjp's (4 units, time, batch) gradient.
    inputs_and_state = backend.xp.empty((width, time, batch), dtype=dtype)
    _transpose_into(inputs_and_state[:features], x[:, ::-1] if go_backwards else x, (2, 1, 0), 2)
    if bias is not None:
        inputs_and_state[-1] = 1
    state_rows = inputs_and_state[features:features + units]
    recurrent_mask_t = None if recurrent_mask is None else xp.ascontiguousarray(recurrent_mask.T)
    h0_t = h0.T
    if recurrent_mask is None:
        state_rows[:, 0] = h0_t
    else:
        xp.multiply(h0_t, recurrent_mask_t, out=state_rows[:, 0])
    step_mask = _feature_major_mask(mask, go_backwards, dtype)
    # The pre-activations are kept only where a derivative needs them; fused, the vjp rebuilds
    # sigmoid' = s (1 - s) and tanh' = 1 - g^2 from the gates (one buffer less to write and read).
    pre = None if fused else backend.xp.empty((time, 4 * units, batch), dtype=dtype)
    scratch = xp.empty((4 * units, batch), dtype=dtype)
    gates = backend.xp.empty((time, 4 * units, batch), dtype=dtype)  # activated g, i, f, o
    # carry[t] = [c_{t-1}, a(c_t)], the vjp's partners of f and o side by side; carry[time, :units] = c_last.
    carry = backend.xp.empty((time + 1, 2 * units, batch), dtype=dtype)
    carry[0, :units] = c0.T
    hidden = backend.xp.empty((time, units, batch), dtype=dtype)
    input_times_candidate = xp.empty((units, batch), dtype=dtype)
    matmul, multiply, tanh, add = xp.matmul, xp.multiply, xp.tanh, xp.add
    # On the cupy backend the tanh / sigmoid step after the product is one fused kernel (step_kernels.py).
    step_kernel = None if not fused else step_kernels.kernel(
        "lstm_step" if step_mask is None else "lstm_step_masked", scratch, h0, recurrent_mask_t)
    if step_kernel is not None:
        _fused_forward_loop(step_kernel, weights_t, inputs_and_state, state_rows, scratch, gates, carry, hidden, h0_t,
                            recurrent_mask_t, step_mask, units)
    # Every array the loop touches is preallocated (out= everywhere): a step allocates nothing. (When
    # the fused loop above ran, it did every step.)
    for t in range(time) if step_kernel is None else ():
        a = scratch if fused else pre[t]
        matmul(weights_t, inputs_and_state[:, t], out=a)
        s = gates[t]
        candidate, input_gate, forget, output_gate = s[:units], s[units:2 * units], s[2 * units:3 * units], s[3 * units:]
        if fused:
            tanh(a[:units], out=candidate)
            tanh(a[units:], out=a[units:])
            multiply(a[units:], 0.5, out=s[units:])
            add(s[units:], 0.5, out=s[units:])
        else:
            candidate[...] = act.forward(a[:units])
            s[units:] = ract.forward(a[units:])
        c_prev, c = carry[t, :units], carry[t + 1, :units]
        multiply(forget, c_prev, out=c)
        multiply(input_gate, candidate, out=input_times_candidate)
        add(c, input_times_candidate, out=c)
        activated = carry[t, units:]
        if fused:
            tanh(c, out=activated)
        else:
            activated[...] = act.forward(c)
        h = hidden[t]
        multiply(output_gate, activated, out=h)
        if step_mask is not None:
            _keep_where_masked(h, hidden[t - 1] if t else h0_t, step_mask[t])
            _keep_where_masked(c, c_prev, step_mask[t])
        if t + 1 < time:
            if recurrent_mask is None:
                xp.copyto(state_rows[:, t + 1], h)
            else:
                multiply(h, recurrent_mask_t, out=state_rows[:, t + 1])
    out = backend.xp.empty((batch, time + 1, units), dtype=dtype)
    _transpose_into(out[:, :time], hidden, (2, 0, 1), 0)
    out[:, time] = carry[time, :units].T
    residuals = (inputs_and_state, weights, pre, gates, carry, hidden, recurrent_mask_t, step_mask, act, ract, fused,
                 features, has_bias, has_mask, has_recurrent_mask, go_backwards)
    return out, residuals


def _fused_forward_loop(step_kernel, weights_t, inputs_and_state, state_rows, scratch, gates, carry, hidden, h0_t,
                        recurrent_mask_t, step_mask, units):
    """The forward loop with one product and one fused kernel per step (the NumPy loop's arithmetic, same order)."""
    xp = backend.xp
    time = gates.shape[0]
    last_state = xp.empty(hidden.shape[1:], dtype=hidden.dtype)  # the state row after the last step has no column
    recurrent_mask = step_kernels.scalar(1, hidden.dtype) if recurrent_mask_t is None else recurrent_mask_t
    for t in range(time):
        xp.matmul(weights_t, inputs_and_state[:, t], out=scratch)
        s = gates[t]
        pre = (scratch[:units], scratch[units:2 * units], scratch[2 * units:3 * units], scratch[3 * units:],
               carry[t, :units])
        if step_mask is not None:
            pre += (hidden[t - 1] if t else h0_t, step_mask[t])
        step_kernel(*pre, recurrent_mask, s[:units], s[units:2 * units], s[2 * units:3 * units], s[3 * units:],
                    carry[t + 1, :units], carry[t, units:], hidden[t], state_rows[:, t + 1] if t + 1 < time else last_state)


def _fused_vjp_loop(step_kernel, recurrent_back, gates, carry, hidden, dz, step, g_t, g_last, dc_carry, recurrent_mask_t,
                    step_mask):
    """The BPTT loop with one fused kernel and one product per step; returns dh_carry (dc_carry is updated in place).

    The kernel of step t starts with the tail of step t + 1 (its product times the recurrent mask,
    plus the masked steps' pass-through), so the tail of step 0 is applied here after the loop.
    """
    xp = backend.xp
    time, four_units, batch = gates.shape
    units = four_units // 4
    dtype = gates.dtype
    raw = xp.zeros((units, batch), dtype=dtype)  # recurrent_back @ step of the step after
    recurrent_mask = step_kernels.scalar(1, dtype) if recurrent_mask_t is None else recurrent_mask_t
    no_upstream = step_kernels.scalar(0, dtype)
    passes = () if step_mask is None else (xp.zeros((units, batch), dtype=dtype), xp.zeros((units, batch), dtype=dtype))
    by_gate = tuple(step[k * units:(k + 1) * units] for k in range(4))
    for t in range(time - 1, -1, -1):
        upstream = g_t[:, t] if g_t is not None else (g_last if t == time - 1 else no_upstream)
        s, d = gates[t], dz[:, t]
        inputs = (upstream, raw, recurrent_mask) + tuple(s[k * units:(k + 1) * units] for k in range(4)) + (
            carry[t, :units], carry[t, units:], hidden[t])
        if step_mask is not None:
            inputs += (step_mask[t],)
        step_kernel(*inputs, *by_gate, *(d[k * units:(k + 1) * units] for k in range(4)), dc_carry, *passes)
        xp.matmul(recurrent_back, step, out=raw)
    if recurrent_mask_t is not None:
        raw *= recurrent_mask_t
    if step_mask is not None:
        raw += passes[0]
        dc_carry += passes[1]
    return raw


def _transpose_into(destination, source, axes, batch_axis, block=16):
    """destination[...] = source.transpose(axes), in blocks of `block` along destination's batch_axis.

    A whole 3-D transposed copy walks the source with a large stride on every element; blocks of
    16 batch rows keep the lines it touches in cache (0.63 ms instead of 1.15 ms for 128 x 200 x 32 floats).
    """
    source_axis = axes[batch_axis]
    for start in range(0, destination.shape[batch_axis], block):
        target = [slice(None)] * destination.ndim
        target[batch_axis] = slice(start, start + block)
        part = [slice(None)] * source.ndim
        part[source_axis] = slice(start, start + block)
        backend.xp.copyto(destination[tuple(target)], source[tuple(part)].transpose(axes))


def _feature_major_mask(mask, go_backwards, dtype):
    """(batch, time) bool -> (time, 1, batch) of 0/1 in `dtype`, or None."""
    if mask is None:
        return None
    mask = mask[:, ::-1] if go_backwards else mask
    return backend.xp.ascontiguousarray(mask.T[:, None, :]).astype(dtype)


@lstm_op.vjp
def _(residuals, g, needs):
    (inputs_and_state, weights, pre, gates, carry, hidden, recurrent_mask_t, step_mask, act, ract, fused, features,
     has_bias, has_mask, has_recurrent_mask, go_backwards) = residuals
    xp = backend.xp
    time, four_units, batch = gates.shape
    units = four_units // 4
    dtype = gates.dtype
    recurrent_back = xp.ascontiguousarray(weights[features:features + units])  # (units, 4 units)
    # (4 units, time, batch): column for column with inputs_and_state, for the weight-gradient product.
    dz = backend.xp.empty((4 * units, time, batch), dtype=dtype)
    # Each step is computed in a contiguous scratch and copied into dz once: elementwise calls on
    # dz[:, t] (rows 100 KB apart) cost ~4x more.
    step = xp.empty((4 * units, batch), dtype=dtype)
    pairs = step.reshape(2, 2 * units, batch)
    swapped_pair = pairs[0].reshape(2, units, batch)
    by_gate = step.reshape(4, units, batch)
    ones = xp.ones((), dtype=dtype)
    dh = xp.empty((units, batch), dtype=dtype)
    dc = xp.empty((units, batch), dtype=dtype)
    from_h = xp.empty((units, batch), dtype=dtype)
    dh_carry = xp.zeros((units, batch), dtype=dtype)
    dc_carry = xp.array(g[:, time].T, dtype=dtype)
    # Without return_sequences only the last step gets an upstream gradient: skip the transposed copy
    # (on a device, asking .any() would wait for the GPU; adding the zeros costs less).
    g_steps = g[:, :time]
    earlier = time > 1 and (backend.on_device() or g_steps[:, :time - 1].any())
    g_t = xp.ascontiguousarray(g_steps.transpose(2, 1, 0)) if earlier else None
    g_last = g_steps[:, time - 1].T
    matmul, multiply, subtract, add = xp.matmul, xp.multiply, xp.subtract, xp.add
    step_kernel = None if not fused else step_kernels.kernel(
        "lstm_step_vjp" if step_mask is None else "lstm_step_vjp_masked", gates, g, recurrent_mask_t)
    if step_kernel is not None:
        dh_carry = _fused_vjp_loop(step_kernel, recurrent_back, gates, carry, hidden, dz, step, g_t, g_last, dc_carry,
                                   recurrent_mask_t, step_mask)
    # (When the fused loop above ran, it did every step.)
    for t in range(time - 1, -1, -1) if step_kernel is None else ():
        if g_t is not None:
            add(g_t[:, t], dh_carry, out=dh)
        elif t == time - 1:
            add(g_last, dh_carry, out=dh)
        else:
            xp.copyto(dh, dh_carry)
        s = gates[t]
        if fused:
            # sigmoid' = s (1 - s) on i, f, o; tanh' = 1 - g^2 on the candidate rows.
            subtract(1, s, out=step)
            multiply(step, s, out=step)
            multiply(s[:units], s[:units], out=step[:units])
            subtract(1, step[:units], out=step[:units])
        else:
            step[:units] = act.derivative(ones, pre[t, :units], s[:units])
            step[units:] = ract.derivative(ones, pre[t, units:], s[units:])
        # times the partners: dz_g ~ i, dz_i ~ g (one call on the swapped pair), dz_f ~ c_{t-1}, dz_o ~ a(c_t)
        multiply(swapped_pair, s[:2 * units].reshape(2, units, batch)[::-1], out=swapped_pair)
        multiply(pairs[1], carry[t], out=pairs[1])
        # dc_t = dc_{t+1} f_{t+1} + dh_t o a'(c_t); fused, o tanh'(c) = o - h tanh(c) (h = o tanh(c)).
        activated = carry[t, units:]
        output_gate = s[3 * units:]
        if fused:
            multiply(hidden[t], activated, out=from_h)
            subtract(output_gate, from_h, out=from_h)
        else:
            from_h[...] = act.derivative(output_gate, carry[t + 1, :units], activated)
        if step_mask is None:
            multiply(from_h, dh, out=from_h)
            add(from_h, dc_carry, out=dc)
        else:
            m = step_mask[t]
            dh_pass, dc_pass = dh * (1 - m), dc_carry * (1 - m)
            dh *= m
            multiply(from_h, dh, out=from_h)
            multiply(dc_carry, m, out=dc)
            dc += from_h
        multiply(by_gate[:3], dc, out=by_gate[:3])
        multiply(by_gate[3], dh, out=by_gate[3])
        multiply(dc, s[2 * units:3 * units], out=dc_carry)
        matmul(recurrent_back, step, out=dh_carry)
        xp.copyto(dz[:, t], step)
        if recurrent_mask_t is not None:
            dh_carry *= recurrent_mask_t
        if step_mask is not None:
            dh_carry += dh_pass
            dc_carry += dc_pass
    dz_flat = dz.reshape(4 * units, time * batch)
    dx = None
    if needs[0]:
        dx_t = backend.xp.empty((features, time * batch), dtype=dtype)
        matmul(weights[:features], dz_flat, out=dx_t)
        dx_t = dx_t.reshape(features, time, batch)
        dx = backend.xp.empty((batch, time, features), dtype=dtype)
        _transpose_into(dx, dx_t, (2, 1, 0), 0)
        dx = dx[:, ::-1] if go_backwards else dx
    grads = [dx, dh_carry.T if needs[1] else None, dc_carry.T if needs[2] else None, None, None]
    if needs[3] or needs[4] or (has_bias and needs[5]):
        # [dkernel; drecurrent; dbias] in one product over the [x_t, h_{t-1}, 1] columns.
        all_weights = inputs_and_state.reshape(inputs_and_state.shape[0], -1) @ dz_flat.T
        all_weights = _permute_gates(all_weights, units, _LSTM_INVERSE)
        grads[3] = all_weights[:features] if needs[3] else None
        grads[4] = all_weights[features:features + units] if needs[4] else None
        if has_bias:
            grads.append(all_weights[features + units] if needs[5] else None)
    elif has_bias:
        grads.append(None)
    grads += [None] * (int(has_mask) + int(has_recurrent_mask))
    return tuple(grads)


def lstm(inputs, initial_h, initial_c, kernel, recurrent_kernel, bias=None, mask=None, go_backwards=False,
         activation="tanh", recurrent_activation="sigmoid", recurrent_mask=None):
    """A whole LSTM sequence (Keras 3 LSTM equations, gate order i, f, c, o).

    z_t = x_t @ kernel + (h_{t-1} * recurrent_mask) @ recurrent_kernel + bias
    i, f, o = recurrent_activation(z_i, z_f, z_o); c_t = f c_{t-1} + i activation(z_c);
    h_t = o activation(c_t). Masked steps keep (h, c) and output the kept h.

    Args:
        inputs: (batch, time, features).
        initial_h, initial_c: (batch, units), or None for zeros.
        kernel: (features, 4 units); recurrent_kernel: (units, 4 units); bias: (4 units,) or None.
        mask: (batch, time) bool, True where the step is real; None for none.
        go_backwards: read the sequence last step first (outputs in that order).
        activation, recurrent_activation: names from the activation table.
        recurrent_mask: (batch, units) recurrent-dropout multiplier on h_{t-1}, or None.

    Returns:
        (sequence (batch, time, units), final h (batch, units), final c (batch, units)).

    Raises:
        ValueError: on mismatched shapes or unknown activation names.
    """
    act, ract = _activation(activation, "activation"), _activation(recurrent_activation, "recurrent_activation")
    units = _check("lstm", inputs, kernel, recurrent_kernel, 4, [("initial_h", s) for s in [initial_h] if s is not None]
                   + [("initial_c", s) for s in [initial_c] if s is not None], mask, recurrent_mask, bias, None
                   if bias is None else (4 * recurrent_kernel.shape[0],))
    initial_h = _zeros_state(inputs, units) if initial_h is None else initial_h
    initial_c = _zeros_state(inputs, units) if initial_c is None else initial_c
    mask = _bool_mask(mask)
    packed = _apply_sequence_op(lstm_op, (inputs, initial_h, initial_c, kernel, recurrent_kernel), bias, mask,
                                recurrent_mask, go_backwards, activation=act.name, recurrent_activation=ract.name)
    time = inputs.shape[1]
    sequence = apply(time_slice_op, (packed,), {"index": slice(0, time)})
    return sequence, apply(time_slice_op, (packed,), {"index": time - 1}), apply(time_slice_op, (packed,), {"index": time})

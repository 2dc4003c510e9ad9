"""Fused recurrent sequence ops (lstm, gru, simple_rnn): one forward loop over time, one BPTT vjp.

Each op takes the whole sequence. gru and simple_rnn: the input projection x @ kernel + bias of
every step is one matrix product before the loop; the loop holds only the recurrent product
h @ recurrent_kernel and the gate arithmetic, written into preallocated time-major buffers. The
backward pass walks time in reverse carrying dh (and dc), stores the pre-activation gradients of
every step, and finishes with big products: dkernel = x^T dz, drecurrent = h_prev^T dz, dx = dz kernel^T.
lstm (the benchmarked one, benchmarks/lstm_epoch.py) works feature-major, one product per step on a
[x_t, h_{t-1}, 1] buffer, and reuses its big buffers between calls; see its forward's docstring.

Keras semantics:
- inputs (batch, time, features); kernel (features, k * units), recurrent_kernel (units, k * units),
  gates in Keras 3's order (LSTM i, f, c, o; GRU z, r, h).
- mask (batch, time) bool: a masked step keeps the previous state, and its output is that
  state (Keras 3's scan-based rnn), so outputs[:, -1] is always the final hidden state.
- go_backwards: the sequence is read last step first and outputs come in that (reversed) order.
- Dropout: input dropout is applied by the layer to `inputs` before the op (one mask for all
  steps, as Keras does). Recurrent dropout is the optional `recurrent_mask` (batch, units),
  multiplied onto h_{t-1} where it enters the recurrent product (Keras 3 LSTMCell and
  SimpleRNNCell); gru takes one multiplier per gate, (batch, 3 units), as Keras 3's GRUCell does.
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


# ---- LSTM ------------------------------------------------------------------------------------

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
    # Every array the loop touches is preallocated (out= everywhere): a step allocates nothing.
    for t in range(time):
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
    # Without return_sequences only the last step gets an upstream gradient: skip the transposed copy.
    g_steps = g[:, :time]
    g_t = xp.ascontiguousarray(g_steps.transpose(2, 1, 0)) if time > 1 and g_steps[:, :time - 1].any() else None
    g_last = g_steps[:, time - 1].T
    matmul, multiply, subtract, add = xp.matmul, xp.multiply, xp.subtract, xp.add
    for t in range(time - 1, -1, -1):
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


# ---- GRU -------------------------------------------------------------------------------------

gru_op = Op("gru")


def _gate_product(h, recurrent_kernel, gate_masks, out):
    """out = h @ recurrent_kernel, or per gate block k: (h * gate_masks[k]) @ recurrent_kernel[:, k]."""
    if gate_masks is None:
        backend.xp.matmul(h, recurrent_kernel, out=out)
        return
    units = h.shape[1]
    for k, gate_mask in enumerate(gate_masks):
        backend.xp.matmul(h * gate_mask, recurrent_kernel[:, k * units:(k + 1) * units],
                          out=out[:, k * units:(k + 1) * units])


def _gate_product_transpose(d, recurrent_kernel_t, gate_masks):
    """The gradient wrt h of `_gate_product`: sum_k (d_k @ recurrent_kernel[:, k]^T) * gate_masks[k]."""
    if gate_masks is None:
        return d @ recurrent_kernel_t
    units = recurrent_kernel_t.shape[1]
    total = None
    for k, gate_mask in enumerate(gate_masks):
        part = d[:, k * units:(k + 1) * units] @ recurrent_kernel_t[k * units:(k + 1) * units]
        part *= gate_mask
        total = part if total is None else total + part
    return total


@gru_op.forward
def _(x, h0, unused, kernel, recurrent_kernel, *optional, has_bias=True, has_mask=False, has_recurrent_mask=False,
      go_backwards=False, activation="tanh", recurrent_activation="sigmoid", reset_after=True):
    """Returns (batch, time, units), the hidden state of every step.

    With recurrent_mask = [m_z, m_r, m_h] (batch, 3 units), one dropout multiplier per gate as in
    Keras 3's GRUCell (implementation 1), and hz = h_{t-1} * m_z, hr = h_{t-1} * m_r, hh_in = h_{t-1} * m_h:
    reset_after=True (Keras 3 default; bias (2, 3 units): input bias, recurrent bias):
        r_z = hz @ R_z + b_z, r_r = hr @ R_r + b_r, r_h = hh_in @ R_h + b_h
        z = ra(x_z + r_z), r = ra(x_r + r_r), hh = a(x_h + r * r_h)
    reset_after=False (bias (3 units,)):
        z, r as above without recurrent bias, hh = a(x_h + (r * hh_in) @ R_h)
    h_t = z h_{t-1} + (1 - z) hh, with the unmasked h_{t-1} (no recurrent_mask: all m = 1).
    """
    xp = backend.xp
    (_, h0, _, kernel, recurrent_kernel), bias, mask, recurrent_mask = _split_optional(
        (x, h0, unused, kernel, recurrent_kernel) + optional, has_bias, has_mask, has_recurrent_mask)
    batch, time, _ = x.shape
    units = recurrent_kernel.shape[0]
    dtype = xp.result_type(x, kernel, recurrent_kernel, h0)
    act, ract = KERNELS[activation], KERNELS[recurrent_activation]
    gate_masks = None if recurrent_mask is None else [recurrent_mask[:, k * units:(k + 1) * units]
                                                      for k in range(3)]
    x_flat = _time_major(x, go_backwards)
    inputs_part = x_flat @ kernel
    input_bias = recurrent_bias = None
    if bias is not None:
        input_bias, recurrent_bias = (bias[0], bias[1]) if reset_after else (bias, None)
        inputs_part += input_bias
    inputs_part = inputs_part.reshape(time, batch, 3 * units)
    step_mask = _time_major_mask(mask, go_backwards, dtype)
    hidden = xp.empty((time + 1, batch, units), dtype=dtype)
    hidden[0] = h0
    gates = xp.empty((time, batch, 3 * units), dtype=dtype)  # z, r, hh (activated)
    pre = xp.empty_like(gates) if (act.needs_input or ract.needs_input) else None
    # reset_after: r_h = (hh_in @ R_h + b_h); otherwise r * hh_in, the input of the last product.
    recurrent_part = xp.empty((time, batch, units), dtype=dtype)
    inner = xp.empty((batch, 3 * units), dtype=dtype)
    recurrent_zr, recurrent_h = recurrent_kernel[:, :2 * units], recurrent_kernel[:, 2 * units:]
    for t in range(time):
        h_prev = hidden[t]
        a = gates[t]
        if reset_after:
            _gate_product(h_prev, recurrent_kernel, gate_masks, inner)
            if recurrent_bias is not None:
                inner += recurrent_bias
            xp.add(inputs_part[t, :, :2 * units], inner[:, :2 * units], out=a[:, :2 * units])
            recurrent_part[t] = inner[:, 2 * units:]
        else:
            _gate_product(h_prev, recurrent_zr, None if gate_masks is None else gate_masks[:2], a[:, :2 * units])
            a[:, :2 * units] += inputs_part[t, :, :2 * units]
        if pre is not None:
            pre[t, :, :2 * units] = a[:, :2 * units]
        a[:, :2 * units] = ract.forward(a[:, :2 * units])
        z, r, hh = a[:, :units], a[:, units:2 * units], a[:, 2 * units:]
        if reset_after:
            xp.multiply(r, recurrent_part[t], out=hh)
        else:
            xp.multiply(r, h_prev, out=recurrent_part[t])
            if gate_masks is not None:
                recurrent_part[t] *= gate_masks[2]
            xp.matmul(recurrent_part[t], recurrent_h, out=hh)
        hh += inputs_part[t, :, 2 * units:]
        if pre is not None:
            pre[t, :, 2 * units:] = hh
        hh[...] = act.forward(hh)
        h = hidden[t + 1]
        # h = z h_prev + (1 - z) hh = hh + z (h_prev - hh)
        xp.subtract(h_prev, hh, out=h)
        h *= z
        h += hh
        if step_mask is not None:
            _keep_where_masked(h, h_prev, step_mask[t])
    residuals = (x_flat, kernel, recurrent_kernel, gate_masks, step_mask, gates, pre, hidden, recurrent_part, act,
                 ract, has_bias, has_mask, has_recurrent_mask, go_backwards, reset_after)
    return _to_batch_major(hidden[1:], go_backwards), residuals


@gru_op.vjp
def _(residuals, g, needs):
    (x_flat, kernel, recurrent_kernel, gate_masks, step_mask, gates, pre, hidden, recurrent_part, act, ract,
     has_bias, has_mask, has_recurrent_mask, go_backwards, reset_after) = residuals
    xp = backend.xp
    time, batch, three_units = gates.shape
    units = three_units // 3
    ones = xp.ones((), dtype=gates.dtype)
    z, r, hh = gates[..., :units], gates[..., units:2 * units], gates[..., 2 * units:]
    pre_part = (lambda k: pre[..., k * units:(k + 1) * units]) if pre is not None else (lambda k: None)
    h_prev_all = hidden[:-1]
    # Per-step factors, vectorized over time:
    to_z = (h_prev_all - hh) * ract.derivative(ones, pre_part(0), z)    # dz_z = dh * to_z
    to_h = (1 - z) * act.derivative(ones, pre_part(2), hh)              # dz_h = dh * to_h
    to_r = recurrent_part * ract.derivative(ones, pre_part(1), r)       # dz_r = dz_h * to_r (reset_after)
    g_hidden = g.transpose(1, 0, 2)
    dz_inputs = xp.empty_like(gates)      # gradient of x @ kernel + input_bias
    dz_recurrent = xp.empty_like(gates)   # gradient of h @ recurrent_kernel (+ recurrent_bias)
    dh_carry = xp.zeros((batch, units), dtype=gates.dtype)
    recurrent_t = recurrent_kernel.T
    recurrent_zr_t, recurrent_h_t = recurrent_kernel[:, :2 * units].T, recurrent_kernel[:, 2 * units:].T
    zr_masks = None if gate_masks is None else gate_masks[:2]
    for t in range(time - 1, -1, -1):
        dh = g_hidden[t] + dh_carry
        if step_mask is not None:
            m = step_mask[t]
            dh_pass = dh * (1 - m)
            dh = dh * m
        di, dr_ = dz_inputs[t], dz_recurrent[t]
        xp.multiply(dh, to_z[t], out=di[:, :units])
        xp.multiply(dh, to_h[t], out=di[:, 2 * units:])
        if reset_after:
            xp.multiply(di[:, 2 * units:], to_r[t], out=di[:, units:2 * units])
            dr_[:, :2 * units] = di[:, :2 * units]
            xp.multiply(di[:, 2 * units:], r[t], out=dr_[:, 2 * units:])
            dh_carry = _gate_product_transpose(dr_, recurrent_t, gate_masks)
        else:
            # d(r * hh_in) = dz_h @ R_h^T; r gets it times hh_in, h_prev gets it times r m_h.
            d_reset_h = di[:, 2 * units:] @ recurrent_h_t
            h_in = h_prev_all[t] if gate_masks is None else h_prev_all[t] * gate_masks[2]
            xp.multiply(d_reset_h, h_in * ract.derivative(ones, pre_part(1)[t] if pre is not None else None, r[t]),
                        out=di[:, units:2 * units])
            d_reset_h *= r[t]
            if gate_masks is not None:
                d_reset_h *= gate_masks[2]
            dh_carry = _gate_product_transpose(di[:, :2 * units], recurrent_zr_t, zr_masks) + d_reset_h
        dh_carry += dh * z[t]
        if step_mask is not None:
            dh_carry += dh_pass
    dz_flat = dz_inputs.reshape(time * batch, three_units)
    h_flat = h_prev_all.reshape(-1, units)

    def masked_h_product(k, dz_block):
        # (h * m_k)^T dz_k: the recurrent-kernel gradient of gate block k.
        h_in = h_flat if gate_masks is None else (h_prev_all * gate_masks[k]).reshape(-1, units)
        return h_in.T @ dz_block

    grad_recurrent = None
    if needs[4]:
        if reset_after:
            dz_rec_flat = dz_recurrent.reshape(time * batch, three_units)
            if gate_masks is None:
                grad_recurrent = h_flat.T @ dz_rec_flat
            else:
                grad_recurrent = xp.concatenate([masked_h_product(k, dz_rec_flat[:, k * units:(k + 1) * units])
                                                 for k in range(3)], axis=1)
        else:
            zr = (h_flat.T @ dz_flat[:, :2 * units] if gate_masks is None else
                  xp.concatenate([masked_h_product(k, dz_flat[:, k * units:(k + 1) * units]) for k in range(2)],
                                 axis=1))
            grad_recurrent = xp.concatenate([zr, recurrent_part.reshape(-1, units).T @ dz_flat[:, 2 * units:]],
                                            axis=1)
    grads = [_dx(dz_flat, kernel, batch, time, go_backwards) if needs[0] else None,
             dh_carry if needs[1] else None, None,
             (x_flat.T @ dz_flat) if needs[3] else None, grad_recurrent]
    if has_bias:
        grad_bias = None
        if needs[5]:
            grad_bias = dz_flat.sum(axis=0)
            if reset_after:
                grad_bias = xp.stack([grad_bias, dz_recurrent.reshape(-1, three_units).sum(axis=0)])
        grads.append(grad_bias)
    grads += [None] * (int(has_mask) + int(has_recurrent_mask))
    return tuple(grads)


# ---- SimpleRNN -------------------------------------------------------------------------------

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


def _bool_mask(mask):
    if mask is None:
        return None
    value = mask.value if hasattr(mask, "value") else backend.xp.asarray(mask)
    return value.astype(bool, copy=False)


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
    inputs_list = [inputs, initial_h, initial_c, kernel, recurrent_kernel] + [a for a in (bias, mask, recurrent_mask)
                                                                               if a is not None]
    packed = apply(lstm_op, tuple(inputs_list), {
        "has_bias": bias is not None, "has_mask": mask is not None, "has_recurrent_mask": recurrent_mask is not None,
        "go_backwards": bool(go_backwards), "activation": act.name, "recurrent_activation": ract.name})
    time = inputs.shape[1]
    sequence = apply(time_slice_op, (packed,), {"index": slice(0, time)})
    return sequence, apply(time_slice_op, (packed,), {"index": time - 1}), apply(time_slice_op, (packed,), {"index": time})


def gru(inputs, initial_h, kernel, recurrent_kernel, bias=None, mask=None, go_backwards=False, activation="tanh",
        recurrent_activation="sigmoid", reset_after=True, recurrent_mask=None):
    """A whole GRU sequence (Keras 3 GRU equations, gate order z, r, h).

    reset_after=True: hh = activation(x_h + r * (h_{t-1} @ R_h + b_rec_h)), bias (2, 3 units).
    reset_after=False: hh = activation(x_h + (r * h_{t-1}) @ R_h), bias (3 units,).
    h_t = z h_{t-1} + (1 - z) hh. Other arguments as in `lstm`, except:

    recurrent_mask: recurrent-dropout multipliers, (batch, 3 units) = [m_z, m_r, m_h], one per gate as
        Keras 3's GRUCell draws them: h_{t-1} * m_k replaces h_{t-1} where it enters gate k's recurrent
        product (for reset_after=False, hh = activation(x_h + (r * h_{t-1} * m_h) @ R_h)); the update
        h_t = z h_{t-1} + (1 - z) hh keeps the unmasked h_{t-1}. A (batch, units) mask is used for all
        three gates. None: no recurrent dropout.

    Returns:
        (sequence (batch, time, units), final h (batch, units)).
    """
    act, ract = _activation(activation, "activation"), _activation(recurrent_activation, "recurrent_activation")
    units = recurrent_kernel.shape[0]
    bias_shape = (2, 3 * units) if reset_after else (3 * units,)
    _check("gru", inputs, kernel, recurrent_kernel, 3, [("initial_h", s) for s in [initial_h] if s is not None],
           mask, None, bias, bias_shape)
    if recurrent_mask is not None:
        recurrent_mask = recurrent_mask.value if hasattr(recurrent_mask, "value") else backend.xp.asarray(recurrent_mask)
        if recurrent_mask.ndim != 2 or recurrent_mask.shape[1] not in (units, 3 * units):
            raise ValueError(f"gru expects a recurrent_mask of shape (batch, {3 * units}) (one (batch, {units}) "
                             f"block per gate z, r, h) or (batch, {units}), got {tuple(recurrent_mask.shape)}")
        if recurrent_mask.shape[1] == units:
            recurrent_mask = backend.xp.concatenate([recurrent_mask] * 3, axis=1)
    initial_h = _zeros_state(inputs, units) if initial_h is None else initial_h
    mask = _bool_mask(mask)
    inputs_list = [inputs, initial_h, initial_h, kernel, recurrent_kernel] + [a for a in (bias, mask, recurrent_mask)
                                                                               if a is not None]
    sequence = apply(gru_op, tuple(inputs_list), {
        "has_bias": bias is not None, "has_mask": mask is not None, "has_recurrent_mask": recurrent_mask is not None,
        "go_backwards": bool(go_backwards), "activation": act.name, "recurrent_activation": ract.name,
        "reset_after": bool(reset_after)})
    return sequence, apply(time_slice_op, (sequence,), {"index": inputs.shape[1] - 1})


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
    inputs_list = [inputs, initial_h, initial_h, kernel, recurrent_kernel] + [
        a for a in (bias, mask, recurrent_mask) if a is not None]
    sequence = apply(simple_rnn_op, tuple(inputs_list), {
        "has_bias": bias is not None, "has_mask": mask is not None, "has_recurrent_mask": recurrent_mask is not None,
        "go_backwards": bool(go_backwards), "activation": act.name})
    return sequence, apply(time_slice_op, (sequence,), {"index": inputs.shape[1] - 1})

"""The fused GRU sequence op (both reset_after forms): forward loop, BPTT vjp, and the `gru` wrapper."""
import numpy

from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.ops.activation import KERNELS
from neuroflow.ops.recurrent import step_kernels
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
    if reset_after and recurrent_mask is None and mask is None and not (act.needs_input or ract.needs_input):
        return _feature_major_forward(x_flat, h0, kernel, recurrent_kernel, bias, act, ract, batch, time, dtype,
                                      has_bias, go_backwards)
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
    # On the cupy backend (reset_after, sigmoid / tanh) all after the product is one kernel (step_kernels.py).
    step_kernel = None if not (reset_after and ract.name == "sigmoid" and act.name == "tanh") else step_kernels.kernel(
        "gru_step_general" if step_mask is None else "gru_step_general_masked", gates, inputs_part, h0)
    for t in range(time):
        h_prev = hidden[t]
        a = gates[t]
        if reset_after:
            _gate_product(h_prev, recurrent_kernel, gate_masks, inner)
            if recurrent_bias is not None:
                inner += recurrent_bias
            if step_kernel is not None:
                x_t = inputs_part[t]
                masked = () if step_mask is None else (step_mask[t],)
                step_kernel(x_t[:, :units], x_t[:, units:2 * units], x_t[:, 2 * units:], inner[:, :units],
                            inner[:, units:2 * units], inner[:, 2 * units:], h_prev, *masked,
                            a[:, :units], a[:, units:2 * units], a[:, 2 * units:], recurrent_part[t], hidden[t + 1])
                continue
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
    residuals = (False, x_flat, kernel, recurrent_kernel, gate_masks, step_mask, gates, pre, hidden, recurrent_part,
                 act, ract, has_bias, has_mask, has_recurrent_mask, go_backwards, reset_after)
    return _to_batch_major(hidden[1:], go_backwards), residuals


@gru_op.vjp
def _(residuals, g, needs):
    if residuals[0]:
        return _feature_major_vjp(residuals[1:], g, needs)
    (x_flat, kernel, recurrent_kernel, gate_masks, step_mask, gates, pre, hidden, recurrent_part, act, ract,
     has_bias, has_mask, has_recurrent_mask, go_backwards, reset_after) = residuals[1:]
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
    step_kernel = None if not reset_after else step_kernels.kernel(
        "gru_step_general_vjp" if step_mask is None else "gru_step_general_vjp_masked", gates, g, to_z, to_h, to_r)
    if step_kernel is not None:
        dh_carry = _fused_general_vjp_loop(step_kernel, g_hidden, to_z, to_h, to_r, z, r, step_mask, dz_inputs,
                                           dz_recurrent, recurrent_t, gate_masks)
    # (When the fused loop above ran, it did every step.)
    for t in range(time - 1, -1, -1) if step_kernel is None else ():
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


def _fused_general_vjp_loop(step_kernel, g_hidden, to_z, to_h, to_r, z, r, step_mask, dz_inputs, dz_recurrent,
                            recurrent_t, gate_masks):
    """The general loop's BPTT (reset_after) with one fused kernel per step; returns dh_carry.

    The kernel of step t starts with the tail of step t + 1 (its product plus dh z, plus the masked
    steps' pass-through), so the tail of step 0 is applied here after the loop.
    """
    xp = backend.xp
    time, batch, three_units = dz_inputs.shape
    units = three_units // 3
    dtype = dz_inputs.dtype
    raw = xp.zeros((batch, units), dtype=dtype)  # the recurrent product's transpose of the step after
    dh_z = xp.zeros((batch, units), dtype=dtype)
    passes = () if step_mask is None else (xp.zeros((batch, units), dtype=dtype),)
    for t in range(time - 1, -1, -1):
        di, dr_ = dz_inputs[t], dz_recurrent[t]
        masked = () if step_mask is None else (step_mask[t],)
        step_kernel(g_hidden[t], raw, to_z[t], to_h[t], to_r[t], z[t], r[t], *masked,
                    di[:, :units], di[:, units:2 * units], di[:, 2 * units:], dr_[:, :units], dr_[:, units:2 * units],
                    dr_[:, 2 * units:], dh_z, *passes)
        raw = _gate_product_transpose(dr_, recurrent_t, gate_masks)
    raw += dh_z
    if step_mask is not None:
        raw += passes[0]
    return raw


# ---- the feature-major loop: reset_after, no masks, activations whose derivatives read their outputs -----
#
# Keras' default GRU. As in the LSTM op, each step works on (features, batch) slabs: every gate block
# is a contiguous (units, batch) array, so each elementwise call is one flat pass instead of a
# strided walk over a column block of (batch, 3 units) rows, and the recurrent bias rides in the
# step's one product as a row of ones under h. The elementwise arithmetic is the general loop's.


def _sigmoid_in_place(a):
    """a = 1 / (1 + e^-a), the sigmoid kernel's own steps (ops/activation.py _sigmoid) without a temporary."""
    xp = backend.xp
    xp.negative(a, out=a)
    xp.exp(a, out=a)  # e^-a overflows to inf for a < -88 (float32): 1 / inf = 0 is the limit (warning silenced)
    a += 1.0
    xp.reciprocal(a, out=a)


def _feature_major_forward(x_flat, h0, kernel, recurrent_kernel, bias, act, ract, batch, time, dtype, has_bias,
                           go_backwards):
    xp = backend.xp
    units = recurrent_kernel.shape[0]
    # (3 units, time * batch): the input terms of every step straight from one product, column block t
    # is step t (rows of `batch` contiguous numbers).
    inputs_t = kernel.T @ x_flat.T
    if bias is not None:
        inputs_t += bias[0].reshape(-1, 1)
    inputs_t = inputs_t.reshape(3 * units, time, batch)
    # One product per step: [R; b_rec]^T @ [h_{t-1}; 1], on a buffer the loop fills with h as it goes;
    # the vjp reuses it for the recurrent kernel's and bias's gradients in one product.
    recurrent_rows = [recurrent_kernel] + ([bias[1].reshape(1, -1)] if bias is not None else [])
    weights_t = xp.ascontiguousarray(xp.concatenate(recurrent_rows, axis=0).astype(dtype, copy=False).T)
    # Column t holds [h_{t-1}; 1]: the loop writes each h straight into the next column.
    states = xp.empty((weights_t.shape[1], time + 1, batch), dtype=dtype)
    if bias is not None:
        states[units] = 1
    states[:units, 0] = h0.T
    gates = xp.empty((time, 3 * units, batch), dtype=dtype)  # z, r, hh (activated)
    # Each step's [R; b_rec]^T product, kept: its h block (h_{t-1} @ R_h + b_h) is what r multiplies.
    recurrent_terms = xp.empty((time, 3 * units, batch), dtype=dtype)
    sigmoid, tanh = ract.name == "sigmoid", act.name == "tanh"
    # On the cupy backend (sigmoid / tanh) all after the product is one kernel (step_kernels.py).
    step_kernel = step_kernels.kernel("gru_step", gates, inputs_t) if sigmoid and tanh else None
    with numpy.errstate(over="ignore"):  # the sigmoid's e^-a (see _sigmoid_in_place); host-side only
        for t in range(time):
            inner = recurrent_terms[t]
            xp.matmul(weights_t, states[:, t], out=inner)
            if step_kernel is not None:
                a = gates[t]
                step_kernel(inputs_t[:units, t], inputs_t[units:2 * units, t], inputs_t[2 * units:, t], inner[:units],
                            inner[units:2 * units], inner[2 * units:], states[:units, t],
                            a[:units], a[units:2 * units], a[2 * units:], states[:units, t + 1])
                continue
            a = gates[t]
            zr = a[:2 * units]
            xp.add(inputs_t[:2 * units, t], inner[:2 * units], out=zr)
            if sigmoid:
                _sigmoid_in_place(zr)
            else:
                zr[...] = ract.forward(zr)
            z, r, hh = a[:units], a[units:2 * units], a[2 * units:]
            xp.multiply(r, inner[2 * units:], out=hh)
            hh += inputs_t[2 * units:, t]
            if tanh:
                xp.tanh(hh, out=hh)
            else:
                hh[...] = act.forward(hh)
            h = states[:units, t + 1]
            # h = z h_prev + (1 - z) hh = hh + z (h_prev - hh)
            xp.subtract(states[:units, t], hh, out=h)
            h *= z
            h += hh
    residuals = (True, x_flat, kernel, recurrent_kernel, gates, states, recurrent_terms[:, 2 * units:], act, ract,
                 has_bias, go_backwards)
    return _to_batch_major(states[:units, 1:].transpose(1, 2, 0), go_backwards), residuals


def _feature_major_vjp(residuals, g, needs):
    x_flat, kernel, recurrent_kernel, gates, states, recurrent_part, act, ract, has_bias, go_backwards = residuals
    xp = backend.xp
    time, three_units, batch = gates.shape
    units = three_units // 3
    dtype = gates.dtype
    ones = xp.ones((), dtype=dtype)
    z, r, hh = gates[:, :units], gates[:, units:2 * units], gates[:, 2 * units:]
    # [h_{t-1}; 1] columns, contiguous: (units (+ 1), time * batch).
    states_flat = xp.ascontiguousarray(states[:, :time]).reshape(states.shape[0], time * batch)
    h_prev_all = states_flat[:units].reshape(units, time, batch).transpose(1, 0, 2)  # (time, units, batch)
    # Per-step factors, vectorized over time (the general loop's, feature-major):
    #   dz_z = dh * to_z, to_z = (h_{t-1} - hh) ra'(z);  dz_h = dh * to_h, to_h = (1 - z) a'(hh);
    #   dz_r = dz_h * to_r, to_r = recurrent_part ra'(r).
    if ract.name == "sigmoid" and act.name == "tanh":
        # The same products in four buffers instead of a dozen temporaries (sigmoid' = z (1 - z), tanh' = 1 - hh^2).
        to_z, to_h, to_r, factor = (xp.empty((time, units, batch), dtype=dtype) for _ in range(4))
        xp.subtract(1, z, out=to_z)
        to_z *= z
        xp.subtract(h_prev_all, hh, out=factor)
        to_z *= factor
        xp.multiply(hh, hh, out=to_h)
        xp.subtract(1, to_h, out=to_h)
        xp.subtract(1, z, out=factor)
        to_h *= factor
        xp.subtract(1, r, out=to_r)
        to_r *= r
        to_r *= recurrent_part
    else:
        to_z = (h_prev_all - hh) * ract.derivative(ones, None, z)
        to_h = (1 - z) * act.derivative(ones, None, hh)
        to_r = recurrent_part * ract.derivative(ones, None, r)
    # Without return_sequences only the last step gets an upstream gradient: skip the transposed copy
    # (on a device, asking .any() would wait for the GPU; the copy costs less).
    g_last = g[:, time - 1].T
    earlier = time > 1 and (backend.on_device() or g[:, :time - 1].any())
    g_t = xp.ascontiguousarray(g.transpose(1, 2, 0)) if earlier else None
    # (3 units, time, batch), column for column with `states` and x_flat's rows, for the weight products.
    dz = xp.empty((3 * units, time, batch), dtype=dtype)
    dz_reset_h = xp.empty((units, time, batch), dtype=dtype)  # the h block of the recurrent product's gradient
    # Each step is computed in contiguous scratch and copied into dz once.
    step = xp.empty((3 * units, batch), dtype=dtype)
    dh = xp.empty((units, batch), dtype=dtype)
    dh_carry = xp.zeros((units, batch), dtype=dtype)
    recurrent = xp.ascontiguousarray(recurrent_kernel)
    step_kernel = step_kernels.kernel("gru_step_vjp", gates, g, to_z, to_h, to_r)
    if step_kernel is not None:
        # One fused kernel per step (step_kernels.py); step t's kernel adds step t + 1's dh z first.
        raw, dh_z, no_upstream = dh_carry, xp.zeros((units, batch), dtype=dtype), step_kernels.scalar(0, dtype)
        for t in range(time - 1, -1, -1):
            upstream = g_t[t] if g_t is not None else (g_last if t == time - 1 else no_upstream)
            d = dz[:, t]
            step_kernel(upstream, raw, to_z[t], to_h[t], to_r[t], z[t], r[t], step[:units], step[units:2 * units],
                        step[2 * units:], d[:units], d[units:2 * units], d[2 * units:], dz_reset_h[:, t], dh_z)
            xp.matmul(recurrent, step, out=raw)
        dh_carry = raw
        dh_carry += dh_z
    # (When the fused loop above ran, it did every step.)
    for t in range(time - 1, -1, -1) if step_kernel is None else ():
        if g_t is not None:
            xp.add(g_t[t], dh_carry, out=dh)
        elif t == time - 1:
            xp.add(g_last, dh_carry, out=dh)
        else:
            xp.copyto(dh, dh_carry)
        xp.multiply(dh, to_z[t], out=step[:units])
        xp.multiply(dh, to_h[t], out=step[2 * units:])
        xp.multiply(step[2 * units:], to_r[t], out=step[units:2 * units])
        xp.copyto(dz[:, t], step)
        step[2 * units:] *= r[t]  # now the recurrent product's gradient [dz_z, dz_r, dz_h r]
        xp.copyto(dz_reset_h[:, t], step[2 * units:])
        xp.matmul(recurrent, step, out=dh_carry)
        dh *= z[t]
        dh_carry += dh
    dz_flat = dz.reshape(3 * units, time * batch)
    grads = [_dx(dz_flat.T, kernel, batch, time, go_backwards) if needs[0] else None,
             dh_carry.T if needs[1] else None, None,
             (dz_flat @ x_flat).T if needs[3] else None, None]
    if needs[4] or (has_bias and needs[5]):
        # [dR; db_rec] in two products over the [h_{t-1}; 1] columns (the z, r blocks share dz's).
        recurrent_grads = xp.concatenate([states_flat @ dz_flat[:2 * units].T,
                                          states_flat @ dz_reset_h.reshape(units, time * batch).T], axis=1)
        grads[4] = recurrent_grads[:units] if needs[4] else None
    if has_bias:
        grads.append(xp.stack([dz_flat.sum(axis=1), recurrent_grads[units]]) if needs[5] else None)
    return tuple(grads)


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
    sequence = _apply_sequence_op(gru_op, (inputs, initial_h, initial_h, kernel, recurrent_kernel), bias, mask,
                                  recurrent_mask, go_backwards, activation=act.name, recurrent_activation=ract.name,
                                  reset_after=bool(reset_after))
    return sequence, apply(time_slice_op, (sequence,), {"index": inputs.shape[1] - 1})

"""The fused LSTM / GRU steps for the cupy backend: one ElementwiseKernel launch per step and direction.

GPU only (ops/device_kernels.py builds them from `backend.xp`; on NumPy `kernel` returns None and
lstm.py / gru.py run their ufunc code, which stays the reference and keeps its speed). A step's
matrix product stays cuBLAS (`xp.matmul`); everything elementwise around it (the gate
nonlinearities, the cell / state update, masking, and in the vjp the gate derivatives, the
carries and the copy into the sequence's gradient buffer) is one kernel.

Each body repeats the NumPy path's formulas term for term, in its order, so the stand-in device
(whose ElementwiseKernel runs the body as NumPy statements) gives bit-for-bit the NumPy results;
a GPU compiler may contract a * b + c into a fused multiply-add, which is the float32 tolerance of
the GPU parity checks. Only the tanh / sigmoid pair is fused (Keras' defaults); other activations
keep the ufunc code on the device too.

The vjp kernels fold the previous step's tail into the next launch: the NumPy loop ends each step
with dh_carry = (R @ step) [* recurrent_mask] [+ dh_pass] (and dc_carry += dc_pass for the LSTM);
here the kernel of step t reads the carried product of step t + 1 and adds those terms first, in the
same order, and the caller applies the same tail once after the loop.

Parameter names avoid CuPy's reserved `i`, `n` and `_ind` (CuPy's loop index and size).
"""
from neuroflow import backend
from neuroflow.ops import device_kernels

# ---- LSTM (lstm.py, the fused tanh / sigmoid branch; gates stored as g, i, f, o) -----------------
# Forward: the sigmoid rows' pre-activations were halved in the weights, so sigmoid = 0.5 tanh + 0.5.
_LSTM_FORWARD = (
    "gate_g = tanh(z_g); gate_in = tanh(z_in) * (T)0.5 + (T)0.5; "
    "gate_f = tanh(z_f) * (T)0.5 + (T)0.5; gate_o = tanh(z_o) * (T)0.5 + (T)0.5; "
    "c = gate_f * c_prev + gate_in * gate_g; activated = tanh(c); h = gate_o * activated; ")
_LSTM_KEEP_MASKED = "h = (h - h_prev) * m + h_prev; c = (c - c_prev) * m + c_prev; "
_LSTM_STATE = "state = h * recurrent_mask"

device_kernels.define(
    "lstm_step", "T z_g, T z_in, T z_f, T z_o, T c_prev, T recurrent_mask",
    "T gate_g, T gate_in, T gate_f, T gate_o, T c, T activated, T h, T state", _LSTM_FORWARD + _LSTM_STATE)
device_kernels.define(
    "lstm_step_masked", "T z_g, T z_in, T z_f, T z_o, T c_prev, T h_prev, T m, T recurrent_mask",
    "T gate_g, T gate_in, T gate_f, T gate_o, T c, T activated, T h, T state",
    _LSTM_FORWARD + _LSTM_KEEP_MASKED + _LSTM_STATE)

# Vjp: sigmoid' = s (1 - s), tanh' = 1 - g^2, times each gate's partner; o tanh'(c) = o - h tanh(c).
_LSTM_DERIVATIVES = (
    "T d_g = (T)1 - gate_g * gate_g; T d_in = ((T)1 - gate_in) * gate_in; "
    "T d_f = ((T)1 - gate_f) * gate_f; T d_o = ((T)1 - gate_o) * gate_o; "
    "d_g = d_g * gate_in; d_in = d_in * gate_g; d_f = d_f * c_prev; d_o = d_o * activated; "
    "T from_h = gate_o - h * activated; ")
_LSTM_GATE_GRADIENTS = (
    "d_g = d_g * dc; d_in = d_in * dc; d_f = d_f * dc; d_o = d_o * dh; dc_carry = dc * gate_f; "
    "step_g = d_g; step_in = d_in; step_f = d_f; step_o = d_o; dz_g = d_g; dz_in = d_in; dz_f = d_f; dz_o = d_o")
_LSTM_VJP_INPUTS = "T upstream, T carried, T recurrent_mask, T gate_g, T gate_in, T gate_f, T gate_o, T c_prev, T activated, T h"
_LSTM_VJP_OUTPUTS = "T step_g, T step_in, T step_f, T step_o, T dz_g, T dz_in, T dz_f, T dz_o, T dc_carry"

device_kernels.define(
    "lstm_step_vjp", _LSTM_VJP_INPUTS, _LSTM_VJP_OUTPUTS,
    "T dh = upstream + carried * recurrent_mask; " + _LSTM_DERIVATIVES
    + "from_h = from_h * dh; T dc = from_h + dc_carry; " + _LSTM_GATE_GRADIENTS)
device_kernels.define(
    "lstm_step_vjp_masked", _LSTM_VJP_INPUTS + ", T m", _LSTM_VJP_OUTPUTS + ", T dh_pass, T dc_pass",
    "T carry = carried * recurrent_mask; carry = carry + dh_pass; T dh = upstream + carry; dc_carry = dc_carry + dc_pass; "
    + _LSTM_DERIVATIVES
    + "dh_pass = dh * ((T)1 - m); dc_pass = dc_carry * ((T)1 - m); dh = dh * m; from_h = from_h * dh; "
      "T dc = dc_carry * m; dc = dc + from_h; " + _LSTM_GATE_GRADIENTS)

# ---- GRU, reset_after=True with sigmoid / tanh (gru.py; gates z, r, hh) ---------------------------
# Forward, both loops: z, r = sigmoid(x + recurrent term) as ops/activation.py's 1 / (1 + e^-a);
# hh = tanh(x_h + r * (h_{t-1} @ R_h + b_h)); h = hh + z (h_{t-1} - hh) as (h_prev - hh) * z + hh.
_GRU_FORWARD = (
    "T a_z = x_z + inner_z; T a_r = x_r + inner_r; "
    "gate_z = (T)1 / (exp(-a_z) + (T)1); gate_r = (T)1 / (exp(-a_r) + (T)1); "
    "T a_h = gate_r * inner_h; a_h = a_h + x_h; gate_h = tanh(a_h); "
    "h = h_prev - gate_h; h = h * gate_z; h = h + gate_h")
_GRU_FORWARD_INPUTS = "T x_z, T x_r, T x_h, T inner_z, T inner_r, T inner_h, T h_prev"

# The feature-major loop (no masks): the step's product carries the recurrent bias.
device_kernels.define("gru_step", _GRU_FORWARD_INPUTS, "T gate_z, T gate_r, T gate_h, T h", _GRU_FORWARD)
# The general (batch-major) loop: it also keeps r_h, and keeps the state where the step is masked.
device_kernels.define(
    "gru_step_general", _GRU_FORWARD_INPUTS, "T gate_z, T gate_r, T gate_h, T recurrent_h, T h",
    "recurrent_h = inner_h; " + _GRU_FORWARD)
device_kernels.define(
    "gru_step_general_masked", _GRU_FORWARD_INPUTS + ", T m", "T gate_z, T gate_r, T gate_h, T recurrent_h, T h",
    "recurrent_h = inner_h; " + _GRU_FORWARD + "; h = (h - h_prev) * m + h_prev")

# Vjp: the per-step factors to_z, to_h, to_r come precomputed over the whole sequence; dh carries
# (R @ d_recurrent) + dh z [+ dh_pass] from step t + 1 (`carried`, `dh_z`, `dh_pass`).
_GRU_VJP_INPUTS = "T upstream, T carried, T to_z, T to_h, T to_r, T gate_z, T gate_r"
_GRU_GRADIENTS = "T d_z = dh * to_z; T d_h = dh * to_h; T d_r = d_h * to_r; "
device_kernels.define(
    "gru_step_vjp", _GRU_VJP_INPUTS,
    "T step_z, T step_r, T step_h, T dz_z, T dz_r, T dz_h, T dz_reset_h, T dh_z",
    "T carry = carried + dh_z; T dh = upstream + carry; " + _GRU_GRADIENTS
    + "dz_z = d_z; dz_r = d_r; dz_h = d_h; d_h = d_h * gate_r; dz_reset_h = d_h; "
      "step_z = d_z; step_r = d_r; step_h = d_h; dh_z = dh * gate_z")
_GENERAL_VJP_OUTPUTS = "T input_z, T input_r, T input_h, T recurrent_z, T recurrent_r, T recurrent_h, T dh_z"
_GENERAL_VJP_TAIL = ("input_z = d_z; input_r = d_r; input_h = d_h; recurrent_z = d_z; recurrent_r = d_r; "
                     "recurrent_h = d_h * gate_r; dh_z = dh * gate_z")
device_kernels.define(
    "gru_step_general_vjp", _GRU_VJP_INPUTS, _GENERAL_VJP_OUTPUTS,
    "T carry = carried + dh_z; T dh = upstream + carry; " + _GRU_GRADIENTS + _GENERAL_VJP_TAIL)
device_kernels.define(
    "gru_step_general_vjp_masked", _GRU_VJP_INPUTS + ", T m", _GENERAL_VJP_OUTPUTS + ", T dh_pass",
    "T carry = carried + dh_z; carry = carry + dh_pass; T dh = upstream + carry; "
    "dh_pass = dh * ((T)1 - m); dh = dh * m; " + _GRU_GRADIENTS + _GENERAL_VJP_TAIL)


def kernel(name, *arrays):
    """The fused kernel `name` when the cupy backend (or the stand-in) has it and every array is float32 or
    float64 (one dtype), else None. float16 stays unfused: CUDA C++ has no tanh / exp overloads for half."""
    found = device_kernels.get(name)
    if found is None:
        return None
    dtypes = {array.dtype.name for array in arrays if array is not None}
    return found if len(dtypes) == 1 and dtypes <= {"float32", "float64"} else None


def scalar(value, dtype):
    """A 0-d device array: a kernel's constant operand (1 for no recurrent mask, 0 for no upstream gradient)."""
    return backend.xp.full((), value, dtype=dtype)  # made on the device (asarray would copy a host scalar there)

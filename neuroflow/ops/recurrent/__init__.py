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
from neuroflow.ops.recurrent.gru import gru
from neuroflow.ops.recurrent.lstm import lstm
from neuroflow.ops.recurrent.simple_rnn import simple_rnn

__all__ = ["lstm", "gru", "simple_rnn"]

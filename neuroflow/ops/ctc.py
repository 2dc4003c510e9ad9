"""Connectionist temporal classification (keras.ops.nn.ctc_loss / ctc_decode; Graves et al., 2006).

The loss of one sequence is -log p(target | logits), summed over every alignment of the target
(blanks, `mask_index`, between and around its labels; repeats collapsed) to the output frames.
With the extended label l' = (blank, l1, blank, l2, ..., blank) the forward variables are, in log
space,

    alpha_t(s) = logp_t(l'_s) + logsumexp(alpha_{t-1}(s), alpha_{t-1}(s - 1), alpha_{t-1}(s - 2)),

the last term only where l'_s is a label differing from l'_{s-2}; the backward variables beta
run the same recursion from the end. The gradient of the loss with respect to the logits at frame
t is softmax_t - occupancy_t, occupancy_t(k) = sum over s with l'_s = k of
exp(alpha_t(s) + beta_t(s) - logp_t(l'_s) + loss).
"""
import numpy

from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.engine.tensor import Tensor, convert_to_tensor
from neuroflow.ops.inspection import value_of

_NEGATIVE_INFINITY = -numpy.inf


def _log_softmax(x):
    xp = backend.xp
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=-1, keepdims=True))


def _shift(row, by):
    """row moved `by` places to the right along the last axis, -inf filling the start."""
    out = backend.xp.full_like(row, _NEGATIVE_INFINITY)
    out[..., by:] = row[..., :-by]
    return out


def _sequence(logprobs, labels, frames, blank):
    """(loss, d loss / d logits) of one sequence: logprobs (T, K), labels (L,), the first `frames` frames used."""
    xp = backend.xp
    extended = xp.full(2 * len(labels) + 1, blank, dtype=xp.int64)
    extended[1::2] = labels
    size = len(extended)
    skip = xp.zeros(size, dtype=bool)
    skip[2:] = (extended[2:] != blank) & (extended[2:] != extended[:-2])
    emit = logprobs[:frames, extended]  # (frames, S)
    alpha = xp.full((frames, size), _NEGATIVE_INFINITY, dtype=logprobs.dtype)
    beta = xp.full((frames, size), _NEGATIVE_INFINITY, dtype=logprobs.dtype)
    with numpy.errstate(invalid="ignore"):  # -inf - -inf never reaches a result that is used
        alpha[0, :2] = emit[0, :2]
        for t in range(1, frames):
            previous = alpha[t - 1]
            total = xp.logaddexp(previous, _shift(previous, 1))
            total = xp.where(skip, xp.logaddexp(total, _shift(previous, 2)), total)
            alpha[t] = total + emit[t]
        beta[frames - 1, -2:] = emit[frames - 1, -2:]
        skip_next = xp.zeros(size, dtype=bool)
        skip_next[:-2] = skip[2:]  # s -> s + 2 is allowed where s + 2 may be reached by a skip
        for t in range(frames - 2, -1, -1):
            following = beta[t + 1]
            ahead_one = xp.full_like(following, _NEGATIVE_INFINITY)
            ahead_one[:-1] = following[1:]
            ahead_two = xp.full_like(following, _NEGATIVE_INFINITY)
            ahead_two[:-2] = following[2:]
            total = xp.logaddexp(following, ahead_one)
            total = xp.where(skip_next, xp.logaddexp(total, ahead_two), total)
            beta[t] = total + emit[t]
        log_likelihood = xp.logaddexp(alpha[frames - 1, -1], alpha[frames - 1, -2]) if size > 1 else alpha[frames - 1, -1]
        occupancy_per_state = xp.exp(alpha + beta - emit - log_likelihood)
    grad = xp.zeros_like(logprobs)
    occupancy = xp.zeros((frames, logprobs.shape[1]), dtype=logprobs.dtype)
    for s in range(size):
        occupancy[:, extended[s]] += occupancy_per_state[:, s]
    grad[:frames] = xp.exp(logprobs[:frames]) - occupancy
    return -log_likelihood, grad


ctc_loss_op = Op("ctc_loss")


@ctc_loss_op.forward
def _(output, target=None, target_length=None, output_length=None, mask_index=0):
    xp = backend.xp
    logprobs = _log_softmax(output)
    losses = xp.empty(output.shape[0], dtype=output.dtype)
    grads = xp.zeros_like(output)
    for b in range(output.shape[0]):
        losses[b], grads[b] = _sequence(logprobs[b], target[b, :int(target_length[b])], int(output_length[b]), mask_index)
    return losses, grads


@ctc_loss_op.vjp
def _(grads, g, needs):
    return (g[:, None, None] * grads,)


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """Per-sequence CTC loss, -log p(target | output): shape (batch,) (differentiable in `output`).

    Args:
        target: (batch, max_label_length) integer labels, padded past target_length.
        output: (batch, max_time, num_classes) logits (a log-softmax is applied here).
        target_length, output_length: (batch,) the used lengths.
        mask_index: the blank class.

    A target that cannot fit its frames (too long once repeats need a blank between them) has
    probability 0 and loss inf.
    """
    output = output if hasattr(output, "shape") and hasattr(output, "dtype") else convert_to_tensor(output)
    if not str(output.dtype).startswith("float"):
        raise ValueError(f"ctc_loss expects float logits; received output.dtype={output.dtype}")
    if len(output.shape) != 3:
        raise ValueError(f"ctc_loss expects `output` of shape (batch, max_time, num_classes); received "
                         f"output.shape={tuple(output.shape)}")
    target = backend.xp.asarray(value_of(target)).astype(backend.xp.int64)
    options = {"target": target, "target_length": backend.xp.asarray(value_of(target_length)),
               "output_length": backend.xp.asarray(value_of(output_length)), "mask_index": int(mask_index)}
    return apply(ctc_loss_op, (output,), options)


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1, merge_repeated=True,
               mask_index=0):
    """Greedy CTC decoding: (decoded (1, batch, max_time) padded with -1, scores (batch, 1)); not differentiable.

    The best class per frame, repeats merged (merge_repeated), blanks removed; the score is minus
    the sum of the frames' best values, as in Keras. Only strategy='greedy' is implemented.

    Raises:
        ValueError: for strategy='beam_search' (not implemented in neuroflow) or an unknown strategy.
    """
    if strategy == "beam_search":
        raise ValueError("ctc_decode: strategy='beam_search' is not implemented in neuroflow; use strategy='greedy'")
    if strategy != "greedy":
        raise ValueError(f"ctc_decode expects strategy 'greedy' or 'beam_search'; received strategy={strategy!r}")
    xp = backend.xp
    values = xp.asarray(value_of(inputs))
    if not str(values.dtype).startswith("float"):
        values = values.astype(backend.floatx())
    lengths = xp.asarray(value_of(sequence_lengths)).astype(xp.int64)
    batch, frames, _ = values.shape
    best = values.argmax(axis=-1).astype(xp.int32)
    scores = values.max(axis=-1)
    beyond = xp.arange(frames)[None, :] >= lengths[:, None]
    best = xp.where(beyond, mask_index, best)
    scores = xp.where(beyond, 0.0, scores)
    if merge_repeated:
        repeated = xp.zeros_like(beyond)
        repeated[:, 1:] = best[:, 1:] == best[:, :-1]
        best = xp.where(repeated, mask_index, best)
    dropped = best == mask_index
    # Kept labels move to the front in order (a stable sort on "dropped"), -1 fills the rest.
    order = xp.argsort(dropped, axis=-1, kind="stable")
    decoded = xp.take_along_axis(xp.where(dropped, -1, best), order, axis=-1)
    return Tensor(decoded[None]), Tensor(-scores.sum(axis=1, keepdims=True))

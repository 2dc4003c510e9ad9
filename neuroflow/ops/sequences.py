"""keras.ops.extract_sequences: overlapping frames of the last axis, (..., frames, sequence_length)."""
from neuroflow import backend
from neuroflow.engine.tensor import convert_to_tensor
from neuroflow.ops.shape import take


def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of `sequence_length` samples every `sequence_stride` samples along the last axis of x.

    There are 1 + (n - sequence_length) // sequence_stride frames of an axis of n samples; the gradient
    adds each frame's gradient back onto the samples it was cut from.
    """
    for name, value in (("sequence_length", sequence_length), ("sequence_stride", sequence_stride)):
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"ops.extract_sequences expects `{name}` to be a positive integer; received {name}={value!r}")
    if not hasattr(x, "shape"):
        x = convert_to_tensor(x)
    if len(x.shape) < 1 or x.shape[-1] is None or x.shape[-1] < sequence_length:
        raise ValueError(f"ops.extract_sequences expects a last axis of at least sequence_length={sequence_length} "
                         f"samples; received x.shape={tuple(x.shape)}")
    frames = 1 + (x.shape[-1] - sequence_length) // sequence_stride
    xp = backend.xp
    indices = xp.arange(frames)[:, None] * sequence_stride + xp.arange(sequence_length)[None, :]
    return take(x, indices, axis=-1)

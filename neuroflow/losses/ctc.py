"""CTC: the connectionist temporal classification loss over every frame of padded label sequences.

The kernel is `neuroflow.ops.ctc_loss` (the ops family file ops/ctc.py); this module adds Keras'
loss-level conventions: class 0 is the blank and the padding, every sequence uses all of y_pred's
frames, and a label sequence's length is its count of nonzero labels.
"""
from neuroflow import backend, ops
from neuroflow.losses.loss import LossFunctionWrapper
from neuroflow.utils.errors import shape_text


def ctc(y_true, y_pred):
    """Per-sequence CTC loss -log p(y_true | y_pred), shape (batch,).

    Args:
        y_true: integer labels of shape (batch, max_label_length), 0-padded (0 is the blank).
        y_pred: logits of shape (batch, frames, classes).
    """
    if len(y_true.shape) != 2:
        raise ValueError("Targets `y_true` are expected to be a tensor of shape `(batch_size, max_length)` in integer "
                         f"format. Received: y_true.shape={shape_text(y_true.shape)}")
    if len(y_pred.shape) != 3:
        raise ValueError("Logits `y_pred` are expected to be a tensor of shape `(batch_size, max_length, num_classes)`. "
                         f"Received: y_pred.shape={shape_text(y_pred.shape)}")
    kernel = getattr(ops, "ctc_loss", None)
    if kernel is None:
        raise NotImplementedError("neuroflow.losses.ctc needs the op neuroflow.ops.ctc_loss, which this build lacks")
    xp = backend.xp
    labels = xp.asarray(y_true.value if hasattr(y_true, "value") else y_true)
    batch, frames = y_pred.shape[0], y_pred.shape[1]
    label_length = (labels != 0).sum(axis=-1).astype("int32")
    frame_length = xp.full((batch,), frames, dtype="int32")
    return kernel(labels.astype("int64"), y_pred, label_length, frame_length, mask_index=0)


class CTC(LossFunctionWrapper):
    """CTC loss over integer label sequences (0 the blank and the padding) and per-frame logits.

    Args:
        reduction, name, dtype: as for `Loss`.
    """

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, reduction=reduction, name=name, dtype=dtype)

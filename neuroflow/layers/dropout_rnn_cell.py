"""The dropout masks of a recurrent cell, drawn once per sequence (Keras' DropoutRNNCell mixin).

A cell that mixes this in defines `_masks(reference, rate)`: the list of masks it multiplies a step
input or a state by (one per gate, or one shared). The RNN loop resets both masks before each
sequence, so every step of one sequence drops the same units, as Keras does.
"""


class DropoutRNNCell:
    """get_dropout_mask / get_recurrent_dropout_mask, cached until reset_*; needs `dropout`,
    `recurrent_dropout` and `_masks(reference, rate)` on the cell."""

    _dropout_mask = None
    _recurrent_dropout_mask = None

    def get_dropout_mask(self, step_input):
        if self._dropout_mask is None and self.dropout > 0:
            # object.__setattr__: masks are per-call tensors, not state the layer should track.
            object.__setattr__(self, "_dropout_mask", self._masks(step_input, self.dropout))
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, state):
        if self._recurrent_dropout_mask is None and self.recurrent_dropout > 0:
            object.__setattr__(self, "_recurrent_dropout_mask", self._masks(state, self.recurrent_dropout))
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self):
        object.__setattr__(self, "_dropout_mask", None)

    def reset_recurrent_dropout_mask(self):
        object.__setattr__(self, "_recurrent_dropout_mask", None)

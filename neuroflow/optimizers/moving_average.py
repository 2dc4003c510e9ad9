"""The moving average of the weights that `use_ema` keeps (Keras' EMA), as a part of Optimizer."""


class MovingAverages:
    """The `use_ema` methods of Optimizer: the averages live in each variable's "average" slot.

    Optimizer inherits them; they read its `use_ema`, `ema_momentum`, `iterations`, `_slot` and
    `_trainable_variables`, and fit calls `finalize_variable_values` at the end.
    """

    def _update_moving_averages(self):
        # The first step copies the weights (momentum 0), as Keras does.
        momentum = self.ema_momentum if self.iterations != 0 else 0.0
        for variable in self._trainable_variables:
            average = self._slot(variable, "average")
            average *= momentum
            average += (1.0 - momentum) * variable.value

    def _overwrite_model_variables_with_average_value(self, trainable_variables):
        for variable in trainable_variables:
            variable.value[...] = self._slot(variable, "average")

    def moving_average_pairs(self):
        """(variable, its moving average array, written in place) for each trainable variable, with `use_ema` ([] without).

        The public seam callbacks.SwapEMAWeights swaps through.
        """
        if not self.use_ema:
            return []
        return [(variable, self._slot(variable, "average")) for variable in self._trainable_variables]

    def finalize_variable_values(self, var_list):
        """With `use_ema`, writes the moving averages into the variables (fit calls it at the end)."""
        if self.use_ema:
            self._overwrite_model_variables_with_average_value(
                [v for v in var_list if id(v) in self._trainable_variables_indices])

"""Masking: marks time steps whose features all equal `mask_value` as padding."""
from neuroflow import backend, ops
from neuroflow.engine.tensor import Tensor
from neuroflow.layers.layer import Layer


class Masking(Layer):
    """Skips padded time steps in the layers that follow (keras.layers.Masking).

    For inputs (batch, time, features) the mask is `any(inputs != mask_value, axis=-1)`: a step is
    padding when all its features equal `mask_value`. The output is the input with padded steps
    set to zero, `inputs * mask[..., None]`, and carries the mask to the next layer.

    Args:
        mask_value: the padding value (default 0.0).
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def _mask_array(self, inputs):
        values = inputs.value if isinstance(inputs, Tensor) else backend.xp.asarray(inputs)
        return backend.xp.any(values != self.mask_value, axis=-1)

    def call(self, inputs):
        keep = self._mask_array(inputs)
        outputs = ops.multiply(inputs, keep[..., None].astype(inputs.value.dtype))
        outputs._keras_mask = Tensor(keep)
        return outputs

    def compute_mask(self, inputs, previous_mask=None):
        return Tensor(self._mask_array(inputs))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config

"""AdamW: Adam with decoupled weight decay."""
from neuroflow.optimizers.adam import Adam
from neuroflow.optimizers.optimizer import base_arguments


class AdamW(Adam):
    """AdamW (Loshchilov & Hutter, 2019): Adam plus decoupled weight decay.

    Before each Adam step (see `Adam`), every variable not excluded by
    `exclude_from_weight_decay` is shrunk:

        w = w - w * weight_decay * learning_rate

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        weight_decay: the decay factor (default 0.004; required).
        beta_1, beta_2, epsilon, amsgrad: as in `Adam`.
        **kwargs: the base optimizer's arguments.

    Raises:
        ValueError: when `weight_decay` is None.
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name="adamw", **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW: argument `weight_decay` must be a float. Received: weight_decay=None")
        super().__init__(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad, **base_arguments(locals()))

"""Image quality measures: peak signal-to-noise ratio (keras.ops.nn.psnr)."""
import math

from neuroflow.engine.tensor import convert_to_tensor
from neuroflow.ops.elementwise import log, square, subtract
from neuroflow.ops.reduction import mean


def psnr(x1, x2, max_val):
    """20 log10(max_val) - 10 log10(mean((x1 - x2)^2)), the mean over every element (differentiable).

    Raises:
        ValueError: when x1 and x2 differ in shape.
    """
    x1 = x1 if hasattr(x1, "shape") else convert_to_tensor(x1)
    x2 = x2 if hasattr(x2, "shape") else convert_to_tensor(x2)
    if tuple(x1.shape) != tuple(x2.shape):
        raise ValueError(f"psnr expects x1 and x2 of the same shape; received x1.shape={tuple(x1.shape)}, "
                         f"x2.shape={tuple(x2.shape)}")
    mse = mean(square(subtract(x1, x2)))
    return 20.0 * math.log10(float(max_val)) - log(mse) * (10.0 / math.log(10.0))

"""depth_to_space and space_to_depth (pixel shuffle / unshuffle): one reshape, transpose, reshape each.

Both are permutations of the elements, so their gradients are the inverse permutations, which the
reshape and transpose ops already provide.
"""
# Imported by name: `neuroflow.ops.shape` is shadowed by the `ops.shape()` function.
from neuroflow.ops.shape import reshape, transpose


def _check(x, block_size, name):
    if len(x.shape) != 4:
        raise ValueError(f"{name} expects a 4-D input (batch, height, width, channels or channels first); "
                         f"received x.shape={tuple(x.shape)}")
    if isinstance(block_size, bool) or not isinstance(block_size, int) or block_size < 1:
        raise ValueError(f"{name} expects `block_size` to be a positive int; received block_size={block_size!r}")


def _check_data_format(data_format):
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"data_format must be 'channels_last' or 'channels_first'; received {data_format!r}")


def _batch(x):
    return -1 if x.shape[0] is None else x.shape[0]


def depth_to_space(x, block_size, data_format="channels_last"):
    """Moves channel blocks into space: (N, H, W, C) -> (N, H b, W b, C / b^2), b = block_size.

    channels_last: output pixel (h b + i, w b + j) channel c reads input (h, w) channel (i b + j) C / b^2 + c;
    channels_first (N, C, H, W): it reads channel c b^2 + i b + j, as Keras does.

    Raises:
        ValueError: when C is not divisible by block_size^2.
    """
    _check(x, block_size, "depth_to_space")
    _check_data_format(data_format)
    b = block_size
    if data_format == "channels_last":
        _, h, w, c = x.shape
    else:
        _, c, h, w = x.shape
    if c % (b * b):
        raise ValueError(f"depth_to_space expects the channels ({c}) to be divisible by block_size**2 = {b * b}")
    depth = c // (b * b)
    if data_format == "channels_last":
        x = transpose(reshape(x, (_batch(x), h, w, b, b, depth)), (0, 1, 3, 2, 4, 5))
        return reshape(x, (_batch(x), h * b, w * b, depth))
    x = transpose(reshape(x, (_batch(x), depth, b, b, h, w)), (0, 1, 4, 2, 5, 3))
    return reshape(x, (_batch(x), depth, h * b, w * b))


def space_to_depth(x, block_size, data_format="channels_last"):
    """The inverse of depth_to_space: (N, H, W, C) -> (N, H / b, W / b, C b^2).

    Raises:
        ValueError: when H or W is not divisible by block_size.
    """
    _check(x, block_size, "space_to_depth")
    _check_data_format(data_format)
    b = block_size
    if data_format == "channels_last":
        _, h, w, c = x.shape
    else:
        _, c, h, w = x.shape
    if h % b or w % b:
        raise ValueError(f"space_to_depth expects height and width ({h}, {w}) divisible by block_size={b}")
    if data_format == "channels_last":
        x = transpose(reshape(x, (_batch(x), h // b, b, w // b, b, c)), (0, 1, 3, 2, 4, 5))
        return reshape(x, (_batch(x), h // b, w // b, c * b * b))
    x = transpose(reshape(x, (_batch(x), c, h // b, b, w // b, b)), (0, 1, 3, 5, 2, 4))
    return reshape(x, (_batch(x), c * b * b, h // b, w // b))

"""keras.ops.rearrange: einops-style axis patterns, as Keras supports them.

A pattern names each input axis and says where it goes: "b h w c -> b c h w" transposes, "b h w c -> b (h w) c"
merges axes, "b (h w) c -> b h w c" splits one (given h=... or w=...; one size of a group may be left to infer).
It runs as reshape -> transpose -> reshape, so it is differentiable and works on placeholders.
"""
import math
import re

from neuroflow.engine.tensor import convert_to_tensor
from neuroflow.ops.shape import reshape, transpose

_TOKEN = re.compile(r"\(\s*[\w\s]*\)|\w+|\S")


def _groups(side, pattern):
    """The axes of one side of the pattern: a list of groups, each a list of elementary axis names."""
    groups = []
    for token in _TOKEN.findall(side):
        if token.startswith("("):
            groups.append(token[1:-1].split())
        elif re.fullmatch(r"\w+", token):
            groups.append([token])
        else:
            raise ValueError(f"ops.rearrange expects a pattern of axis names and (grouped names); received "
                             f"{token!r} in pattern={pattern!r}")
    return groups


def _reshape_to(x, sizes):
    if tuple(x.shape) == tuple(sizes):
        return x
    unknown = sum(size is None for size in sizes)
    if unknown > 1:
        raise ValueError(f"ops.rearrange cannot reshape to {tuple(sizes)}: more than one unknown size")
    return reshape(x, tuple(-1 if size is None else size for size in sizes))


def rearrange(tensor, pattern, **axes_lengths):
    """`tensor` with its axes reordered, merged and split as `pattern` ("in axes -> out axes") says.

    Args:
        tensor: the input.
        pattern: e.g. "b h w c -> b (h w) c"; parentheses group axes that are one axis on their side.
        **axes_lengths: sizes of the axes a split needs (one per group may be inferred).
    """
    if not isinstance(pattern, str) or pattern.count("->") != 1:
        raise ValueError(f"ops.rearrange expects a pattern of the form 'input axes -> output axes'; "
                         f"received pattern={pattern!r}")
    if not hasattr(tensor, "shape"):
        tensor = convert_to_tensor(tensor)
    left, right = pattern.split("->")
    inputs, outputs = _groups(left, pattern), _groups(right, pattern)
    shape = tuple(tensor.shape)
    if len(inputs) != len(shape):
        raise ValueError(f"ops.rearrange's pattern {pattern!r} names {len(inputs)} input axes; received a tensor "
                         f"of rank {len(shape)} (shape {shape})")
    names_in = [name for group in inputs for name in group]
    names_out = [name for group in outputs for name in group]
    if len(set(names_in)) != len(names_in) or sorted(names_in) != sorted(names_out):
        raise ValueError(f"ops.rearrange expects each axis named once on both sides of the pattern; received "
                         f"pattern={pattern!r}")
    sizes = {}
    for group, dim in zip(inputs, shape):
        known = [name for name in group if name in axes_lengths]
        missing = [name for name in group if name not in axes_lengths]
        if len(missing) > 1:
            raise ValueError(f"ops.rearrange cannot infer the sizes of {missing} in pattern={pattern!r}; pass all but "
                             f"one of them as keyword arguments")
        product = math.prod(axes_lengths[name] for name in known)
        if missing:
            sizes[missing[0]] = None if dim is None else dim // product
            product *= 1 if dim is None else sizes[missing[0]]
        if dim is not None and product != dim:
            raise ValueError(f"ops.rearrange: axes {group} of sizes {[axes_lengths.get(n, sizes.get(n)) for n in group]} "
                             f"do not make the input axis of size {dim}; received pattern={pattern!r}, "
                             f"axes_lengths={axes_lengths}")
        sizes.update({name: axes_lengths[name] for name in known})
    x = _reshape_to(tensor, [sizes[name] for name in names_in])
    order = [names_in.index(name) for name in names_out]
    if order != list(range(len(order))):
        x = transpose(x, order)

    def group_size(group):
        values = [sizes[name] for name in group]
        return None if None in values else math.prod(values)

    return _reshape_to(x, [group_size(group) for group in outputs])

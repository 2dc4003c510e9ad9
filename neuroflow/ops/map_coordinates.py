"""Sampling an array at fractional coordinates (keras.ops.image.map_coordinates), order 0 or 1.

For order 1 each output reads the 2^d integer corners around its coordinate c,

    out = sum over corners k of prod_axes (w or 1 - w) * input[k],   w = c - floor(c),

with out-of-range corners mapped by fill_mode (or read as fill_value for 'constant'). The output
is linear in the input, so its vjp scatters g * weight back onto the corners; the coordinates get
no gradient (the interpolation is only piecewise differentiable in them).
"""
import itertools

from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.engine.tensor import convert_to_tensor
from neuroflow.ops.elementwise import cast

FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def _fix_index(index, size, fill_mode):
    """Integer indices mapped into [0, size) by fill_mode, and whether each was already inside."""
    xp = backend.xp
    inside = (index >= 0) & (index < size)
    if fill_mode == "constant":
        return xp.clip(index, 0, size - 1), inside
    if fill_mode == "nearest":
        return xp.clip(index, 0, size - 1), None
    if fill_mode == "wrap":
        return xp.mod(index, size), None
    if fill_mode == "mirror":  # d c b | a b c d | c b a: the edge is not repeated
        if size == 1:
            return xp.zeros_like(index), None
        period = 2 * size - 2
        folded = xp.mod(index, period)
        return xp.where(folded >= size, period - folded, folded), None
    period = 2 * size  # reflect: c b a | a b c | c b a, the edge repeated
    folded = xp.mod(index, period)
    return xp.where(folded >= size, period - 1 - folded, folded), None


def _corners(inputs, coordinates, order, fill_mode):
    """[(index tuple, weight, inside mask or None)] for every corner the coordinates read."""
    xp = backend.xp
    if order == 0:
        per_axis = [[(xp.floor(c + 0.5).astype(xp.int64), None)] for c in coordinates]
    else:
        per_axis = []
        for c in coordinates:
            low = xp.floor(c)
            weight = (c - low).astype(inputs.dtype, copy=False)
            low = low.astype(xp.int64)
            per_axis.append([(low, 1 - weight), (low + 1, weight)])
    corners = []
    for choice in itertools.product(*per_axis):
        index, weight, inside = [], None, None
        for (axis_index, axis_weight), size in zip(choice, inputs.shape):
            fixed, axis_inside = _fix_index(axis_index, size, fill_mode)
            index.append(fixed)
            if axis_weight is not None:
                weight = axis_weight if weight is None else weight * axis_weight
            if axis_inside is not None:
                inside = axis_inside if inside is None else inside & axis_inside
        corners.append((tuple(index), weight, inside))
    return corners


def sample(inputs, coordinates, order=1, fill_mode="constant", fill_value=0.0):
    """(inputs read at coordinates, residuals for sample_vjp): the kernel of map_coordinates, for reuse."""
    xp = backend.xp
    corners = _corners(inputs, coordinates, order, fill_mode)
    out = xp.zeros(coordinates.shape[1:], dtype=inputs.dtype)
    for index, weight, inside in corners:
        value = inputs[index]
        if inside is not None:
            value = xp.where(inside, value, fill_value)
        out += value if weight is None else weight * value
    return out.astype(inputs.dtype, copy=False), (inputs.shape, corners)


def sample_vjp(residuals, g):
    """The gradient with respect to `inputs` of sample(): g * weight scattered onto the corners read."""
    shape, corners = residuals
    xp = backend.xp
    grad = xp.zeros(shape, dtype=g.dtype)
    for index, weight, inside in corners:
        contribution = g if weight is None else g * weight
        if inside is not None:
            contribution = contribution * inside
        backend.scatter_add(grad, index, contribution)
    return grad


map_coordinates_op = Op("map_coordinates")


@map_coordinates_op.forward
def _(inputs, coordinates, order=1, fill_mode="constant", fill_value=0.0):
    return sample(inputs, coordinates, order, fill_mode, fill_value)


@map_coordinates_op.vjp
def _(residuals, g, needs):
    return sample_vjp(residuals, g), None


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """inputs sampled at `coordinates` (shape (inputs.ndim, ...)): order 0 nearest, order 1 linear.

    fill_mode says what lies outside: 'constant' (fill_value), 'nearest' (the edge), 'wrap',
    'mirror' (reflected about the edge pixel) or 'reflect' (about the edge, repeating it).
    Differentiable in `inputs`.
    """
    inputs = inputs if hasattr(inputs, "shape") else convert_to_tensor(inputs)
    coordinates = coordinates if hasattr(coordinates, "shape") else convert_to_tensor(coordinates)
    if len(coordinates.shape) < 2:
        raise ValueError(f"map_coordinates expects `coordinates` of rank >= 2; received coordinates.shape="
                         f"{tuple(coordinates.shape)}")
    if coordinates.shape[0] != len(inputs.shape):
        raise ValueError(f"map_coordinates expects coordinates.shape[0] == the rank of inputs ({len(inputs.shape)}); "
                         f"received coordinates.shape={tuple(coordinates.shape)}")
    if fill_mode not in FILL_MODES:
        raise ValueError(f"map_coordinates expects fill_mode in {FILL_MODES}; received fill_mode={fill_mode!r}")
    if order not in (0, 1):
        raise ValueError(f"map_coordinates expects order 0 or 1; received order={order!r}")
    if not str(inputs.dtype).startswith("float"):
        inputs = cast(inputs, backend.floatx())
    return apply(map_coordinates_op, (inputs, coordinates),
                 {"order": int(order), "fill_mode": fill_mode, "fill_value": float(fill_value)})

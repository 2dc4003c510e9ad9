"""The reverse walk over a tape's records, and the one place broadcasting is undone."""
from neuroflow import backend


def unbroadcast(gradient, shape):
    """Sums `gradient` down to `shape`, undoing NumPy broadcasting.

    Broadcasting adds leading axes and stretches size-1 axes; their gradients are sums over
    exactly those axes. A gradient with fewer axes than `shape` (a vjp that dropped leading
    size-1 axes, such as dense's bias gradient for a (1, units) bias) is padded back first.
    """
    shape = tuple(shape)
    if gradient.shape == shape:
        return gradient
    extra = gradient.ndim - len(shape)
    if extra > 0:
        gradient = gradient.sum(axis=tuple(range(extra)))
    elif extra < 0:
        gradient = gradient.reshape((1,) * -extra + gradient.shape)
    stretched = tuple(axis for axis, size in enumerate(shape) if size == 1 and gradient.shape[axis] != 1)
    if stretched:
        gradient = gradient.sum(axis=stretched, keepdims=True)
    # No reshape when the shape already matches: a fresh sum stays a base array (not a view).
    return gradient if gradient.shape == shape else gradient.reshape(shape)


def backpropagate(records, target_gradients, keep_ids=()):
    """Walks `records` newest first, turning output gradients into input gradients.

    Args:
        records: the tape's (op, inputs, output, residuals, needs) entries, oldest first.
        target_gradients: {id(tensor): array} to start from.
        keep_ids: ids whose gradients must survive (sources that are intermediate tensors).

    Returns:
        {id(tensor): gradient array} for every tensor reached.
    """
    gradients = dict(target_gradients)
    for op, inputs, output, residuals, needs in reversed(records):
        key = id(output)
        upstream = gradients.get(key) if key in keep_ids else gradients.pop(key, None)
        if upstream is None:
            continue
        input_gradients = op._vjp(residuals, upstream, needs)
        for x, gradient, need in zip(inputs, input_gradients, needs):
            if not need or gradient is None:
                continue
            value = x.value
            if gradient.shape != value.shape:
                gradient = unbroadcast(gradient, value.shape)
            if gradient.dtype != value.dtype:
                gradient = gradient.astype(value.dtype)
            previous = gradients.get(id(x))
            # Out of place: a vjp may hand back the upstream array itself (add, reshape).
            gradients[id(x)] = gradient if previous is None else previous + gradient
    return gradients


def hand_out(gradient, handed_out):
    """`gradient` as an independent, writable array for a caller: a copy when it is a view or was
    handed out already (ids in the set `handed_out`, which records it).

    A vjp may pass one array to several inputs (add), or a read-only broadcast view (sum, mean),
    and an optimizer that clips or scales a gradient in place must not change another one. A
    base-less array is a fresh result, writable and unshared unless handed out already.
    """
    if id(gradient) in handed_out or gradient.base is not None:
        gradient = gradient.copy()
    handed_out.add(id(gradient))
    return gradient


def ones_like(array):
    return backend.xp.ones_like(array)

"""Questions about functional-API placeholders asked from below the engine: is_keras_tensor and
get_source_inputs. The engine hands its KerasTensor class down at import time
(`register_keras_tensor_type`), so this floor does not import it."""

_KERAS_TENSOR_TYPES = []


def register_keras_tensor_type(cls):
    """Called by engine/keras_tensor.py with its KerasTensor class."""
    if cls not in _KERAS_TENSOR_TYPES:
        _KERAS_TENSOR_TYPES.append(cls)


def is_keras_tensor(x):
    """Whether `x` is a symbolic placeholder of the functional API (a `neuroflow.Input` or a layer's output on one)."""
    return bool(_KERAS_TENSOR_TYPES) and isinstance(x, tuple(_KERAS_TENSOR_TYPES))


def get_source_inputs(tensor):
    """The `Input` placeholders a symbolic tensor was computed from, in order of first appearance.

    Raises:
        ValueError: `tensor` is not a KerasTensor.
    """
    if not is_keras_tensor(tensor):
        raise ValueError(f"Expected a KerasTensor (the output of `neuroflow.Input` or of a layer called on one). "
                         f"Received: tensor={tensor!r}")
    found, stack, seen = [], [tensor], set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        node = current.node
        if node is None or not node.input_tensors:
            found.append(current)
        else:
            stack.extend(reversed(node.input_tensors))
    return found

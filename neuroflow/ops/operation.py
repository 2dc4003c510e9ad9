"""`keras.Operation`: the base class of a custom op written from keras.ops.

    class Double(neuroflow.Operation):
        def call(self, x):
            return x * 2

    Double()(tensor)            # runs call
    Double()(neuroflow.Input((3,)))   # a placeholder: call records its ops as graph nodes

neuroflow's own primitives are `engine.registry.Op`s (a forward and a vjp); an `Operation` is a
composite of them, differentiable through the ops its `call` uses, and usable in the functional
API because those ops record graph nodes on placeholders.
"""
from neuroflow.engine.keras_tensor import KerasTensor, infer_outputs
from neuroflow.utils import nest
from neuroflow.utils.naming import to_snake_case, unique_name


class Operation:
    """A named computation: subclasses define `call` (and may define `compute_output_spec`).

    Args:
        name: the operation's name (default: its class name in snake_case, made unique).
    """

    def __init__(self, name=None):
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(f"Argument `name` must be a string and cannot contain character `/`. Received: name={name}")
        self.name = name or unique_name(to_snake_case(type(self).__name__))

    def __call__(self, *args, **kwargs):
        if any(isinstance(x, KerasTensor) for x in nest.flatten([args, kwargs])):
            return self.symbolic_call(*args, **kwargs)
        return self.call(*args, **kwargs)

    def symbolic_call(self, *args, **kwargs):
        """`call` on placeholders: the ops inside it record the graph nodes."""
        return self.call(*args, **kwargs)

    def call(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement call()")

    def compute_output_spec(self, *args, **kwargs):
        """Placeholders shaped like the outputs of `call` on these arguments (placeholders or arrays)."""
        return infer_outputs(self.call, args, kwargs)

    def get_config(self):
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<Operation name={self.name}>"

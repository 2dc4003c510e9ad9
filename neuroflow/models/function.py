"""`keras.Function`: a graph of ops and layers from placeholder inputs to outputs, callable on data.

    x = neuroflow.Input((3,))
    f = neuroflow.Function(x, [neuroflow.ops.relu(x) * 2, neuroflow.ops.sum(x, axis=-1)])
    f(batch)    # [relu(batch) * 2, sum(batch)]

It is what Keras' functional models are made of; here it runs the same graph a functional model
does (models/functional.py), without the model's training API.
"""
from neuroflow.engine.keras_tensor import infer_outputs
from neuroflow.models.functional import Functional
from neuroflow.utils.naming import unique_name


class Function:
    """Runs the computation from `inputs` to `outputs` (placeholders, or nested structures of them).

    Args:
        inputs: the input placeholder(s).
        outputs: the output placeholder(s), computed from `inputs`.
        name: the function's name.
    """

    def __init__(self, inputs, outputs, name=None):
        self.name = name or unique_name("function")
        self._graph = Functional(inputs, outputs, name=self.name)
        self.inputs = self._graph.inputs
        self.outputs = self._graph.outputs

    @property
    def operations(self):
        """The layers and ops of the graph (each once), in the order they run."""
        found = []
        for node in self._graph._nodes:
            if all(node.operation is not seen for seen in found):
                found.append(node.operation)
        return found

    def __call__(self, inputs):
        return self.call(inputs)

    def call(self, inputs):
        """The outputs for `inputs` (arrays or tensors), in the structure the outputs were given in."""
        return self._graph(inputs)

    def compute_output_spec(self, inputs):
        """Placeholders shaped like the outputs for `inputs` (placeholders)."""
        return infer_outputs(self.call, (inputs,), {})

    def __repr__(self):
        return f"<Function name={self.name}>"

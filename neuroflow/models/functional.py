"""Functional models: a DAG of layer calls, from Input placeholders to outputs, run in topological order."""
from neuroflow.engine.keras_tensor import KerasTensor, _OpCall
from neuroflow.layers.input_layer import InputLayer
from neuroflow.models.model import Model
from neuroflow.utils import nest
from neuroflow.utils.errors import shape_text


def _topological_nodes(outputs):
    """Nodes that `outputs` depend on, each after the nodes it reads from."""
    order, state = [], {}

    def visit(tensor):
        node = tensor.node
        if node is None:
            raise ValueError(f"{tensor} was not produced by a layer or an Input; functional models are built "
                             "from neuroflow.Input(...) placeholders")
        mark = state.get(id(node))
        if mark == "done":
            return
        if mark == "visiting":
            raise ValueError("The layer graph has a cycle")
        state[id(node)] = "visiting"
        for parent in node.input_tensors:
            visit(parent)
        state[id(node)] = "done"
        order.append(node)

    for tensor in nest.flatten(outputs):
        visit(tensor)
    return order


class Functional(Model):
    """A model defined by `Model(inputs, outputs)`: any DAG, several inputs and outputs, shared layers."""

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        for tensor in nest.flatten(inputs) + nest.flatten(outputs):
            if not isinstance(tensor, KerasTensor):
                raise TypeError(f"Model(inputs, outputs) expects placeholders from neuroflow.Input and layer calls; "
                                f"got {type(tensor).__name__}")
        self._inputs_structure = inputs
        self._outputs_structure = outputs
        self.inputs = nest.flatten(inputs)
        self.outputs = nest.flatten(outputs)
        self._nodes = _topological_nodes(outputs)
        for tensor in self.inputs:
            if not isinstance(tensor.node.operation, InputLayer):
                raise ValueError(f"Model inputs must come straight from neuroflow.Input; {tensor} was computed by a layer")
        for node in self._nodes:
            if isinstance(node.operation, InputLayer) and all(node.outputs is not t for t in self.inputs):
                raise ValueError(f"Output depends on Input '{node.operation.name}', which is not among the model's inputs")
        layers = []
        for node in self._nodes:
            operation = node.operation
            if not isinstance(operation, _OpCall) and all(operation is not layer for layer in layers):
                layers.append(operation)
        self._functional_layers = layers
        for layer in layers:
            if all(layer is not t for t in self._tracked_layers):
                self._tracked_layers.append(layer)
        self.input_names = [t.node.operation.name for t in self.inputs]
        self.output_names = [self._output_name(t) for t in self.outputs]
        self.built = True

    @staticmethod
    def _output_name(tensor):
        operation = tensor.node.operation
        return operation.name

    @property
    def layers(self):
        return list(self._functional_layers)

    @property
    def input(self):
        return self._inputs_structure

    @property
    def output(self):
        return self._outputs_structure

    @property
    def input_shape(self):
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def build(self, input_shape):
        self.built = True

    def _standardize_inputs(self, inputs):
        """Maps the call's inputs onto the model's Input placeholders (list, dict by name, or single)."""
        if isinstance(inputs, dict):
            missing = [name for name in self.input_names if name not in inputs]
            if missing:
                raise ValueError(f"Model '{self.name}' expects inputs named {self.input_names}; "
                                 f"missing {missing} in the dict given (keys: {sorted(inputs)})")
            return [inputs[name] for name in self.input_names]
        flat = nest.flatten(inputs)
        if len(flat) != len(self.inputs):
            raise ValueError(f"Model '{self.name}' expects {len(self.inputs)} input(s) "
                             f"({', '.join(shape_text(t.shape) for t in self.inputs)}) but received {len(flat)}")
        return flat

    def _order_input_dict(self, x):
        return self._standardize_inputs(x) if len(self.inputs) > 1 else self._standardize_inputs(x)[0]

    def _check_input_spec(self, inputs):
        flat = self._standardize_inputs(inputs)
        for placeholder, value in zip(self.inputs, flat):
            shape = tuple(getattr(value, "shape", ()))
            expected = placeholder.shape
            if len(shape) != len(expected) or any(e is not None and e != s for e, s in zip(expected[1:], shape[1:])):
                layer = placeholder.node.operation.name
                raise ValueError(f"Input '{layer}' of model '{self.name}' expects shape {shape_text(expected)}, "
                                 f"but received input with shape {shape_text(shape)}")

    def call(self, inputs, training=None):
        values = {}
        for placeholder, value in zip(self.inputs, self._standardize_inputs(inputs)):
            values[id(placeholder)] = value
        for node in self._nodes:
            operation = node.operation
            if isinstance(operation, InputLayer):
                continue
            args = nest.map_structure(lambda x: values[id(x)] if isinstance(x, KerasTensor) else x, node.call_args)
            kwargs = {k: nest.map_structure(lambda x: values[id(x)] if isinstance(x, KerasTensor) else x, v)
                      for k, v in node.call_kwargs.items()}
            if isinstance(operation, _OpCall):
                result = operation(*args)
            else:
                kwargs.setdefault("training", training)
                result = operation(*args, **kwargs)
            for placeholder, value in zip(nest.flatten(node.outputs), nest.flatten(result)):
                values[id(placeholder)] = value
        return nest.pack_like(self._outputs_structure, [values[id(t)] for t in self.outputs])

    def get_config(self):
        from neuroflow.saving.native import functional_config
        return functional_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from neuroflow.saving.native import functional_from_config
        return functional_from_config(config, custom_objects)

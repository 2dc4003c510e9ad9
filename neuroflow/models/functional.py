"""Functional models: a DAG of layer calls, from Input placeholders to outputs, run in topological order."""
import collections

from neuroflow.engine.registry import get_op
from neuroflow.layers.input_layer import InputLayer
from neuroflow.layers.symbolic import KerasTensor, _OpCall, symbolic_op_call
from neuroflow.models.model import Model
from neuroflow.utils import nest
from neuroflow.utils.errors import shape_text
from neuroflow.utils.serialization import decode_params, deserialize_layer, encode_params, jsonable, serialize_layer


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

    def keras_layers(self):
        """The layers in Keras' `model.layers` order (its map_graph), inputs included: by decreasing
        depth from the outputs, ties broken by first visit in a depth-first walk from the outputs.
        Keras names a functional model's saved weight groups in this order; a model read from a Keras
        file keeps the file's order (`_keras_layer_order`)."""
        override = getattr(self, "_keras_layer_order", None)
        if override is not None:
            return list(override)
        finished, ordered, first_seen = set(), [], {}

        def visit(tensor):
            node = tensor.node
            if id(node) in finished:
                return
            first_seen.setdefault(id(node.operation), len(first_seen))
            for parent in node.input_tensors:
                visit(parent)
            finished.add(id(node))
            ordered.append(node)

        for output in nest.flatten(self._outputs_structure):
            visit(output)
        in_graph = {id(n) for n in ordered}
        node_depth, op_depth, operations = {}, {}, {}
        for node in reversed(ordered):
            depth = node_depth.setdefault(id(node), 0)
            depth = max(depth, op_depth.get(id(node.operation), 0))
            op_depth[id(node.operation)] = depth
            operations[id(node.operation)] = node.operation
            node_depth[id(node)] = depth
            for parent in node.input_tensors:
                if id(parent.node) in in_graph:
                    node_depth[id(parent.node)] = max(depth + 1, node_depth.get(id(parent.node), 0))
        for tensor in self.inputs:
            operation = tensor.node.operation
            if id(operation) not in op_depth:
                op_depth[id(operation)], operations[id(operation)], first_seen[id(operation)] = 0, operation, -1
        by_depth = collections.defaultdict(list)
        for key, depth in op_depth.items():
            by_depth[depth].append(operations[key])
        result = []
        for depth in sorted(by_depth, reverse=True):
            result += sorted(by_depth[depth], key=lambda op: first_seen[id(op)])
        return result

    def keras_trainable_variables(self, sublayers=None):
        # Keras walks a functional model's layers in its `model.layers` order (ops hold no variables).
        if sublayers is None:
            sublayers = [layer for layer in self.keras_layers() if not isinstance(layer, _OpCall)]
        return super().keras_trainable_variables(sublayers)

    def get_config(self):
        """The graph as its layers plus its nodes in topological order; each node names its layer (or
        op) and the tensors it reads, so `from_config` replays the calls on fresh placeholders."""
        node_ids = {id(node): index for index, node in enumerate(self._nodes)}

        def reference(value):
            if isinstance(value, KerasTensor):
                return {"__tensor__": [node_ids[id(value.node)], value.index]}
            return jsonable(value, self.name)

        layer_specs = {}
        nodes = []
        for node in self._nodes:
            operation = node.operation
            if isinstance(operation, _OpCall):
                entry = {"op": operation.op.name, "params": jsonable(encode_params(operation.params), self.name)}
            else:
                if operation.name not in layer_specs:
                    layer_specs[operation.name] = serialize_layer(operation)
                entry = {"layer": operation.name}
            if not isinstance(operation, InputLayer):
                entry["args"] = nest.map_structure(reference, list(node.call_args))
                entry["kwargs"] = {k: nest.map_structure(reference, v) for k, v in node.call_kwargs.items()}
            nodes.append(entry)
        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": list(layer_specs.values()),
            "nodes": nodes,
            "inputs": _structure_refs(self._inputs_structure, reference),
            "outputs": _structure_refs(self._outputs_structure, reference),
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        layers = {spec["config"]["name"]: deserialize_layer(spec, custom_objects) for spec in config["layers"]}
        produced = []

        def resolve(value):
            if isinstance(value, dict) and "__tensor__" in value:
                node_index, tensor_index = value["__tensor__"]
                return nest.flatten(produced[node_index])[tensor_index]
            if isinstance(value, dict):
                return {k: resolve(v) for k, v in value.items()}
            if isinstance(value, list):
                return [resolve(v) for v in value]
            return value

        for entry in config["nodes"]:
            if "op" in entry:
                args = resolve(entry["args"])
                produced.append(symbolic_op_call(get_op(entry["op"]), tuple(args), decode_params(entry["params"])))
                continue
            layer = layers[entry["layer"]]
            if isinstance(layer, InputLayer):
                produced.append(layer.output)
                continue
            args = resolve(entry["args"])
            kwargs = {k: resolve(v) for k, v in entry.get("kwargs", {}).items()}
            produced.append(layer(*args, **kwargs))

        def unpack(structure):
            if isinstance(structure, dict) and "__dict__" in structure:
                return {k: resolve(v) for k, v in structure["__dict__"].items()}
            if isinstance(structure, dict) and "__list__" in structure:
                return [resolve(v) for v in structure["__list__"]]
            return resolve(structure)

        return Functional(unpack(config["inputs"]), unpack(config["outputs"]), name=config.get("name"),
                          trainable=config.get("trainable", True))


def _structure_refs(structure, reference):
    if isinstance(structure, dict):
        return {"__dict__": {k: reference(v) for k, v in structure.items()}}
    if isinstance(structure, (list, tuple)):
        return {"__list__": [reference(v) for v in nest.flatten(structure)]}
    return reference(structure)

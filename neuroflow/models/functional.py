"""Functional models: a DAG of layer calls, from Input placeholders to outputs, run in topological order."""
import collections

from neuroflow.engine.keras_tensor import KerasTensor, _OpCall, symbolic_op_call
from neuroflow.engine.registry import get_op
from neuroflow.layers.input_layer import InputLayer
from neuroflow.layers.layer import Layer
from neuroflow.models.model import Model
from neuroflow.utils import nest
from neuroflow.utils.errors import shape_text
from neuroflow.utils.serialization import decode_params, deserialize_layer, encode_params, jsonable, serialize_layer, shape_list


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
        _check_unique_names(layers)
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
        outputs = nest.pack_like(self._outputs_structure, [values[id(t)] for t in self.outputs])
        # As in Keras 3, a model built with outputs=[y] returns y itself, not a list of one.
        if isinstance(outputs, (list, tuple)) and len(outputs) == 1:
            return outputs[0]
        return outputs

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

    def get_config(self, serialize=serialize_layer):
        """The graph in Keras 3's layout (see `_graph_config`).

        Args:
            serialize: `serialize(layer, build_shape)` -> one layer's entry; Keras' files pass their own
                spelling (saving/keras_config.py).
        """
        return _graph_config(self, serialize)

    @classmethod
    def from_config(cls, config, custom_objects=None, deserialize=None):
        """The model `get_config` described (see `_graph_from_config`); `deserialize(entry)` builds each
        layer (default: through the registry, with `custom_objects`)."""
        if deserialize is None:
            def deserialize(entry):
                return deserialize_layer(entry, custom_objects)
        return _graph_from_config(config, deserialize)


def _graph_config(model, serialize):
    """A functional model's config in Keras 3's layout: its layers in Keras' `model.layers` order, each
    with the `inbound_nodes` that call it (arguments refer to tensors by `keras_history`: [layer name,
    node index, tensor index]), and the `input_layers` / `output_layers` endpoints.

    Args:
        model: the functional model.
        serialize: `serialize(layer, build_shape)` -> the layer's serialized entry ({'module',
            'class_name', 'config', ...}): `serialize_layer` here, Keras' spelling for Keras' files.

    Ops applied to placeholders are entries of module 'neuroflow.ops' (Keras has no such entries).
    """
    op_nodes = {id(node.operation): node for node in model._nodes if isinstance(node.operation, _OpCall)}
    in_model = {id(node) for node in model._nodes}
    node_index, names = {}, {}
    for layer in model.keras_layers():
        if id(layer) in op_nodes:
            node_index[id(op_nodes[id(layer)])] = 0
            continue
        names[id(layer)] = layer.name
        count = 0
        for node in layer._inbound_nodes:
            if id(node) in in_model:
                node_index[id(node)] = count
                count += 1
    # An op node is named after its op, made unique among the layer names ('multiply_1').
    used = {name: 0 for name in names.values()}
    for key, node in op_nodes.items():
        name, number = node.operation.name, 0
        while name in used:
            number += 1
            name = f"{node.operation.name}_{number}"
        used[name] = 0
        names[key] = name

    def tensor_ref(tensor):
        return [names[id(tensor.node.operation)], node_index[id(tensor.node)], tensor.index]

    def argument(value):
        if isinstance(value, KerasTensor):
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": shape_list(value.shape), "dtype": value.dtype, "keras_history": tensor_ref(value)}}
        if isinstance(value, dict):
            return {k: argument(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [argument(v) for v in value]
        return jsonable(value, model.name)

    entries = []
    for layer in model.keras_layers():
        if id(layer) in op_nodes:
            node = op_nodes[id(layer)]
            entries.append({"module": "neuroflow.ops", "class_name": layer.op.name,
                            "config": {"name": names[id(layer)], "params": jsonable(encode_params(layer.params),
                                                                                    model.name)},
                            "registered_name": None, "name": names[id(layer)],
                            "inbound_nodes": [{"args": argument(list(node.call_args)), "kwargs": {}}]})
            continue
        nodes = [n for n in layer._inbound_nodes if id(n) in in_model]
        build_shape = None
        if nodes and not isinstance(layer, InputLayer):
            first_input = nodes[0].call_args[0]
            build_shape = shape_list(nest.map_structure(lambda t: t.shape, first_input)) \
                if not isinstance(first_input, KerasTensor) else shape_list(first_input.shape)
        entry = serialize(layer, build_shape)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [] if isinstance(layer, InputLayer) else [
            {"args": argument(list(node.call_args)),
             "kwargs": {k: argument(v) for k, v in node.call_kwargs.items()
                        if not (k in ("training", "mask") and v is None)}}
            for node in nodes]
        entries.append(entry)

    def endpoints(structure):
        if isinstance(structure, dict):
            return {k: tensor_ref(v) for k, v in structure.items()}
        if isinstance(structure, (list, tuple)):
            return [tensor_ref(v) for v in nest.flatten(structure)]
        return tensor_ref(structure)

    return {"name": model.name, "trainable": model.trainable, "layers": entries,
            "input_layers": endpoints(model._inputs_structure), "output_layers": endpoints(model._outputs_structure)}



def _op_call(entry):
    """A callable replaying an op node of neuroflow's own format on placeholders."""
    op, params = get_op(entry["class_name"]), decode_params(entry["config"]["params"])
    return lambda *inputs: symbolic_op_call(op, inputs, params)


def _history(value):
    return isinstance(value, dict) and value.get("class_name") == "__keras_tensor__"


def _histories(value):
    """The `keras_history` [layer name, node index, tensor index] of every tensor a node argument names."""
    if _history(value):
        yield value["config"]["keras_history"]
    elif isinstance(value, dict):
        for item in value.values():
            yield from _histories(item)
    elif isinstance(value, list):
        for item in value:
            yield from _histories(item)


def _graph_from_config(config, deserialize):
    """The functional model `_graph_config` described: each layer is called on the outputs its
    `inbound_nodes` name.

    Args:
        config: the config in Keras 3's layout.
        deserialize: `deserialize(entry)` -> the layer of one entry, or None for an op that neuroflow
            skips (the ops Keras traces for a Masking / Embedding(mask_zero=True) mask: neuroflow
            propagates masks itself); a skipped op's output may only be a `mask` argument.

    Raises:
        ValueError: for a graph that cannot be rebuilt (an input never produced, a skipped op read as data).
    """
    layers, order, mask_ops = {}, [], set()
    for entry in config["layers"]:
        name = entry.get("name") or entry["config"]["name"]
        layer = _op_call(entry) if entry.get("module") == "neuroflow.ops" else deserialize(entry)
        if layer is None:
            mask_ops.add(name)
            continue
        layers[name] = layer
        order.append(name)
    produced = collections.defaultdict(list)   # layer name -> outputs of its nodes, in order
    for name in order:
        if isinstance(layers[name], InputLayer):
            produced[name].append(layers[name].output)

    def uses_mask_op(value):
        return any(history[0] in mask_ops for history in _histories(value))

    def available(value):
        return all(node_index < len(produced[layer_name]) for layer_name, node_index, _ in _histories(value))

    def resolve(value):
        if _history(value):
            layer_name, node_index, tensor_index = value["config"]["keras_history"]
            return nest.flatten(produced[layer_name][node_index])[tensor_index]
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return value

    # Keras' order of nodes need not be executable in one pass (a shared layer's second call may read a
    # later layer), so sweep until every node ran, as keras' functional_from_config does.
    pending = {name: list(next(e for e in config["layers"] if (e.get("name") or e["config"]["name"]) == name)
                          .get("inbound_nodes") or [])
               for name in order if not isinstance(layers[name], InputLayer)}
    for name, queue in pending.items():
        for index, node in enumerate(queue):
            node = {"args": node, "kwargs": {}} if isinstance(node, list) else dict(node)
            kwargs = dict(node.get("kwargs") or {})
            if uses_mask_op(kwargs.get("mask")):
                # A mask Keras traced from Masking / Embedding(mask_zero=True): neuroflow propagates it itself.
                kwargs.pop("mask")
            if uses_mask_op(node.get("args")) or uses_mask_op(kwargs):
                raise ValueError(f"Layer '{name}' in the Keras config reads the output of a traced mask op "
                                 f"({', '.join(sorted(mask_ops))}) as data; neuroflow only reads such ops as the "
                                 "`mask` argument. Rebuild this part of the model in code.")
            queue[index] = dict(node, kwargs=kwargs)
    while any(pending.values()):
        progressed = False
        for name in order:
            queue = pending.get(name)
            while queue and available(queue[0]):
                node = queue.pop(0)
                node = {"args": node, "kwargs": {}} if isinstance(node, list) else node
                args = resolve(node.get("args", []))
                kwargs = {k: resolve(v) for k, v in (node.get("kwargs") or {}).items() if not (k == "mask" and v is None)}
                produced[name].append(layers[name](*args, **kwargs))
                progressed = True
        if not progressed:
            stuck = [name for name, queue in pending.items() if queue]
            raise ValueError(f"The Keras config's layer graph cannot be rebuilt: the inputs of {stuck} are never "
                             "produced (the file is corrupt or was edited)")

    def endpoint(spec):
        if isinstance(spec, dict):
            return {k: endpoint(v) for k, v in spec.items()}
        if isinstance(spec, list) and len(spec) == 3 and isinstance(spec[0], str):
            layer_name, node_index, tensor_index = spec
            return nest.flatten(produced[layer_name][node_index])[tensor_index]
        return [endpoint(s) for s in spec]

    model = Functional(endpoint(config["input_layers"]), endpoint(config["output_layers"]), name=config.get("name"),
                       trainable=config.get("trainable", True))
    # The config's `layers` order names the weight groups of Keras' files; keep it for loading and
    # re-saving. (A graph with ops is neuroflow's own, whose order is the graph's: nothing to keep.)
    if all(isinstance(layers[name], Layer) for name in order):
        model._keras_layer_order = [layers[name] for name in order]
    return model


def _check_unique_names(layers):
    """Refuses two layers of one name, as Keras does: saved files key weights by layer name, so such a
    model would reload as a different one."""
    counts = {}
    for layer in layers:
        counts[layer.name] = counts.get(layer.name, 0) + 1
    repeated = {name: count for name, count in counts.items() if count > 1}
    if repeated:
        name, count = next(iter(repeated.items()))
        raise ValueError(f"The name {name!r} is used {count} times in the model. All layer names should be unique "
                         f"(repeated: {sorted(repeated)}); rename the layers, e.g. Dense(4, name='dense_out').")


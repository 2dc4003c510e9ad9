"""model.summary(): the Keras 3 table of layers, output shapes and parameter counts."""
import numpy

from neuroflow import backend
from neuroflow.layers.input_layer import InputLayer
from neuroflow.utils import nest
from neuroflow.utils.errors import shape_text

HOST_NUMPY = "parameter counts from shapes (tuples), no arrays"


def _format_shape(shape):
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return ", ".join(_format_shape(s) for s in shape)
    return shape_text(shape)


def _size_text(count, bytes_per_value=4):
    size = count * bytes_per_value
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024


def _rows(model):
    """(name (type), output shape, params, connected-to) for each layer in order."""
    # Told apart by what they hold, not by class: model.py imports this module, and both
    # functional.py and sequential.py import model.py. A functional graph keeps its nodes;
    # a Sequential model the output shape of each layer.
    graph_nodes = getattr(model, "_nodes", None)
    rows = []
    if graph_nodes is not None:
        for layer in model.layers:
            nodes = [n for n in layer._inbound_nodes if any(n is m for m in graph_nodes)]
            shape = [t.shape for t in _flat(nodes[0].outputs)] if nodes else None
            if shape is not None and len(shape) == 1:
                shape = shape[0]
            connected = []
            for node in nodes:
                for tensor in node.input_tensors:
                    connected.append(f"{tensor.node.operation.name}[0][{tensor.index}]")
            params = _param_count(layer)
            rows.append((f"{layer.name} ({type(layer).__name__})", shape, params, ", ".join(connected) or "-"))
        return rows, True
    shapes = getattr(model, "_output_shapes", None)
    for index, layer in enumerate(model.layers):
        shape = shapes[index] if shapes and index < len(shapes) else getattr(layer, "_last_output_shape", None)
        rows.append((f"{layer.name} ({type(layer).__name__})", shape, _param_count(layer), None))
    return rows, False


def _flat(structure):
    return nest.flatten(structure)


def _param_count(layer):
    if isinstance(layer, InputLayer):
        return 0
    if not layer.built:
        return None
    return int(sum(int(numpy.prod(w.shape)) for w in layer.weights))


def summary_text(model, line_length=None):
    rows, functional = _rows(model)
    headers = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if functional else [])
    cells = [[name, _format_shape(shape), "?" if params is None else f"{params:,}"] + ([connected] if functional else [])
             for name, shape, params, connected in rows]
    widths = [max([len(headers[i])] + [len(row[i]) for row in cells]) + 2 for i in range(len(headers))]
    widths = [max(w, m) for w, m in zip(widths, [33, 24, 15, 20][:len(headers)])]

    def line(left, middle, right, fill):
        return left + middle.join(fill * w for w in widths) + right

    def row_text(values, edge="│"):
        parts = []
        for i, value in enumerate(values):
            parts.append(" " + (value.rjust(widths[i] - 2) if i == 2 else value.ljust(widths[i] - 2)) + " ")
        return edge + edge.join(parts) + edge

    out = [f'Model: "{model.name}"', line("┏", "┳", "┓", "━"), row_text(headers, "┃"), line("┡", "╇", "┩", "━")]
    for index, row in enumerate(cells):
        out.append(row_text(row))
        out.append(line("├", "┼", "┤", "─") if index < len(cells) - 1 else line("└", "┴", "┘", "─"))
    if not cells:
        out.append(line("└", "┴", "┘", "─"))
    weights = model.weights
    trainable = sum(int(numpy.prod(w.shape)) for w in model.trainable_weights)
    total = sum(int(numpy.prod(w.shape)) for w in weights)
    out.append(f" Total params: {total:,} ({_size_text(total)})")
    out.append(f" Trainable params: {trainable:,} ({_size_text(trainable)})")
    out.append(f" Non-trainable params: {total - trainable:,} ({_size_text(total - trainable)})")
    if backend.on_device():  # as Keras names its devices; the CPU table stays Keras' own
        out.append(f" Device: {backend.device_description()}")
    return "\n".join(out)

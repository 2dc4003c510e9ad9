"""`model_to_dot` / `plot_model`: a model's layer graph as a Graphviz picture (keras.utils).

Drawing needs pydot and Graphviz's `dot` program, an optional extra: `pip install 'neuroflow[plot]'`
and Graphviz itself (`apt-get install graphviz`, `brew install graphviz`, or graphviz.org). Without
them these functions raise an ImportError saying what to install.
"""
import os

from neuroflow.utils.errors import shape_text

INSTALL_TEXT = ("You must install pydot (`pip install pydot`, or `pip install 'neuroflow[plot]'`) and Graphviz "
                "(`apt-get install graphviz`, `brew install graphviz`, or https://graphviz.org/download/) for "
                "`plot_model` / `model_to_dot` to work.")


def pydot_module():
    """The pydot module, once pydot and Graphviz's `dot` are both found.

    Raises:
        ImportError: pydot or Graphviz is missing, naming what to install.
    """
    try:
        # pydot is an optional extra: imported when a graph is drawn, so neuroflow imports without it.
        import pydot
    except ImportError as error:
        raise ImportError(INSTALL_TEXT) from error
    try:
        pydot.Dot.create(pydot.Dot())
    except (OSError, FileNotFoundError, AssertionError) as error:
        raise ImportError(f"pydot is installed but Graphviz's `dot` program was not found. {INSTALL_TEXT}") from error
    return pydot


def _edges(model):
    """(layers in order, [(from layer, to layer)]): from the graph's nodes, else a chain of layers."""
    nodes = getattr(model, "_nodes", None)
    layers = list(model.layers)
    if nodes is None:
        return layers, list(zip(layers, layers[1:]))
    edges = []
    for node in nodes:
        for tensor in node.input_tensors:
            source = tensor.node.operation if tensor.node is not None else None
            if source is not None and (source, node.operation) not in edges:
                edges.append((source, node.operation))
    # Every layer an arrow touches gets a box (the InputLayers too), in first-seen order, then the rest.
    ordered = []
    for layer in [layer for edge in edges for layer in edge] + layers:
        if not any(layer is seen for seen in ordered):
            ordered.append(layer)
    return ordered, edges


def _label(layer, show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable):
    name = type(layer).__name__
    lines = [f"{layer.name} ({name})" if show_layer_names else name]
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        activation = getattr(layer.activation, "__name__", str(layer.activation))
        lines.append(f"activation: {activation}")
    if show_dtype:
        lines.append(f"dtype: {getattr(layer, 'dtype', None)}")
    if show_shapes:
        output = getattr(layer, "output", None)
        shape = getattr(output, "shape", None)
        lines.append(f"output shape: {shape_text(shape) if shape is not None else '?'}")
    if show_trainable:
        lines.append(f"trainable: {getattr(layer, 'trainable', True)}")
    return "\\n".join(lines)


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB", expand_nested=False,
                 dpi=200, subgraph=False, show_layer_activations=False, show_trainable=False, splines="ortho", **kwargs):
    """A `pydot.Dot` graph of the model: one box per layer, an arrow per connection.

    Raises:
        ImportError: pydot or Graphviz is missing.
        ValueError: the model has no layers yet (a subclassed model before it is built).
    """
    pydot = pydot_module()
    if not getattr(model, "layers", None):
        raise ValueError("This model has no layers to plot yet: build it (call it on data) first.")
    dot = pydot.Cluster(style="dashed", graph_name=model.name) if subgraph else pydot.Dot()
    dot.set("rankdir", rankdir)
    dot.set("dpi", dpi)
    dot.set("splines", splines)
    dot.set_node_defaults(shape="record")
    layers, edges = _edges(model)
    for layer in layers:
        dot.add_node(pydot.Node(str(id(layer)), label=_label(layer, show_shapes, show_dtype, show_layer_names,
                                                            show_layer_activations, show_trainable)))
    for source, target in edges:
        dot.add_edge(pydot.Edge(str(id(source)), str(id(target))))
    return dot


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False, show_layer_names=False, rankdir="TB",
               expand_nested=False, dpi=200, show_layer_activations=False, show_trainable=False, splines="ortho",
               **kwargs):
    """Draws the model's graph to `to_file` (the format from its extension: png, svg, pdf, ...).

    Raises:
        ImportError: pydot or Graphviz is missing, naming what to install.
    """
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype, show_layer_names=show_layer_names,
                       rankdir=rankdir, expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations, show_trainable=show_trainable, splines=splines)
    extension = os.path.splitext(os.fspath(to_file))[1][1:] or "png"
    dot.write(os.fspath(to_file), format=extension)
    return to_file

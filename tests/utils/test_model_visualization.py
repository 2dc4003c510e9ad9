"""model_to_dot / plot_model: a real graph image when pydot and Graphviz are installed, else an
ImportError naming what to install."""
import builtins

import pytest

import neuroflow as nf
from neuroflow.utils import model_to_dot, plot_model
from neuroflow.utils.model_visualization import pydot_module


def functional_model():
    inputs = nf.Input((4,), name="x")
    left = nf.layers.Dense(3, activation="relu", name="left")(inputs)
    right = nf.layers.Dense(3, name="right")(inputs)
    outputs = nf.layers.Dense(1, name="out")(nf.layers.Concatenate(name="join")([left, right]))
    return nf.Model(inputs, outputs)


def have_graphviz():
    try:
        pydot_module()
    except ImportError:
        return False
    return True


def test_missing_pydot_names_what_to_install(monkeypatch):
    real_import = builtins.__import__

    def no_pydot(name, *args, **kwargs):
        if name == "pydot":
            raise ImportError("No module named 'pydot'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pydot)
    with pytest.raises(ImportError, match=r"pip install pydot.*neuroflow\[plot\].*Graphviz"):
        plot_model(functional_model())
    with pytest.raises(ImportError, match="graphviz"):
        model_to_dot(functional_model())


@pytest.mark.skipif(not have_graphviz(), reason="pydot and Graphviz's dot are not installed")
def test_graph_has_a_node_per_layer_and_the_connections(tmp_path):
    dot = model_to_dot(functional_model(), show_shapes=True, show_layer_activations=True)
    labels = [node.get("label") for node in dot.get_nodes() if node.get("label")]
    assert any("left (Dense)" in label and "relu" in label for label in labels)
    assert len(dot.get_edges()) == 5  # x->left, x->right, left->join, right->join, join->out
    path = plot_model(functional_model(), to_file=str(tmp_path / "model.png"), show_shapes=True)
    with open(path, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    sequential = nf.Sequential([nf.Input((2,)), nf.layers.Dense(2), nf.layers.Dense(1)])
    assert len(model_to_dot(sequential).get_edges()) == 1

"""name_scope and SymbolicScope (engine/scopes.py), with the paths Keras 3.15.1 gives."""
import numpy
import pytest

import neuroflow as nf
from neuroflow.engine import scopes


def test_name_scope_prefixes_variable_and_weight_paths_as_keras_does():
    with nf.name_scope("block"):
        with nf.name_scope("inner"):
            variable = nf.Variable(1.0, name="v")
        dense = nf.layers.Dense(2)
        dense.build((None, 3))
    assert variable.path == "block/inner/v"                # Keras: 'block/inner/v'
    assert [w.path for w in dense.weights] == [f"block/{dense.name}/kernel", f"block/{dense.name}/bias"]
    assert nf.Variable(1.0, name="outside").path == "outside" and scopes.current_path() == ""


def test_name_scope_deduplicates_a_caller_and_overrides_parents():
    owner = object()
    with nf.name_scope("layer", caller=owner), nf.name_scope("layer", caller=owner):
        assert scopes.current_path() == "layer"
    with nf.name_scope("outer"), nf.name_scope("inner", override_parent="root/branch"):
        assert scopes.current_path() == "root/branch/inner"
    with pytest.raises(ValueError, match="cannot contain character `/`"):
        nf.name_scope("a/b")


def test_symbolic_scope_is_open_during_shape_inference_only():
    seen = []

    class Spy(nf.layers.Layer):
        def call(self, inputs):
            seen.append(scopes.in_symbolic_scope())
            return inputs

    layer = Spy()
    layer(nf.Input((3,)))
    layer(numpy.zeros((1, 3), "float32"))
    assert seen == [True, False] and scopes.get_symbolic_scope() is None
    with nf.SymbolicScope() as scope:
        assert scopes.get_symbolic_scope() is scope

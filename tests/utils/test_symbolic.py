"""is_keras_tensor, get_source_inputs and clear_session."""
import numpy
import pytest

import neuroflow as nf
from neuroflow.utils import clear_session, get_source_inputs, is_keras_tensor


def test_is_keras_tensor():
    inputs = nf.Input((3,))
    assert is_keras_tensor(inputs) and is_keras_tensor(nf.layers.Dense(2)(inputs))
    assert not is_keras_tensor(numpy.zeros(3)) and not is_keras_tensor(nf.ops.convert_to_tensor(numpy.zeros(3)))


def test_get_source_inputs_walks_back_to_the_inputs():
    a, b = nf.Input((3,), name="a"), nf.Input((3,), name="b")
    hidden = nf.layers.Dense(4)(a)
    out = nf.layers.Add()([hidden, nf.layers.Dense(4)(b)])
    assert get_source_inputs(out) == [a, b]
    assert get_source_inputs(a) == [a]
    with pytest.raises(ValueError, match="KerasTensor"):
        get_source_inputs(numpy.zeros(2))


def test_clear_session_restarts_layer_names():
    clear_session()
    first = nf.layers.Dense(1).name
    nf.layers.Dense(1)
    clear_session(free_memory=False)
    assert nf.layers.Dense(1).name == first

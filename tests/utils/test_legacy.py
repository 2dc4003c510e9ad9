"""neuroflow.utils.legacy: Keras 2's {'class_name', 'config'} serialization."""
import pytest

import neuroflow as nf
from neuroflow.utils import legacy


def test_layout_and_round_trip():
    entry = legacy.serialize_keras_object(nf.layers.Dense(2, name="d"))
    assert set(entry) == {"class_name", "config"} and entry["class_name"] == "Dense"
    layer = legacy.deserialize_keras_object(entry)
    assert isinstance(layer, nf.layers.Dense) and layer.units == 2
    assert legacy.serialize_keras_object(nf.activations.relu) == "relu"
    assert legacy.deserialize_keras_object("relu") is nf.activations.relu
    assert isinstance(legacy.deserialize_keras_object("Adam"), nf.optimizers.Adam)
    assert legacy.serialize_keras_object(None) is None and legacy.deserialize_keras_object(None) is None


def test_module_objects_custom_objects_and_errors():
    def mine(x):
        return x

    assert legacy.deserialize_keras_object("mine", module_objects={"mine": mine}) is mine
    assert legacy.deserialize_keras_object("mine", custom_objects={"mine": mine}) is mine
    with pytest.raises(ValueError, match="Unknown activation: 'nope'"):
        legacy.deserialize_keras_object("nope", printable_module_name="activation")
    with pytest.raises(ValueError, match="class_name"):
        legacy.deserialize_keras_object({"config": {}})
    with pytest.raises(ValueError, match="neither"):
        legacy.serialize_keras_object(object())

"""Keras-only options in layer configs (layers/keras_options.py): dropped at their inert values by
from_config and layers.deserialize, refused by name otherwise."""
import numpy
import pytest

import neuroflow as nf
from neuroflow.layers import keras_options

# keras.layers.serialize(keras.layers.Dense(2)) in Keras 3.15.1 (torch backend), as its files carry it.
KERAS_DENSE = {
    "module": "keras.layers", "class_name": "Dense", "config": {
        "name": "dense", "trainable": True,
        "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None},
        "units": 2, "activation": "linear", "use_bias": True,
        "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform",
                               "config": {"seed": None, "input_axes": None, "output_axes": None}, "registered_name": None},
        "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": None},
        "kernel_regularizer": None, "bias_regularizer": None, "kernel_constraint": None, "bias_constraint": None,
        "quantization_config": None},
    "registered_name": None}


def test_deserialize_reads_a_keras_dense_config():
    layer = nf.layers.deserialize(KERAS_DENSE)
    assert type(layer) is nf.layers.Dense and layer.units == 2 and layer.name == "dense"
    assert nf.layers.Dense.from_config(KERAS_DENSE["config"]).units == 2


@pytest.mark.parametrize("layer, extra", [
    (nf.layers.Embedding(5, 3), {"quantization_config": None}),
    (nf.layers.EinsumDense("ab,bc->ac", 4), {"quantization_config": None, "lora_rank": None}),
    (nf.layers.LayerNormalization(), {"rms_scaling": False}),
    (nf.layers.BatchNormalization(), {"renorm": False, "renorm_clipping": None, "renorm_momentum": 0.99,
                                      "synchronized": False}),
    (nf.layers.MultiHeadAttention(2, 4), {"use_gate": False, "sliding_window": None}),
])
def test_from_config_drops_keras_only_options_at_inert_values(layer, extra):
    config = dict(layer.get_config(), **extra)
    again = type(layer).from_config(config)
    assert again.get_config() == layer.get_config()
    assert type(nf.layers.deserialize(dict(nf.layers.serialize(layer), config=config))) is type(layer)


def test_meaningful_keras_only_values_are_refused_by_name():
    with pytest.raises(ValueError, match=r"Dense config has option quantization_config=\{'mode': 'int8'\}"):
        nf.layers.Dense.from_config(dict(KERAS_DENSE["config"], quantization_config={"mode": "int8"}))
    with pytest.raises(ValueError, match="rms_scaling=True"):
        nf.layers.LayerNormalization.from_config(dict(nf.layers.LayerNormalization().get_config(), rms_scaling=True))
    # A key that is not Keras' stays an error of the constructor.
    with pytest.raises(TypeError, match="unexpected keyword"):
        nf.layers.Dense.from_config(dict(units=2, colour="blue"))


def test_an_option_the_class_takes_is_not_dropped():
    # CategoryEncoding has its own `sparse` argument: the shared table must not swallow it.
    assert "sparse" in keras_options.accepted_arguments(nf.layers.CategoryEncoding, nf.layers.Layer)
    layer = nf.layers.CategoryEncoding.from_config(dict(nf.layers.CategoryEncoding(4).get_config(), sparse=False))
    assert layer.get_config()["sparse"] is False
    numpy.testing.assert_array_equal(numpy.asarray(layer(numpy.array([1, 3]))), [0.0, 1.0, 0.0, 1.0])

"""Each layer knows its variables in the order (and group) Keras saves them."""
import numpy

from neuroflow import layers, models


def _names(variables):
    return [variable.name for variable in variables]


def test_default_is_trainable_then_non_trainable():
    norm = layers.BatchNormalization()
    norm.build((None, 3))
    assert _names(norm.saved_variables()[""]) == ["gamma", "beta", "moving_mean", "moving_variance"]
    dense = layers.Dense(2)
    dense.build((None, 3))
    assert _names(dense.saved_variables()[""]) == ["kernel", "bias"]


def test_recurrent_layers_keep_their_variables_in_the_cell_group():
    lstm = layers.LSTM(4)
    lstm.build((None, 5, 3))
    groups = lstm.saved_variables()
    assert groups[""] == [] and _names(groups["cell"]) == ["kernel", "recurrent_kernel", "bias"]


def test_normalization_given_statistics_saves_nothing():
    fixed = layers.Normalization(mean=[0.0, 1.0], variance=[1.0, 4.0])
    fixed.build((None, 2))
    assert fixed.saved_variables() == {"": []}
    adapted = layers.Normalization()
    adapted.adapt(numpy.arange(6.0).reshape(3, 2))
    assert _names(adapted.saved_variables()[""]) == ["mean", "variance", "count"]


def test_functional_trainable_variables_follow_keras_layer_order():
    a, b = layers.Input((3,), name="a"), layers.Input((2,), name="b")
    late = layers.Dense(1, name="late")
    early = layers.Dense(3, name="early")
    model = models.Model([a, b], late(layers.Concatenate()([early(b), a])))
    order = [layer.name for layer in model.keras_layers()]
    owners = [name for name in order if name in ("early", "late")]
    variables = model.keras_trainable_variables()
    assert len(variables) == 4
    assert [v for v in variables if v.name == "kernel"][0] is (early if owners[0] == "early" else late).kernel

"""The base Layer's helpers for per-weight initializer / regularizer / constraint arguments."""
import neuroflow
from neuroflow.layers.layer import Layer, serialized_arguments, store_arguments


def test_store_arguments_resolves_each_argument_by_the_last_word_of_its_name():
    layer = Layer()
    store_arguments(layer, kernel_initializer="he_normal", moving_mean_initializer="zeros",
                    gamma_regularizer="l2", bias_regularizer=None, recurrent_constraint="non_neg")
    assert isinstance(layer.kernel_initializer, neuroflow.initializers.HeNormal)
    assert isinstance(layer.moving_mean_initializer, neuroflow.initializers.Zeros)
    assert isinstance(layer.gamma_regularizer, neuroflow.regularizers.L2)
    assert layer.bias_regularizer is None
    assert isinstance(layer.recurrent_constraint, neuroflow.constraints.NonNeg)


def test_serialized_arguments_write_what_store_arguments_reads_back():
    layer, copy = Layer(), Layer()
    names = ("kernel_initializer", "gamma_regularizer", "bias_regularizer", "recurrent_constraint")
    store_arguments(layer, kernel_initializer="he_normal", gamma_regularizer="l2", bias_regularizer=None,
                    recurrent_constraint="non_neg")
    config = serialized_arguments(layer, names)
    assert list(config) == list(names) and config["bias_regularizer"] is None
    store_arguments(copy, **config)
    assert serialized_arguments(copy, names) == config

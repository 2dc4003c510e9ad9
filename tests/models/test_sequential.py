import pytest

from neuroflow import layers, models


def test_list_constructor_add_pop_and_layers():
    model = models.Sequential([layers.Dense(4, input_shape=(3,)), layers.Dense(2)])
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Dense"]
    assert model.built and model.output_shape == (None, 2)
    model.add(layers.Dense(5))
    assert model.output_shape == (None, 5)
    popped = model.pop()
    assert popped.units == 5 and model.output_shape == (None, 2)
    assert model.count_params() == 3 * 4 + 4 + 4 * 2 + 2


def test_input_placeholder_and_input_dim_fix_the_shape():
    with_input = models.Sequential([layers.Input(shape=(7,)), layers.Dense(3)])
    with_dim = models.Sequential([layers.Dense(3, input_dim=7)])
    assert with_input.input_shape == with_dim.input_shape == (None, 7)
    assert with_input.count_params() == with_dim.count_params() == 24


def test_deferred_build_on_first_batch(rng):
    model = models.Sequential([layers.Dense(4), layers.Dense(1)])
    assert not model.built
    out = model(rng.normal(size=(5, 6)))
    assert out.shape == (5, 1) and model.built and model.count_params() == 6 * 4 + 4 + 5


def test_build_with_input_shape():
    model = models.Sequential([layers.Dense(4)])
    model.build((None, 10))
    assert model.count_params() == 44


def test_summary_lists_layers_shapes_and_totals(capsys):
    model = models.Sequential([layers.Dense(512, activation="relu", input_shape=(784,)), layers.Dense(10)],
                              name="classic")
    model.summary()
    text = capsys.readouterr().out
    assert 'Model: "classic"' in text
    assert "(None, 512)" in text and "401,920" in text and "5,130" in text
    assert "Total params: 407,050" in text and "Trainable params: 407,050" in text


def test_duplicate_layer_names_are_refused():
    model = models.Sequential([layers.Dense(2, name="same", input_shape=(3,))])
    with pytest.raises(ValueError, match="same"):
        model.add(layers.Dense(2, name="same"))


def test_adding_a_non_layer_is_refused():
    with pytest.raises(TypeError, match="expects a Layer"):
        models.Sequential().add("dense")


def test_wrong_input_shape_names_model_and_shapes(rng):
    model = models.Sequential([layers.Dense(2, input_shape=(4,))], name="net")
    with pytest.raises(ValueError, match=r"net.*\(None, 4\).*\(3, 5\)"):
        model(rng.normal(size=(3, 5)))

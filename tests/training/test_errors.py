"""Bad input gets a clear error that names what was expected and what was given."""
import numpy
import pytest

from neuroflow import layers, models


@pytest.fixture
def model():
    model = models.Sequential([layers.Dense(8, activation="relu", input_shape=(4,), name="hidden"),
                               layers.Dense(3, activation="softmax", name="out")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_wrong_feature_size_at_fit_evaluate_predict(model, rng):
    x, y = rng.normal(size=(10, 5)), rng.integers(0, 3, 10)
    for call in (lambda: model.fit(x, y, verbose=0), lambda: model.evaluate(x, y, verbose=0),
                 lambda: model.predict(x, verbose=0)):
        with pytest.raises(ValueError, match=r"\(None, 4\).*\(\d+, 5\)"):
            call()


def test_x_and_y_of_different_lengths(model, rng):
    with pytest.raises(ValueError, match=r"(?s)x sizes: 10.*y sizes: 9"):
        model.fit(rng.normal(size=(10, 4)), rng.integers(0, 3, 9), verbose=0)


@pytest.mark.parametrize("what", ["optimizer", "loss", "metrics"])
def test_unknown_names_suggest_the_closest(what):
    model = models.Sequential([layers.Dense(1, input_shape=(2,))])
    arguments = {"optimizer": "adam", "loss": "mse", "metrics": None}
    arguments[what] = {"optimizer": "rmsprp", "loss": "mean_squared_eror", "metrics": ["accuracyy"]}[what]
    expected = {"optimizer": "rmsprop", "loss": "mean_squared_error", "metrics": "accuracy"}[what]
    with pytest.raises(ValueError, match=f"(?i)Did you mean .{expected}."):
        model.compile(**arguments)
        model.fit(numpy.zeros((2, 2)), numpy.zeros((2, 1)), verbose=0)


@pytest.mark.parametrize("what, bad, expected", [("activation", "rellu", "relu"),
                                                 ("kernel_initializer", "glorot_unifrom", "glorot_uniform")])
def test_unknown_layer_argument_names(what, bad, expected):
    with pytest.raises(ValueError, match=f"(?i)Did you mean .{expected}."):
        layers.Dense(2, **{what: bad})


def test_fit_before_compile(rng):
    model = models.Sequential([layers.Dense(1, input_shape=(2,))])
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(rng.normal(size=(4, 2)), rng.normal(size=(4, 1)), verbose=0)


@pytest.mark.parametrize("where", ["x", "y"])
@pytest.mark.parametrize("bad", [numpy.nan, numpy.inf])
def test_nan_or_inf_in_the_data(rng, where, bad):
    model = models.Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss="mse")
    x, y = rng.normal(size=(6, 2)), rng.normal(size=(6, 1))
    (x if where == "x" else y)[3, 0] = bad
    with pytest.raises(ValueError, match=rf"^{where} contains 1 non-finite value.*index \(3, 0\)"):
        model.fit(x, y, verbose=0)


def test_sparse_labels_out_of_range(model, rng):
    labels = numpy.array([0, 1, 2, 5, 1, 0])
    with pytest.raises(ValueError, match=r"5"):
        model.fit(rng.normal(size=(6, 4)), labels, verbose=0)


@pytest.mark.parametrize("split", [-0.1, 1.0, 1.5])
def test_validation_split_outside_range(model, rng, split):
    with pytest.raises(ValueError, match=r"validation_split.*\[0, 1\)"):
        model.fit(rng.normal(size=(10, 4)), rng.integers(0, 3, 10), validation_split=split, verbose=0)


def test_categorical_loss_with_integer_labels_explains(rng):
    model = models.Sequential([layers.Dense(3, activation="softmax", input_shape=(4,))])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy|to_categorical"):
        model.fit(rng.normal(size=(8, 4)), rng.integers(0, 3, 8), verbose=0)


def test_non_numeric_data_is_named(model):
    with pytest.raises(ValueError, match="x must hold numbers.*<U1"):
        model.predict([["a", "b", "c", "d"]], verbose=0)
    with pytest.raises(ValueError, match="pad sequences"):
        model.predict([[1, 2, 3, 4], [1, 2]], verbose=0)

"""fit / evaluate / predict on Python generators and PyDatasets, with steps_per_epoch and validation_steps."""
import math

import numpy
import pytest

from neuroflow import layers, models, utils


class Batches(utils.PyDataset):
    def __init__(self, x, y, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size = x, y, batch_size
        self.epochs_ended = 0
        self.indices_seen = []

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, index):
        self.indices_seen.append(index)
        rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[rows], self.y[rows]

    def on_epoch_end(self):
        self.epochs_ended += 1


def _model():
    model = models.Sequential([layers.Dense(8, activation="relu", input_shape=(4,)), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


@pytest.fixture
def data(rng):
    x = rng.normal(size=(100, 4)).astype("float32")
    return x, x.sum(axis=1, keepdims=True)


def test_py_dataset_trains_and_matches_array_evaluation(data):
    x, y = data
    model = _model()
    dataset = Batches(x, y, 20)
    history = model.fit(dataset, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3 and history.history["loss"][-1] < history.history["loss"][0]
    assert dataset.epochs_ended == 3
    # Shuffled batch order each epoch, every batch once.
    assert sorted(dataset.indices_seen[:5]) == [0, 1, 2, 3, 4]
    from_dataset = model.evaluate(Batches(x, y, 20), verbose=0, return_dict=True)
    from_arrays = model.evaluate(x, y, batch_size=20, verbose=0, return_dict=True)
    assert from_dataset["loss"] == pytest.approx(from_arrays["loss"], rel=1e-5)
    numpy.testing.assert_allclose(model.predict(Batches(x, y, 20), verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_generator_with_steps_per_epoch_continues_across_epochs(data):
    x, y = data
    served = []

    def forever():
        index = 0
        while True:
            rows = slice(index % 5 * 20, index % 5 * 20 + 20)
            served.append(index)
            index += 1
            yield x[rows], y[rows]

    model = _model()
    history = model.fit(forever(), steps_per_epoch=4, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3
    assert served == list(range(12))


def test_validation_generator_with_validation_steps(data):
    x, y = data

    def validation():
        while True:
            yield x[:50], y[:50]

    model = _model()
    history = model.fit(x, y, epochs=2, validation_data=validation(), validation_steps=1, verbose=0)
    expected = model.evaluate(x[:50], y[:50], verbose=0, return_dict=True)
    assert history.history["val_loss"][-1] == pytest.approx(expected["loss"], rel=1e-5)


def test_finite_generator_without_steps_runs_one_epoch_then_warns(data):
    x, y = data
    model = _model()
    batches = ((x[i:i + 25], y[i:i + 25]) for i in range(0, 100, 25))
    with pytest.warns(UserWarning, match="ran out of data"):
        history = model.fit(batches, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 1


def test_generator_batches_are_checked(data):
    x, y = data
    bad = x[:10].copy()
    bad[2, 1] = numpy.nan
    model = _model()
    with pytest.raises(ValueError, match="generator.*non-finite"):
        model.fit(iter([(bad, y[:10])]), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="do not pass y"):
        model.fit(iter([(x, y)]), y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(Batches(x, y, 10), validation_split=0.2, verbose=0)


def test_dict_inputs_from_a_generator(rng):
    a, b = layers.Input(shape=(2,), name="a"), layers.Input(shape=(3,), name="b")
    out = layers.Dense(1, name="out")(layers.Concatenate()([a, b]))
    model = models.Model([a, b], out)
    model.compile(optimizer="sgd", loss="mse")
    xa, xb, y = rng.normal(size=(8, 2)), rng.normal(size=(8, 3)), rng.normal(size=(8, 1))
    history = model.fit(iter([({"a": xa, "b": xb}, {"out": y})] * 2), steps_per_epoch=2, epochs=1, verbose=0)
    assert numpy.isfinite(history.history["loss"][0])

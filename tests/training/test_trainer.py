"""Trainer state that is a cache, not part of the model: dropped by pickle, rebuilt by the next fit."""
import pickle

import numpy

from neuroflow import layers, models


def test_a_fitted_model_pickles_and_keeps_training():
    rng = numpy.random.default_rng(0)
    x, y = rng.normal(size=(32, 3)).astype("float32"), rng.normal(size=(32, 1)).astype("float32")
    model = models.Sequential([layers.Input((3,)), layers.Dense(4, activation="relu"), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=2, verbose=0)  # traces its train step: replayable ops pickle cannot name
    assert model.__dict__["_compiled_traced_step"] is not None
    restored = pickle.loads(pickle.dumps(model))
    numpy.testing.assert_array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))
    assert restored.optimizer.iterations == model.optimizer.iterations
    history = restored.fit(x, y, epochs=1, shuffle=False, verbose=0)  # no shuffle: no draws from the generator
    model.fit(x, y, epochs=1, shuffle=False, verbose=0)
    numpy.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    assert len(history.history["loss"]) == 1

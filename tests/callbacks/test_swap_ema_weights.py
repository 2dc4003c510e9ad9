import numpy as np
import pytest

import neuroflow as nf
from neuroflow import backend
from neuroflow.callbacks import SwapEMAWeights

rng = np.random.default_rng(0)
X = rng.random((16, 3)).astype("float32")
Y = X.sum(axis=1, keepdims=True)


def _model(use_ema=True):
    model = nf.Sequential([nf.Input((3,)), nf.layers.Dense(1)])
    model.compile(optimizer=nf.optimizers.SGD(0.1, use_ema=use_ema, ema_momentum=0.5), loss="mse")
    return model


def test_evaluate_and_predict_use_the_averages_then_swap_back():
    model = _model()
    model.fit(X, Y, epochs=2, verbose=0)
    raw = [w.copy() for w in model.get_weights()]
    averages = [backend.to_numpy(a).copy() for _, a in model.optimizer.moving_average_pairs()]
    callback = SwapEMAWeights()
    with_ema = model.predict(X, verbose=0, callbacks=[callback])
    np.testing.assert_allclose(with_ema, X @ averages[0] + averages[1], rtol=1e-5)
    for before, after in zip(raw, model.get_weights()):
        np.testing.assert_array_equal(before, after)
    model.evaluate(X, Y, verbose=0, callbacks=[callback])
    for before, after in zip(raw, model.get_weights()):
        np.testing.assert_array_equal(before, after)


def test_swap_on_epoch_leaves_the_averages_in_after_fit():
    model = _model()
    model.fit(X, Y, epochs=1, verbose=0)
    model.optimizer.ema_overwrite_frequency = None
    callback = SwapEMAWeights(swap_on_epoch=True)
    seen = []
    recorder = nf.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(model.get_weights()[0].copy()))
    model.fit(X, Y, epochs=2, verbose=0, callbacks=[callback, recorder])
    averages = [backend.to_numpy(a).copy() for _, a in model.optimizer.moving_average_pairs()]
    np.testing.assert_allclose(model.get_weights()[0], averages[0])
    np.testing.assert_allclose(seen[-1], model.get_weights()[0])


def test_requires_use_ema():
    model = _model(use_ema=False)
    with pytest.raises(ValueError, match="use_ema"):
        model.predict(X, verbose=0, callbacks=[SwapEMAWeights()])

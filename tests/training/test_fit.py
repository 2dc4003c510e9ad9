"""fit / evaluate / predict semantics as Keras defines them."""
import numpy
import pytest

import neuroflow
from neuroflow import callbacks, layers, models


def _model(inputs=4, outputs=3, activation="softmax"):
    model = models.Sequential([layers.Dense(8, activation="relu", input_shape=(inputs,)),
                               layers.Dense(outputs, activation=activation)])
    return model


def _classification(rng, n=120):
    x = rng.normal(size=(n, 4)).astype("float32")
    labels = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0).astype(int)
    return x, labels


def test_history_keys_follow_the_metric_names(rng):
    x, labels = _classification(rng)
    model = _model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["acc"])
    history = model.fit(x, labels, epochs=2, validation_split=0.25, verbose=0)
    assert set(history.history) == {"loss", "acc", "val_loss", "val_acc"}
    assert history.epoch == [0, 1]


def test_validation_split_takes_the_last_fraction_before_shuffling(rng):
    x, labels = _classification(rng, n=100)
    seen = []

    class Recorder(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(logs)

    model = _model()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, labels, epochs=1, validation_split=0.2, shuffle=True, verbose=0, callbacks=[Recorder()])
    expected = model.evaluate(x[80:], labels[80:], verbose=0, return_dict=True)
    assert seen[0]["val_loss"] == pytest.approx(expected["loss"], rel=1e-5)
    assert seen[0]["val_accuracy"] == pytest.approx(expected["accuracy"])


def test_validation_data_and_evaluate_return_forms(rng):
    x, labels = _classification(rng)
    model = _model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x[:90], labels[:90], validation_data=(x[90:], labels[90:]), epochs=1, verbose=0)
    assert "val_accuracy" in history.history
    as_list = model.evaluate(x, labels, verbose=0)
    as_dict = model.evaluate(x, labels, verbose=0, return_dict=True)
    assert as_list == [pytest.approx(as_dict["loss"]), pytest.approx(as_dict["accuracy"])]
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    assert isinstance(model.evaluate(x, labels, verbose=0), float)


def test_evaluate_averages_over_samples_not_batches(rng):
    x, labels = _classification(rng, n=50)
    model = _model()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    whole = model.evaluate(x, labels, batch_size=50, verbose=0)
    uneven = model.evaluate(x, labels, batch_size=32, verbose=0)  # batches of 32 and 18
    assert uneven == pytest.approx(whole, rel=1e-5)


def test_predict_is_batched_and_matches_call(rng):
    x, _ = _classification(rng, n=70)
    model = _model()
    predicted = model.predict(x, batch_size=16, verbose=0)
    assert isinstance(predicted, numpy.ndarray) and predicted.shape == (70, 3)
    numpy.testing.assert_allclose(predicted, model(x).numpy(), rtol=1e-6)
    numpy.testing.assert_allclose(model.predict_on_batch(x[:5]), predicted[:5], rtol=1e-6)


def test_on_batch_methods(rng):
    x, labels = _classification(rng, n=32)
    model = _model()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    before = model.test_on_batch(x, labels)
    model.train_on_batch(x, labels)
    after = model.test_on_batch(x, labels, return_dict=True)
    assert len(before) == 2 and after["loss"] < before[0]


def test_sample_weight_and_class_weight_change_the_loss(rng):
    x, labels = _classification(rng, n=64)
    model = _model()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    plain = model.evaluate(x, labels, verbose=0)
    weights = numpy.where(labels == 0, 3.0, 1.0)
    weighted = model.evaluate(x, labels, sample_weight=weights, verbose=0)
    per_sample = -numpy.log(model.predict(x, verbose=0)[numpy.arange(64), labels])
    assert plain == pytest.approx(per_sample.mean(), rel=1e-4)
    assert weighted == pytest.approx((per_sample * weights).mean(), rel=1e-4)
    neuroflow.set_random_seed(5)
    first = _model()
    first.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    first_history = first.fit(x, labels, class_weight={0: 3.0, 1: 1.0, 2: 1.0}, epochs=1, verbose=0, shuffle=False)
    neuroflow.set_random_seed(5)
    second = _model()
    second.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    second_history = second.fit(x, labels, sample_weight=weights, epochs=1, verbose=0, shuffle=False)
    assert first_history.history["loss"] == pytest.approx(second_history.history["loss"])


def test_initial_epoch_continues_numbering(rng):
    x, labels = _classification(rng)
    model = _model()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    history = model.fit(x, labels, epochs=5, initial_epoch=3, verbose=0)
    assert history.epoch == [3, 4]


def test_same_seed_gives_identical_weights_and_history(rng):
    x, labels = _classification(rng)

    def run():
        neuroflow.set_random_seed(42)
        model = models.Sequential([layers.Dense(8, activation="relu", input_shape=(4,)), layers.Dropout(0.3),
                                   layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(x, labels, epochs=3, batch_size=16, verbose=0)
        return model.get_weights(), history.history

    weights_a, history_a = run()
    weights_b, history_b = run()
    assert history_a == history_b
    for a, b in zip(weights_a, weights_b):
        numpy.testing.assert_array_equal(a, b)


def test_regularization_losses_are_added_to_the_objective(rng):
    x, labels = _classification(rng, n=32)
    model = models.Sequential([layers.Dense(3, activation="softmax", input_shape=(4,), kernel_regularizer="l2")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    loss = model.evaluate(x, labels, verbose=0)
    kernel = model.get_weights()[0]
    data_loss = -numpy.log(model.predict(x, verbose=0)[numpy.arange(32), labels]).mean()
    assert loss == pytest.approx(data_loss + 0.01 * numpy.sum(kernel ** 2), rel=1e-4)


def test_verbose_1_prints_a_keras_progress_bar(rng, capsys):
    x, labels = _classification(rng, n=64)
    model = _model()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, labels, epochs=2, batch_size=16, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "4/4" in out and "accuracy:" in out and "loss:" in out


def test_verbose_0_is_silent(rng, capsys):
    x, labels = _classification(rng, n=64)
    model = _model()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(x, labels, epochs=1, verbose=0)
    model.evaluate(x, labels, verbose=0)
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""

"""The scikit-learn wrappers: fit / predict / score, clone, cross-validation and the searches.

Tiny data and few epochs: these check the plumbing between scikit-learn and neuroflow (targets,
labels, parameters, cloning), with problems easy enough that a working wrapper scores well.
"""
import numpy
import pytest

sklearn = pytest.importorskip("sklearn", reason='scikit-learn is not installed (pip install "neuroflow[sklearn]")')

from sklearn.base import clone, is_classifier, is_regressor  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from neuroflow import layers, models, optimizers  # noqa: E402
from neuroflow.wrappers import KerasClassifier, KerasRegressor, SKLearnClassifier, SKLearnRegressor, SKLearnTransformer  # noqa: E402


def _blobs(n_per_class=20, labels=(0, 1, 2), seed=0):
    """Well separated Gaussian blobs in 2-D, one per label, shuffled."""
    rng = numpy.random.default_rng(seed)
    centers = numpy.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0], [3.0, 3.0]])[:len(labels)]
    X = numpy.concatenate([center + 0.5 * rng.standard_normal((n_per_class, 2)) for center in centers])
    y = numpy.repeat(numpy.array(labels, dtype=object if isinstance(labels[0], str) else None), n_per_class)
    order = rng.permutation(len(y))
    return X[order].astype("float32"), y[order]


def _linear(n=60, seed=0):
    rng = numpy.random.default_rng(seed)
    X = rng.standard_normal((n, 3)).astype("float32")
    y = (X @ numpy.array([1.5, -2.0, 0.5]) + 1.0).astype("float32")
    return X, y


def build_classifier(X, y, units=16, learning_rate=0.05, seen=None):
    """Keras 3 style: the wrapper calls model(X=X, y=y, **model_kwargs) with one-hot y."""
    if seen is not None:
        seen.append(y.shape)
    model = models.Sequential([layers.Input((X.shape[1],)), layers.Dense(units, activation="relu"),
                               layers.Dense(y.shape[1], activation="softmax")])
    model.compile(optimizer=optimizers.Adam(learning_rate), loss="categorical_crossentropy")
    return model


def build_regressor(X, y, units=16, learning_rate=0.05):
    model = models.Sequential([layers.Input((X.shape[1],)), layers.Dense(units, activation="relu"),
                               layers.Dense(y.shape[1])])
    model.compile(optimizer=optimizers.Adam(learning_rate), loss="mse")
    return model


FIT = {"epochs": 40, "batch_size": 16, "verbose": 0}


# ---- Keras 3 spelling ----------------------------------------------------------------------------------------

def test_classifier_fit_predict_score_on_blobs():
    X, y = _blobs()
    seen = []
    classifier = SKLearnClassifier(build_classifier, model_kwargs={"seen": seen}, fit_kwargs=FIT)
    assert is_classifier(classifier)
    assert classifier.fit(X, y) is classifier
    assert seen == [(60, 3)]  # the network is trained on one-hot rows
    numpy.testing.assert_array_equal(classifier.classes_, [0, 1, 2])
    probabilities = classifier.predict_proba(X)
    assert probabilities.shape == (60, 3)
    numpy.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    predictions = classifier.predict(X)
    numpy.testing.assert_array_equal(predictions, classifier.classes_[numpy.argmax(probabilities, axis=1)])
    # score is scikit-learn's accuracy of predict
    assert classifier.score(X, y) == pytest.approx(numpy.mean(predictions == y))
    assert classifier.score(X, y) >= 0.95
    assert classifier.n_features_in_ == 2 and len(classifier.history_["loss"]) == 40 and classifier.epoch_ == 40
    assert classifier.history_["loss"][-1] < classifier.history_["loss"][0]


def test_classifier_string_labels_and_encoded_validation_data():
    X, y = _blobs(labels=("emu", "cat", "dog"))
    classifier = SKLearnClassifier(build_classifier, fit_kwargs=FIT)
    classifier.fit(X[:45], y[:45], validation_data=(X[45:], y[45:]))
    assert classifier.classes_.tolist() == ["cat", "dog", "emu"]
    assert "val_loss" in classifier.history_
    predictions = classifier.predict(X[45:])
    assert set(predictions) <= {"cat", "dog", "emu"}
    assert classifier.score(X[45:], y[45:]) >= 0.9
    with pytest.raises(ValueError, match="not seen in fit"):
        classifier.fit(X[:45], y[:45], validation_data=(X[45:], numpy.full(15, "yak", dtype=object)))


def test_classifier_refuses_one_class_and_continuous_targets():
    X, _ = _blobs()
    with pytest.raises(ValueError, match="at least 2 classes"):
        SKLearnClassifier(build_classifier, fit_kwargs=FIT).fit(X, numpy.zeros(60))
    with pytest.raises(ValueError, match="continuous"):
        SKLearnClassifier(build_classifier, fit_kwargs=FIT).fit(X, numpy.linspace(0, 1, 60))


def test_regressor_fit_predict_score_is_r2():
    X, y = _linear()
    regressor = SKLearnRegressor(build_regressor, fit_kwargs=FIT).fit(X, y)
    assert is_regressor(regressor)
    predictions = regressor.predict(X)
    assert predictions.shape == (60,)
    r2 = 1 - numpy.sum((y - predictions) ** 2) / numpy.sum((y - y.mean()) ** 2)
    assert regressor.score(X, y) == pytest.approx(r2, rel=1e-5)
    assert r2 > 0.9
    with pytest.raises(ValueError, match="X has 2 features, but SKLearnRegressor is expecting 3 features as input"):
        regressor.predict(X[:, :2])


def test_compiled_model_instance_is_cloned_fresh_for_each_fit():
    X, y = _linear(n=30)
    template = models.Sequential([layers.Input((3,)), layers.Dense(8, activation="relu"), layers.Dense(1)])
    template.compile(optimizer=optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    before = [w.numpy().copy() for w in template.weights]
    regressor = SKLearnRegressor(template, fit_kwargs={"epochs": 2, "verbose": 0})
    first = regressor.fit(X, y).model_
    second = regressor.fit(X, y).model_
    assert first is not template and second is not first
    assert first.optimizer is not template.optimizer and first.optimizer.learning_rate == pytest.approx(0.01)
    assert "mae" in regressor.history_
    for weight, value in zip(template.weights, before):  # the template itself is never trained
        numpy.testing.assert_array_equal(weight.numpy(), value)


def test_warm_start_continues_the_fitted_model():
    X, y = _linear(n=32)
    regressor = SKLearnRegressor(build_regressor, warm_start=True, fit_kwargs={"epochs": 1, "batch_size": 16,
                                                                                "verbose": 0})
    model = regressor.fit(X, y).model_
    assert int(model.optimizer.iterations) == 2
    assert regressor.fit(X, y).model_ is model and int(model.optimizer.iterations) == 4
    regressor.set_params(warm_start=False)
    assert regressor.fit(X, y).model_ is not model


def test_uncompiled_or_wrong_model_is_refused():
    X, y = _linear(n=10)

    def uncompiled(X, y):
        return models.Sequential([layers.Input((3,)), layers.Dense(1)])

    with pytest.raises(RuntimeError, match="not compiled"):
        SKLearnRegressor(uncompiled).fit(X, y)
    with pytest.raises(TypeError, match="neuroflow Model"):
        SKLearnRegressor(lambda X, y: "not a model").fit(X, y)


def test_clone_and_get_params_round_trip():
    classifier = SKLearnClassifier(build_classifier, model_kwargs={"units": 8}, fit_kwargs={"epochs": 3})
    params = classifier.get_params()
    assert params == {"model": build_classifier, "warm_start": False, "model_kwargs": {"units": 8},
                      "fit_kwargs": {"epochs": 3}, "random_state": None}
    copy = clone(classifier)
    assert type(copy) is SKLearnClassifier and copy.get_params() == params
    assert copy.model_kwargs is not classifier.model_kwargs  # clones do not share mutable parameters
    assert copy.set_params(model_kwargs={"units": 4}) is copy
    assert copy.model_kwargs == {"units": 4} and classifier.model_kwargs == {"units": 8}
    X, y = _blobs(n_per_class=5)
    classifier.fit(X, y)
    assert not hasattr(clone(classifier), "model_")  # a clone is unfitted
    assert "SKLearnClassifier(" in repr(classifier)


def test_cross_val_score_three_folds():
    X, y = _blobs(n_per_class=15)
    scores = cross_val_score(SKLearnClassifier(build_classifier, fit_kwargs=FIT), X, y, cv=3)
    assert scores.shape == (3,)
    assert numpy.all(scores >= 0.8)


def test_randomized_search_over_units_and_learning_rate():
    X, y = _linear(n=40)
    candidates = [{"units": 4, "learning_rate": 0.01}, {"units": 16, "learning_rate": 0.05}]
    search = RandomizedSearchCV(SKLearnRegressor(build_regressor, fit_kwargs={"epochs": 2, "verbose": 0}),
                                {"model_kwargs": candidates}, n_iter=2, cv=2, random_state=0)
    search.fit(X, y)
    assert search.best_params_["model_kwargs"] in candidates
    assert len(search.cv_results_["mean_test_score"]) == 2
    assert numpy.all(numpy.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_estimator_.model_kwargs == search.best_params_["model_kwargs"]
    assert search.predict(X).shape == (40,)


def test_transformer_embeds_and_fits_a_pipeline():
    X, y = _blobs(n_per_class=10)

    def embedding(X, y, units=4):
        model = models.Sequential([layers.Input((2,)), layers.Dense(units, activation="tanh")])
        model.compile(optimizer="adam", loss="mse")
        return model

    transformer = SKLearnTransformer(embedding, fit_kwargs={"epochs": 1, "verbose": 0})
    features = transformer.fit(X, numpy.zeros((30, 4))).transform(X)
    assert features.shape == (30, 4)
    numpy.testing.assert_allclose(features, transformer.model_.predict(X, verbose=0))
    # y=None trains an autoencoder (targets = inputs): output width must match the input's
    assert SKLearnTransformer(embedding, model_kwargs={"units": 2}, fit_kwargs={"epochs": 1, "verbose": 0}) \
        .fit_transform(X).shape == (30, 2)
    frozen = pytest.importorskip("sklearn.frozen", reason="FrozenEstimator needs scikit-learn >= 1.6")
    pipeline = make_pipeline(frozen.FrozenEstimator(transformer), LogisticRegression()).fit(X, y)
    assert pipeline.predict(X).shape == (30,)


# ---- tf.keras / scikeras spelling ----------------------------------------------------------------------------

def build_model(n_hidden=1, n_neurons=16, learning_rate=0.05, input_shape=(3,)):
    """The Hands-On Machine Learning builder: parameters by name, a compiled model."""
    model = models.Sequential([layers.InputLayer(input_shape=input_shape)])
    for _ in range(n_hidden):
        model.add(layers.Dense(n_neurons, activation="relu"))
    model.add(layers.Dense(1))
    model.compile(loss="mse", optimizer=optimizers.Adam(learning_rate))
    return model


def test_keras_regressor_routes_parameters_by_name():
    X, y = _linear()
    regressor = KerasRegressor(build_fn=build_model, n_neurons=8, epochs=30, batch_size=16, verbose=0)
    assert regressor.get_params() == {"build_fn": build_model, "n_neurons": 8, "epochs": 30, "batch_size": 16,
                                      "verbose": 0, "random_state": None}
    regressor.fit(X, y)
    assert regressor.model is regressor.model_  # tf.keras' `.model`
    assert regressor.model_.layers[0].units == 8  # n_neurons reached build_fn
    assert len(regressor.history_["loss"]) == 30  # epochs reached fit
    assert regressor.predict(X).shape == (60,)
    assert regressor.score(X, y) > 0.8
    copy = clone(regressor)
    assert copy.get_params() == regressor.get_params() and not hasattr(copy, "model_")
    assert copy.set_params(n_hidden=2) is copy and copy.get_params()["n_hidden"] == 2
    with pytest.raises(ValueError, match="'n_neuron'.*build_model"):
        KerasRegressor(build_model, n_neuron=3).fit(X, y)


def test_keras_regressor_lecture_random_search():
    """Hands-On ML chapter 10: RandomizedSearchCV over n_hidden, n_neurons, learning_rate, fit kwargs passed on."""
    from scipy.stats import reciprocal

    from neuroflow import callbacks

    X, y = _linear(n=40)
    distributions = {"n_hidden": [0, 1], "n_neurons": numpy.arange(4, 20), "learning_rate": reciprocal(3e-3, 3e-2)}
    search = RandomizedSearchCV(KerasRegressor(build_model), distributions, n_iter=2, cv=2, random_state=0)
    search.fit(X, y, epochs=2, validation_data=(X[:8], y[:8]), callbacks=[callbacks.EarlyStopping(patience=10)],
               verbose=0)
    assert set(search.best_params_) == {"n_hidden", "n_neurons", "learning_rate"}
    assert numpy.all(numpy.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_estimator_.model.layers[-1].units == 1


@pytest.mark.parametrize("loss, outputs", [("sparse_categorical_crossentropy", 3), ("categorical_crossentropy", 3)])
def test_keras_classifier_encodes_for_its_loss(loss, outputs):
    X, y = _blobs(labels=("a", "b", "c"))

    def build(hidden=16):
        model = models.Sequential([layers.Input((2,)), layers.Dense(hidden, activation="relu"),
                                   layers.Dense(outputs, activation="softmax")])
        model.compile(optimizer=optimizers.Adam(0.05), loss=loss)
        return model

    classifier = KerasClassifier(build_fn=build, epochs=40, batch_size=16, verbose=0).fit(X, y)
    assert classifier.classes_.tolist() == ["a", "b", "c"]
    assert classifier.predict_proba(X).shape == (60, 3)
    assert classifier.score(X, y) >= 0.95
    search = GridSearchCV(KerasClassifier(build_fn=build, epochs=2, verbose=0), {"hidden": [4, 8]}, cv=2).fit(X, y)
    assert search.best_params_["hidden"] in (4, 8)


def test_keras_classifier_binary_sigmoid_and_meta():
    X, y = _blobs(labels=(-1, 1))

    def build(meta):
        model = models.Sequential([layers.Input((meta["n_features_in_"],)), layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer=optimizers.Adam(0.1), loss="binary_crossentropy")
        return model

    classifier = KerasClassifier(build, epochs=30, batch_size=8, verbose=0).fit(X, y)
    probabilities = classifier.predict_proba(X)
    assert probabilities.shape == (40, 2)
    numpy.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-6)
    numpy.testing.assert_array_equal(classifier.predict(X), numpy.where(probabilities[:, 1] > 0.5, 1, -1))
    assert classifier.score(X, y) >= 0.95


def test_keras_classifier_compiles_an_uncompiled_model_from_loss():
    X, y = _blobs(n_per_class=5)

    def build():
        return models.Sequential([layers.Input((2,)), layers.Dense(3, activation="softmax")])

    classifier = KerasClassifier(build, loss="sparse_categorical_crossentropy", optimizer="adam", epochs=1,
                                 verbose=0).fit(X, y)
    assert classifier.model_.compiled
    with pytest.raises(RuntimeError, match="not compiled"):
        KerasClassifier(build, epochs=1, verbose=0).fit(X, y)


def test_tf_keras_module_path():
    import neuroflow.wrappers.scikit_learn as scikit_learn
    assert scikit_learn.KerasRegressor is KerasRegressor and scikit_learn.KerasClassifier is KerasClassifier

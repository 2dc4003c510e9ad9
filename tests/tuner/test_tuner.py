"""The tuner on real models: search, checkpoints of the best epoch, executions, callbacks, cross-validation, summaries."""
import copy

import numpy
import pytest

import neuroflow
import neuroflow.tuner as kt
from neuroflow import layers
from neuroflow.tuner import HyperModel, Objective


@pytest.fixture
def blobs(rng):
    """Two Gaussian blobs in 4-D, 120 points: easy, so the searched models differ only by their settings."""
    x = numpy.concatenate([rng.normal(-1.0, 1.0, (60, 4)), rng.normal(1.0, 1.0, (60, 4))]).astype("float32")
    y = numpy.array([0] * 60 + [1] * 60)
    order = rng.permutation(120)
    return x[order], y[order]


def build_model(hp):
    model = neuroflow.Sequential([layers.Input((4,)), layers.Dense(hp.Int("units", 2, 8, step=2), activation="relu"),
                                  layers.Dense(2, activation="softmax")])
    learning_rate = hp.Float("learning_rate", 1e-3, 1e-1, sampling="log")
    model.compile(optimizer=neuroflow.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def test_random_search_of_a_real_model_keeps_the_best_epoch(tmp_path, blobs):
    x, y = blobs
    tuner = kt.RandomSearch(build_model, objective="val_accuracy", max_trials=3, seed=0, directory=tmp_path,
                            project_name="blobs")
    assert tuner.oracle.objective == Objective("val_accuracy", "max")
    tuner.search(x, y, epochs=4, validation_split=0.25, verbose=0)
    trials = list(tuner.oracle.trials.values())
    assert len(trials) == 3 and all(trial.status == "COMPLETED" for trial in trials)
    for trial in trials:
        history = trial.metrics.get_history("val_accuracy")
        assert [step for step, _ in history] == [0, 1, 2, 3]
        assert trial.score == max(values[0] for _, values in history)
        assert trial.best_step == [step for step, values in history if values[0] == trial.score][0]
    best_trial = tuner.oracle.get_best_trials(1)[0]
    model = tuner.get_best_models(1)[0]
    # The model comes back with the weights of its best epoch: evaluating it repeats that epoch's score.
    _, accuracy = model.evaluate(x[90:], y[90:], verbose=0)
    assert accuracy == pytest.approx(best_trial.score, abs=1e-6)
    assert tuner.get_best_hyperparameters(1)[0].values == best_trial.hyperparameters.values
    assert len(tuner.get_best_models(2)) == 2


def test_summaries_print_the_space_and_the_best_trials(tmp_path, blobs, capsys):
    x, y = blobs
    tuner = kt.GridSearch(build_model, objective="val_loss", max_trials=2, directory=tmp_path, project_name="p")
    tuner.search_space_summary()
    text = capsys.readouterr().out
    assert "Search space summary" in text and "Default search space size: 2" in text
    assert "units (Int)" in text and "'sampling': 'log'" in text
    tuner.search(x, y, epochs=1, validation_data=(x[:20], y[:20]), verbose=0)
    tuner.results_summary(num_trials=1)
    text = capsys.readouterr().out
    assert "Results summary" in text and 'Objective(name="val_loss", direction="min")' in text
    assert "Showing 1 best trials" in text and text.count("Trial ") == 1 and "Score: " in text


def test_search_prints_each_trial_when_verbose(tmp_path, blobs, capsys):
    x, y = blobs
    tuner = kt.RandomSearch(build_model, objective="val_accuracy", max_trials=1, directory=tmp_path)
    tuner.search(x, y, epochs=1, validation_split=0.2)
    text = capsys.readouterr().out
    assert "Search: Running Trial #1" in text and "Best val_accuracy So Far" in text


def test_executions_per_trial_average_epoch_by_epoch(tmp_path, blobs):
    x, y = blobs
    tuner = kt.RandomSearch(build_model, objective="val_loss", max_trials=1, executions_per_trial=2, seed=1,
                            directory=tmp_path)
    tuner.search(x, y, epochs=2, validation_split=0.25, verbose=0)
    trial = tuner.oracle.trials["00"]
    history = trial.metrics.get_history("val_loss")
    assert [len(values) for _, values in history] == [2, 2]
    assert trial.score == pytest.approx(min(numpy.mean(values) for _, values in history))


def test_callbacks_are_copied_for_every_run(tmp_path, blobs):
    x, y = blobs
    stopper = neuroflow.callbacks.EarlyStopping(monitor="val_loss", patience=0)
    tuner = kt.RandomSearch(build_model, objective="val_loss", max_trials=2, directory=tmp_path)
    tuner.search(x, y, epochs=3, validation_split=0.25, callbacks=[stopper], verbose=0)
    assert stopper.model is None  # the search trained copies; the original never saw a model


def test_hypermodel_fit_can_tune_the_training(tmp_path, blobs):
    x, y = blobs
    seen = []

    class TunedBatch(HyperModel):
        def build(self, hp):
            return build_model(hp)

        def fit(self, hp, model, *args, **kwargs):
            batch_size = hp.Choice("batch_size", [16, 32])
            seen.append(batch_size)
            return model.fit(*args, batch_size=batch_size, **kwargs)

    tuner = kt.GridSearch(TunedBatch(), objective="val_accuracy", max_trials=2, directory=tmp_path)
    tuner.search(x, y, epochs=1, validation_split=0.25, verbose=0)
    assert seen == [16, 32]
    assert [p.name for p in tuner.oracle.get_space().space] == ["units", "learning_rate", "batch_size"]


def test_a_trial_that_raises_is_recorded_and_the_search_goes_on(tmp_path, blobs):
    x, y = blobs

    def build(hp):
        if hp.Boolean("broken", default=False):
            raise ValueError("this configuration cannot be built")
        return build_model(kt.HyperParameters())  # its own defaults: the space is `broken` alone

    tuner = kt.GridSearch(build, objective="val_loss", directory=tmp_path)
    tuner.search(x, y, epochs=1, validation_split=0.25, verbose=0)
    statuses = {trial.hyperparameters["broken"]: trial.status for trial in tuner.oracle.trials.values()}
    assert statuses == {False: "COMPLETED", True: "FAILED"}
    assert "cannot be built" in tuner.oracle.trials["01"].message


def test_consecutive_failures_stop_the_search(tmp_path):
    builds = []

    def build(hp):
        hp.Int("n", 0, 9)
        builds.append(hp.values)
        if len(builds) > 1:  # the build made when the tuner is created works; every trial's fails
            raise RuntimeError("broken hypermodel")
        return build_model(kt.HyperParameters())

    tuner = kt.RandomSearch(build, max_trials=10, max_consecutive_failed_trials=3, directory=tmp_path)
    with pytest.raises(RuntimeError, match="3 consecutive trials failed"):
        tuner.search(verbose=0)
    assert len(tuner.oracle.trials) == 3


def test_compile_arguments_of_the_tuner_replace_the_hypermodel_s(tmp_path, blobs):
    x, y = blobs

    def build(hp):
        return neuroflow.Sequential([layers.Input((4,)), layers.Dense(2, activation="softmax")])

    tuner = kt.RandomSearch(build, objective="val_accuracy", max_trials=1, optimizer="adam",
                            loss="sparse_categorical_crossentropy", metrics=["accuracy"], directory=tmp_path)
    tuner.search(x, y, epochs=1, validation_split=0.25, verbose=0)
    assert tuner.oracle.trials["00"].status == "COMPLETED"


class RecordingHyperModel(HyperModel):
    def __init__(self):
        super().__init__()
        self.sizes = []

    def build(self, hp):
        return build_model(hp)

    def fit(self, hp, model, x, y, validation_data=None, **kwargs):
        self.sizes.append((len(x), len(validation_data[0]), tuple(numpy.sort(validation_data[0][:, 0])[:2])))
        return model.fit(x, y, validation_data=validation_data, **kwargs)


def test_cross_validation_trains_once_per_fold_on_the_other_folds(tmp_path, blobs):
    x, y = blobs
    hypermodel = RecordingHyperModel()
    tuner = kt.RandomSearch(hypermodel, objective="val_accuracy", max_trials=2, seed=3, directory=tmp_path)
    tuner.search(x, y, epochs=2, cross_validation=3, verbose=0)
    assert [size[:2] for size in hypermodel.sizes] == [(80, 40)] * 6
    # The same three folds for each trial, together covering every sample once.
    folds = hypermodel.sizes[:3]
    assert folds == hypermodel.sizes[3:]
    trial = tuner.oracle.trials["00"]
    history = trial.metrics.get_history("val_accuracy")
    assert [len(values) for _, values in history] == [3, 3]
    assert trial.score == pytest.approx(max(numpy.mean(values) for _, values in history))


def test_cross_validation_takes_a_scikit_learn_splitter(tmp_path, blobs):
    model_selection = pytest.importorskip("sklearn.model_selection")
    x, y = blobs
    hypermodel = RecordingHyperModel()
    tuner = kt.RandomSearch(hypermodel, objective="val_accuracy", max_trials=1, directory=tmp_path)
    tuner.search(x, y, epochs=1, cross_validation=model_selection.StratifiedKFold(4), verbose=0)
    assert [size[:2] for size in hypermodel.sizes] == [(90, 30)] * 4


def test_cross_validation_matches_a_hand_written_k_fold(tmp_path, blobs):
    """The trial's score is the mean over folds of each fold's validation curve, at its best epoch."""
    x, y = blobs
    hp = kt.HyperParameters()
    hp.Fixed("units", 4)
    hp.Fixed("learning_rate", 0.05)
    neuroflow.set_random_seed(99)
    tuner = kt.GridSearch(build_model, objective="val_loss", hyperparameters=hp, seed=5, directory=tmp_path)
    tuner.search(x, y, epochs=3, cross_validation=3, verbose=0)
    neuroflow.set_random_seed(99)
    build_model(copy.deepcopy(hp))  # the build that explores the space when the tuner is made
    curves = []
    for train, held_out in kt.cross_validation.folds(3, x, y, seed=5):
        model = build_model(hp)
        history = model.fit(x[train], y[train], epochs=3, validation_data=(x[held_out], y[held_out]), verbose=0)
        curves.append(history.history["val_loss"])
    assert tuner.oracle.trials["00"].score == pytest.approx(numpy.mean(curves, axis=0).min(), rel=1e-6)


@pytest.mark.parametrize("extra, message", [
    (dict(validation_split=0.2), "without validation_split and validation_data"),
    (dict(cross_validation=1), "2 <= K"),
    (dict(cross_validation="5"), "an integer K >= 2 or a scikit-learn splitter"),
])
def test_cross_validation_errors(tmp_path, blobs, extra, message):
    x, y = blobs
    tuner = kt.RandomSearch(build_model, objective="val_loss", max_trials=1, directory=tmp_path)
    arguments = dict(cross_validation=3, **extra) if "cross_validation" not in extra else extra
    with pytest.raises(ValueError, match=message):
        tuner.search(x, y, epochs=1, verbose=0, **arguments)


def test_bad_tuner_arguments(tmp_path):
    with pytest.raises(ValueError, match="hypermodel=None"):
        kt.RandomSearch(None, directory=tmp_path)
    with pytest.raises(TypeError, match="HyperModel or a function"):
        kt.RandomSearch(42, directory=tmp_path)
    with pytest.raises(ValueError, match="Could not infer the optimization direction"):
        kt.RandomSearch(build_model, objective="val_my_metric", directory=tmp_path)
    with pytest.raises(ValueError, match="executions_per_trial"):
        kt.RandomSearch(build_model, executions_per_trial=0, directory=tmp_path)


@pytest.mark.parametrize("returned, score", [
    (numpy.float32(0.25), 0.25), ({"default_objective": 0.5}, 0.5), ([0.2, 0.4], 0.3),  # a list: executions, averaged
    ("0.3", None), ({"val_loss": 0.3}, None),  # not a score; a dict without the objective (none was given)
])
def test_what_run_trial_may_return(tmp_path, returned, score):
    class BlackBox(kt.RandomSearch):
        def run_trial(self, trial, *args, **kwargs):
            trial.hyperparameters.Float("x", 0, 1)
            return returned

    tuner = BlackBox(max_trials=1, directory=tmp_path)
    tuner.search(verbose=0)
    trial = tuner.oracle.trials["00"]
    if score is None:
        assert trial.status == "FAILED" and "TypeError" in trial.message
    else:
        assert trial.status == "COMPLETED" and trial.score == pytest.approx(score)

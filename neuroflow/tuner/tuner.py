"""The tuner of Keras-style models: build, train, checkpoint, reload (KerasTuner's `keras_tuner.Tuner`).

Each trial builds a fresh model from its hyperparameters (`hypermodel.build(hp)`) and trains it with
`hypermodel.fit(hp, model, *fit_args, **fit_kwargs)` (by default `model.fit`), `executions_per_trial`
times, or once per fold with `search(..., cross_validation=K)` (see `cross_validation.py`). Every epoch of
every run is reported to the oracle, and the weights of the best epoch seen in the trial are saved to
`trial_<id>/checkpoint.weights.h5`, from which `get_best_models` rebuilds the models.
"""
import copy
import os

from neuroflow.callbacks import Callback
from neuroflow.models import Model
from neuroflow.tuner import cross_validation as cv
from neuroflow.tuner.base_tuner import BaseTuner

CHECKPOINT_NAME = "checkpoint.weights.h5"


class SaveBestEpoch(Callback):
    """Saves the model's weights at each epoch that improves the objective (each epoch when it is not logged)."""

    def __init__(self, objective, filepath):
        super().__init__()
        self.objective = objective
        self.filepath = filepath
        self.best_value = float("inf") if objective.direction == "min" else float("-inf")

    def on_epoch_end(self, epoch, logs=None):
        if not self.objective.has_value(logs):
            self.model.save_weights(self.filepath)
            return
        value = self.objective.get_value(logs)
        if self.objective.better_than(value, self.best_value):
            self.best_value = value
            self.model.save_weights(self.filepath)


class Tuner(BaseTuner):
    """The tuner of models built by a hypermodel; RandomSearch, GridSearch, Hyperband and BayesianOptimization are its subclasses.

    Args:
        oracle: the `Oracle`.
        hypermodel: a `HyperModel` or a `build(hp)` function returning a model.
        max_model_size: the most parameters a model may have; a larger one fails its trial.
        optimizer, loss, metrics: replace the hypermodel's compile arguments (or compile an uncompiled model).
        directory, project_name, overwrite, executor, tuner_id: see `BaseTuner`.
        executions_per_trial: how many times each trial's model is trained from scratch; the trial's
            metrics are the runs' epoch-by-epoch means.
        distribution_strategy: only None (KerasTuner's tf.distribute argument).
    """

    def __init__(self, oracle, hypermodel=None, max_model_size=None, optimizer=None, loss=None, metrics=None,
                 distribution_strategy=None, directory=None, project_name=None, logger=None, tuner_id=None,
                 overwrite=False, executions_per_trial=1, executor=None):
        if hypermodel is None and type(self).run_trial is Tuner.run_trial:
            raise ValueError("Received hypermodel=None: give a hypermodel, or subclass the tuner and override "
                             "run_trial(trial, *args, **kwargs)")
        if distribution_strategy is not None:
            raise NotImplementedError("distribution_strategy (tf.distribute) is not supported; run trials in "
                                      "parallel with `executor=` instead")
        if int(executions_per_trial) < 1:
            raise ValueError(f"executions_per_trial must be at least 1; received {executions_per_trial!r}")
        super().__init__(oracle, hypermodel=hypermodel, directory=directory, project_name=project_name,
                         overwrite=overwrite, executor=executor, tuner_id=tuner_id, logger=logger)
        self.max_model_size = max_model_size
        self.optimizer, self.loss, self.metrics = optimizer, loss, metrics
        self.executions_per_trial = int(executions_per_trial)

    def search(self, *fit_args, **fit_kwargs):
        """Runs the search; `fit_args` / `fit_kwargs` are `fit`'s (x, y, epochs, validation_split, callbacks ...).

        Extra keyword: `cross_validation=K` (or a scikit-learn splitter) scores each trial by K-fold
        cross-validation on (x, y) instead of `validation_split` / `validation_data`.

        Raises:
            ValueError: for `cross_validation` together with validation_split or validation_data, or without y.
        """
        folds = fit_kwargs.get("cross_validation")
        if folds is not None:
            if fit_kwargs.get("validation_split") or fit_kwargs.get("validation_data") is not None:
                raise ValueError("cross_validation holds out each fold as the validation data: pass it without "
                                 "validation_split and validation_data")
            x, y = self._data_arguments(fit_args, fit_kwargs)
            if x is None or y is None:
                raise ValueError("cross_validation needs the data as arrays: search(x, y, ..., cross_validation=K)")
            cv.folds(folds, x, y, self.oracle.seed)
        return super().search(*fit_args, **fit_kwargs)

    @staticmethod
    def _data_arguments(fit_args, fit_kwargs):
        x = fit_args[0] if fit_args else fit_kwargs.get("x")
        y = fit_args[1] if len(fit_args) > 1 else fit_kwargs.get("y")
        return x, y

    def run_trial(self, trial, *fit_args, **fit_kwargs):
        """Trains the trial's model `executions_per_trial` times (times K folds); returns the Histories."""
        checkpoint = SaveBestEpoch(self.oracle.objective, self._checkpoint_path(trial.trial_id))
        original_callbacks = list(fit_kwargs.pop("callbacks", None) or [])
        folds = fit_kwargs.pop("cross_validation", None)
        histories = []
        for _ in range(self.executions_per_trial):
            for args, kwargs in self._runs(folds, fit_args, fit_kwargs):
                kwargs["callbacks"] = self._copy_callbacks(original_callbacks) + [checkpoint]
                histories.append(self._build_and_fit_model(trial, *args, **kwargs))
        return histories

    def _runs(self, folds, fit_args, fit_kwargs):
        """The (args, kwargs) of each training run: one run, or one per cross-validation fold."""
        if folds is None:
            return [(fit_args, copy.copy(fit_kwargs))]
        x, y = self._data_arguments(fit_args, fit_kwargs)
        rest = fit_args[2:]
        kwargs = {name: value for name, value in fit_kwargs.items() if name not in ("x", "y")}
        sample_weight = kwargs.pop("sample_weight", None)
        runs = []
        for train, held_out in cv.folds(folds, x, y, self.oracle.seed):
            run_kwargs = dict(kwargs, validation_data=(cv.take(x, held_out), cv.take(y, held_out)))
            if sample_weight is not None:
                run_kwargs["sample_weight"] = cv.take(sample_weight, train)
            runs.append(((cv.take(x, train), cv.take(y, train), *rest), run_kwargs))
        return runs

    @staticmethod
    def _copy_callbacks(callbacks):
        try:
            return copy.deepcopy(callbacks)
        except Exception as error:
            raise ValueError("The callbacks of a search are copied for every training run and must support "
                             f"copy.deepcopy; {callbacks!r} does not ({error})") from error

    def _build_and_fit_model(self, trial, *fit_args, **fit_kwargs):
        hp = trial.hyperparameters
        model = self._try_build(hp)
        return self.hypermodel.fit(hp, model, *fit_args, **fit_kwargs)

    def _try_build(self, hp):
        """Builds, checks and (with the tuner's overrides) compiles the model of `hp`."""
        model = self._build_hypermodel(hp)
        if not isinstance(model, Model):
            raise RuntimeError(f"The hypermodel's build(hp) must return a model; it returned {type(model).__name__}")
        if self.max_model_size is not None:
            size = model.count_params() if model.built else 0
            if size > self.max_model_size:
                raise ValueError(f"Oversized model: {size} parameters > max_model_size={self.max_model_size}")
        self._override_compile_args(model)
        return model

    def _build_hypermodel(self, hp):
        return self.hypermodel.build(hp)

    def _override_compile_args(self, model):
        if not (self.optimizer or self.loss or self.metrics):
            return
        config = model.get_compile_config() if getattr(model, "compiled", False) else {}
        model.compile(optimizer=self.optimizer or getattr(model, "optimizer", None) or config.get("optimizer"),
                      loss=self.loss or config.get("loss"), metrics=self.metrics or config.get("metrics"))

    def _checkpoint_path(self, trial_id):
        return os.path.join(self.get_trial_dir(trial_id), CHECKPOINT_NAME)

    def load_model(self, trial):
        """The trial's model, rebuilt and given the weights of its best epoch."""
        model = self._try_build(trial.hyperparameters)
        model.load_weights(self._checkpoint_path(trial.trial_id))
        return model

"""Trainer: what makes a Model learn. compile, fit / evaluate / predict and the steps they run.

Model inherits from Layer and Trainer, as in Keras 3 (keras/src/trainers/trainer.py). The whole of
training reads top to bottom here:

    compile(optimizer, loss, metrics)       # CompiledLoss, CompileMetrics (training/compile.py)
    fit:
        for epoch:
            for batch:                      # training/data.py: ArrayBatches, shuffled each epoch
                logs = train_step(batch)    # forward, loss, backward, update, metrics
            logs += evaluate(validation data)

`train_step` / `test_step` / `predict_step`, `compute_loss` and `compute_metrics` may be overridden
by a subclass; the loop turns whatever logs a step returns into floats once, in `_run_step`.
"""
import contextlib
import warnings

import numpy

from neuroflow import backend, ops, optimizers, settings
from neuroflow import metrics as metrics_module
from neuroflow.callbacks import CallbackList
from neuroflow.distribution import current_replica, replica_for
from neuroflow.engine.tape import GradientTape
from neuroflow.engine.tensor import Tensor
from neuroflow.ops import parallel
from neuroflow.optimizers.loss_scale_optimizer import LossScaleOptimizer
from neuroflow.training import arguments, device_data, interruption, step_io, training_state
from neuroflow.training import data as data_module
from neuroflow.training.compile import CompiledLoss, CompileMetrics
from neuroflow.training.traced_step import TracedTrainStep
from neuroflow.utils import nest
from neuroflow.utils.py_dataset import PyDataset

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "predict concatenates host copies of the batches' outputs (Keras returns NumPy)"


class Trainer:
    """compile / fit / evaluate / predict and the steps they run, for a Layer that holds a model."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.optimizer = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        self._compiled_loss = None
        self._compile_metrics = None
        self._loss_tracker = None
        # Set by fit for its duration: the trainable variables, and every layer inside the model,
        # gathered once instead of walking the layer tree at every step (Keras likewise fixes them
        # when it builds its train function; toggling `trainable` takes effect at the next fit).
        # object.__setattr__: these must not be tracked as the model's own weights and layers.
        object.__setattr__(self, "_step_variables", None)
        object.__setattr__(self, "_flat_layers_cache", None)
        # The traced step kept from the first fit after compile to the next compile, and the one
        # fit runs (None outside fit, so train_on_batch and custom loops stay eager).
        object.__setattr__(self, "_compiled_traced_step", None)
        object.__setattr__(self, "_traced_train_step", None)
        object.__setattr__(self, "interrupted_at", None)  # (epoch, batch) where Ctrl-C stopped the last fit
        self.run_eagerly = False

    def __getstate__(self):
        # The traced step is a cache of replayable ops whose functions pickle cannot name; the next fit
        # traces again. Everything else (layers, weights, optimizer, compile state) pickles as it is.
        state = dict(self.__dict__)
        state["_compiled_traced_step"] = None
        state["_traced_train_step"] = None
        return state

    # ---- compile -----------------------------------------------------------------------------

    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None, weighted_metrics=None,
                run_eagerly=False, steps_per_execution=1, jit_compile="auto", auto_scale_loss=True):
        """Configures training: the optimizer, the loss (per output) and the metrics to report.

        Args:
            optimizer: name ('rmsprop', 'adam', 'sgd', ...) or optimizer instance.
            loss: name, Loss instance or function `fn(y_true, y_pred)`; a list or dict for several outputs.
            loss_weights: scalars weighting each output's loss.
            metrics: names, Metric instances or functions; per output as a list of lists or a dict.
            weighted_metrics: metrics that take `sample_weight` / `class_weight` into account.
            run_eagerly: run fit's train step op by op in Python every batch, instead of tracing it
                once per input shape and replaying the traced ops (training/traced_step.py); the
                two give identical results, eager is slower and easier to step through in a debugger.
            auto_scale_loss: under the 'mixed_float16' policy, wrap the optimizer in a LossScaleOptimizer
                (so float16 gradients do not underflow), as Keras does, unless it already is one.
            steps_per_execution, jit_compile: accepted for Keras compatibility.
        """
        self.optimizer = optimizers.get(optimizer)
        policy = getattr(self, "dtype_policy", None)  # a Model's (Trainer is mixed into Layer there)
        if auto_scale_loss and policy is not None and policy.name == "mixed_float16" \
                and not isinstance(self.optimizer, LossScaleOptimizer):
            self.optimizer = LossScaleOptimizer(self.optimizer, name="loss_scale_optimizer")
        self.run_eagerly = bool(run_eagerly)
        self.loss = loss
        # What get_compile_config reports besides the optimizer, loss and metrics, as given (Keras
        # keeps its compile arguments the same way). object.__setattr__: metric objects in these
        # lists are not the model's own to track.
        object.__setattr__(self, "_compile_arguments", {
            "loss_weights": loss_weights, "weighted_metrics": weighted_metrics,
            "steps_per_execution": steps_per_execution,
            # No JIT here: 'auto' resolves to False, as Keras resolves it on a backend without one.
            "jit_compile": False if jit_compile == "auto" else jit_compile})
        self._compiled_loss = CompiledLoss(loss, loss_weights, self.output_names) if loss is not None else None
        self._compile_metrics = CompileMetrics(metrics, weighted_metrics, self.output_names,
                                               self._compiled_loss.identifiers if self._compiled_loss else
                                               [None] * len(self.output_names))
        self._loss_tracker = metrics_module.Mean(name="loss")
        self._output_loss_trackers = [metrics_module.Mean(name=f"{name}_loss") for name in self.output_names] \
            if len(self.output_names) > 1 else []
        # Made by the first fit, then kept across fits until the next compile (as Keras keeps its
        # train function).
        object.__setattr__(self, "_compiled_traced_step", None)
        self.compiled = True

    def _assert_compiled(self, method):
        if not self.compiled:
            raise RuntimeError(f"You must call compile() on model '{self.name}' before {method}(): "
                               "e.g. model.compile(optimizer='rmsprop', loss='categorical_crossentropy', "
                               "metrics=['accuracy'])")
        if method in ("fit", "train_on_batch") and self._compiled_loss is None and not self._computes_own_loss():
            raise ValueError(f"Model '{self.name}' was compiled without a loss; pass loss=... to compile() to train it")

    def _computes_own_loss(self):
        """Whether a subclass's own train_step or compute_loss computes the loss (a VAE's, a GAN's): then
        compile needs no loss, and fit no targets, as in Keras."""
        return type(self).train_step is not Trainer.train_step or type(self).compute_loss is not Trainer.compute_loss

    # ---- metrics -----------------------------------------------------------------------------

    @property
    def metrics(self):
        """The loss tracker and the compiled metrics (Keras 3's `model.metrics`)."""
        result = []
        if self._loss_tracker is not None:
            result.append(self._loss_tracker)
        if self._compile_metrics is not None:
            result.append(self._compile_metrics)
        return result

    @property
    def metrics_names(self):
        names = ["loss"] if self._loss_tracker is not None else []
        names += [tracker.name for tracker in getattr(self, "_output_loss_trackers", [])]
        if self._compile_metrics is not None:
            names += self._compile_metrics.names
        return names

    def reset_metrics(self):
        for metric in self.metrics + list(getattr(self, "_output_loss_trackers", [])):
            metric.reset_state()

    def get_metrics_result(self):
        """Every metric's current result, flat: a metric reporting several results adds each."""
        logs = {}
        for metric in self.metrics:
            result = metric.result()
            if isinstance(result, dict):
                logs.update(result)
            else:
                logs[metric.name] = result
            if metric is self._loss_tracker:
                for tracker in self._output_loss_trackers:
                    logs[tracker.name] = tracker.result()
        return logs

    # ---- the steps ---------------------------------------------------------------------------

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss plus every regularization and added loss of the layers."""
        total, per_output = self._compiled_loss(y, y_pred, sample_weight)
        # object.__setattr__: a list of loss tensors holds no layers or weights to track.
        object.__setattr__(self, "_last_output_losses", per_output)
        extra = self.losses
        if extra:
            total = ops.add(total, ops.sum(ops.stack([ops.cast(loss, total.dtype) for loss in extra])))
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Updates the compiled metrics with a batch and returns every metric's current result."""
        self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def _track_losses(self, loss, batch_size):
        self._loss_tracker.update_state(loss.value, sample_weight=batch_size)
        for tracker, value in zip(self._output_loss_trackers, getattr(self, "_last_output_losses", [])):
            if value is not None:
                tracker.update_state(value.value, sample_weight=batch_size)

    def train_step(self, data):
        """One optimization step on a batch `(x, y, sample_weight)`; returns the running logs."""
        x, y, sample_weight, y_pred = self._update_from(data)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def _update_from(self, data):
        """train_step up to its metrics: the update and the loss trackers; (x, y, sample_weight, y_pred)."""
        x, y, sample_weight = step_io.unpack(data)
        # In fit, unless run_eagerly: the traced step replays the forward and backward ops.
        traced = self.__dict__.get("_traced_train_step")
        if traced is not None:
            loss, y_pred, gradients, variables = traced(x, y, sample_weight)
        else:
            loss, _, y_pred, gradients, variables = self._forward_backward(x, y, sample_weight)
        self.optimizer.apply(gradients, variables)
        self._track_losses(loss, step_io.batch_size(x))
        return x, y, sample_weight, y_pred

    def _train_unlogged(self, x, y, sample_weight):
        """train_step for a fit whose step logs nobody reads (step_io.step_logs_unread): the metrics
        are updated, their results (a few microseconds a step) left until the epoch's end."""
        _, y, sample_weight, y_pred = self._update_from((x, y) if sample_weight is None else (x, y, sample_weight))
        self._compile_metrics.update_state(y, y_pred, sample_weight)

    def _forward_backward(self, x, y, sample_weight):
        """The differentiable part of a train step, eagerly: (loss, scaled loss, y_pred, gradients, variables).

        As in Keras' train steps, the gradients are those of `optimizer.scale_loss(loss)` (the loss
        times `loss_scale_factor`, or a LossScaleOptimizer's dynamic scale), which the optimizer's
        `apply` divides out again; the loss the metrics track is the unscaled one.
        """
        self._clear_call_losses()
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
            scaled_loss = self.optimizer.scale_loss(loss)
        # After the call: a subclassed model creates its weights on its first call.
        variables = self.__dict__.get("_step_variables")
        if not variables:
            variables = self.trainable_variables
            traced = self.__dict__.get("_traced_train_step")
            if traced is not None:
                object.__setattr__(self, "_step_variables", variables)  # fixed for the rest of fit
                traced.variables = variables
        return loss, scaled_loss, y_pred, tape.gradient(scaled_loss, variables), variables

    def test_step(self, data):
        """Loss and metrics on a batch, without updating weights."""
        x, y, sample_weight = step_io.unpack(data)
        self._clear_call_losses()
        y_pred = self(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        self._track_losses(loss, step_io.batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        x = data[0] if isinstance(data, tuple) else data
        return self(x, training=False)

    def _run_step(self, step, x, y, sample_weight):
        """Runs `train_step` or `test_step` on one batch (its data as step_io.step_data gives it); its logs,
        as floats (the one place they become floats)."""
        if backend.on_device():  # the batch moves to the device once, before the step sees it
            x, y, sample_weight = nest.map_structure(backend.to_device, (x, y, sample_weight))
        with backend.deferred_checks():  # a device's data checks wait for the logs' copy to the host
            logs = step(step_io.step_data(x, y, sample_weight))
            # Data-parallel (neuroflow.distribution): the global batch's logs, the same on every process.
            return current_replica(self).reduce_logs(self, step_io.float_logs(logs))

    # ---- fit ---------------------------------------------------------------------------------

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            steps_per_epoch=None, validation_steps=None, validation_batch_size=None, validation_freq=1):
        """Trains the model for `epochs` passes over the data; returns a History (`.history` dict)."""
        self._assert_compiled("fit")
        batch_size, epochs, steps_per_epoch = arguments.check_fit_arguments(
            batch_size, epochs, validation_split, initial_epoch, steps_per_epoch, validation_freq)
        epochs, steps_per_epoch = _debug_caps(epochs, steps_per_epoch)
        verbose = 1 if verbose == "auto" else int(verbose)
        # Data-parallel over MPI (neuroflow.distribution): this process's part; else SOLO, which changes nothing.
        replica = replica_for(self)
        callbacks, verbose = replica.callbacks(callbacks, verbose)
        batch_size = 32 if batch_size is None else batch_size
        need_targets = not self._computes_own_loss()
        if data_module.is_batch_source(x):
            if validation_split:
                raise ValueError("validation_split is only supported for array inputs; with a generator or a "
                                 "PyDataset pass validation_data instead")
            batches, steps = self._batches(x, y, sample_weight, batch_size, shuffle, steps_per_epoch, "fit",
                                           need_targets, class_weight)
        else:
            if y is None and need_targets:
                raise ValueError("fit needs targets `y` when x is an array")
            x, y, sample_weight = self._prepare(x, y, sample_weight, "fit", check_targets=y is not None)
            if validation_data is None and validation_split:
                (x, y, sample_weight), validation_data = data_module.split_validation(x, y, sample_weight,
                                                                                       validation_split)
            batches, steps = self._batches(x, y, sample_weight, batch_size, shuffle, steps_per_epoch, "fit",
                                           need_targets, class_weight, prepared=True)
        validation_batch_size = validation_batch_size or batch_size
        if validation_data is not None and not data_module.is_batch_source(validation_data):
            # Arrays are checked and batched once, for every epoch's validation (an ArrayBatches).
            validation_data = self._batches(*data_module.validation_arrays(validation_data), validation_batch_size,
                                            False, validation_steps, "evaluate", True)[0]
        # On a device, the arrays that fit move there now, once (training/device_data.py).
        batches, validation_data = device_data.place_for_fit(batches, validation_data)
        batches = replica.shard(batches, training=True)
        callback_list = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                                     verbose=verbose, epochs=epochs, steps=steps)
        self.stop_training = False
        object.__setattr__(self, "interrupted_at", None)
        callback_list.on_train_begin()
        # A callback restoring a backup (BackupAndRestore) says where the run goes on, as in Keras.
        initial_epoch = self.__dict__.pop("_initial_epoch", None) or initial_epoch
        initial_step = self.__dict__.pop("_initial_step", None) or 0
        with replica.fitting(self), self._fixed_structure(), _threads_for(self), \
                interruption.stop_at_batch_end(self) as interrupted:
            logs = self._run_epochs(batches, callback_list, epochs, initial_epoch, validation_data, validation_freq,
                                    validation_batch_size, validation_steps, initial_step)
        # With use_ema the optimizer kept moving averages; training ends on them, as in Keras.
        self.optimizer.finalize_variable_values(self.trainable_variables)
        callback_list.on_train_end(logs)
        if interrupted():
            interruption.report(self)
        return self.history

    @contextlib.contextmanager
    def _fixed_structure(self):
        """Fixes the variable list and the layer tree while fit runs, and picks the traced step."""
        layers = super()._flatten_layers()
        variables = self.trainable_variables
        traced = None
        if not self.run_eagerly:
            traced = self.__dict__.get("_compiled_traced_step")
            if traced is None:
                traced = TracedTrainStep(self)
                object.__setattr__(self, "_compiled_traced_step", traced)
            variables = traced.fix(variables, layers)
        object.__setattr__(self, "_step_variables", variables)
        object.__setattr__(self, "_flat_layers_cache", layers)
        object.__setattr__(self, "_traced_train_step", traced)
        try:
            yield
        finally:
            object.__setattr__(self, "_step_variables", None)
            object.__setattr__(self, "_flat_layers_cache", None)
            object.__setattr__(self, "_traced_train_step", None)

    def _flatten_layers(self):
        return self.__dict__.get("_flat_layers_cache") or super()._flatten_layers()

    def _run_epochs(self, batches, callback_list, epochs, initial_epoch, validation_data, validation_freq,
                    validation_batch_size, validation_steps, initial_step=0):
        """The epochs of fit; returns the last epoch's logs. A run resumed mid-epoch passes over the
        first `initial_step` batches of `initial_epoch` (cut in the same shuffled order) unrun."""
        logs = {}
        # Ctrl-C on an epoch's last batch lets that epoch end (validation, on_epoch_end) first: a run
        # stopped there then resumes at the next epoch, not with an epoch of no batches.
        last_step = len(batches) - 1 if isinstance(batches, data_module.ArrayBatches) else None
        unlogged = step_io.step_logs_unread(self, Trainer, callback_list)
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callback_list.on_epoch_begin(epoch)
            stepped = False
            for step, batch in enumerate(batches):
                if step < initial_step:
                    continue
                callback_list.on_train_batch_begin(step)
                if unlogged:
                    self._train_unlogged(*batch)
                    stepped = True
                else:
                    logs = self._run_step(self.train_step, *batch)
                    callback_list.on_train_batch_end(step, logs)
                if self.stop_training or (step != last_step and interruption.requested(self, epoch, step + 1)):
                    break
            if stepped:  # the last step's logs: the metrics' results now, as train_step would have returned them
                logs = step_io.float_logs(self.get_metrics_result())
            initial_step = 0
            if self.interrupted_at is not None:
                break  # a partial epoch: no validation, no on_epoch_end
            epoch_logs = dict(logs)
            if validation_data is not None and (epoch + 1) % validation_freq == 0:
                validation_logs = self._evaluate(validation_data, None, validation_batch_size, None, validation_steps,
                                                 callback_list)
                epoch_logs.update({f"val_{key}": value for key, value in validation_logs.items()})
            callback_list.on_epoch_end(epoch, epoch_logs)
            logs = epoch_logs
            if self.stop_training or interruption.requested(self, epoch + 1, 0):
                break
            # Out of data before the last epoch, or short of steps_per_epoch in it: say so, as Keras does.
            if getattr(batches, "exhausted", False) and (epoch < epochs - 1 or getattr(batches, "short", False)):
                warnings.warn("Your input ran out of data; interrupting training. Make sure the generator can yield "
                              "at least steps_per_epoch * epochs batches.", stacklevel=3)
                break
        return logs

    # ---- the state a backup holds (callbacks.BackupAndRestore; training/training_state.py) ------

    def _training_state(self):
        return training_state.capture(self)

    def _restore_training_state(self, arrays, description, metrics=False):
        """Puts a `_training_state` back: variables, optimizer and random streams, or (with `metrics`)
        the running metric totals, at the batch where the restored run goes on."""
        if metrics:
            training_state.restore_metrics(self, arrays, description)
        else:
            training_state.restore(self, arrays, description)

    def _random_state(self):
        return training_state.random_state(self)

    def _set_random_state(self, state):
        training_state.set_random_state(self, state)

    # ---- evaluate and predict ----------------------------------------------------------------

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict=False):
        """Loss and metrics on the data: a scalar, a list in `metrics_names` order, or a dict."""
        self._assert_compiled("evaluate")
        batch_size, steps = arguments.positive_integer(batch_size, "batch_size"), arguments.positive_integer(steps, "steps")
        verbose = 1 if verbose == "auto" else int(verbose)
        replica = replica_for(self)
        callbacks, verbose = replica.callbacks(callbacks, verbose)
        with replica.serving(self):
            logs = self._evaluate(x, y, batch_size, sample_weight, steps, None, callbacks, verbose)
        return self._logs_as_result(logs, return_dict)

    def _evaluate(self, x, y, batch_size, sample_weight, steps, callback_list, callbacks=None, verbose=0):
        """evaluate's loop, also run by fit on its validation data (batched once: an ArrayBatches, or a
        generator / PyDataset) with fit's callbacks; returns the logs."""
        if isinstance(x, data_module.ArrayBatches):
            batches, count = x, len(x)
        else:
            batches, count = self._batches(x, y, sample_weight, batch_size or 32, False, steps, "evaluate", True)
            batches = device_data.DeviceBudget("evaluate").place(batches)
        batches = current_replica(self).shard(batches)
        callback_list = callback_list or CallbackList(callbacks, add_progbar=verbose != 0, model=self,
                                                      verbose=verbose, epochs=1, steps=count)
        self.reset_metrics()
        callback_list.on_test_begin()
        logs = {}
        for step, batch in enumerate(batches):
            callback_list.on_test_batch_begin(step)
            logs = self._run_step(self.test_step, *batch)
            callback_list.on_test_batch_end(step, logs)
        callback_list.on_test_end(logs)
        return logs

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Outputs for `x`, computed in batches, as NumPy arrays."""
        batch_size, steps = arguments.positive_integer(batch_size, "batch_size"), arguments.positive_integer(steps, "steps")
        verbose = 1 if verbose == "auto" else int(verbose)
        replica = replica_for(self)
        callbacks, verbose = replica.callbacks(callbacks, verbose)
        with replica.serving(self):
            outputs, batch_outputs = self._predict_batches(x, batch_size, verbose, steps, callbacks)
        outputs = replica.gather(outputs)
        if not outputs:
            raise ValueError("predict received no samples")
        merged = [numpy.concatenate(parts, axis=0) for parts in zip(*outputs)]
        structure = batch_outputs
        return nest.pack_like(structure, merged) if isinstance(structure, (list, tuple, dict)) else merged[0]

    def _predict_batches(self, x, batch_size, verbose, steps, callbacks):
        """predict's loop: per batch, the flat outputs as NumPy arrays; and the last batch's outputs."""
        batches, count = self._batches(x, None, None, batch_size or 32, False, steps, "predict", False)
        budget = device_data.DeviceBudget("predict")
        batches = current_replica(self).shard(budget.place(batches))
        callback_list = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1,
                                     steps=count)
        callback_list.on_predict_begin()
        outputs = device_data.PredictOutputs(budget, count)  # on a device, copied to the host once when they fit
        for step, (batch_x, _, _) in enumerate(batches):
            callback_list.on_predict_batch_begin(step)
            batch_outputs = self.predict_step(batch_x)
            outputs.add([o.value if isinstance(o, Tensor) else o for o in nest.flatten(batch_outputs)])
            callback_list.on_predict_batch_end(step, {"outputs": batch_outputs})
        callback_list.on_predict_end()
        return outputs.on_host(), (batch_outputs if outputs.batches else None)

    # ---- one batch ---------------------------------------------------------------------------

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One update on one batch; returns the loss (and metrics) for that batch."""
        self._assert_compiled("train_on_batch")
        x, y, sample_weight = self._prepare(x, y, sample_weight, "train_on_batch")
        if class_weight is not None:
            class_sample_weight = data_module.class_weights_to_sample_weights(y, class_weight, whole_data=False)
            sample_weight = class_sample_weight if sample_weight is None else sample_weight * class_sample_weight
        self.reset_metrics()
        return self._logs_as_result(self._run_step(self.train_step, x, y, sample_weight), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._assert_compiled("test_on_batch")
        x, y, sample_weight = self._prepare(x, y, sample_weight, "test_on_batch")
        self.reset_metrics()
        return self._logs_as_result(self._run_step(self.test_step, x, y, sample_weight), return_dict)

    def predict_on_batch(self, x):
        outputs = self.predict_step(data_module.standardize(x, "x"))
        flat = [backend.to_numpy(o.value) for o in nest.flatten(outputs)]
        return nest.pack_like(outputs, flat) if isinstance(outputs, (list, tuple, dict)) else flat[0]

    def _logs_as_result(self, logs, return_dict):
        """evaluate's and the *_on_batch methods' return value: the logs, or their values in metrics_names order."""
        if return_dict:
            return logs
        values = [logs[name] for name in self.metrics_names if name in logs]
        return values[0] if len(values) == 1 else values

    # ---- data in -----------------------------------------------------------------------------

    def _prepare(self, x, y, sample_weight, what, check_targets=True):
        """x, y, sample_weight checked at the door (training/data.py) and put in the model's order."""
        x, y, sample_weight = data_module.prepare(x, y, sample_weight, what, check_targets)
        x, y = self._order_by_names(x, y)
        if y is not None and check_targets and self._compiled_loss is not None:
            self._compiled_loss.check_targets(y, sample_weight=sample_weight)
        return x, y, sample_weight

    def _order_by_names(self, x, y):
        """Dicts keyed by input / output names become lists in the model's order."""
        if isinstance(x, dict) and hasattr(self, "input_names"):
            x = self._order_input_dict(x)
        if isinstance(y, dict) and hasattr(self, "output_names"):
            missing = [name for name in self.output_names if name not in y]
            if missing:
                raise ValueError(f"y is a dict but lacks the outputs {missing}; "
                                 f"the model's outputs are {self.output_names}")
            y = [y[name] for name in self.output_names]
        return x, y

    def _batches(self, x, y, sample_weight, batch_size, shuffle, steps, what, need_targets, class_weight=None,
                 prepared=False):
        """The batches of one pass: from arrays, a PyDataset or a generator (each yielding x, y, sample_weight)."""
        if data_module.is_batch_source(x):
            if y is not None or sample_weight is not None:
                raise ValueError(f"{what}: when x is a generator or a PyDataset it yields the targets itself; "
                                 "do not pass y or sample_weight")
            source = data_module.batch_source(x, steps, shuffle)
            if isinstance(x, PyDataset) and steps is not None and steps > len(x):
                warnings.warn(f"Your input ran out of data: {what} was asked for {steps} steps but the "
                              f"{type(x).__name__} has {len(x)} batches; each pass stops after {len(x)}.",
                              stacklevel=4)

            def ordered():
                for batch_x, batch_y, batch_weight in source:
                    batch_x, batch_y = self._order_by_names(batch_x, batch_y)
                    if need_targets and batch_y is None:
                        raise ValueError(f"{what}: the batches from {type(x).__name__} carry no targets; "
                                         "yield (x, y) or (x, y, sample_weight)")
                    if batch_y is not None and self._compiled_loss is not None:
                        self._compiled_loss.check_targets(batch_y, f"y (a batch from {type(x).__name__})")
                    if class_weight is not None:
                        weights = data_module.class_weights_to_sample_weights(batch_y, class_weight, whole_data=False)
                        batch_weight = weights if batch_weight is None else batch_weight * weights
                    yield batch_x, batch_y, batch_weight

            return data_module.SizedBatches(ordered, source), (len(source) or None)
        if need_targets and y is None:
            raise ValueError(f"{what} needs targets `y` when x is an array")
        if not prepared:
            x, y, sample_weight = self._prepare(x, y, sample_weight, what, check_targets=need_targets)
        if class_weight is not None:
            class_sample_weight = data_module.class_weights_to_sample_weights(y, class_weight)
            sample_weight = class_sample_weight if sample_weight is None else sample_weight * class_sample_weight
        batches = data_module.ArrayBatches(x, y, sample_weight, batch_size, shuffle=shuffle, steps=steps)
        if steps is not None and steps > len(batches):
            warnings.warn(f"Your input ran out of data: {what} was asked for {steps} steps but the arrays make only "
                          f"{len(batches)} batches of {batch_size}; each pass stops after {len(batches)}. Lower the "
                          "steps or the batch size.", stacklevel=4)
        return batches, len(batches)


def _threads_for(model):
    """ops/parallel.managed_threads() when the model's layers ask for it, else nothing.

    Each layer declares how it wants BLAS threads (`Layer.blas_threads`): a Conv1D / Conv2D
    network trains faster on several cores when neuroflow splits its products and elementwise
    work itself, with OpenBLAS on one thread ('split'); layers whose work still relies on
    OpenBLAS's threads ('default': grouped, depthwise and transposed convolutions, large Dense
    kernels) keep the default for the whole model.
    """
    wanted = {layer.blas_threads() for layer in model._flatten_layers()}
    if "split" in wanted and "default" not in wanted:
        return parallel.managed_threads()
    return contextlib.nullcontext()


def _debug_caps(epochs, steps_per_epoch):
    """fit's epochs and steps per epoch under Keras' debugging caps (neuroflow.config.set_max_epochs ...)."""
    if settings.max_epochs and settings.max_epochs < epochs:
        warnings.warn(f"Limiting epochs to {settings.max_epochs}", stacklevel=3)
        epochs = settings.max_epochs
    cap = settings.max_steps_per_epoch
    if cap and (not steps_per_epoch or cap < steps_per_epoch):
        warnings.warn(f"Limiting steps_per_epoch to {cap}", stacklevel=3)
        steps_per_epoch = cap
    return epochs, steps_per_epoch

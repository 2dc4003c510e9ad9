"""Model: a Layer that trains. compile / fit / evaluate / predict and the steps they run.

Three ways to make one, as in Keras:
    Sequential([Dense(64, activation="relu"), Dense(10, activation="softmax")])
    Model(inputs, outputs)                      # functional: returns a Functional model
    class MyModel(Model): __init__ + call()     # subclassing
"""
import contextlib


from neuroflow import backend, ops
from neuroflow.engine.tape import GradientTape
from neuroflow.layers.layer import Layer
from neuroflow.training import compile_config, loop
from neuroflow.training.compile import CompiledLoss, CompileMetrics
from neuroflow.training.traced_step import TracedTrainStep
from neuroflow.utils import nest


class Model(Layer):
    """A trainable stack of layers with Keras' training API.

    Subclass it with `__init__` (create layers) and `call(inputs, training=None)`, or call
    `Model(inputs, outputs)` with functional-API placeholders.
    """

    def __new__(cls, *args, **kwargs):
        if len(args) >= 2 or "inputs" in kwargs or "outputs" in kwargs:
            from neuroflow.models.functional import Functional
            if cls is Model:
                return object.__new__(Functional)
            if not issubclass(cls, Functional):
                # A subclass built from inputs and outputs (e.g. one that only overrides train_step)
                # becomes a functional model of that subclass, as in Keras.
                return object.__new__(_functional_subclass(cls))
        return object.__new__(cls)

    def __init__(self, *args, name=None, trainable=True, dtype=None, **kwargs):
        if args:
            raise TypeError(f"{type(self).__name__}.__init__ got unexpected positional arguments; "
                            "pass inputs and outputs to build a functional model")
        super().__init__(name=name, trainable=trainable, dtype=dtype, **kwargs)
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
        object.__setattr__(self, "_step_variables", None)
        object.__setattr__(self, "_flat_layers_cache", None)
        object.__setattr__(self, "_traced_train_step", None)
        self.run_eagerly = False

    def _flatten_layers(self):
        return self.__dict__.get("_flat_layers_cache") or super()._flatten_layers()

    @contextlib.contextmanager
    def _fixed_structure(self):
        """Caches the variable list and the layer tree while fit runs."""
        # object.__setattr__: these lists must not be tracked as the model's own weights and layers.
        object.__setattr__(self, "_step_variables", self.trainable_variables)
        object.__setattr__(self, "_flat_layers_cache", super()._flatten_layers())
        object.__setattr__(self, "_traced_train_step", None if self.run_eagerly else TracedTrainStep(self))
        try:
            yield
        finally:
            object.__setattr__(self, "_step_variables", None)
            object.__setattr__(self, "_flat_layers_cache", None)
            object.__setattr__(self, "_traced_train_step", None)

    @property
    def output_names(self):
        return getattr(self, "_output_names_override", None) or ["output"]

    @output_names.setter
    def output_names(self, value):
        self._output_names_override = list(value)

    def _order_input_dict(self, x):
        return x

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
            steps_per_execution, jit_compile, auto_scale_loss: accepted for Keras compatibility.
        """
        from neuroflow import metrics as metrics_module
        from neuroflow import optimizers

        self.optimizer = optimizers.get(optimizer)
        self.run_eagerly = bool(run_eagerly)
        self.loss = loss
        self._compiled_loss = CompiledLoss(loss, loss_weights, self.output_names) if loss is not None else None
        self._compile_metrics = CompileMetrics(metrics, weighted_metrics, self.output_names,
                                               self._compiled_loss.identifiers if self._compiled_loss else
                                               [None] * len(self.output_names))
        self._loss_tracker = metrics_module.Mean(name="loss")
        self._output_loss_trackers = [metrics_module.Mean(name=f"{name}_loss") for name in self.output_names] \
            if len(self.output_names) > 1 else []
        self.compiled = True

    def _assert_compiled(self, method):
        if not self.compiled:
            raise RuntimeError(f"You must call compile() on model '{self.name}' before {method}(): "
                               "e.g. model.compile(optimizer='rmsprop', loss='categorical_crossentropy', "
                               "metrics=['accuracy'])")
        if method in ("fit", "train_on_batch") and self._compiled_loss is None:
            raise ValueError(f"Model '{self.name}' was compiled without a loss; pass loss=... to compile() to train it")

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

    # ---- the steps ---------------------------------------------------------------------------

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss plus every regularization and added loss of the layers."""
        total, per_output = self._compiled_loss(y, y_pred, sample_weight)
        self._last_output_losses = per_output
        extra = self.losses
        if extra:
            total = ops.add(total, ops.sum(ops.stack([ops.cast(loss, total.dtype) for loss in extra])))
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Updates the compiled metrics with a batch and returns every metric's current result."""
        self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self):
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

    def _track_losses(self, loss, batch_size):
        self._loss_tracker.update_state(loss.value, sample_weight=batch_size)
        for tracker, value in zip(self._output_loss_trackers, getattr(self, "_last_output_losses", [])):
            if value is not None:
                tracker.update_state(value.value, sample_weight=batch_size)

    def train_step(self, data):
        """One optimization step on a batch `(x, y, sample_weight)`; returns the running logs."""
        x, y, sample_weight = _unpack(data)
        # In fit, unless run_eagerly: the traced step replays the forward and backward ops.
        traced = self.__dict__.get("_traced_train_step")
        if traced is not None:
            loss, y_pred, gradients, variables = traced(x, y, sample_weight)
        else:
            loss, y_pred, gradients, variables = self._forward_backward(x, y, sample_weight)
        self.optimizer.apply(gradients, variables)
        self._track_losses(loss, _batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def _forward_backward(self, x, y, sample_weight):
        """The differentiable part of a train step, eagerly: (loss, y_pred, gradients, variables)."""
        self._clear_call_losses()
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
        # After the call: a subclassed model creates its weights on its first call.
        variables = self.__dict__.get("_step_variables")
        if not variables:
            variables = self.trainable_variables
            if self.__dict__.get("_traced_train_step") is not None:
                object.__setattr__(self, "_step_variables", variables)  # fixed for the rest of fit
        return loss, y_pred, tape.gradient(loss, variables), variables

    def test_step(self, data):
        """Loss and metrics on a batch, without updating weights."""
        x, y, sample_weight = _unpack(data)
        self._clear_call_losses()
        y_pred = self(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        self._track_losses(loss, _batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        x = data[0] if isinstance(data, tuple) else data
        return self(x, training=False)

    # ---- the Keras training API --------------------------------------------------------------

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            steps_per_epoch=None, validation_steps=None, validation_batch_size=None, validation_freq=1):
        """Trains the model for `epochs` passes over the data; returns a History (`.history` dict)."""
        return loop.fit(self, x, y, batch_size, epochs, verbose, callbacks, validation_split, validation_data,
                        shuffle, class_weight, sample_weight, initial_epoch, steps_per_epoch, validation_steps,
                        validation_batch_size, validation_freq)

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict=False):
        """Loss and metrics on the data: a scalar, a list in `metrics_names` order, or a dict."""
        return loop.evaluate(self, x, y, batch_size, verbose, sample_weight, steps, callbacks, return_dict)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Outputs for `x`, computed in batches, as NumPy arrays."""
        return loop.predict(self, x, batch_size, verbose, steps, callbacks)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One update on one batch; returns the loss (and metrics) for that batch."""
        self._assert_compiled("train_on_batch")
        x, y, sample_weight = loop._prepare(self, x, y, sample_weight, "train_on_batch")
        if class_weight is not None:
            from neuroflow.training.data import class_weights_to_sample_weights
            class_sample_weight = class_weights_to_sample_weights(y, class_weight)
            sample_weight = class_sample_weight if sample_weight is None else sample_weight * class_sample_weight
        self.reset_metrics()
        logs = loop._to_float_logs(self.train_step(loop.step_data(x, y, sample_weight)))
        return self._logs_as_result(logs, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._assert_compiled("test_on_batch")
        x, y, sample_weight = loop._prepare(self, x, y, sample_weight, "test_on_batch")
        self.reset_metrics()
        logs = loop._to_float_logs(self.test_step(loop.step_data(x, y, sample_weight)))
        return self._logs_as_result(logs, return_dict)

    def predict_on_batch(self, x):
        outputs = self.predict_step(loop.data_module.standardize(x, "x"))
        flat = [backend.to_numpy(o.value) for o in nest.flatten(outputs)]
        return nest.pack_like(outputs, flat) if isinstance(outputs, (list, tuple, dict)) else flat[0]

    def _logs_as_result(self, logs, return_dict):
        if return_dict:
            return logs
        values = [logs[name] for name in self.metrics_names if name in logs]
        return values[0] if len(values) == 1 else values

    def get_layer(self, name=None, index=None):
        """A layer by name, or by its index in `model.layers`."""
        if index is not None and name is not None:
            raise ValueError("get_layer takes a name or an index, not both")
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(f"Model '{self.name}' has {len(self.layers)} layers; index {index} is out of range")
            return self.layers[index]
        if name is None:
            raise ValueError("get_layer needs a layer name or index")
        for layer in self.layers:
            if layer.name == name:
                return layer
        from neuroflow.utils.errors import unknown_name_error
        raise unknown_name_error(f"layer of model '{self.name}'", name, [layer.name for layer in self.layers])

    # ---- inspection and saving ---------------------------------------------------------------

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False):
        """Prints a Keras-style table of layers, output shapes and parameter counts."""
        from neuroflow.models.summary import summary_text
        text = summary_text(self, line_length=line_length)
        (print_fn or print)(text)

    def save(self, filepath, overwrite=True, **kwargs):
        """Saves architecture, weights and compile settings (neuroflow's zip format, or .keras)."""
        from neuroflow.saving import save_model
        save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite=True):
        from neuroflow.saving import save_weights
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch=False):
        from neuroflow.saving import load_weights
        load_weights(self, filepath, skip_mismatch=skip_mismatch)

    def get_compile_config(self):
        return compile_config.get_compile_config(self)

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable}


_functional_subclasses = {}


def _functional_subclass(cls):
    """`cls` with Functional mixed in after it: cls's overrides first, then the graph machinery."""
    from neuroflow.models.functional import Functional
    if cls not in _functional_subclasses:
        _functional_subclasses[cls] = type(cls.__name__, (cls, Functional), {"__module__": cls.__module__})
    return _functional_subclasses[cls]


def _unpack(data):
    if isinstance(data, tuple):
        if len(data) == 3:
            return data
        if len(data) == 2:
            return data[0], data[1], None
        if len(data) == 1:
            return data[0], None, None
    return data, None, None


def _batch_size(x):
    first = nest.flatten(x)[0]
    return first.shape[0] if hasattr(first, "shape") and len(first.shape) else 1

"""fit / evaluate / predict: the training loop, readable top to bottom.

    for epoch:
        for batch:                      # ArrayBatches, shuffled each epoch
            logs = model.train_step(batch)   # forward, loss, backward, update, metrics
        logs += evaluate(validation data)
"""
import contextlib
import warnings

import numpy

from neuroflow import backend
from neuroflow.callbacks import CallbackList
from neuroflow.engine.tensor import Tensor
from neuroflow.training import data as data_module
from neuroflow.utils import nest


def step_data(x, y, sample_weight):
    """What train_step / test_step receive, as in Keras: (x, y), or (x, y, sample_weight) when weighted."""
    return (x, y) if sample_weight is None else (x, y, sample_weight)


def _to_float_logs(logs):
    result = {}
    for key, value in logs.items():
        if isinstance(value, dict):
            result.update(_to_float_logs(value))
        else:
            result[key] = float(value.value if isinstance(value, Tensor) else value)
    return result


def _prepare(model, x, y, sample_weight, what, check_targets=True):
    x = data_module.standardize(x, "x")
    y = data_module.standardize(y, "y")
    sample_weight = data_module.standardize(sample_weight, "sample_weight")
    if x is None:
        raise ValueError(f"{what} needs input data `x`")
    data_module.num_samples(x, y, sample_weight)
    data_module.check_finite(x, "x")
    if y is not None and check_targets:
        data_module.check_finite(y, "y")
    x, y = _order_by_names(model, x, y)
    return x, y, sample_weight


def _order_by_names(model, x, y):
    """Dicts keyed by input / output names become lists in the model's order."""
    if isinstance(x, dict) and hasattr(model, "input_names"):
        x = model._order_input_dict(x)
    if isinstance(y, dict) and hasattr(model, "output_names"):
        missing = [name for name in model.output_names if name not in y]
        if missing:
            raise ValueError(f"y is a dict but lacks the outputs {missing}; the model's outputs are {model.output_names}")
        y = [y[name] for name in model.output_names]
    return x, y


def _batches(model, x, y, sample_weight, batch_size, shuffle, steps, what, need_targets, class_weight=None,
             prepared=False):
    """The batches of one pass: from arrays, a PyDataset or a generator (each yielding x, y, sample_weight)."""
    if data_module.is_batch_source(x):
        if y is not None or sample_weight is not None:
            raise ValueError(f"{what}: when x is a generator or a PyDataset it yields the targets itself; "
                             "do not pass y or sample_weight")
        source = data_module.batch_source(x, steps, shuffle)

        def ordered():
            for batch_x, batch_y, batch_weight in source:
                batch_x, batch_y = _order_by_names(model, batch_x, batch_y)
                if need_targets and batch_y is None:
                    raise ValueError(f"{what}: the batches from {type(x).__name__} carry no targets; "
                                     "yield (x, y) or (x, y, sample_weight)")
                if class_weight is not None:
                    weights = data_module.class_weights_to_sample_weights(batch_y, class_weight)
                    batch_weight = weights if batch_weight is None else batch_weight * weights
                yield batch_x, batch_y, batch_weight

        return _SizedBatches(ordered, source), (len(source) or None)
    if need_targets and y is None:
        raise ValueError(f"{what} needs targets `y` when x is an array")
    if not prepared:
        x, y, sample_weight = _prepare(model, x, y, sample_weight, what, check_targets=need_targets)
    if class_weight is not None:
        class_sample_weight = data_module.class_weights_to_sample_weights(y, class_weight)
        sample_weight = class_sample_weight if sample_weight is None else sample_weight * class_sample_weight
    batches = data_module.ArrayBatches(x, y, sample_weight, batch_size, shuffle=shuffle, steps=steps)
    return batches, len(batches)


class _SizedBatches:
    def __init__(self, make_iterator, source):
        self.make_iterator = make_iterator
        self.source = source

    def __iter__(self):
        return self.make_iterator()

    @property
    def exhausted(self):
        return getattr(self.source, "exhausted", False)


def fit(model, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None, validation_split=0.0,
        validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
        steps_per_epoch=None, validation_steps=None, validation_batch_size=None, validation_freq=1):
    model._assert_compiled("fit")
    verbose = 1 if verbose == "auto" else int(verbose)
    batch_size = 32 if batch_size is None else int(batch_size)
    if batch_size <= 0:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
    if not 0 <= validation_split < 1:
        raise ValueError(f"validation_split must be a float in [0, 1), got {validation_split!r}")
    if data_module.is_batch_source(x):
        if validation_split:
            raise ValueError("validation_split is only supported for array inputs; with a generator or a "
                             "PyDataset pass validation_data instead")
        batches, steps = _batches(model, x, y, sample_weight, batch_size, shuffle, steps_per_epoch, "fit", True,
                                  class_weight)
    else:
        if y is None:
            raise ValueError("fit needs targets `y` when x is an array")
        x, y, sample_weight = _prepare(model, x, y, sample_weight, "fit")
        if validation_data is None and validation_split:
            (x, y, sample_weight), validation_data = data_module.split_validation(x, y, sample_weight,
                                                                                   validation_split)
        batches, steps = _batches(model, x, y, sample_weight, batch_size, shuffle, steps_per_epoch, "fit", True,
                                  class_weight, prepared=True)
    if validation_data is not None and not data_module.is_batch_source(validation_data):
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise ValueError("validation_data must be a tuple (x_val, y_val) or (x_val, y_val, val_sample_weight), "
                             "a generator or a PyDataset")
        validation_data = tuple(validation_data) + (None,) * (3 - len(validation_data))
    callback_list = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=model,
                                 verbose=verbose, epochs=epochs, steps=steps)
    model.stop_training = False
    callback_list.on_train_begin()
    with model._fixed_structure(), _threads_for(model):
        logs = _run_epochs(model, batches, callback_list, epochs, initial_epoch, validation_data, validation_freq,
                           validation_batch_size or batch_size, validation_steps)
    # With use_ema the optimizer kept moving averages; training ends on them, as in Keras.
    model.optimizer.finalize_variable_values(model.trainable_variables)
    callback_list.on_train_end(logs)
    return model.history


def _threads_for(model):
    """ops/parallel.managed_threads() for convolutional networks, else nothing.

    A Conv1D / Conv2D network trains faster on several cores when neuroflow splits its products
    and elementwise work itself, with OpenBLAS on one thread. Layers whose work still relies on
    OpenBLAS's threads (grouped, depthwise and transposed convolutions, large Dense kernels) keep
    the default.
    """
    from neuroflow.layers.convolutional import BaseConv, Conv2DTranspose, DepthwiseConv2D
    from neuroflow.layers.core import Dense
    from neuroflow.ops import parallel

    convolutions = False
    for layer in model._flatten_layers():
        if isinstance(layer, (Conv2DTranspose, DepthwiseConv2D)) or (isinstance(layer, BaseConv) and layer.groups != 1):
            return contextlib.nullcontext()
        if isinstance(layer, Dense) and getattr(layer, "kernel", None) is not None and layer.kernel.value.size >= 1 << 20:
            return contextlib.nullcontext()
        convolutions = convolutions or isinstance(layer, BaseConv)
    return parallel.managed_threads() if convolutions else contextlib.nullcontext()


def _run_epochs(model, batches, callback_list, epochs, initial_epoch, validation_data, validation_freq,
                validation_batch_size, validation_steps):
    """The epochs of fit; returns the last epoch's logs."""
    logs = {}
    for epoch in range(initial_epoch, epochs):
        model.reset_metrics()
        callback_list.on_epoch_begin(epoch)
        for step, batch in enumerate(batches):
            callback_list.on_train_batch_begin(step)
            logs = _to_float_logs(model.train_step(step_data(*batch)))
            callback_list.on_train_batch_end(step, logs)
            if model.stop_training:
                break
        epoch_logs = dict(logs)
        if validation_data is not None and (epoch + 1) % validation_freq == 0:
            x_val, y_val, sw_val = validation_data if isinstance(validation_data, tuple) else (validation_data, None, None)
            validation_logs = evaluate(model, x_val, y_val, batch_size=validation_batch_size,
                                       sample_weight=sw_val, verbose=0, steps=validation_steps, return_dict=True,
                                       _callbacks=callback_list)
            epoch_logs.update({f"val_{key}": value for key, value in validation_logs.items()})
        callback_list.on_epoch_end(epoch, epoch_logs)
        logs = epoch_logs
        if model.stop_training:
            break
        if getattr(batches, "exhausted", False) and epoch < epochs - 1:
            warnings.warn("Your input ran out of data; interrupting training. Make sure the generator can yield "
                          "at least steps_per_epoch * epochs batches.", stacklevel=3)
            break
    return logs


def evaluate(model, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
             callbacks=None, return_dict=False, _callbacks=None):
    model._assert_compiled("evaluate")
    verbose = 1 if verbose == "auto" else int(verbose)
    batches, count = _batches(model, x, y, sample_weight, batch_size or 32, False, steps, "evaluate", True)
    callback_list = _callbacks or CallbackList(callbacks, add_progbar=verbose != 0, model=model, verbose=verbose,
                                               epochs=1, steps=count)
    model.reset_metrics()
    callback_list.on_test_begin()
    logs = {}
    for step, batch in enumerate(batches):
        callback_list.on_test_batch_begin(step)
        logs = _to_float_logs(model.test_step(step_data(*batch)))
        callback_list.on_test_batch_end(step, logs)
    callback_list.on_test_end(logs)
    if return_dict:
        return logs
    values = [logs[name] for name in model.metrics_names if name in logs]
    return values[0] if len(values) == 1 else values


def predict(model, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
    verbose = 1 if verbose == "auto" else int(verbose)
    batches, count = _batches(model, x, None, None, batch_size or 32, False, steps, "predict", False)
    callback_list = CallbackList(callbacks, add_progbar=verbose != 0, model=model, verbose=verbose, epochs=1,
                                 steps=count)
    callback_list.on_predict_begin()
    outputs = []
    for step, (batch_x, _, _) in enumerate(batches):
        callback_list.on_predict_batch_begin(step)
        batch_outputs = model.predict_step(batch_x)
        outputs.append([backend.to_numpy(o.value if isinstance(o, Tensor) else o) for o in nest.flatten(batch_outputs)])
        callback_list.on_predict_batch_end(step, {"outputs": batch_outputs})
    callback_list.on_predict_end()
    if not outputs:
        raise ValueError("predict received no samples")
    merged = [numpy.concatenate(parts, axis=0) for parts in zip(*outputs)]
    structure = batch_outputs
    return nest.pack_like(structure, merged) if isinstance(structure, (list, tuple, dict)) else merged[0]

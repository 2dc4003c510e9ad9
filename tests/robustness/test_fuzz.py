"""Issue 14: a Hypothesis fuzz over layer arguments, input shapes and dtypes, and loss/target pairs.

The properties: whatever the arguments, either the call works or it raises a ValueError / TypeError /
NotImplementedError from neuroflow's own code (a check naming what was wrong), never an exception
from inside NumPy; and a loss never broadcasts targets against predictions silently: when it
returns, its value equals the loss of the targets reshaped to the predictions' shape.
"""
import os
import traceback
import warnings

import numpy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import neuroflow
from neuroflow import layers, losses

NEUROFLOW_DIR = os.path.dirname(os.path.abspath(neuroflow.__file__))
CLEAR_ERRORS = (ValueError, TypeError, NotImplementedError)
# NEUROFLOW_FUZZ_EXAMPLES raises the bound for a longer search; the suite keeps it small and its examples fixed.
FUZZ = settings(max_examples=int(os.environ.get("NEUROFLOW_FUZZ_EXAMPLES", 80)), deadline=None,
                suppress_health_check=[HealthCheck.too_slow], derandomize="NEUROFLOW_FUZZ_EXAMPLES" not in os.environ)


def _assert_clear(error):
    """The error is a clear one, raised by neuroflow's own code (not from inside NumPy)."""
    frames = traceback.extract_tb(error.__traceback__)
    origin = frames[-1].filename if frames else ""
    where = "".join(traceback.format_tb(error.__traceback__))
    assert isinstance(error, CLEAR_ERRORS), f"{type(error).__name__} escaped: {error}\n{where}"
    assert os.path.abspath(origin).startswith(NEUROFLOW_DIR), f"{type(error).__name__} from {origin}: {error}\n{where}"


def _attempt(function):
    try:
        with warnings.catch_warnings(), numpy.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return function(), None
    except Exception as error:  # every exception is inspected by _assert_clear
        _assert_clear(error)
        return None, error


# ---- layer arguments and inputs --------------------------------------------------------------

sizes = st.one_of(st.integers(-2, 6), st.floats(-1, 4, allow_nan=False), st.sampled_from([None, "3", (2,), (2, 2)]))
activations = st.sampled_from([None, "relu", "softmax", "tanh", "relu6", "relux", 3, "linear"])
paddings = st.sampled_from(["valid", "same", "causal", "full", 1, None])
rates = st.one_of(st.floats(-1, 2, allow_nan=False), st.sampled_from([None, "0.5"]))

LAYERS = {
    "Dense": st.fixed_dictionaries({"units": sizes, "activation": activations, "use_bias": st.booleans()}),
    "Conv1D": st.fixed_dictionaries({"filters": sizes, "kernel_size": sizes, "strides": sizes, "padding": paddings}),
    "Conv2D": st.fixed_dictionaries({"filters": sizes, "kernel_size": sizes, "strides": sizes, "padding": paddings,
                                     "dilation_rate": sizes}),
    "MaxPooling2D": st.fixed_dictionaries({"pool_size": sizes, "strides": sizes, "padding": paddings}),
    "AveragePooling1D": st.fixed_dictionaries({"pool_size": sizes, "padding": paddings}),
    "Dropout": st.fixed_dictionaries({"rate": rates}),
    "Embedding": st.fixed_dictionaries({"input_dim": sizes, "output_dim": sizes}),
    "Reshape": st.fixed_dictionaries({"target_shape": st.sampled_from([(4,), (2, 2), (-1,), (3,), (-1, -1), (0,), 5])}),
    "LSTM": st.fixed_dictionaries({"units": sizes, "return_sequences": st.booleans()}),
    "SimpleRNN": st.fixed_dictionaries({"units": sizes, "dropout": rates}),
    "BatchNormalization": st.fixed_dictionaries({"axis": st.integers(-4, 4), "momentum": rates}),
    "Flatten": st.just({}),
    "GlobalAveragePooling1D": st.just({}),
}
shapes = st.lists(st.integers(0, 5), min_size=1, max_size=4).map(tuple)
dtypes = st.sampled_from(["float32", "float64", "float16", "int32", "int64", "uint8", "bool"])


@FUZZ
@given(name=st.sampled_from(sorted(LAYERS)), data=st.data(), shape=shapes, dtype=dtypes)
def test_layer_arguments_and_inputs_give_a_result_or_a_clear_error(name, data, shape, dtype):
    arguments = data.draw(LAYERS[name])
    layer, error = _attempt(lambda: getattr(layers, name)(**arguments))
    if error is not None:
        return
    x = (numpy.random.default_rng(0).random((2,) + shape) * 3).astype(dtype)
    output, error = _attempt(lambda: layer(x))
    if error is None:
        assert output.shape[0] == 2 or name == "Reshape", (name, arguments, shape, output.shape)


@FUZZ
@given(shape=st.lists(st.integers(0, 6), min_size=0, max_size=4).map(tuple), dtype=dtypes,
       method=st.sampled_from(["predict", "fit", "evaluate", "train_on_batch", "predict_on_batch"]))
def test_a_model_given_any_input_shape_or_dtype_answers_or_refuses_clearly(shape, dtype, method):
    model = neuroflow.Sequential([layers.Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    x = numpy.ones(shape, dtype=dtype)
    y = numpy.zeros(shape[:1], dtype="int64")
    if method in ("predict", "predict_on_batch"):
        result, error = _attempt(lambda: getattr(model, method)(x, **({"verbose": 0} if method == "predict" else {})))
    else:
        result, error = _attempt(lambda: getattr(model, method)(x, y, **({} if method == "train_on_batch" else {"verbose": 0})))
    # _attempt has already checked any error; an answer must be what the model computes, never a broadcast guess.
    if error is None:
        assert len(shape) == 2 and shape[0] > 0 and shape[1] == 4, (shape, dtype, method)
        if method in ("predict", "predict_on_batch"):
            assert numpy.shape(result) == (shape[0], 3)
        elif method == "fit":
            assert numpy.isfinite(result.history["loss"]).all()
        else:
            assert numpy.isfinite(result).all()


# ---- loss / target pairs ---------------------------------------------------------------------

LOSSES = ["mean_squared_error", "mean_absolute_error", "binary_crossentropy", "categorical_crossentropy",
          "sparse_categorical_crossentropy", "huber", "log_cosh", "kl_divergence", "poisson", "hinge",
          "categorical_hinge", "cosine_similarity", "mean_squared_logarithmic_error", "binary_focal_crossentropy"]
SPARSE = {"sparse_categorical_crossentropy"}


def _sparse_shape_ok(true_shape, pred_shape):
    return true_shape == pred_shape[:-1] or true_shape == pred_shape[:-1] + (1,)


@FUZZ
@given(loss=st.sampled_from(LOSSES), batch=st.integers(1, 5), classes=st.integers(1, 4),
       target_shape=st.sampled_from(["same", "flat", "column", "wider", "square", "transposed", "scalar_rows"]),
       integer_targets=st.booleans())
def test_losses_never_broadcast_targets_silently(loss, batch, classes, target_shape, integer_targets):
    generator = numpy.random.default_rng(batch * 10 + classes)
    prediction = generator.random((batch, classes)).astype("float32") * 0.8 + 0.1
    prediction /= prediction.sum(axis=1, keepdims=True)
    true_shape = {"same": (batch, classes), "flat": (batch,), "column": (batch, 1), "wider": (batch, classes + 1),
                  "square": (batch, batch), "transposed": (classes, batch), "scalar_rows": (batch, 1, 1)}[target_shape]
    target = generator.integers(0, max(classes, 2), true_shape) if integer_targets else generator.random(true_shape)
    target = target.astype("float32")
    function = losses.get(loss)
    value, error = _attempt(lambda: numpy.asarray(function(target, prediction)))
    if error is not None:
        return
    if loss in SPARSE:
        assert _sparse_shape_ok(true_shape, prediction.shape), (loss, true_shape, prediction.shape)
        return
    # It returned: the targets must have been the predictions' values reshaped, not broadcast.
    assert target.size == prediction.size, f"{loss} broadcast y_true {true_shape} against y_pred {prediction.shape}"
    expected = numpy.asarray(function(target.reshape(prediction.shape), prediction))
    numpy.testing.assert_allclose(value.reshape(expected.shape), expected, rtol=1e-5, atol=1e-6)


@FUZZ
@given(loss=st.sampled_from(LOSSES), classes=st.integers(1, 3),
       target_shape=st.sampled_from(["same", "flat", "column", "wider", "square", "scalar_rows"]),
       target_dtype=st.sampled_from(["float32", "int64", "bool", "float64"]))
def test_fit_with_any_loss_and_target_pair_trains_on_the_targets_given_or_refuses(loss, classes, target_shape,
                                                                                   target_dtype):
    batch = 4
    activation = "sigmoid" if loss in ("binary_crossentropy", "binary_focal_crossentropy") else "softmax"
    model = neuroflow.Sequential([layers.Input((2,)), layers.Dense(classes, activation=activation)])
    model.compile("sgd", loss)
    x = numpy.linspace(0, 1, batch * 2, dtype="float32").reshape(batch, 2)
    true_shape = {"same": (batch, classes), "flat": (batch,), "column": (batch, 1), "wider": (batch, classes + 1),
                  "square": (batch, batch), "scalar_rows": (batch, 1, 1)}[target_shape]
    y = (numpy.arange(numpy.prod(true_shape)).reshape(true_shape) % 2).astype(target_dtype)
    value, error = _attempt(lambda: model.evaluate(x, y, verbose=0))
    if error is not None or loss in SPARSE:
        return
    assert y.size == batch * classes, f"{loss}: evaluate accepted y {true_shape} for predictions {(batch, classes)}"
    expected = float(numpy.mean(numpy.asarray(losses.get(loss)(y.reshape(batch, classes).astype("float32"),
                                                                 model.predict(x, verbose=0)))))
    numpy.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-6)


fit_values = st.one_of(st.integers(-2, 40), st.floats(-1, 3), st.sampled_from([None, "2", True, (2,), float("nan")]))


@FUZZ
@given(arguments=st.fixed_dictionaries({}, optional={
    "batch_size": fit_values, "epochs": fit_values, "validation_split": fit_values, "steps_per_epoch": fit_values,
    "initial_epoch": fit_values, "validation_freq": fit_values, "shuffle": st.sampled_from([True, False, "batch", 3]),
    "class_weight": st.sampled_from([None, {0: 1.0, 1: 2.0}, {0: 1.0}, {"a": 1}, [1, 2], {0: -1.0, 1: 1.0}])}))
def test_fit_arguments_of_any_type_give_a_history_or_a_clear_error(arguments):
    data = numpy.random.default_rng(0)
    x, y = data.random((20, 3)).astype("float32"), (numpy.arange(20) % 2).astype("float32")
    model = neuroflow.Sequential([layers.Input((3,)), layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy")
    if isinstance(arguments.get("epochs"), int) and arguments["epochs"] > 3:
        arguments["epochs"] = 3  # keep each example fast
    history, error = _attempt(lambda: model.fit(x, y, verbose=0, **arguments))
    if error is None:
        assert all(numpy.isfinite(weight).all() for weight in model.get_weights())

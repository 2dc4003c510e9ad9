"""Mixed precision (keras.mixed_precision): float32 variables, float16 computations, loss scaling.

The reference is Keras 3's documented behaviour: under 'mixed_float16' a layer creates float32
variables, casts its floating inputs to float16 and reads its variables as float16 inside its call;
its outputs are float16, a layer with dtype='float32' computes in float32, losses and metrics
compute in float32, and compile wraps the optimizer in a LossScaleOptimizer.
"""
import contextlib
import json
import pathlib
import warnings
import zipfile

import h5py
import numpy
import pytest

import neuroflow as nf
from neuroflow import backend, layers, mixed_precision
from neuroflow.dtype_policies import DTypePolicy
from neuroflow.engine.tape import GradientTape
from neuroflow.optimizers import LossScaleOptimizer
from neuroflow.testing import device_standin

sklearn_datasets = pytest.importorskip("sklearn.datasets")

# Saved by Keras 3 under 'mixed_float16' (tests/saving/fixtures/make_mixed_precision_fixture.py).
KERAS_FIXTURE = pathlib.Path(__file__).parent / "saving" / "fixtures" / "mixed_float16_mlp"


@pytest.fixture(autouse=True)
def _float32_policy_after():
    """Every test leaves the global policy as it found it: float32, following floatx."""
    yield
    nf.dtype_policies.reset_dtype_policy()
    assert mixed_precision.global_policy().name == "float32"


@pytest.fixture
def mixed():
    mixed_precision.set_global_policy("mixed_float16")


def _mlp(inputs=20, hidden=32, classes=10):
    # The usual Keras recipe: a float32 softmax at the end, so the probabilities are float32.
    return nf.Sequential([layers.Input((inputs,)), layers.Dense(hidden, activation="relu"), layers.Dense(classes),
                          layers.Activation("softmax", dtype="float32")])


def _convnet(size=8, classes=10):
    return nf.Sequential([layers.Input((size, size, 1)), layers.Conv2D(16, 3, activation="relu", padding="same"),
                          layers.BatchNormalization(), layers.MaxPooling2D(), layers.Flatten(), layers.Dense(classes),
                          layers.Activation("softmax", dtype="float32")])


def _batch(rows=64, features=20, classes=10, seed=0):
    rng = numpy.random.default_rng(seed)
    return rng.random((rows, features), dtype=numpy.float32), rng.integers(0, classes, rows)


# ---- what a layer keeps and computes in -------------------------------------------------------------------------

def test_variables_float32_outputs_float16_final_float32_layer_float32(mixed):
    model = _mlp()
    x, _ = _batch()
    assert [w.dtype for w in model.weights] == ["float32"] * 4
    hidden, logits, softmax = model.layers
    assert (hidden.dtype, hidden.compute_dtype, hidden.variable_dtype) == ("float32", "float16", "float32")
    assert hidden.dtype_policy == DTypePolicy("mixed_float16")
    assert softmax.dtype_policy.name == "float32" and softmax.compute_dtype == "float32"
    h = hidden(x)
    assert h.dtype == "float16"
    assert logits(h).dtype == "float16"
    assert softmax(logits(h)).dtype == "float32"
    assert model(x).dtype == "float32"
    # float16 computation: the hidden layer equals its float16 arithmetic, not the float32 one.
    kernel16, bias16 = hidden.kernel.numpy().astype("float16"), hidden.bias.numpy().astype("float16")
    expected = numpy.maximum(x.astype("float16") @ kernel16 + bias16, 0)
    numpy.testing.assert_allclose(h.numpy(), expected, rtol=2e-3, atol=2e-3)


def test_gradients_reach_the_float32_variables_as_float32_and_match_float32_training(mixed):
    model = _mlp()
    x, y = _batch()
    loss_fn = nf.losses.SparseCategoricalCrossentropy()
    with GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    assert loss.dtype == "float32"  # losses compute in float32
    assert [g.dtype for g in grads] == ["float32"] * 4
    assert all(numpy.isfinite(g.numpy()).all() for g in grads)
    # The same weights in float32: the mixed gradients are the float32 ones to float16 accuracy.
    nf.dtype_policies.reset_dtype_policy()
    reference = _mlp()
    reference.set_weights(model.get_weights())
    with GradientTape() as tape:
        reference_loss = loss_fn(y, reference(x, training=True))
    for mixed_grad, grad in zip(grads, tape.gradient(reference_loss, reference.trainable_variables)):
        # As a whole, not element by element: a ReLU whose input is within float16's rounding of 0
        # switches, and moves its unit's column of the first kernel's gradient.
        difference = numpy.linalg.norm(mixed_grad.numpy() - grad.numpy()) / numpy.linalg.norm(grad.numpy())
        assert difference < 0.05
    assert abs(float(loss) - float(reference_loss)) < 1e-2


def test_layer_dtype_argument_takes_a_policy_under_a_float32_global_policy():
    by_name = layers.Dense(4, dtype="mixed_float16")
    by_policy = layers.Dense(4, dtype=DTypePolicy("mixed_float16"))
    by_dict = layers.Dense(4, dtype=nf.dtype_policies.serialize(DTypePolicy("mixed_float16")))
    x = numpy.ones((2, 3), dtype="float32")
    for layer in (by_name, by_policy, by_dict):
        assert layer(x).dtype == "float16"
        assert layer.kernel.dtype == "float32" and layer.get_config()["dtype"] == "mixed_float16"
    plain = layers.Dense(4)
    assert plain(x).dtype == "float32" and plain.get_config()["dtype"] == "float32"
    assert layers.Dense(4, dtype="float16")(x).dtype == "float16"


def test_integer_inputs_are_not_cast_and_embedding_outputs_float16(mixed):
    embedding = layers.Embedding(50, 8)
    ids = numpy.array([[1, 2, 3], [4, 5, 0]], dtype="int32")
    out = embedding(ids)
    assert out.dtype == "float16" and embedding.embeddings.dtype == "float32"
    numpy.testing.assert_array_equal(out.numpy(), embedding.embeddings.numpy()[ids].astype("float16"))


def test_batch_normalization_normalizes_in_float32_and_returns_float16(mixed):
    layer = layers.BatchNormalization()
    # Squares past float16's largest value (65504): a float16 variance would be inf.
    x = numpy.random.default_rng(0).normal(300.0, 200.0, size=(64, 3)).astype("float32")
    out = layer(x, training=True)
    assert out.dtype == "float16" and layer.moving_variance.dtype == "float32"
    assert numpy.isfinite(out.numpy()).all() and numpy.isfinite(layer.moving_variance.numpy()).all()
    numpy.testing.assert_allclose(out.numpy().std(axis=0), 1.0, atol=1e-2)


def test_functional_model_placeholders_carry_the_compute_dtype(mixed):
    inputs = layers.Input((12,), dtype="int32")
    h = layers.Embedding(100, 8)(inputs)
    assert h.dtype == "float16"
    h = layers.LSTM(16)(h)
    assert h.dtype == "float16"
    outputs = layers.Dense(2, activation="softmax", dtype="float32")(h)
    assert outputs.dtype == "float32"
    model = nf.Model(inputs, outputs)
    ids = numpy.random.default_rng(0).integers(0, 100, (4, 12))
    assert model(ids).dtype == "float32"
    assert all(w.dtype == "float32" for w in model.weights)


def test_mixed_bfloat16_layer_is_refused_naming_the_layer_and_what_is_missing():
    with pytest.raises(NotImplementedError, match="'mixed_bfloat16' of layer 'bf'.*(NumPy|CuPy) has no bfloat16"):
        layers.Dense(2, dtype="mixed_bfloat16", name="bf")
    with device_standin.use_standin():
        with pytest.raises(NotImplementedError, match="CuPy has no bfloat16"):
            mixed_precision.set_global_policy("mixed_bfloat16")


# ---- compile, fit and loss scaling ------------------------------------------------------------------------------

def test_compile_wraps_the_optimizer_in_a_loss_scale_optimizer(mixed):
    model = _mlp()
    model.compile(nf.optimizers.Adam(0.01), "sparse_categorical_crossentropy")
    assert isinstance(model.optimizer, LossScaleOptimizer) and model.optimizer.name == "loss_scale_optimizer"
    assert isinstance(model.optimizer.inner_optimizer, nf.optimizers.Adam)
    given = LossScaleOptimizer(nf.optimizers.SGD(), initial_scale=8.0)
    model.compile(given, "sparse_categorical_crossentropy")
    assert model.optimizer is given
    model.compile("sgd", "sparse_categorical_crossentropy", auto_scale_loss=False)
    assert isinstance(model.optimizer, nf.optimizers.SGD)
    nf.dtype_policies.reset_dtype_policy()
    float32_model = _mlp()
    float32_model.compile("sgd", "sparse_categorical_crossentropy")
    assert isinstance(float32_model.optimizer, nf.optimizers.SGD)


def test_fit_logs_are_float32_and_the_loss_is_the_unscaled_one(mixed):
    model = _mlp()
    x, y = _batch()
    model.compile(nf.optimizers.SGD(0.0), "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=64, epochs=1, verbose=0)
    # With a learning rate of 0 the weights stay: the logged loss is the model's loss on the batch,
    # not that loss times the 2 ** 15 scale.
    expected = float(nf.losses.sparse_categorical_crossentropy(y, model(x)).numpy().mean())
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-5)
    assert model.compute_loss(x, y, model(x)).dtype == "float32"
    assert [metric.result().dtype for metric in model.metrics[:1]] == ["float32"]  # the loss tracker's state


def test_loss_scale_halves_on_overflow_and_grows_after_finite_steps(mixed):
    model = _mlp()
    x, y = _batch()
    # 2 ** 40 times the loss overflows float16 in the backward pass: those steps are skipped.
    optimizer = LossScaleOptimizer(nf.optimizers.SGD(0.1), initial_scale=2.0 ** 40, dynamic_growth_steps=2)
    model.compile(optimizer, "sparse_categorical_crossentropy")
    before = model.get_weights()
    model.train_on_batch(x, y)
    assert float(optimizer.dynamic_scale.value) == 2.0 ** 39
    for old, new in zip(before, model.get_weights()):
        numpy.testing.assert_array_equal(old, new)  # the overflowing step changed nothing
    assert int(optimizer.iterations) == 0
    optimizer.dynamic_scale.assign(2.0 ** 4)
    model.train_on_batch(x, y)
    assert float(optimizer.dynamic_scale.value) == 2.0 ** 4
    model.train_on_batch(x, y)
    assert float(optimizer.dynamic_scale.value) == 2.0 ** 5  # doubled after 2 finite steps in a row
    assert int(optimizer.iterations) == 2
    assert all(numpy.isfinite(w).all() for w in model.get_weights())
    assert any(not numpy.array_equal(old, new) for old, new in zip(before, model.get_weights()))


def test_traced_and_eager_mixed_steps_give_identical_weights(mixed):
    x, y = _batch(rows=128)
    weights = []
    for run_eagerly in (False, True):
        nf.set_random_seed(3)
        model = _mlp()
        model.compile(nf.optimizers.Adam(0.01), "sparse_categorical_crossentropy", run_eagerly=run_eagerly)
        model.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0)
        weights.append(model.get_weights())
    for traced, eager in zip(*weights):
        numpy.testing.assert_array_equal(traced, eager)


def _digits(conv):
    digits = sklearn_datasets.load_digits()   # 1797 real 8x8 handwritten digits, a small MNIST
    x = (digits.data / 16.0).astype("float32")
    if conv:
        x = x.reshape(-1, 8, 8, 1)
    return (x[:1400], digits.target[:1400]), (x[1400:], digits.target[1400:])


def _digits_accuracy(policy, conv):
    mixed_precision.set_global_policy(policy)
    nf.set_random_seed(0)
    (x, y), (x_test, y_test) = _digits(conv)
    model = _convnet() if conv else _mlp(inputs=64, hidden=64)
    model.compile(nf.optimizers.Adam(0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=64, epochs=5, verbose=0)
    assert all(w.dtype == "float32" for w in model.weights)
    return model.evaluate(x_test, y_test, verbose=0, return_dict=True)["accuracy"]


@pytest.mark.parametrize("conv", [False, True], ids=["dense", "conv2d"])
def test_mixed_float16_reaches_float32_accuracy_on_digits(conv):
    float32_accuracy = _digits_accuracy("float32", conv)
    mixed_accuracy = _digits_accuracy("mixed_float16", conv)
    assert float32_accuracy > 0.8
    assert abs(mixed_accuracy - float32_accuracy) < 0.03, (mixed_accuracy, float32_accuracy)


def test_mixed_training_on_the_standin_device_equals_numpy(mixed):
    x, y = _batch(rows=128)
    results = []
    for device in (False, True):
        nf.set_random_seed(5)
        with device_standin.use_standin() if device else contextlib.nullcontext():
            model = _mlp()
            model.compile(nf.optimizers.Adam(0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
            history = model.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0)
            assert not device or not isinstance(model.weights[0].value, numpy.ndarray)
            assert model.layers[0](backend.to_device(x)).dtype == "float16"
            results.append((history.history["loss"], model.get_weights(), float(model.optimizer.dynamic_scale.value)))
    (host_loss, host_weights, host_scale), (device_loss, device_weights, device_scale) = results
    assert host_loss == device_loss and host_scale == device_scale
    for host, device in zip(host_weights, device_weights):
        numpy.testing.assert_array_equal(host, device)


# ---- saving -----------------------------------------------------------------------------------------------------

def test_saved_mixed_model_loads_with_its_policies_and_predicts_the_same(mixed, tmp_path):
    model = _mlp()
    x, y = _batch()
    model.compile(nf.optimizers.Adam(0.01), "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, verbose=0)
    model.optimizer.dynamic_scale.assign(1024.0)   # not the initial scale, so that loading must restore it
    path = tmp_path / "mixed.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
        with archive.open("model.weights.h5") as weights_file, h5py.File(weights_file) as weights:
            dtypes = set()
            weights.visititems(lambda name, item: dtypes.add(str(item.dtype)) if isinstance(item, h5py.Dataset) else None)
    assert config["config"]["layers"][1]["config"]["dtype"] == {
        "module": "keras", "class_name": "DTypePolicy", "config": {"name": "mixed_float16"}, "registered_name": None}
    assert config["config"]["layers"][3]["config"]["dtype"]["config"]["name"] == "float32"
    assert config["compile_config"]["optimizer"]["class_name"] == "LossScaleOptimizer"
    assert "float16" not in dtypes and "float32" in dtypes
    nf.dtype_policies.reset_dtype_policy()   # loads under a float32 global policy: the file's policies win
    loaded = nf.models.load_model(path)
    assert [layer.dtype_policy.name for layer in loaded.layers] == ["mixed_float16", "mixed_float16", "float32"]
    assert [w.dtype for w in loaded.weights] == ["float32"] * 4
    assert isinstance(loaded.optimizer, LossScaleOptimizer)
    assert float(loaded.optimizer.dynamic_scale.value) == 1024.0
    assert (loaded.optimizer.step_counter, int(loaded.optimizer.iterations)) == (4, 4)
    for saved, restored in zip(model.optimizer.inner_optimizer.variables, loaded.optimizer.inner_optimizer.variables):
        numpy.testing.assert_array_equal(saved.numpy(), restored.numpy())
    assert loaded.layers[0](x).dtype == "float16"
    numpy.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


# ---- the layer families under mixed_float16 ---------------------------------------------------------------------

FAMILIES = {
    "SimpleRNN": (lambda: layers.SimpleRNN(8), (4, 5, 3)),
    "GRU": (lambda: layers.GRU(8, return_sequences=True), (4, 5, 3)),
    "LSTM": (lambda: layers.LSTM(8), (4, 5, 3)),
    "RNN(LSTMCell)": (lambda: layers.RNN(layers.LSTMCell(8)), (4, 5, 3)),
    "ConvLSTM2D": (lambda: layers.ConvLSTM2D(4, 3, padding="same"), (2, 3, 6, 6, 2)),
    "Conv1D": (lambda: layers.Conv1D(4, 3), (4, 10, 3)),
    "Conv2DTranspose": (lambda: layers.Conv2DTranspose(4, 3), (2, 6, 6, 2)),
    "SeparableConv2D": (lambda: layers.SeparableConv2D(4, 3), (2, 6, 6, 2)),
    "LayerNormalization": (lambda: layers.LayerNormalization(), (4, 6)),
    "PReLU": (lambda: layers.PReLU(alpha_initializer="random_uniform"), (4, 6)),
    "MultiHeadAttention": (lambda: layers.MultiHeadAttention(2, 4), (2, 5, 8)),
}


@pytest.mark.parametrize("family", list(FAMILIES))
def test_layer_family_computes_in_float16_with_float32_weights_and_gradients(family):
    make, shape = FAMILIES[family]
    x = numpy.random.default_rng(0).random(shape, dtype=numpy.float32) - 0.5

    def run(layer):
        inputs = (x, x) if family == "MultiHeadAttention" else (x,)
        with GradientTape() as tape:
            y = layer(*inputs)
            loss = nf.ops.sum(nf.ops.square(nf.ops.cast(y, "float32")))
        return y, tape.gradient(loss, layer.trainable_variables)

    reference = make()
    reference_output, reference_grads = run(reference)
    mixed_precision.set_global_policy("mixed_float16")
    layer = make()
    run(layer)   # builds it
    layer.set_weights(reference.get_weights())
    output, grads = run(layer)
    assert output.dtype == "float16" and {w.dtype for w in layer.weights} == {"float32"}
    assert [g.dtype for g in grads] == ["float32"] * len(reference_grads)
    numpy.testing.assert_allclose(output.numpy(), reference_output.numpy(), atol=2e-2 * numpy.abs(
        reference_output.numpy()).max())
    # A gradient that is 0 in exact arithmetic (MultiHeadAttention's key bias: softmax ignores a
    # shift) is float16 rounding noise, so the floor scales with the largest gradient.
    floor = 1e-3 * max(numpy.linalg.norm(g.numpy()) for g in reference_grads)
    for grad, reference_grad in zip(grads, reference_grads):
        difference = numpy.linalg.norm(grad.numpy() - reference_grad.numpy())
        assert difference <= 3e-2 * numpy.linalg.norm(reference_grad.numpy()) + floor


def test_a_model_keras_saved_under_mixed_float16_loads_with_its_loss_scale_state(mixed):
    model = nf.models.load_model(str(KERAS_FIXTURE) + ".keras")
    expected = numpy.load(str(KERAS_FIXTURE) + ".npz")
    assert [layer.dtype_policy.name for layer in model.layers] == ["mixed_float16", "mixed_float16", "float32"]
    assert [w.dtype for w in model.weights] == ["float32"] * 4
    optimizer = model.optimizer
    # Keras compiled it with Adam, wrapped in a LossScaleOptimizer because the policy is mixed_float16.
    assert isinstance(optimizer, LossScaleOptimizer) and isinstance(optimizer.inner_optimizer, nf.optimizers.Adam)
    assert (float(optimizer.dynamic_scale.value), optimizer.step_counter, int(optimizer.iterations)) == (32768.0, 4, 4)
    assert any(numpy.abs(slot.numpy()).max() > 0 for slot in optimizer.inner_optimizer.variables[2:])
    numpy.testing.assert_allclose(model.predict(expected["x0"], verbose=0), expected["y0"], atol=1e-3)


def test_under_a_float32_global_policy_the_keras_file_compiles_as_keras_does():
    # Keras' own load_model: the Sequential takes the global policy (float32), so compile keeps Adam
    # and the loss-scale optimizer's saved state does not fit it (Keras warns the same way).
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = nf.models.load_model(str(KERAS_FIXTURE) + ".keras")
    assert type(model.optimizer) is nf.optimizers.Adam
    assert any("Not restoring the state of optimizer" in str(w.message) for w in caught)
    assert model.layers[0].dtype_policy.name == "mixed_float16"
    expected = numpy.load(str(KERAS_FIXTURE) + ".npz")
    numpy.testing.assert_allclose(model.predict(expected["x0"], verbose=0), expected["y0"], atol=1e-3)


@pytest.mark.parametrize("suffix", [".keras", ".h5", ".nfz"], ids=["keras", "legacy_h5", "native"])
def test_every_format_round_trips_the_policies_and_the_loss_scale_state(mixed, tmp_path, suffix):
    model = _mlp()
    x, y = _batch()
    model.compile(nf.optimizers.Adam(0.01), "sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    model.optimizer.dynamic_scale.assign(2048.0)
    path = tmp_path / f"mixed{suffix}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # .h5 is Keras' legacy format, which the save says
        model.save(path)
    nf.dtype_policies.reset_dtype_policy()
    loaded = nf.models.load_model(path)
    assert [layer.dtype_policy.name for layer in loaded.layers] == ["mixed_float16", "mixed_float16", "float32"]
    assert isinstance(loaded.optimizer, LossScaleOptimizer)
    assert (float(loaded.optimizer.dynamic_scale.value), loaded.optimizer.step_counter,
            int(loaded.optimizer.iterations)) == (2048.0, 4, 4)
    for saved, restored in zip(model.optimizer.inner_optimizer.variables, loaded.optimizer.inner_optimizer.variables):
        numpy.testing.assert_array_equal(saved.numpy(), restored.numpy())
    numpy.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))

"""fit's traced train step: replayed steps must train exactly as eager ones, and refuse what they cannot see."""
import numpy
import pytest

import neuroflow
from neuroflow import layers, models, ops
from neuroflow.engine import trace
from neuroflow.training import traced_step


@pytest.fixture
def replays(monkeypatch):
    """Counts replayed steps, and collects the reasons traces were refused."""
    counts = {"replayed": 0, "refusals": []}
    run = trace.Program.run

    def counting_run(self, leaves):
        counts["replayed"] += 1
        return run(self, leaves)

    stay_eager = traced_step.TracedTrainStep._stay_eager

    def recording_stay_eager(self, signature, reason):
        counts["refusals"].append(reason)
        stay_eager(self, signature, reason)

    monkeypatch.setattr(trace.Program, "run", counting_run)
    monkeypatch.setattr(traced_step.TracedTrainStep, "_stay_eager", recording_stay_eager)
    return counts


def _fit_twice(build, x, y, epochs=3, batch_size=32, **fit_kwargs):
    """Trains the same seeded model traced and eagerly; returns (traced, eager) weights and histories."""
    results = []
    for run_eagerly in (False, True):
        neuroflow.utils.set_random_seed(7)
        model = build()
        model.compile(optimizer="adam", loss=fit_kwargs.pop("loss", None) or model._test_loss,
                      metrics=["accuracy"], run_eagerly=run_eagerly)
        history = model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0, **dict(fit_kwargs))
        results.append(([w.copy() for w in model.get_weights()], history.history))
    return results


def _assert_identical(traced, eager):
    (traced_weights, traced_history), (eager_weights, eager_history) = traced, eager
    assert len(traced_weights) == len(eager_weights)
    for a, b in zip(traced_weights, eager_weights):
        numpy.testing.assert_array_equal(a, b)
    assert traced_history == eager_history


def _mlp(dropout=0.0):
    def build():
        model = models.Sequential([
            layers.Dense(16, activation="relu", kernel_regularizer="l2", input_shape=(12,)),
            layers.Dropout(dropout),
            layers.Dense(16, activation="tanh", activity_regularizer="l1"),
            layers.Dense(4, activation="softmax"),
        ])
        model._test_loss = "sparse_categorical_crossentropy"
        return model
    return build


def _classification(rng, count=200, features=12, dtype="float32"):
    x = rng.normal(size=(count, features)).astype(dtype)
    y = (x[:, 0] > 0).astype("int64") + 2 * (x[:, 1] > 0).astype("int64")
    return x, y


@pytest.mark.parametrize("dropout", [0.0, 0.4])
def test_replayed_training_is_bit_identical_to_eager(rng, replays, dropout):
    x, y = _classification(rng)
    traced, eager = _fit_twice(_mlp(dropout), x, y)
    _assert_identical(traced, eager)
    # 200 samples in batches of 32: six full batches and one of 8 per epoch. Each shape is traced
    # twice, then replayed: 18 - 2 full-batch replays and 3 - 2 for the short batch.
    assert replays["replayed"] == 17
    assert replays["refusals"] == []


def test_float64_data_and_sample_weights_replay_identically(rng, replays):
    x, y = _classification(rng, dtype="float64")
    weights = rng.uniform(0.5, 2.0, size=len(x))
    traced, eager = _fit_twice(_mlp(0.2), x, y, sample_weight=weights)
    _assert_identical(traced, eager)
    assert replays["replayed"] > 0 and replays["refusals"] == []


def test_functional_model_with_two_outputs_replays_identically(rng, replays):
    def build():
        inputs = layers.Input(shape=(12,))
        hidden = layers.Dense(8, activation="relu")(inputs)
        first = layers.Dense(4, activation="softmax", name="first")(hidden)
        second = layers.Dense(1, name="second")(layers.Concatenate()([hidden, inputs]))
        model = models.Model(inputs, [first, second])
        model._test_loss = ["sparse_categorical_crossentropy", "mse"]
        return model

    x, y = _classification(rng)
    targets = [y, x[:, :1] * 2.0]
    results = []
    for run_eagerly in (False, True):
        neuroflow.utils.set_random_seed(3)
        model = build()
        model.compile(optimizer="rmsprop", loss=model._test_loss, loss_weights=[1.0, 0.5],
                      metrics=[["accuracy"], ["mae"]], run_eagerly=run_eagerly)
        history = model.fit(x, targets, epochs=2, batch_size=50, verbose=0)
        results.append(([w.copy() for w in model.get_weights()], history.history))
    _assert_identical(*results)
    assert "first_loss" in results[0][1] and "second_mae" in results[0][1]
    assert replays["replayed"] == 8 - 2


def test_batch_normalization_is_refused_and_stays_eager(rng, replays):
    def build():
        model = models.Sequential([layers.Dense(8, input_shape=(12,)), layers.BatchNormalization(),
                                   layers.Dense(4, activation="softmax")])
        model._test_loss = "sparse_categorical_crossentropy"
        return model

    x, y = _classification(rng)
    traced, eager = _fit_twice(build, x, y, epochs=2)
    _assert_identical(traced, eager)
    assert replays["replayed"] == 0
    assert any("moving_mean" in reason or "assigned" in reason for reason in replays["refusals"])


class _DataDependentMask(layers.Layer):
    """Zeroes negative inputs with a mask computed in NumPy, outside any op: a tracer cannot see it."""

    def call(self, inputs):
        return ops.multiply(inputs, neuroflow.Tensor((inputs.value > 0).astype(inputs.value.dtype)))


def test_array_computed_outside_ops_from_the_batch_keeps_the_step_eager(rng, replays):
    def build():
        model = models.Sequential([layers.Dense(8, input_shape=(12,)), _DataDependentMask(),
                                   layers.Dense(4, activation="softmax")])
        model._test_loss = "sparse_categorical_crossentropy"
        return model

    x, y = _classification(rng)
    traced, eager = _fit_twice(build, x, y, epochs=2)
    _assert_identical(traced, eager)
    assert replays["replayed"] == 0
    assert any("outside any op" in reason for reason in replays["refusals"])


def test_out_of_range_label_in_a_replayed_batch_still_gets_the_clear_error(rng):
    x, y = _classification(rng, count=192)
    y[-1] = 9  # in the last batch of the first epoch: by then the full-batch step is replayed
    model = _mlp()()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"labels in \[0, 4\).*\[9\]"):
        model.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0)


def test_a_custom_train_step_is_left_alone(rng, replays):
    calls = []

    class Counting(models.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(4, activation="softmax")

        def call(self, inputs):
            return self.dense(inputs)

        def train_step(self, data):
            calls.append(1)
            x, y = data
            with neuroflow.GradientTape() as tape:
                loss = self.compute_loss(x, y, self(x, training=True))
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply(grads, self.trainable_variables)
            return {"loss": loss}

    x, y = _classification(rng)
    model = Counting()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=40, verbose=0)
    assert len(calls) == 10 and replays["replayed"] == 0


def test_subclassed_model_built_on_its_first_step_is_replayed(rng, replays):
    class TwoLayer(models.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(8, activation="relu")
            self.out = layers.Dense(4, activation="softmax")

        def call(self, inputs, training=False):
            return self.out(self.hidden(inputs))

    x, y = _classification(rng)
    results = []
    for run_eagerly in (False, True):
        neuroflow.utils.set_random_seed(5)
        model = TwoLayer()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", run_eagerly=run_eagerly)
        history = model.fit(x, y, epochs=3, batch_size=40, verbose=0)
        results.append(([w.copy() for w in model.get_weights()], history.history))
    _assert_identical(*results)
    assert len(results[0][0]) == 4
    assert replays["replayed"] > 0


def test_shapes_changing_every_batch_stop_being_traced(rng, monkeypatch):
    traced_signatures = []
    trace_once = traced_step.TracedTrainStep._trace

    def recording_trace(self, signature, *args):
        traced_signatures.append(signature)
        return trace_once(self, signature, *args)

    monkeypatch.setattr(traced_step.TracedTrainStep, "_trace", recording_trace)
    x, y = _classification(rng, count=800)

    def batches():
        start = 0
        for size in range(5, 40):  # 35 batches, each of a new size (770 samples in all)
            yield x[start:start + size], y[start:start + size]
            start += size

    model = _mlp()()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(batches(), epochs=1, steps_per_epoch=35, verbose=0)
    assert len(set(traced_signatures)) == traced_step.MAX_SIGNATURES


@pytest.mark.parametrize("recurrent", ["lstm", "gru"])
def test_recurrent_models_with_dropout_replay_identically(rng, replays, recurrent):
    def build():
        cell = layers.LSTM if recurrent == "lstm" else layers.GRU
        model = models.Sequential([layers.Input((9,)), layers.Embedding(20, 6),
                                   cell(5, dropout=0.2, recurrent_dropout=0.3), layers.Dense(1, activation="sigmoid")])
        model._test_loss = "binary_crossentropy"
        return model

    x = rng.integers(1, 20, size=(64, 9))
    y = (x[:, 0] > 10).astype("float32")
    traced, eager = _fit_twice(build, x, y, epochs=2, batch_size=16)
    _assert_identical(traced, eager)
    assert replays["replayed"] == 8 - 2 and replays["refusals"] == []


def test_metric_updated_inside_compute_loss_keeps_the_step_eager(rng, replays):
    class Tracked(models.Sequential):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            loss = super().compute_loss(x, y, y_pred, sample_weight, training)
            self.loss_seen.update_state(loss)  # runs on every step only if the step is eager
            return loss

    x, y = _classification(rng)
    model = Tracked([layers.Dense(4, activation="softmax", input_shape=(12,))])
    model.loss_seen = neuroflow.metrics.Mean()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=50, verbose=0)
    assert int(model.loss_seen.count.numpy()) == 8  # every batch of both epochs
    assert replays["replayed"] == 0
    assert any("loss_seen" in reason or "mean" in reason for reason in replays["refusals"])


class _FrozenBranch(layers.Layer):
    """Adds a term computed under no_grad: the kernel before it gets no gradient through that term."""

    def call(self, inputs):
        with neuroflow.engine.no_grad():
            frozen = ops.multiply(inputs, 3.0)
        return ops.add(inputs, frozen)


def test_ops_under_no_grad_get_no_gradient_in_replays_either(rng, replays):
    def build():
        model = models.Sequential([layers.Dense(6, input_shape=(12,)), _FrozenBranch(),
                                   layers.Dense(4, activation="softmax")])
        model._test_loss = "sparse_categorical_crossentropy"
        return model

    x, y = _classification(rng)
    traced, eager = _fit_twice(build, x, y, epochs=2)
    _assert_identical(traced, eager)
    assert replays["replayed"] > 0


def test_the_traced_step_is_kept_from_compile_to_the_next_compile(rng, monkeypatch):
    traces = []
    trace_once = traced_step.TracedTrainStep._trace

    def counting_trace(self, signature, *args):
        traces.append(signature)
        return trace_once(self, signature, *args)

    monkeypatch.setattr(traced_step.TracedTrainStep, "_trace", counting_trace)
    x, y = _classification(rng, count=64)
    model = _mlp()()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    kept = model._compiled_traced_step
    assert kept is not None and len(traces) == 2  # one shape, traced twice, then kept
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    assert model._compiled_traced_step is kept and len(traces) == 2  # the second fit only replays
    model.layers[0].trainable = False  # another variable list: the kept programs are forgotten
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    assert model._compiled_traced_step is kept and len(traces) == 4
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    assert model._compiled_traced_step is not kept and len(traces) == 6  # recompiled: traced anew


def test_fits_reusing_the_traced_step_train_as_eager_ones(rng):
    x, y = _classification(rng)
    results = []
    for run_eagerly in (False, True):
        neuroflow.utils.set_random_seed(11)
        model = _mlp(0.3)()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                      run_eagerly=run_eagerly)
        histories = [model.fit(x, y, epochs=2, batch_size=32, verbose=0).history for _ in range(2)]
        model.layers[0].trainable = False
        histories.append(model.fit(x, y, epochs=1, batch_size=32, verbose=0).history)
        results.append(([w.copy() for w in model.get_weights()], histories))
    _assert_identical(*results)


@pytest.mark.parametrize("cell", ["simple", "lstm", "gru"])
def test_rnn_layer_over_a_cell_is_replayed_identically(rng, replays, cell):
    cells = {"simple": layers.SimpleRNNCell, "lstm": layers.LSTMCell, "gru": layers.GRUCell}

    def build():
        model = models.Sequential([layers.Input((7, 3)), layers.RNN(cells[cell](4)), layers.Dense(1, activation="sigmoid")])
        model._test_loss = "binary_crossentropy"
        return model

    x = rng.normal(size=(64, 7, 3)).astype("float32")
    y = (x[:, 0, 0] > 0).astype("float32")
    traced, eager = _fit_twice(build, x, y, epochs=2, batch_size=16)
    _assert_identical(traced, eager)
    assert replays["replayed"] == 8 - 2 and replays["refusals"] == []


# ---- loss scaling: fit scales the loss before the gradients, apply unscales them (Keras' train steps) -----------

# Keras 3.15.1 (torch backend) on the program of _fit_scaled, recorded by hand from
# `keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, kernel_initializer="zeros")])`.
_KERAS_SGD_WEIGHTS = [[0.4140053689479828], [0.42427507042884827], [0.4066348373889923]], [0.7236214876174927]
_KERAS_SGD_LOSSES = [1.884653091430664, 0.31977954506874084]
# The same with LossScaleOptimizer(SGD(0.1), initial_scale=2 ** 127, dynamic_growth_steps=2): the
# first step overflows and is skipped, so only 3 of the 4 steps update.
_KERAS_SCALED_WEIGHTS = [[0.4078634977340698], [0.3618735373020172], [0.3815127909183502]], [0.6464441418647766]
_KERAS_SCALED_LOSSES = [2.7024316787719727, 0.6714212894439697]


def _fit_scaled(optimizer, run_eagerly):
    rng = numpy.random.default_rng(0)
    x = rng.random((16, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = models.Sequential([neuroflow.Input((3,)), layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=optimizer, loss="mse", run_eagerly=run_eagerly)
    history = model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    return model, history.history["loss"]


@pytest.mark.parametrize("run_eagerly", [False, True])
def test_loss_scale_factor_leaves_the_step_unchanged(run_eagerly, replays):
    # Before fit scaled the loss, apply's division alone made every step 4 times too small.
    model, losses = _fit_scaled(neuroflow.optimizers.SGD(0.1, loss_scale_factor=4.0), run_eagerly)
    kernel, bias = model.get_weights()
    numpy.testing.assert_allclose(kernel, _KERAS_SGD_WEIGHTS[0], rtol=1e-6)
    numpy.testing.assert_allclose(bias, _KERAS_SGD_WEIGHTS[1], rtol=1e-6)
    numpy.testing.assert_allclose(losses, _KERAS_SGD_LOSSES, rtol=1e-6)   # the unscaled loss is tracked
    assert replays["replayed"] == (0 if run_eagerly else 2) and not replays["refusals"]


@pytest.mark.parametrize("run_eagerly", [False, True])
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_loss_scale_optimizer_scales_the_loss_in_fit(run_eagerly, replays):
    optimizer = neuroflow.optimizers.LossScaleOptimizer(neuroflow.optimizers.SGD(0.1), initial_scale=2.0 ** 127,
                                                        dynamic_growth_steps=2)
    model, losses = _fit_scaled(optimizer, run_eagerly)
    kernel, bias = model.get_weights()
    numpy.testing.assert_allclose(kernel, _KERAS_SCALED_WEIGHTS[0], rtol=1e-6)
    numpy.testing.assert_allclose(bias, _KERAS_SCALED_WEIGHTS[1], rtol=1e-6)
    numpy.testing.assert_allclose(losses, _KERAS_SCALED_LOSSES, rtol=1e-6)
    # Halved by the overflow, doubled after two finite steps: the replays read the scale as it changes.
    assert (float(optimizer.dynamic_scale), optimizer.step_counter, int(optimizer.iterations)) == (2.0 ** 127, 1, 3)
    assert replays["replayed"] == (0 if run_eagerly else 2) and not replays["refusals"]


def test_train_on_batch_scales_the_loss_too():
    rng = numpy.random.default_rng(0)
    x = rng.random((8, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    weights = []
    for factor in (None, 1024.0):
        model = models.Sequential([neuroflow.Input((3,)), layers.Dense(1, kernel_initializer="zeros")])
        model.compile(optimizer=neuroflow.optimizers.SGD(0.1, loss_scale_factor=factor), loss="mse")
        model.train_on_batch(x, y)
        weights.append(model.get_weights())
    for plain, scaled in zip(*weights):
        numpy.testing.assert_allclose(scaled, plain, rtol=1e-6)


def test_the_replay_is_written_out_one_line_per_op(rng):
    # engine/replay_source.py: the traced step as straight-line Python, readable as `Program.source`.
    x, y = _classification(rng)
    model = _mlp()()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=50, verbose=0)
    programs = [state.program for state in model._compiled_traced_step.states.values()
                if isinstance(state, traced_step._Replay)]
    assert programs, "the step was not replayed"
    program = programs[0]
    source = program.source
    assert source.startswith("def run(leaves):")
    forward_lines = [line for line in source.splitlines() if line.startswith("    v") and " = f" in line]
    assert len(forward_lines) == len(program.instructions)
    assert source.count("(r") >= len(program.backward)  # one vjp call per differentiated op
    # Integer labels reach the loss kernel as they are, straight from the batch (no cast op between).
    kernel_sources = [sources for forward, sources, _ in program.instructions
                      if forward.__qualname__.startswith("sparse_softmax_cross_entropy")]
    assert len(kernel_sources) == 1 and kernel_sources[0][0][0] == trace.LEAF


def test_sequence_softmax_with_sparse_labels_replays_identically(rng, replays):
    # A (batch, time, classes) softmax output hands its probabilities to the sparse kernel, which
    # reads them only for (batch, classes): the vjp still answers for all three inputs.
    x = rng.normal(size=(96, 5, 3)).astype("float32")
    y = (x[..., 0] > 0).astype("int64") + (x[..., 1] > 0).astype("int64")

    def build():
        model = models.Sequential([layers.Input((5, 3)), layers.Dense(8, activation="relu"),
                                   layers.Dense(3, activation="softmax")])
        model._test_loss = "sparse_categorical_crossentropy"
        return model
    traced, eager = _fit_twice(build, x, y)
    _assert_identical(traced, eager)
    assert replays["replayed"] > 0 and not replays["refusals"]

"""ConvLSTM1D / 2D / 3D: Keras 3's values (fixtures/conv_lstm_references.npz, conv_lstm.keras),
gradients through the step loop, functional shapes, configs, saving, stateful and errors."""
import json
import os
import zipfile

import numpy
import pytest

import neuroflow
from neuroflow import layers, models
from neuroflow.saving.keras_format import weight_groups
from neuroflow.testing import check_layer_gradients
from tests.layers.helpers import check_save_load_round_trip, config_round_trip

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
REFERENCES = numpy.load(os.path.join(FIXTURES, "conv_lstm_references.npz"))

# The layers of make_conv_lstm_references.py, case by case.
CASES = {
    "conv2d_valid": lambda: layers.ConvLSTM2D(3, 3),
    "conv2d_same_sequences": lambda: layers.ConvLSTM2D(2, (2, 3), padding="same", return_sequences=True,
                                                       return_state=True),
    "conv2d_backwards_masked": lambda: layers.ConvLSTM2D(2, 3, padding="same", go_backwards=True,
                                                         return_sequences=True, return_state=True),
    "conv2d_zero_output_masked": lambda: layers.ConvLSTM2D(2, 2, return_sequences=True, zero_output_for_mask=True),
    "conv2d_strided": lambda: layers.ConvLSTM2D(2, 3, strides=(2, 1), padding="same", return_sequences=True),
    "conv2d_dilated": lambda: layers.ConvLSTM2D(2, 2, dilation_rate=(2, 1), return_state=True),
    "conv2d_channels_first": lambda: layers.ConvLSTM2D(3, 2, padding="same", data_format="channels_first",
                                                       return_sequences=True, return_state=True),
    "conv2d_activations": lambda: layers.ConvLSTM2D(2, 3, activation="relu", recurrent_activation="hard_sigmoid",
                                                    use_bias=False, return_sequences=True),
    "conv2d_initial_state": lambda: layers.ConvLSTM2D(2, 3, return_state=True),
    "conv1d_same": lambda: layers.ConvLSTM1D(3, 3, padding="same", return_sequences=True, return_state=True),
    "conv1d_strided_channels_first": lambda: layers.ConvLSTM1D(2, 2, strides=2, data_format="channels_first",
                                                               go_backwards=True, return_sequences=True),
    "conv3d_valid": lambda: layers.ConvLSTM3D(2, 2, return_state=True),
    "conv3d_same_channels_first": lambda: layers.ConvLSTM3D(2, (3, 2, 2), padding="same",
                                                            data_format="channels_first", return_sequences=True),
    "conv2d_position_masked": lambda: layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True,
                                                        return_state=True),
    "bidirectional_conv2d": lambda: layers.Bidirectional(layers.ConvLSTM2D(2, 2, return_sequences=True)),
}


def _numbered(prefix):
    keys = [k for k in REFERENCES if k.startswith(prefix) and k[len(prefix):].isdigit()]
    return [REFERENCES[k] for k in sorted(keys, key=lambda k: int(k[len(prefix):]))]


def _flat(outputs):
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_keras(case):
    x = REFERENCES[f"{case}_x0"]
    layer = CASES[case]()
    layer(x)
    layer.set_weights(_numbered(f"{case}_w"))
    kwargs = {}
    if f"{case}_m" in REFERENCES:
        kwargs["mask"] = REFERENCES[f"{case}_m"]
    if f"{case}_s0" in REFERENCES:
        kwargs["initial_state"] = _numbered(f"{case}_s")
    outputs = _flat(layer(x, **kwargs))
    expected = _numbered(f"{case}_y")
    assert len(outputs) == len(expected)
    for got, want in zip(outputs, expected):
        assert got.shape == want.shape
        numpy.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-5)


def test_masking_layer_masks_positions_as_keras():
    """Masking(0.0) before a ConvLSTM2D gives a (batch, time, rows, cols) mask: each position keeps its state."""
    case = "conv2d_position_masked"
    x = REFERENCES[f"{case}_x0"]
    layer = layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True)   # the case's layer, less its states
    model = models.Sequential([layers.Input(x.shape[1:]), layers.Masking(0.0), layer])
    layer.set_weights(_numbered(f"{case}_w"))
    numpy.testing.assert_allclose(model.predict(x, verbose=0), REFERENCES[f"{case}_y0"], rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match=r"mask of shape \(2, 4, 6, 5\).*does not broadcast.*\(2, 4, 3, 2\)"):
        layers.ConvLSTM2D(2, 3)(x, mask=REFERENCES[f"{case}_m"])   # 'valid' shrinks the state below the mask


def test_loads_keras_file_and_predicts_as_keras():
    model = models.load_model(os.path.join(FIXTURES, "conv_lstm.keras"))
    kinds = [type(layer).__name__ for layer in model.layers if "ConvLSTM" in type(layer).__name__]
    assert sorted(kinds) == ["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM2D", "ConvLSTM3D"]
    second = [layer for layer in model.layers if isinstance(layer, layers.ConvLSTM2D)][1]
    assert (second.strides, second.dropout, second.recurrent_dropout) == ((2, 2), 0.2, 0.1)
    inputs = _numbered("keras_x")
    numpy.testing.assert_allclose(model.predict(inputs, verbose=0), REFERENCES["keras_y"], rtol=1e-5, atol=1e-5)


def test_loads_stateful_keras_file_and_continues_the_states_as_keras():
    model = models.load_model(os.path.join(FIXTURES, "conv_lstm_stateful.keras"))
    assert model.layers[-1].stateful
    for key in ("stateful_y0", "stateful_y1"):
        numpy.testing.assert_allclose(model.predict(REFERENCES["stateful_x"], verbose=0), REFERENCES[key],
                                      rtol=1e-5, atol=1e-5)


def _keras_file_entries(path, class_name):
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
    return [entry for entry in config["config"]["layers"] if entry["class_name"] == class_name]


def test_written_keras_file_has_keras_entries(tmp_path):
    """The entry neuroflow writes for a ConvLSTM2D has the keys, module and build_config Keras writes."""
    model = models.Sequential([layers.Input((3, 6, 5, 2)), layers.ConvLSTM2D(3, 3, padding="same")])
    model.save(tmp_path / "model.keras")
    ours = _keras_file_entries(tmp_path / "model.keras", "ConvLSTM2D")[0]
    theirs = _keras_file_entries(os.path.join(FIXTURES, "conv_lstm.keras"), "ConvLSTM2D")[0]
    assert (ours["module"], ours["registered_name"]) == (theirs["module"], theirs["registered_name"])
    assert set(ours["config"]) == set(theirs["config"])
    assert ours["config"]["kernel_initializer"]["module"] == "keras.initializers"
    assert ours["build_config"] == {"input_shape": [None, 3, 6, 5, 2]}


def test_weights_in_keras_layout():
    """Keras keeps the variables in the cell: layers/<class in snake case>/cell/vars/0 kernel, 1 recurrent_kernel, 2 bias."""
    model = models.Sequential([layers.Input((3, 5, 4, 2)), layers.ConvLSTM2D(3, 2, name="frames")])
    groups = [(path, [(v.name, v.shape) for v in variables]) for path, _, variables in weight_groups(model) if variables]
    assert groups == [("layers/conv_lstm2d/cell/vars", [("kernel", (2, 2, 2, 12)), ("recurrent_kernel", (2, 2, 3, 12)),
                                                   ("bias", (12,))])]


@pytest.mark.parametrize("make, shape", [
    (lambda: layers.ConvLSTM2D(2, 2, padding="same", return_sequences=True, go_backwards=True), (2, 3, 3, 3, 1)),
    (lambda: layers.ConvLSTM2D(1, 2, strides=2, data_format="channels_first", return_state=True), (1, 2, 2, 4, 3)),
    (lambda: layers.ConvLSTM1D(2, 2, dilation_rate=2, return_sequences=True), (2, 3, 5, 1)),
    (lambda: layers.ConvLSTM3D(1, 2, padding="same"), (1, 2, 2, 2, 3, 1)),
])
def test_gradients_through_the_step_loop(float64, rng, make, shape):
    check_layer_gradients(make(), rng.normal(size=shape))


def test_gradients_with_a_mask(float64, rng):
    check_layer_gradients(layers.ConvLSTM1D(2, 2, return_sequences=True), rng.normal(size=(2, 4, 3, 1)),
                          mask=numpy.array([[1, 0, 1, 1], [0, 1, 1, 0]], dtype=bool))


@pytest.mark.parametrize("make, input_shape, expected", [
    (lambda: layers.ConvLSTM2D(4, 3), (None, 8, 8, 2), [(None, 6, 6, 4)]),
    (lambda: layers.ConvLSTM2D(4, 3, padding="same", strides=2, return_sequences=True, return_state=True),
     (10, 7, 8, 2), [(None, 10, 4, 4, 4), (None, 4, 4, 4), (None, 4, 4, 4)]),
    (lambda: layers.ConvLSTM2D(2, 2, data_format="channels_first", return_sequences=True), (5, 3, 6, 6),
     [(None, 5, 2, 5, 5)]),
    (lambda: layers.ConvLSTM1D(3, 3, dilation_rate=2, return_sequences=True), (None, 9, 1), [(None, None, 5, 3)]),
    (lambda: layers.ConvLSTM3D(2, (1, 2, 3), return_state=True), (4, 3, 4, 5, 1),
     [(None, 3, 3, 3, 2)] * 3),
])
def test_functional_shapes(make, input_shape, expected):
    inputs = layers.Input(input_shape)
    outputs = _flat(make()(inputs))
    assert [o.shape for o in outputs] == expected
    model = models.Model(inputs, outputs)
    batch = numpy.zeros((2,) + tuple(5 if d is None else d for d in input_shape), dtype="float32")
    predictions = _flat(model.predict(batch, verbose=0))
    assert [p.shape for p in predictions] == [(2,) + tuple(5 if d is None else d for d in e[1:]) for e in expected]


def test_mask_passes_on_with_return_sequences_and_keeps_states_at_masked_steps():
    x = numpy.ones((2, 4, 3, 3, 1), dtype="float32")
    mask = numpy.array([[1, 1, 0, 0], [1, 1, 1, 1]], dtype=bool)
    layer = layers.ConvLSTM2D(2, 2, return_sequences=True)
    sequence = layer(x, mask=mask)
    assert numpy.asarray(sequence._keras_mask).tolist() == mask.tolist()
    last = layers.ConvLSTM2D(2, 2)
    last(x)
    last.set_weights(layer.get_weights())
    # At masked steps the carried state stays: the final output of sample 0 is its output at step 1.
    numpy.testing.assert_allclose(last(x, mask=mask).numpy()[0], sequence.numpy()[0, 1], atol=1e-6)
    assert getattr(last(x, mask=mask), "_keras_mask", None) is None


def test_short_fit_lowers_the_loss(rng):
    x = rng.normal(size=(16, 3, 4, 4, 1)).astype("float32")
    y = x.sum(axis=(1, 2, 3, 4))[:, None] / 10.0
    model = models.Sequential([layers.Input((3, 4, 4, 1)), layers.ConvLSTM2D(2, 2, padding="same"),
                               layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer=neuroflow.optimizers.Adam(0.02), loss="mse")
    history = model.fit(x, y, epochs=8, batch_size=8, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.7 * losses[0]


def test_dropout_masks_only_in_training_and_reset_after_each_call(rng):
    x = rng.normal(size=(2, 3, 4, 4, 1)).astype("float32")
    layer = layers.ConvLSTM2D(2, 2, dropout=0.5, recurrent_dropout=0.5, seed=3)
    inference = layer(x).numpy()
    numpy.testing.assert_array_equal(layer(x, training=False).numpy(), inference)
    trained = layer(x, training=True).numpy()
    assert not numpy.allclose(trained, inference)
    assert layer.cell._dropout_mask is None and layer.cell._recurrent_dropout_mask is None


def test_dropout_draws_four_masks_of_the_step_shape_once_per_sequence(rng):
    layer = layers.ConvLSTM2D(2, 2, dropout=0.5, recurrent_dropout=0.25, data_format="channels_first")
    step, state = rng.normal(size=(2, 1, 4, 4)).astype("float32"), numpy.zeros((2, 2, 3, 3), "float32")
    layer(step[:, None])
    masks = layer.cell.get_dropout_mask(layer._to_tensor(step))
    recurrent_masks = layer.cell.get_recurrent_dropout_mask(layer._to_tensor(state))
    assert [m.shape for m in masks] == [(2, 1, 4, 4)] * 4 and [m.shape for m in recurrent_masks] == [(2, 2, 3, 3)] * 4
    assert set(numpy.unique(numpy.concatenate([m.numpy().ravel() for m in masks]))) <= {0.0, 2.0}
    assert layer.cell.get_dropout_mask(layer._to_tensor(step)) is masks  # kept until the RNN resets it
    layer.cell.reset_dropout_mask()
    assert layer.cell.get_dropout_mask(layer._to_tensor(step)) is not masks


def test_regularizers_and_constraints_reach_the_cell_weights():
    x = numpy.ones((2, 3, 4, 4, 1), "float32")
    layer = layers.ConvLSTM2D(2, 2, kernel_regularizer="l2", recurrent_regularizer="l1", bias_regularizer="l2",
                              activity_regularizer="l2", recurrent_constraint="non_neg")
    layer(x)
    cell, losses = layer.cell, [float(loss) for loss in layer.losses]
    penalties = [0.01 * (cell.kernel.numpy() ** 2).sum(), 0.01 * numpy.abs(cell.recurrent_kernel.numpy()).sum(),
                 0.01 * (cell.bias.numpy() ** 2).sum()]
    assert len(losses) == 4  # the three weight penalties and the activity penalty
    for penalty in penalties:
        assert min(abs(loss - penalty) for loss in losses) < 1e-6 * max(1.0, penalty)
    model = models.Sequential([layers.Input((3, 4, 4, 1)), layer])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, numpy.zeros((2, 3, 3, 2)), epochs=1, verbose=0)
    assert layer.cell.recurrent_kernel.numpy().min() >= 0


def test_unit_forget_bias_opens_the_forget_gate():
    layer = layers.ConvLSTM1D(3, 2, bias_initializer="zeros")
    layer(numpy.zeros((1, 2, 4, 1), dtype="float32"))
    numpy.testing.assert_array_equal(layer.cell.bias.numpy(), [0] * 3 + [1] * 3 + [0] * 6)
    layer = layers.ConvLSTM1D(3, 2, unit_forget_bias=False, bias_initializer="ones")
    layer(numpy.zeros((1, 2, 4, 1), dtype="float32"))
    numpy.testing.assert_array_equal(layer.cell.bias.numpy(), numpy.ones(12))


def test_stateful_carries_the_states_between_calls(rng):
    x = rng.normal(size=(2, 4, 3, 3, 1)).astype("float32")
    whole = layers.ConvLSTM2D(2, 2, padding="same")
    stateful = layers.ConvLSTM2D(2, 2, padding="same", stateful=True)
    whole(x)
    stateful(x[:, :2])
    stateful.set_weights(whole.get_weights())
    stateful.reset_state()
    stateful(x[:, :2])
    # The second half continues from the first half's states: the same as one call on all four steps.
    numpy.testing.assert_allclose(stateful(x[:, 2:]).numpy(), whole(x).numpy(), atol=1e-6)
    stateful.reset_states()
    numpy.testing.assert_allclose(stateful(x[:, 2:]).numpy(), whole(x[:, 2:]).numpy(), atol=1e-6)
    assert len(stateful.weights) == 3  # the carried states are not weights (Keras does not save them)
    with pytest.raises(ValueError, match="stateful with batch size 2; got a batch of 3"):
        stateful(numpy.zeros((3, 2, 3, 3, 1), dtype="float32"))
    with pytest.raises(ValueError, match="needs a fixed batch size"):
        layers.ConvLSTM2D(2, 2, stateful=True)(layers.Input((2, 3, 3, 1)))


def test_stateful_functional_model_keeps_states_across_predict_batches(rng):
    inputs = layers.Input((2, 3, 3, 1), batch_size=2)
    layer = layers.ConvLSTM2D(2, 2, stateful=True)
    model = models.Model(inputs, layer(inputs))
    assert all(not s.numpy().any() for s in layer.states)  # building and shape inference leave them at zero
    x = rng.normal(size=(2, 2, 3, 3, 1)).astype("float32")
    first = model.predict(x, verbose=0)
    second = model.predict(x, verbose=0)
    assert not numpy.allclose(first, second)
    layer.reset_state()
    numpy.testing.assert_allclose(model.predict(x, verbose=0), first, atol=1e-6)


@pytest.mark.parametrize("make", [
    lambda: layers.ConvLSTM2D(3, (2, 3), strides=(1, 2), padding="same", data_format="channels_first",
                              activation="relu", recurrent_activation="hard_sigmoid", use_bias=False,
                              kernel_regularizer="l2", recurrent_constraint="non_neg", dropout=0.1,
                              recurrent_dropout=0.2, seed=7, return_sequences=True, go_backwards=True),
    lambda: layers.ConvLSTM1D(2, 3, dilation_rate=2, unit_forget_bias=False, activity_regularizer="l1",
                              return_state=True, unroll=True),
    lambda: layers.ConvLSTM3D(1, 2, bias_initializer="ones", stateful=True, name="volume"),
])
def test_config_round_trip(make):
    layer = make()
    clone = config_round_trip(layer)
    assert clone.kernel_size == layer.kernel_size and clone.data_format == layer.data_format
    assert "cell" not in layer.get_config()


def test_config_keys_are_keras_keys():
    keys = set(layers.ConvLSTM2D(2, 3).get_config())
    assert keys == {"name", "trainable", "dtype", "return_sequences", "return_state", "go_backwards", "stateful",
                    "unroll", "zero_output_for_mask", "filters", "kernel_size", "strides", "padding", "data_format",
                    "dilation_rate", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
                    "recurrent_initializer", "bias_initializer", "unit_forget_bias", "kernel_regularizer",
                    "recurrent_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
                    "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "seed"}


@pytest.mark.parametrize("layer, shape", [
    (lambda: layers.ConvLSTM2D(2, 2, padding="same", return_sequences=True), (3, 4, 4, 1)),
    (lambda: layers.ConvLSTM1D(2, 2, data_format="channels_first"), (3, 1, 5)),
    (lambda: layers.ConvLSTM3D(1, 2), (2, 3, 3, 3, 1)),
])
def test_save_load_round_trip(tmp_path, rng, layer, shape):
    check_save_load_round_trip(tmp_path, layer(), shape, rng)


def test_keras_defaults_and_signature():
    layer = layers.ConvLSTM2D(4, 3)
    assert (layer.filters, layer.kernel_size, layer.strides, layer.padding, layer.data_format, layer.dilation_rate) == \
        (4, (3, 3), (1, 1), "valid", "channels_last", (1, 1))
    assert (layer.use_bias, layer.unit_forget_bias, layer.dropout, layer.recurrent_dropout, layer.seed) == \
        (True, True, 0.0, 0.0, None)
    assert (layer.return_sequences, layer.return_state, layer.go_backwards, layer.stateful, layer.unroll) == \
        (False, False, False, False, False)
    config = layer.get_config()
    assert (config["activation"], config["recurrent_activation"]) == ("tanh", "sigmoid")
    assert config["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert config["recurrent_initializer"]["class_name"] == "Orthogonal"
    assert layer.name.startswith("conv_lstm2d")


def test_bad_arguments_are_refused_by_name():
    with pytest.raises(ValueError, match=r"layer 'frames' \(ConvLSTM2D\).*expected ndim=5, found ndim=4. "
                                         r"Full shape received: \(2, 3, 4, 1\)"):
        layers.ConvLSTM2D(2, 2, name="frames")(numpy.zeros((2, 3, 4, 1), dtype="float32"))
    with pytest.raises(ValueError, match=r"\(ConvLSTM1D\).*expected ndim=4, found ndim=5"):
        layers.ConvLSTM1D(2, 2)(layers.Input((3, 4, 4, 1)))
    with pytest.raises(ValueError, match=r"ConvLSTM2D 'bad'.*`filters` must be a positive integer, got 0"):
        layers.ConvLSTM2D(0, 2, name="bad")
    with pytest.raises(ValueError, match="kernel_size"):
        layers.ConvLSTM3D(2, (2, 2))
    with pytest.raises(ValueError, match="strides > 1 cannot be combined with dilation_rate > 1"):
        layers.ConvLSTM2D(2, 2, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="padding"):
        layers.ConvLSTM2D(2, 2, padding="causal")
    with pytest.raises(ValueError, match="data_format"):
        layers.ConvLSTM2D(2, 2, data_format="channels_middle")
    with pytest.raises(ValueError, match=r"`recurrent_dropout` must be a float in \[0, 1\]"):
        layers.ConvLSTM2D(2, 2, recurrent_dropout=1.5)
    with pytest.raises(ValueError, match="static spatial sizes"):
        layers.ConvLSTM2D(2, 2)(layers.Input((3, None, 4, 1)))
    with pytest.raises(ValueError, match="smaller than the kernel"):
        layers.ConvLSTM2D(2, 5)(numpy.zeros((1, 2, 4, 4, 1), dtype="float32"))
    layer = layers.ConvLSTM2D(2, 3, name="states")
    with pytest.raises(ValueError, match=r"'states' expects initial states \[h, c\] of shape \(1, 2, 2, 2\)"):
        layer(numpy.zeros((1, 2, 4, 4, 1), dtype="float32"), initial_state=[numpy.zeros((1, 4, 4, 2))] * 2)
    with pytest.raises(ValueError, match="expects 2 initial state"):
        layer(numpy.zeros((1, 2, 4, 4, 1), dtype="float32"), initial_state=[numpy.zeros((1, 2, 2, 2))])
    with pytest.raises(ValueError, match=r"expected axis 4 of input shape to have value 1"):
        layer(numpy.zeros((1, 2, 4, 4, 3), dtype="float32"))


def test_exported_names():
    for name in ("ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"):
        assert getattr(neuroflow.layers, name) is getattr(layers, name)
    assert not hasattr(layers, "ConvLSTMCell")  # internal, as in Keras


def test_shape_inference_leaves_the_carried_states_alone():
    layer = layers.ConvLSTM1D(2, 2, stateful=True, bias_initializer="ones")  # zero probes would move the states
    assert layer.compute_output_shape((2, 3, 4, 1)) == (2, 3, 2)
    assert all(not s.numpy().any() for s in layer.states)
    layer(numpy.ones((2, 3, 4, 1), dtype="float32"))
    carried = [s.numpy().copy() for s in layer.states]
    assert layer.compute_output_spec(layers.Input((3, 4, 1), batch_size=2)).shape == (2, 3, 2)
    assert layers.ConvLSTM1D(2, 2)(layers.Input((3, 4, 1))).shape == (None, 3, 2)
    layer(layers.Input((3, 4, 1), batch_size=2))
    assert all(numpy.array_equal(s.numpy(), c) for s, c in zip(layer.states, carried))

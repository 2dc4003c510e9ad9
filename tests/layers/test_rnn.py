"""RNN with any cell; SimpleRNNCell, LSTMCell, GRUCell, StackedRNNCells and a user-written cell:
Keras 3's values (fixtures/layers10_references.npz), the fused layers' results for the same
weights, gradients through the step loop, masks, configs, saving and errors."""
import os

import numpy
import pytest

import neuroflow
from neuroflow import layers, models, ops
from neuroflow.testing import check_layer_gradients
from tests.layers.helpers import check_save_load_round_trip, config_round_trip

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
REFERENCES = numpy.load(os.path.join(FIXTURES, "layers10_references.npz"))
MASK = numpy.array([[1, 1, 0, 1, 0], [0, 0, 1, 1, 1], [1, 0, 0, 0, 0]], dtype=bool)


class MinimalRNNCell(layers.Layer):
    """The user-written cell of Keras' RNN guide: a Layer with state_size and call(inputs, states)."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="uniform",
                                                name="recurrent_kernel")

    def call(self, inputs, states):
        output = ops.matmul(inputs, self.kernel) + ops.matmul(states[0], self.recurrent_kernel)
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


CELLS = {
    "simple": lambda: layers.SimpleRNNCell(3),
    "lstm": lambda: layers.LSTMCell(3),
    "gru": lambda: layers.GRUCell(3),
    "gru_v1": lambda: layers.GRUCell(3, reset_after=False),
    "stacked": lambda: [layers.LSTMCell(4), layers.GRUCell(3)],
    "minimal": lambda: MinimalRNNCell(3),
}
VARIANTS = {"plain": {}, "masked": {"go_backwards": True}, "zeroed": {"zero_output_for_mask": True}}


def _flat(outputs):
    if isinstance(outputs, (list, tuple)):
        return [leaf for item in outputs for leaf in _flat(item)]
    return [outputs]


@pytest.mark.parametrize("case", sorted(CELLS))
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_matches_keras(case, variant):
    name = f"rnn_{case}_{variant}"
    x = REFERENCES[f"{name}_x0"]
    layer = layers.RNN(CELLS[case](), return_sequences=True, return_state=True, **VARIANTS[variant])
    layer(x)
    count = len(layer.get_weights())
    layer.set_weights([REFERENCES[f"{name}_w{i}"] for i in range(count)])
    mask = REFERENCES[f"{name}_m"] if f"{name}_m" in REFERENCES else None
    outputs = _flat(layer(x, mask=mask))
    expected = [REFERENCES[key] for key in sorted((k for k in REFERENCES if k.startswith(f"{name}_y")),
                                                    key=lambda k: int(k.rpartition("y")[2]))]
    assert len(outputs) == len(expected)
    for got, want in zip(outputs, expected):
        numpy.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-5)


FUSED = [(layers.SimpleRNN, layers.SimpleRNNCell, {}), (layers.LSTM, layers.LSTMCell, {}),
         (layers.GRU, layers.GRUCell, {}), (layers.GRU, layers.GRUCell, {"reset_after": False})]


@pytest.mark.parametrize("fused_class, cell_class, kwargs", FUSED)
@pytest.mark.parametrize("go_backwards, mask", [(False, None), (True, MASK), (False, MASK)])
def test_cell_in_rnn_equals_fused_layer(float64, rng, fused_class, cell_class, kwargs, go_backwards, mask):
    x = rng.normal(size=(3, 5, 4))
    fused = fused_class(3, return_sequences=True, return_state=True, go_backwards=go_backwards,
                        bias_initializer="random_normal", **kwargs)
    rnn = layers.RNN(cell_class(3, **kwargs), return_sequences=True, return_state=True, go_backwards=go_backwards)
    fused(x)
    rnn(x)
    assert [w.shape for w in rnn.weights] == [w.shape for w in fused.weights]
    assert [w.name for w in rnn.weights] == [w.name for w in fused.weights]
    rnn.set_weights(fused.get_weights())
    # Initial states only without a mask: at a masked first step Keras' RNN outputs zeros (its
    # "previous output" starts at zero) while the fused layers output the initial state.
    initial = None if mask is not None else [rng.normal(size=(3, 3)) for _ in range(2 if fused_class is layers.LSTM else 1)]
    for got, want in zip(rnn(x, initial_state=initial, mask=mask), fused(x, initial_state=initial, mask=mask)):
        numpy.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-12)


@pytest.mark.parametrize("case", ["simple", "lstm", "gru", "gru_v1", "stacked", "minimal"])
def test_gradients_through_the_step_loop(float64, rng, case):
    layer = layers.RNN(CELLS[case](), return_sequences=True, go_backwards=case == "lstm")
    x = rng.normal(size=(2, 4, 3))
    check_layer_gradients(layer, x, mask=MASK[:2, :4])


@pytest.mark.parametrize("return_state", [False, True])
def test_bidirectional_rnn_equals_bidirectional_lstm(float64, rng, return_state):
    x = rng.normal(size=(3, 5, 4))
    fused = layers.Bidirectional(layers.LSTM(3, return_sequences=True, return_state=return_state,
                                             bias_initializer="random_normal"))
    stepped = layers.Bidirectional(layers.RNN(layers.LSTMCell(3), return_sequences=True, return_state=return_state))
    fused(x)
    stepped(x)
    stepped.set_weights(fused.get_weights())
    for got, want in zip(_flat(stepped(x, mask=MASK)), _flat(fused(x, mask=MASK))):
        numpy.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-12)
    config_round_trip(stepped)


def test_cells_alone(float64, rng):
    x, h, c = rng.normal(size=(2, 4)), rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    cell = layers.LSTMCell(3)
    output, states = cell(x, [h, c])
    assert output.shape == (2, 3) and [s.shape for s in states] == [(2, 3), (2, 3)]
    assert cell.state_size == [3, 3] and cell.output_size == 3
    check_layer_gradients(layers.GRUCell(3), x, [h])
    output, state = layers.SimpleRNNCell(3)(x, h)   # a bare state tensor comes back bare
    assert state is output


def test_functional_shapes_and_stacked_states():
    inputs = layers.Input((None, 4))
    output, (h1, c1), h2 = layers.RNN([layers.LSTMCell(6), layers.GRUCell(3)], return_state=True)(inputs)
    assert output.shape == (None, 3) and h1.shape == c1.shape == (None, 6) and h2.shape == (None, 3)
    sequence = layers.RNN(layers.SimpleRNNCell(5), return_sequences=True)(inputs)
    assert sequence.shape == (None, None, 5)
    model = models.Model(inputs, [output, sequence])
    predictions = model.predict(numpy.zeros((2, 7, 4), "float32"), verbose=0)
    assert predictions[0].shape == (2, 3) and predictions[1].shape == (2, 7, 5)


def test_trains_and_masks_from_embedding(rng):
    model = models.Sequential([layers.Input((6,), dtype="int32"), layers.Embedding(10, 4, mask_zero=True),
                               layers.RNN(layers.GRUCell(8, dropout=0.2, recurrent_dropout=0.2)), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    x = rng.integers(0, 10, size=(16, 6))
    history = model.fit(x, rng.normal(size=(16, 1)), epochs=3, batch_size=8, verbose=0)
    assert numpy.all(numpy.isfinite(history.history["loss"]))
    cell = model.layers[-2].cell
    assert cell._dropout_mask is None and cell._recurrent_dropout_mask is None  # reset after each call


@pytest.mark.parametrize("make", [lambda: layers.RNN(layers.LSTMCell(3, dropout=0.1), return_sequences=True),
                                  lambda: layers.RNN([layers.SimpleRNNCell(4), layers.GRUCell(2, reset_after=False)],
                                                     go_backwards=True)])
def test_config_round_trip(make):
    layer = make()
    clone = config_round_trip(layer)
    assert type(clone.cell) is type(layer.cell)


def test_user_cell_config_round_trip_with_custom_objects():
    layer = layers.RNN(MinimalRNNCell(4))
    config = layer.get_config()
    clone = layers.RNN.from_config(config, custom_objects={"MinimalRNNCell": MinimalRNNCell})
    assert isinstance(clone.cell, MinimalRNNCell) and clone.cell.units == 4


@pytest.mark.parametrize("cell", [lambda: layers.LSTMCell(3), lambda: [layers.GRUCell(3), layers.LSTMCell(2)]])
def test_save_load_round_trip(tmp_path, rng, cell):
    check_save_load_round_trip(tmp_path, layers.RNN(cell()), (5, 4), rng)


def test_weights_in_keras_order():
    """Keras keeps a cell's variables under rnn/cell/vars, and a stack's under rnn/cell/cells/<cell>/vars."""
    layer = layers.RNN([layers.LSTMCell(4), layers.GRUCell(3)])
    model = models.Sequential([layers.Input((5, 2)), layer])
    from neuroflow.saving.keras_format import weight_groups
    groups = [(path, [v.name for v in variables]) for path, _, variables in weight_groups(model) if variables]
    assert groups == [("layers/rnn/cell/cells/lstm_cell/vars", ["kernel", "recurrent_kernel", "bias"]),
                      ("layers/rnn/cell/cells/gru_cell/vars", ["kernel", "recurrent_kernel", "bias"])]


def test_loads_keras_file():
    model = models.load_model(os.path.join(FIXTURES, "layers10_rnn.keras"))
    assert isinstance(model.layers[1], layers.Bidirectional) and isinstance(model.layers[1].forward_layer.cell,
                                                                             layers.GRUCell)
    assert isinstance(model.layers[2], layers.RNN) and isinstance(model.layers[2].cell, layers.StackedRNNCells)
    numpy.testing.assert_allclose(model.predict(REFERENCES["keras_x"], verbose=0), REFERENCES["keras_y"],
                                  rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("cell", [lambda: layers.LSTMCell(3), lambda: [layers.GRUCell(3), layers.SimpleRNNCell(2)]])
def test_stateful_continues_from_the_last_states(float64, rng, cell):
    x = rng.normal(size=(2, 6, 4))
    whole, stateful = layers.RNN(cell()), layers.RNN(cell(), stateful=True)
    whole(x)
    stateful(x[:, :3])
    stateful.set_weights(whole.get_weights())
    stateful.reset_state()
    stateful(x[:, :3])
    numpy.testing.assert_allclose(stateful(x[:, 3:]).numpy(), whole(x).numpy(), atol=1e-12)
    stateful.reset_state()
    numpy.testing.assert_allclose(stateful(x[:, 3:]).numpy(), whole(x[:, 3:]).numpy(), atol=1e-12)
    assert stateful.get_config()["stateful"] is True and len(stateful.weights) == len(whole.weights)


def test_bad_arguments():
    with pytest.raises(ValueError, match="state_size"):
        layers.RNN(layers.Dense(3))
    with pytest.raises(ValueError, match="non-empty list"):
        layers.StackedRNNCells([])
    with pytest.raises(ValueError, match="`units` must be a positive integer"):
        layers.LSTMCell(0)
    with pytest.raises(ValueError, match="`dropout` must be a float in"):
        layers.GRUCell(3, dropout=1.5)
    with pytest.raises(ValueError, match="stateful and needs a fixed batch size"):
        layers.RNN(layers.SimpleRNNCell(2), stateful=True)(layers.Input((3, 2)))
    layer = layers.RNN(layers.LSTMCell(2))
    with pytest.raises(ValueError, match="expects 2 initial state"):
        layer(numpy.zeros((1, 3, 2)), initial_state=[numpy.zeros((1, 2))])
    with pytest.raises(ValueError):
        layers.RNN(layers.SimpleRNNCell(2))(numpy.zeros((2, 3)))   # no time axis


def test_exported_names():
    for name in ("RNN", "StackedRNNCells", "SimpleRNNCell", "LSTMCell", "GRUCell"):
        assert getattr(neuroflow.layers, name) is getattr(layers, name)

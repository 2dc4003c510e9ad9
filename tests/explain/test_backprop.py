"""explain.backprop: the lectures' worked 2-2-2 example to 1e-8, and the tape's gradients on random networks."""
import numpy
import pytest

import neuroflow
from neuroflow import GradientTape, explain, layers, losses, models, ops

# The lecture's figures (inputs .05 .10, w1..w8 = .15 ... .55, biases .35 .60, targets .01 .99, eta 0.5).
FORWARD = {"h1": (0.3775, 0.593269992), "h2": (0.3925, 0.596884378),
           "o1": (1.105905967, 0.75136507), "o2": (1.224921404, 0.772928465)}
UPDATED = {"w1": 0.149780716, "w2": 0.19956143, "w3": 0.24975114, "w4": 0.29950229,
           "w5": 0.35891648, "w6": 0.408666186, "w7": 0.511301270, "w8": 0.561370121}


@pytest.fixture
def lecture_trace():
    model, x, y = explain.lecture_network()
    return explain.backprop(model, x, y, learning_rate=0.5)


def test_forward_pass_matches_the_lecture(lecture_trace):
    for name, (net, out) in FORWARD.items():
        assert lecture_trace.neuron(name).net == pytest.approx(net, abs=1e-8)
        assert lecture_trace.neuron(name).out == pytest.approx(out, abs=1e-8)


def test_loss_and_each_outputs_contribution(lecture_trace):
    loss = lecture_trace.loss
    assert loss.total == pytest.approx(0.298371109, abs=1e-8)
    assert [term.symbol for term in loss.contributions] == ["E_o1", "E_o2"]
    assert loss.contributions[0].value == pytest.approx(0.274811083, abs=1e-8)
    assert loss.contributions[1].value == pytest.approx(0.023560026, abs=1e-8)


def test_output_layer_chain_rule_for_w5(lecture_trace):
    o1 = lecture_trace.neuron("o1")
    assert o1.dE_dout == pytest.approx(0.74136507, abs=1e-8)
    assert o1.dout_dnet == pytest.approx(0.186815602, abs=1e-8)
    assert o1.delta == pytest.approx(0.138498562, abs=1e-8)
    w5 = lecture_trace.weight("w5")
    assert (w5.source, w5.target, w5.value) == ("h1", "o1", 0.4)
    assert [term.symbol for term in w5.factors] == ["dE/dout_o1", "dout_o1/dnet_o1", "dnet_o1/dw5"]
    assert [term.value for term in w5.factors] == pytest.approx([0.74136507, 0.186815602, 0.593269992], abs=1e-8)
    assert w5.gradient == pytest.approx(0.082167041, abs=1e-8)
    assert w5.updated == pytest.approx(0.35891648, abs=1e-8)


def test_hidden_layer_chain_rule_for_w1(lecture_trace):
    h1 = lecture_trace.neuron("h1")
    first, second = h1.downstream
    assert (first.neuron, first.weight, second.neuron, second.weight) == ("o1", "w5", "o2", "w7")
    assert first.value == pytest.approx(0.055399425, abs=1e-8)    # dE_o1/dout_h1
    assert second.value == pytest.approx(-0.019049119, abs=1e-8)  # dE_o2/dout_h1
    assert h1.dE_dout == pytest.approx(0.036350306, abs=1e-8)
    assert h1.dout_dnet == pytest.approx(0.241300709, abs=1e-8)
    w1 = lecture_trace.weight("w1")
    assert [term.value for term in w1.factors] == pytest.approx([0.036350306, 0.241300709, 0.05], abs=1e-8)
    assert w1.gradient == pytest.approx(0.000438568, abs=1e-8)
    assert w1.updated == pytest.approx(0.149780716, abs=1e-8)


def test_every_updated_weight_of_the_lecture(lecture_trace):
    for name, value in UPDATED.items():
        assert lecture_trace.weight(name).updated == pytest.approx(value, abs=1e-8), name


def test_updated_weights_are_one_sgd_step_of_the_trainer():
    model, x, y = explain.lecture_network()
    trace = explain.backprop(model, x, y, learning_rate=0.5)
    # The trace leaves the model alone ...
    numpy.testing.assert_array_equal(model.get_weights()[0], [[0.15, 0.25], [0.20, 0.30]])
    # ... and its step is the one fit takes with SGD(0.5) on the same loss.
    model.compile(optimizer=neuroflow.optimizers.SGD(learning_rate=0.5),
                  loss=lambda t, o: ops.sum(ops.multiply(0.5, ops.square(ops.subtract(t, o))), axis=-1))
    model.train_on_batch(x[None], y[None])
    for expected, got in zip(trace.updated_weights(), model.get_weights()):
        numpy.testing.assert_allclose(got, expected, atol=1e-12)


def test_rendered_text_markdown_and_latex_carry_the_lecture_figures(lecture_trace):
    text, markdown, latex = str(lecture_trace), lecture_trace.to_markdown(), lecture_trace.to_latex()
    for figure in ("0.593269992", "0.75136507", "0.298371109", "0.35891648", "0.149780716", "0.408666186",
                   "0.51130127", "0.561370121", "0.199561432", "0.249751144", "0.299502287"):
        assert figure in text and figure in markdown and figure in latex, figure
    assert "dE/dw5 = dE/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5 = 0.74136507 * 0.186815602 * 0.593269992" in text
    assert "w5+ = w5 - eta * dE/dw5 = 0.4 - 0.5 * 0.0821670406 = 0.35891648" in text
    assert "dE/dout_h1 = delta_o1*w5 + delta_o2*w7" in text
    assert "| w5 | h1 -> o1 | 0.4 |" in markdown and "$$" in markdown
    assert r"\frac{\partial E}{\partial w_{5}}" in latex and latex.count(r"\begin{align*}") == 4
    assert lecture_trace.to_text() == text


def _random_network(activations, inputs, seed):
    neuroflow.set_random_seed(seed)
    model = models.Sequential([layers.Input((inputs,))] +
                              [layers.Dense(units, activation=activation) for units, activation in activations])
    rng = numpy.random.default_rng(seed)
    model.set_weights([rng.normal(size=w.shape) * 0.7 for w in model.get_weights()])
    return model


CASES = [
    ([(4, "tanh"), (3, "sigmoid")], "mean_squared_error"),
    ([(5, "relu"), (3, "elu"), (2, "linear")], "half_squared_error"),
    ([(4, "sigmoid"), (3, "softmax")], "categorical_crossentropy"),
    ([(3, "softplus"), (2, "tanh"), (1, "sigmoid")], "binary_crossentropy"),
    ([(6, "selu"), (4, "swish"), (4, "softmax")], "categorical_crossentropy"),
]


@pytest.mark.parametrize("activations, loss", CASES, ids=[c[1] + "-" + "-".join(a for _, a in c[0]) for c in CASES])
def test_trace_equals_the_tapes_gradients_on_random_networks(float64, activations, loss):
    model = _random_network(activations, inputs=3, seed=len(activations) * 7 + len(loss))
    rng = numpy.random.default_rng(1)
    x = rng.normal(size=(1, 3))
    units = activations[-1][0]
    y = numpy.eye(units)[[rng.integers(units)]] if loss == "categorical_crossentropy" else rng.uniform(size=(1, units))
    trace = explain.backprop(model, x, y, learning_rate=0.1, loss=loss)

    # The reference: the model's own forward pass and neuroflow's loss (the lecture's loss for half_squared_error).
    loss_function = explain.LOSSES[loss].per_sample if loss == "half_squared_error" else losses.get(loss)
    with GradientTape() as tape:
        total = ops.mean(loss_function(y, model(x)))
    expected = tape.gradient(total, model.trainable_weights)
    assert trace.loss.total == pytest.approx(float(total.numpy()), rel=1e-10)
    for got, want in zip(trace.gradients(), expected):
        numpy.testing.assert_allclose(got, want.numpy(), rtol=1e-9, atol=1e-12)
    for got, weights in zip(trace.updated_weights(), zip(model.get_weights(), expected)):
        numpy.testing.assert_allclose(got, weights[0] - 0.1 * weights[1].numpy(), rtol=1e-9, atol=1e-12)
    # The factors shown multiply out to the tape's dE/dw, and the deltas add up as the chain rule says.
    for layer in trace.layers:
        for weight in layer.weights:
            assert weight.factor_product == pytest.approx(weight.gradient, rel=1e-9, abs=1e-13)
        for neuron in layer.neurons:
            if neuron.dout_dnet is not None:
                assert neuron.dE_dout * neuron.dout_dnet == pytest.approx(neuron.delta, rel=1e-9, abs=1e-13)
            if neuron.downstream:
                assert sum(term.value for term in neuron.downstream) == pytest.approx(neuron.dE_dout, rel=1e-9,
                                                                                      abs=1e-13)
    assert sum(term.value for term in trace.loss.contributions) == pytest.approx(trace.loss.total, rel=1e-9)
    assert (trace.neuron(f"o{units}").dout_dnet is None) == (activations[-1][1] == "softmax")
    assert all(neuron.dE_dout != 0.0 for neuron in trace.outputs)
    assert str(trace) and trace.to_markdown() and trace.to_latex()


def test_deep_networks_name_hidden_neurons_by_layer(float64):
    model = _random_network([(2, "tanh"), (2, "tanh"), (1, "sigmoid")], inputs=2, seed=0)
    trace = explain.backprop(model, [0.5, -0.5], [1.0])
    assert [n.name for layer in trace.layers for n in layer.neurons] == ["h1_1", "h1_2", "h2_1", "h2_2", "o1"]
    assert trace.weight("w5").source == "h1_1" and trace.weight("w5").target == "h2_1"
    assert "h_{1,2}" in trace.to_latex()


def test_a_custom_loss_callable_is_traced_without_contributions(float64):
    model, x, y = explain.lecture_network()
    trace = explain.backprop(model, x, y, loss=losses.mean_absolute_error)
    assert trace.loss.contributions is None and trace.loss.name == "mean_absolute_error"
    assert "E_total = " in str(trace)


def test_a_float32_model_is_traced_in_float64():
    model = _random_network([(3, "relu"), (2, "sigmoid")], inputs=2, seed=2)
    trace = explain.backprop(model, numpy.array([0.2, 0.4], dtype="float32"), [0.0, 1.0])
    assert isinstance(trace.weight("w1").gradient, float)
    assert len(trace.gradients()) == 4 and trace.gradients()[0].dtype == numpy.float64


def test_an_unbuilt_model_is_built_on_the_sample():
    model = models.Sequential([layers.Dense(2, activation="sigmoid"), layers.Dense(1)])
    trace = explain.backprop(model, [1.0, 2.0, 3.0], [0.5])
    assert len(trace.inputs) == 3 and model.built


def test_errors_name_the_problem():
    model, x, y = explain.lecture_network()
    with pytest.raises(ValueError, match="one sample"):
        explain.backprop(model, numpy.ones((3, 2)), numpy.ones((3, 2)))
    with pytest.raises(ValueError, match=r"`y` must have shape \(2,\)"):
        explain.backprop(model, x, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="hinge"):
        explain.backprop(model, x, y, loss="hinge")
    with pytest.raises(TypeError, match="learning_rate"):
        explain.backprop(model, x, y, learning_rate="fast")
    with_normalization = models.Sequential([layers.Input((2,)), layers.Dense(2), layers.BatchNormalization(),
                                            layers.Dense(1)])
    with pytest.raises(ValueError, match="Dense layers only.*BatchNormalization"):
        explain.backprop(with_normalization, x, [1.0])
    with pytest.raises(KeyError, match="w1"):
        explain.backprop(model, x, y).weight("w99")


def test_a_custom_activation_that_couples_neurons_gets_no_per_neuron_slope(float64):
    def normalized_exp(z):
        return ops.softmax(z)

    model = models.Sequential([layers.Input((2,)), layers.Dense(3, activation=normalized_exp)])
    trace = explain.backprop(model, [0.3, -0.2], [0.0, 1.0, 0.0], loss="categorical_crossentropy")
    assert all(neuron.dout_dnet is None for neuron in trace.outputs)
    assert [term.symbol for term in trace.weight("w1").factors] == ["delta_o1", "dnet_o1/dw1"]
    assert "couples the layer's outputs" in str(trace)


def test_regularizer_penalties_are_part_of_the_loss_and_the_gradients(float64):
    neuroflow.set_random_seed(4)
    model = models.Sequential([layers.Input((3,)),
                               layers.Dense(3, activation="tanh", kernel_regularizer=neuroflow.regularizers.L2(0.05),
                                            bias_regularizer=neuroflow.regularizers.L1(0.02)),
                               layers.Dense(2, activation="sigmoid", kernel_regularizer="l1")])
    model.set_weights([numpy.random.default_rng(3).normal(size=w.shape) for w in model.get_weights()])
    x, y = numpy.array([[0.2, -0.4, 0.9]]), numpy.array([[0.0, 1.0]])
    trace = explain.backprop(model, x, y, learning_rate=0.1, loss="mse")
    with GradientTape() as tape:
        total = ops.add(ops.mean(losses.mean_squared_error(y, model(x))), ops.sum(ops.stack(model.losses)))
    expected = tape.gradient(total, model.trainable_weights)
    assert trace.loss.total == pytest.approx(float(total.numpy()), rel=1e-10)
    assert trace.loss.penalty == pytest.approx(float(ops.sum(ops.stack(model.losses)).numpy()), rel=1e-10)
    for got, want in zip(trace.gradients(), expected):
        numpy.testing.assert_allclose(got, want.numpy(), rtol=1e-9, atol=1e-12)
    for layer in trace.layers:
        for weight in layer.weights:
            assert weight.factor_product + weight.penalty_gradient == pytest.approx(weight.gradient, rel=1e-9, abs=1e-13)
    assert trace.weight("w1").penalty_gradient == pytest.approx(2 * 0.05 * trace.weight("w1").value)
    assert "+ dR/dw1" in str(trace) and "E_total = E_o1 + E_o2 + R" in str(trace)
    assert r"\frac{\partial R}{\partial w_{1}}" in trace.to_latex()


def test_dropout_layers_are_passed_through_as_at_inference(float64):
    neuroflow.set_random_seed(5)
    with_dropout = models.Sequential([layers.Input((2,)), layers.Dense(3, activation="relu"), layers.Dropout(0.5),
                                      layers.Dense(1, activation="sigmoid")])
    plain = models.Sequential([layers.Input((2,)), layers.Dense(3, activation="relu"), layers.Dense(1, activation="sigmoid")])
    plain.set_weights(with_dropout.get_weights())
    x, y = [[0.3, 0.7]], [[1.0]]
    traced, reference = explain.backprop(with_dropout, x, y), explain.backprop(plain, x, y)
    assert traced.dropouts == (with_dropout.layers[1].name,) and reference.dropouts == ()
    for got, want in zip(traced.gradients(), reference.gradients()):
        numpy.testing.assert_array_equal(got, want)
    assert "passed through" in str(traced)

"""Rosenblatt's perceptron: AND and OR converge, XOR cannot, and the API says which."""
import numpy
import pytest

from neuroflow.classic import Perceptron

GATE_INPUTS = numpy.array([[0, 0], [0, 1], [1, 0], [1, 1]])
AND = numpy.array([0, 0, 0, 1])
OR = numpy.array([0, 1, 1, 1])
XOR = numpy.array([0, 1, 1, 0])


@pytest.mark.parametrize("labels", [AND, OR], ids=["AND", "OR"])
def test_linearly_separable_gates_converge_in_a_few_epochs(labels):
    perceptron = Perceptron(learning_rate=0.1, max_epochs=100).fit(GATE_INPUTS, labels)
    assert perceptron.converged_
    assert perceptron.errors_[-1] == 0 and len(perceptron.errors_) <= 10
    assert perceptron.errors_[0] > 0  # it had something to learn from zero weights
    numpy.testing.assert_array_equal(perceptron.predict(GATE_INPUTS), labels)
    assert perceptron.score(GATE_INPUTS, labels) == 1.0
    assert "converged" in perceptron.status_


def test_and_gate_weights_follow_the_learning_rule_by_hand():
    # From zero weights, eta = 1, the samples in order: epoch 1 updates on (0,0) (predicted 1, wanted 0)
    # -> b = -1, then on (1,1) (net -1 -> 0, wanted 1) -> w = (1, 1), b = 0.
    perceptron = Perceptron(learning_rate=1.0, max_epochs=1).fit(GATE_INPUTS, AND)
    numpy.testing.assert_array_equal(perceptron.weights_, [1.0, 1.0])
    assert perceptron.bias_ == 0.0
    assert perceptron.errors_ == [2]


def test_xor_never_converges_and_says_so():
    perceptron = Perceptron(max_epochs=50).fit(GATE_INPUTS, XOR)  # no exception
    assert perceptron.converged_ is False
    assert len(perceptron.errors_) == 50 and min(perceptron.errors_) > 0
    assert "did not converge in 50 epochs" in perceptron.status_
    assert perceptron.score(GATE_INPUTS, XOR) <= 0.75  # a line separates at most 3 of the 4 points


def test_random_state_draws_small_starting_weights_reproducibly():
    first = Perceptron(random_state=3, max_epochs=1).fit(GATE_INPUTS, OR)
    second = Perceptron(random_state=3, max_epochs=1).fit(GATE_INPUTS, OR)
    numpy.testing.assert_array_equal(first.weights_, second.weights_)
    assert first.weights_.tolist() != Perceptron(max_epochs=1).fit(GATE_INPUTS, OR).weights_.tolist()


@pytest.mark.parametrize("kwargs, message", [
    (dict(learning_rate=0), "learning_rate"), (dict(max_epochs=0), "max_epochs"), (dict(max_epochs=2.5), "max_epochs")])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Perceptron(**kwargs)


def test_bad_data_is_refused_with_the_shapes():
    with pytest.raises(ValueError, match="labels 0 and 1"):
        Perceptron().fit(GATE_INPUTS, [0, 1, 2, 1])
    with pytest.raises(ValueError, match=r"shape \(4,\)"):
        Perceptron().fit(GATE_INPUTS, [0, 1])
    with pytest.raises(ValueError, match="samples, features"):
        Perceptron().fit([0, 1, 1, 0], XOR)
    with pytest.raises(RuntimeError, match="fit"):
        Perceptron().predict(GATE_INPUTS)
    with pytest.raises(ValueError, match="2 features"):
        Perceptron().fit(GATE_INPUTS, OR).predict([[0, 1, 1]])

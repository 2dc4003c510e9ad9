"""The textbook backprop example: a 2-2-2 sigmoid network, one SGD step, checked to 1e-8."""
import numpy
import pytest

from neuroflow import layers, models, ops, optimizers


def half_sum_of_squares(y_true, y_pred):
    # E = 1/2 sum (t - o)^2 over the outputs of a sample.
    return ops.sum(ops.multiply(0.5, ops.square(ops.subtract(y_true, y_pred))), axis=-1)


@pytest.fixture
def network(float64):
    model = models.Sequential([
        layers.Dense(2, activation="sigmoid", input_shape=(2,)),
        layers.Dense(2, activation="sigmoid"),
    ])
    # kernel[i, j] is the weight from input i to unit j: w1 (i1->h1), w2 (i2->h1), w3 (i1->h2), w4 (i2->h2).
    model.set_weights([
        numpy.array([[0.15, 0.25], [0.20, 0.30]]), numpy.array([0.35, 0.35]),
        numpy.array([[0.40, 0.50], [0.45, 0.55]]), numpy.array([0.60, 0.60]),
    ])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.5), loss=half_sum_of_squares)
    return model


X = numpy.array([[0.05, 0.10]])
T = numpy.array([[0.01, 0.99]])


def test_total_error_before_the_step(network):
    assert network.evaluate(X, T, verbose=0) == pytest.approx(0.298371109, abs=1e-8)


def test_one_sgd_step_matches_the_hand_computed_weights(network):
    network.train_on_batch(X, T)
    hidden_kernel, _, output_kernel, _ = network.get_weights()
    assert output_kernel[0, 0] == pytest.approx(0.35891648, abs=1e-8)   # w5
    assert output_kernel[1, 0] == pytest.approx(0.408666186, abs=1e-8)  # w6
    assert output_kernel[0, 1] == pytest.approx(0.511301270, abs=1e-8)  # w7
    assert output_kernel[1, 1] == pytest.approx(0.561370121, abs=1e-8)  # w8
    assert hidden_kernel[0, 0] == pytest.approx(0.149780716, abs=1e-8)  # w1
    assert hidden_kernel[1, 0] == pytest.approx(0.19956143, abs=1e-8)   # w2
    assert hidden_kernel[0, 1] == pytest.approx(0.24975114, abs=1e-8)   # w3
    assert hidden_kernel[1, 1] == pytest.approx(0.29950229, abs=1e-8)   # w4

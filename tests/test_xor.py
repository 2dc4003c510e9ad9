"""XOR: not linearly separable, so one Dense + sigmoid cannot learn it; two layers can."""
import numpy

import neuroflow
from neuroflow import layers, models, optimizers

X = numpy.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
Y = numpy.array([[0], [1], [1], [0]], dtype="float32")


def _accuracy(model):
    return float(numpy.mean((model.predict(X, verbose=0) > 0.5) == Y))


def test_two_layer_mlp_learns_xor():
    neuroflow.set_random_seed(3)
    model = models.Sequential([layers.Dense(8, activation="tanh", input_shape=(2,)),
                               layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.Adam(learning_rate=0.05), loss="binary_crossentropy")
    model.fit(X, Y, epochs=300, batch_size=4, verbose=0)
    assert _accuracy(model) == 1.0


def test_single_dense_sigmoid_cannot_learn_xor():
    neuroflow.set_random_seed(3)
    model = models.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(2,))])
    model.compile(optimizer=optimizers.Adam(learning_rate=0.05), loss="binary_crossentropy")
    model.fit(X, Y, epochs=300, batch_size=4, verbose=0)
    # A line can separate at most 3 of the 4 XOR points.
    assert _accuracy(model) <= 0.75

"""Hypermodels whose score the tests control: the known best configuration is known in advance."""
import math

import neuroflow
from neuroflow import layers
from neuroflow.tuner import HyperModel

OPTIMIZER_QUALITY = {"sgd": 0.0, "adam": 1.0, "rmsprop": 0.5}


def tiny_model():
    model = neuroflow.Sequential([layers.Input((1,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


class DiscreteHyperModel(HyperModel):
    """optimizer x units (3 x 4 = 12 combinations); the best is adam with 24 units, score 1.0."""

    def __init__(self):
        super().__init__()
        self.fitted = []

    def build(self, hp):
        hp.Choice("optimizer", ["sgd", "adam", "rmsprop"])
        hp.Int("units", 8, 32, step=8)
        return tiny_model()

    def fit(self, hp, model, *args, **kwargs):
        self.fitted.append(dict(hp.values))
        return {"score": OPTIMIZER_QUALITY[hp["optimizer"]] - abs(hp["units"] - 24) / 100}


class ContinuousHyperModel(HyperModel):
    """A smooth bowl over x in [0, 1] and a log-scale learning rate; minimum 0 at x=0.7, lr=10**-2.5."""

    def build(self, hp):
        hp.Float("x", 0.0, 1.0)
        hp.Float("lr", 1e-4, 1e-1, sampling="log")
        return tiny_model()

    @staticmethod
    def loss(x, lr):
        return (x - 0.7) ** 2 + ((math.log10(lr) + 2.5) / 3) ** 2

    def fit(self, hp, model, *args, **kwargs):
        return self.loss(hp["x"], hp["lr"])

"""Each layer's activations on a batch, summarized for the lectures' histograms ("밑바닥부터 시작하는 딥러닝").

    from neuroflow.utils import activation_statistics
    stats = activation_statistics(model, x)
    for layer in stats:
        counts, edges = layer.histogram(bins=30, range=(0, 1))
    print(stats)     # one row per layer: mean, std, min, max, share of zeros, share saturated

With sigmoid and weights from N(0, 1) the activations pile up at 0 and 1 (saturated, so the
gradient vanishes); with N(0, 0.01) they crowd at 0.5 (every neuron says the same); Xavier for
sigmoid / tanh and He for ReLU keep them spread over the layers.
"""
import dataclasses

import numpy

from neuroflow import backend
from neuroflow.engine.tape import no_grad
from neuroflow.layers import InputLayer

HOST_NUMPY = "statistics and histograms of activations copied to the host for printing and plotting"

# An activation this close to the edge of its range counts as saturated (sigmoid near 0 or 1, tanh near -1 or 1).
_SATURATION_MARGIN = 0.01


@dataclasses.dataclass(frozen=True)
class LayerActivations:
    """The outputs of one layer on the batch, flattened, with their summary figures."""

    name: str
    values: numpy.ndarray

    @property
    def mean(self):
        return float(self.values.mean())

    @property
    def std(self):
        return float(self.values.std())

    @property
    def min(self):
        return float(self.values.min())

    @property
    def max(self):
        return float(self.values.max())

    @property
    def zero_fraction(self):
        """The share of exact zeros (dead ReLU units)."""
        return float(numpy.mean(self.values == 0.0))

    def saturated_fraction(self, low=0.0, high=1.0):
        """The share of values within 1% of the range's ends [low, high] (sigmoid: 0 and 1; tanh: -1 and 1)."""
        margin = _SATURATION_MARGIN * (high - low)
        return float(numpy.mean((self.values <= low + margin) | (self.values >= high - margin)))

    def histogram(self, bins=30, range=None):
        """numpy.histogram of the values: (counts, bin edges)."""
        return numpy.histogram(self.values, bins=bins, range=range)


@dataclasses.dataclass(frozen=True)
class ActivationStatistics:
    """One LayerActivations per layer, in order; iterate it, index it by position or layer name."""

    layers: tuple

    def __iter__(self):
        return iter(self.layers)

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, key):
        if isinstance(key, str):
            for layer in self.layers:
                if layer.name == key:
                    return layer
            raise KeyError(f"no layer named {key!r}; the layers are {[layer.name for layer in self.layers]}")
        return self.layers[key]

    def __str__(self):
        width = max([len("layer")] + [len(layer.name) for layer in self.layers])
        lines = [f"{'layer':<{width}} {'mean':>9} {'std':>9} {'min':>9} {'max':>9} {'zeros':>7}"]
        for layer in self.layers:
            lines.append(f"{layer.name:<{width}} {layer.mean:>9.4f} {layer.std:>9.4f} {layer.min:>9.4f} "
                         f"{layer.max:>9.4f} {layer.zero_fraction:>7.1%}")
        return "\n".join(lines)


def activation_statistics(model, x, layers=None, training=False):
    """Runs `x` through a Sequential model layer by layer and keeps every layer's output.

    Args:
        model: a Sequential model (its layers run in order).
        x: a batch of inputs.
        layers: names of the layers to keep (default: all but the InputLayer).
        training: the `training` flag of each call (False: dropout off).

    Returns:
        ActivationStatistics, one LayerActivations per kept layer.

    Raises:
        ValueError: for a model that is not a plain stack of layers, or an unknown layer name.
    """
    stack = [layer for layer in getattr(model, "layers", ()) if not isinstance(layer, InputLayer)]
    if type(model).__name__ != "Sequential" or not stack:
        raise ValueError(f"activation_statistics runs a Sequential model layer by layer; got {type(model).__name__} "
                         f"'{getattr(model, 'name', '?')}'")
    names = [layer.name for layer in stack]
    if layers is not None:
        unknown = [name for name in layers if name not in names]
        if unknown:
            raise ValueError(f"activation_statistics: no layer named {unknown}; the model's layers are {names}")
    kept = []
    signal = x
    with no_grad():
        for layer in stack:
            signal = layer(signal, training=training)
            if layers is None or layer.name in layers:
                kept.append(LayerActivations(layer.name, backend.to_numpy(signal.value).reshape(-1).astype(numpy.float64)))
    return ActivationStatistics(tuple(kept))

"""The record `explain.backprop` returns: every number of one forward and backward pass, by name.

Names follow the lectures' worked example: inputs i1, i2, ...; neurons h1, h2, ... of the one hidden
layer (h1_1, h1_2, h2_1, ... when there are several) and o1, o2, ... of the output layer; weights
w1, w2, ... numbered layer by layer, neuron by neuron (w1: i1 -> h1, w2: i2 -> h1, w3: i1 -> h2 ...);
the bias of neuron h1 is b_h1.
"""
import dataclasses
import math

import numpy

from neuroflow.explain.trace_rendering import render_latex, render_markdown, render_text

HOST_NUMPY = "the trace's figures are host float64 numbers collected for printing"


@dataclasses.dataclass(frozen=True)
class Term:
    """One named factor or summand of a formula: `symbol` is its name in the text ('dE/dout_o1')."""

    symbol: str
    value: float


@dataclasses.dataclass(frozen=True)
class DownstreamTerm:
    """One summand of a hidden neuron's dE/dout: the delta of a neuron it feeds, times the weight between."""

    neuron: str
    delta: float
    weight: str
    weight_value: float

    @property
    def value(self):
        return self.delta * self.weight_value


@dataclasses.dataclass(frozen=True)
class NeuronTrace:
    """One neuron's forward and backward figures.

    Attributes:
        name: 'h1', 'o2', ...
        layer: 1 for the first Dense layer, counting up.
        net: the net input, sum of w * input + b.
        out: the activation of net.
        net_terms: the summands of net: (weight, weight value, input name, input value) for each
            input, then ('b_<name>', bias, None, 1.0) when the layer has a bias.
        dE_dout: the loss's derivative by out.
        dout_dnet: the activation's derivative at net; None when the activation couples the
            neurons of its layer (softmax), where no single factor exists.
        delta: dE/dnet, the error signal of the neuron.
        downstream: for a hidden neuron, the summands delta_k * w of dE/dout over the neurons k it
            feeds; empty for an output neuron.
    """

    name: str
    layer: int
    net: float
    out: float
    net_terms: tuple
    dE_dout: float
    dout_dnet: float | None
    delta: float
    downstream: tuple = ()


@dataclasses.dataclass(frozen=True)
class WeightTrace:
    """One weight or bias: its gradient as a product of chain-rule factors, and its updated value.

    Attributes:
        name: 'w5', 'b_o1', ...
        layer: the Dense layer it belongs to (1, 2, ...).
        source: the input or neuron it multiplies ('h1'), None for a bias.
        target: the neuron whose net it feeds ('o1').
        value: the weight before the update.
        factors: the chain-rule factors whose product is the gradient
            (dE/dout, dout/dnet, dnet/dw; or delta, dnet/dw under softmax).
        gradient: dE/dw, as the engine's tape computed it (the penalty's share included).
        updated: value - learning_rate * gradient.
        penalty_gradient: dR/dw of the layer's kernel / bias regularizer (0 without one); the
            gradient is the factors' product plus this.
    """

    name: str
    layer: int
    source: str | None
    target: str
    value: float
    factors: tuple
    gradient: float
    updated: float
    penalty_gradient: float = 0.0

    @property
    def factor_product(self):
        return math.prod(term.value for term in self.factors)


@dataclasses.dataclass(frozen=True)
class LayerTrace:
    """One Dense layer of the trace: its neurons and its weights (kernel first, then biases)."""

    index: int
    name: str
    activation: str
    neurons: tuple
    weights: tuple
    kernel_shape: tuple
    use_bias: bool


@dataclasses.dataclass(frozen=True)
class LossTrace:
    """The loss: its name, its formula, its total and (for the lectures' losses) each output's share.

    Attributes:
        name: 'half_squared_error', 'mean_squared_error', ...
        formula: the formula in plain text.
        latex: the formula in LaTeX.
        total: E_total.
        contributions: one Term per output neuron ('E_o1') whose values add up to the total, or
            None for a loss that does not split by output (a custom callable).
        contribution_formula: how one contribution is computed, in plain text with '{o}' standing
            for the output neuron's name.
        derivative_formula: dE/dout of one output in plain text ('{o}' as above), or None.
        penalty: R, the layers' weight penalties (kernel / bias regularizers) included in `total`.
    """

    name: str
    formula: str
    latex: str
    total: float
    contributions: tuple | None
    contribution_formula: str | None
    derivative_formula: str | None = None
    penalty: float = 0.0


@dataclasses.dataclass(frozen=True)
class BackpropTrace:
    """A forward and backward pass through a Dense network on one sample, and one gradient-descent step.

    Print it (`print(trace)`) for the lecture's derivation in plain text; `to_markdown()` gives
    tables and LaTeX formulas for a notebook or a web page, `to_latex()` the formulas alone.
    `neuron('h1')` and `weight('w5')` look up single figures; `gradients()` and
    `updated_weights()` list them in the order of `model.get_weights()`. `dropouts` names the
    Dropout layers passed through (the identity, as when the network predicts).
    """

    inputs: tuple
    targets: tuple
    layers: tuple
    loss: LossTrace
    learning_rate: float
    dropouts: tuple = ()

    def neuron(self, name):
        """The NeuronTrace named `name` ('h1', 'o2')."""
        for layer in self.layers:
            for neuron in layer.neurons:
                if neuron.name == name:
                    return neuron
        known = [neuron.name for layer in self.layers for neuron in layer.neurons]
        raise KeyError(f"no neuron named {name!r} in this trace; the neurons are {known}")

    def weight(self, name):
        """The WeightTrace named `name` ('w5', 'b_o1')."""
        for layer in self.layers:
            for weight in layer.weights:
                if weight.name == name:
                    return weight
        known = [weight.name for layer in self.layers for weight in layer.weights]
        raise KeyError(f"no weight named {name!r} in this trace; the weights are {known}")

    @property
    def outputs(self):
        """The output layer's neurons."""
        return self.layers[-1].neurons

    def _arrays(self, attribute):
        arrays = []
        for layer in self.layers:
            kernel = numpy.array([getattr(w, attribute) for w in layer.weights if w.source is not None])
            arrays.append(kernel.reshape(layer.kernel_shape[::-1]).T)
            if layer.use_bias:
                arrays.append(numpy.array([getattr(w, attribute) for w in layer.weights if w.source is None]))
        return arrays

    def gradients(self):
        """dE/dw of every weight as arrays in the order of `model.get_weights()` (kernel, bias per layer)."""
        return self._arrays("gradient")

    def updated_weights(self):
        """The weights after the gradient-descent step, for `model.set_weights(...)`."""
        return self._arrays("updated")

    def __str__(self):
        return render_text(self)

    def to_text(self):
        """The derivation in plain text, what `print(trace)` shows."""
        return str(self)

    def to_markdown(self):
        """The derivation in Markdown: tables of the figures and the chain rule in LaTeX ($...$)."""
        return render_markdown(self)

    def to_latex(self):
        """The derivation as LaTeX `align*` blocks, ready for a document."""
        return render_latex(self)

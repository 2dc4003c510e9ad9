"""Backpropagation you can read: one sample through a Dense network, every figure of the chain rule.

    from neuroflow import explain
    model, x, y = explain.lecture_network()      # the lectures' 2-2-2 worked example
    trace = explain.backprop(model, x, y, learning_rate=0.5)
    print(trace)                                 # out_h1 = 0.593269992 ... w5+ = 0.35891648 ...
    trace.to_markdown()

The figures are not derived by a second, hand-written backprop: the forward pass runs the layers'
own op (`ops.dense`, then the layer's activation) under a `GradientTape`, and every derivative
(dE/dout, dE/dnet, dE/dw, the activation's slope) is what the tape hands back. The trace only
names them and multiplies the chain-rule factors out so the product can be seen to equal the
tape's dE/dw. The arithmetic is float64 whatever the model's dtype, so every figure has the
lectures' nine significant digits.
"""
import dataclasses

import numpy

from neuroflow import backend, losses, ops
from neuroflow.engine.tape import GradientTape
from neuroflow.engine.tensor import Tensor
from neuroflow.explain.backprop_trace import (
    BackpropTrace,
    DownstreamTerm,
    LayerTrace,
    LossTrace,
    NeuronTrace,
    Term,
    WeightTrace,
)
from neuroflow.layers import Dense, Dropout, Input, InputLayer
from neuroflow.models import Sequential
from neuroflow.utils.errors import unknown_name_error

HOST_NUMPY = "a teaching trace of one sample: weights copied to the host (backend.to_numpy) as float64, every figure printed"

# Activations whose outputs each depend on every net input of the layer: no per-neuron dout/dnet.
_COUPLED_ACTIVATIONS = ("softmax", "log_softmax", "sparsemax")


@dataclasses.dataclass(frozen=True)
class _LectureLoss:
    """A loss of the lectures: the engine's loss function, and how it splits into one term per output."""

    name: str
    formula: str
    latex: str
    contribution_formula: str
    derivative_formula: str  # dE/dout_o in plain text, '{o}' for the output's name; None when not short
    per_sample: object  # (targets, outputs) Tensors -> per-sample loss Tensor, from neuroflow's ops / losses
    contributions: object  # (targets, outputs) float64 arrays of shape (k,) -> one term per output


def _half_squared_error(targets, outputs):
    # E = 1/2 sum_o (t_o - out_o)^2: the lectures' loss, whose derivative is -(t - out).
    return ops.sum(ops.multiply(0.5, ops.square(ops.subtract(targets, outputs))), axis=-1)


def _clipped(outputs):
    # Keras clips probabilities to [epsilon, 1 - epsilon] before the logarithm.
    return numpy.clip(outputs, 1e-7, 1.0 - 1e-7)


LOSSES = {
    "half_squared_error": _LectureLoss(
        "half_squared_error", "E = 1/2 sum_o (t_o - out_o)^2", r"E = \frac{1}{2} \sum_o (t_o - out_o)^2",
        "1/2 (t_{o} - out_{o})^2", "-(t_{o} - out_{o})", _half_squared_error, lambda t, o: 0.5 * (t - o) ** 2),
    "mean_squared_error": _LectureLoss(
        "mean_squared_error", "E = 1/K sum_o (t_o - out_o)^2", r"E = \frac{1}{K} \sum_o (t_o - out_o)^2",
        "(t_{o} - out_{o})^2 / K", "-2 (t_{o} - out_{o}) / K", losses.mean_squared_error, lambda t, o: (t - o) ** 2 / len(t)),
    "binary_crossentropy": _LectureLoss(
        "binary_crossentropy", "E = -1/K sum_o [t_o log out_o + (1 - t_o) log(1 - out_o)]",
        r"E = -\frac{1}{K} \sum_o \left[t_o \log out_o + (1 - t_o) \log (1 - out_o)\right]",
        "-[t_{o} log out_{o} + (1 - t_{o}) log(1 - out_{o})] / K", "(out_{o} - t_{o}) / (out_{o} (1 - out_{o}) K)",
        losses.binary_crossentropy,
        lambda t, o: -(t * numpy.log(_clipped(o)) + (1 - t) * numpy.log(1 - _clipped(o))) / len(t)),
    "categorical_crossentropy": _LectureLoss(
        # Keras normalizes the outputs first, so the formula holds for any output layer; a softmax's
        # outputs already sum to 1, where it is the lectures' -sum t log out.
        "categorical_crossentropy", "E = -sum_o t_o log(out_o / sum_k out_k)",
        r"E = -\sum_o t_o \log \frac{out_o}{\sum_k out_k}",
        "-t_{o} log(out_{o} / sum_k out_k)", None, losses.categorical_crossentropy,
        lambda t, o: -t * numpy.log(_clipped(o / numpy.sum(o)))),
}
LOSS_ALIASES = {"mse": "mean_squared_error", "half_sum_of_squares": "half_squared_error",
                 "sse": "half_squared_error"}


def _lecture_loss(loss):
    """The _LectureLoss for a name, or a plain one around a callable (y_true, y_pred) -> per-sample loss."""
    if isinstance(loss, str):
        name = LOSS_ALIASES.get(loss, loss)
        if name not in LOSSES:
            raise unknown_name_error("explain.backprop loss", loss, sorted(LOSSES) + sorted(LOSS_ALIASES))
        return LOSSES[name]
    if callable(loss):
        name = getattr(loss, "__name__", None) or getattr(loss, "name", None) or type(loss).__name__
        return _LectureLoss(str(name), f"E = {name}(t, out)", rf"E = \mathrm{{{name}}}(t, out)".replace("_", r"\_"),
                            None, None, loss, None)
    raise TypeError(f"explain.backprop: `loss` must be a loss name ({', '.join(sorted(LOSSES))}) or a callable "
                    f"(y_true, y_pred) -> loss; got {type(loss).__name__}")


def _dense_layers(model):
    """(the model's Dense layers in order, the names of its Dropout layers); a ValueError names any other layer.

    Dropout is the identity outside training, and the trace is of the network as it predicts.
    """
    layers = getattr(model, "layers", None)
    if layers is None:
        raise TypeError(f"explain.backprop expects a neuroflow model of Dense layers; got {type(model).__name__}")
    dense, dropouts = [], []
    for layer in layers:
        if isinstance(layer, InputLayer):
            continue
        if isinstance(layer, Dropout):
            dropouts.append(layer.name)
            continue
        if not isinstance(layer, Dense):
            raise ValueError(f"explain.backprop traces networks of Dense layers only; layer '{layer.name}' is a "
                             f"{type(layer).__name__}. Put the activation in the Dense layer (Dense(units, "
                             "activation=...)) and leave out other layers.")
        dense.append(layer)
    if not dense:
        raise ValueError("explain.backprop: the model has no Dense layer to trace")
    return dense, tuple(dropouts)


def _one_row(name, value, size, what):
    """`value` as a float64 vector of `size` entries; one sample only, with a clear error otherwise."""
    array = numpy.asarray(value, dtype=numpy.float64)
    if array.ndim == 2 and array.shape[0] == 1:
        array = array[0]
    if array.ndim != 1 or (size is not None and array.shape[0] != size):
        expected = f"({size},) or (1, {size})" if size is not None else "(features,) or (1, features)"
        raise ValueError(f"explain.backprop traces one sample: `{name}` must have shape {expected}, one value per "
                         f"{what}; got shape {array.shape}. Pass one row, e.g. x[0] and y[0].")
    return array


def _neuron_names(layer_count):
    """A function (layer index from 1, neuron index from 1) -> name, in the lectures' style."""
    def name(layer, neuron):
        if layer == layer_count:
            return f"o{neuron}"
        return f"h{neuron}" if layer_count == 2 else f"h{layer}_{neuron}"
    return name


def _activation_name(layer):
    activation = layer.activation
    return getattr(activation, "__name__", None) or type(activation).__name__


def backprop(model, x, y, learning_rate=0.5, loss="half_squared_error"):
    """Traces one forward and backward pass of a Dense network on one sample, and one SGD step.

    For each neuron j of each layer it records net_j = sum_i w_ij out_i + b_j, out_j = g(net_j),
    dE/dout_j, g'(net_j) and delta_j = dE/dnet_j; for each weight, dE/dw as the product of its
    chain-rule factors and the updated weight w+ = w - learning_rate * dE/dw. All derivatives come
    from the engine's GradientTape. The model is not changed (`model.set_weights(trace.updated_weights())`
    takes the step).

    Args:
        model: a model whose layers are Dense (any activations), e.g. a Sequential; built or not.
        x: one input sample, shape (features,) or (1, features).
        y: its targets, shape (outputs,) or (1, outputs).
        learning_rate: the step eta of the gradient-descent update (the lectures: 0.5).
        loss: 'half_squared_error' (the lectures' E = 1/2 sum (t - o)^2), 'mean_squared_error'
            ('mse'), 'binary_crossentropy', 'categorical_crossentropy', or a callable
            (y_true, y_pred) -> per-sample loss (its total is traced, not split by output).

    Returns:
        A BackpropTrace (`print` it, or `to_markdown()`, `to_latex()`).

    Raises:
        ValueError: for a layer that is not Dense, or x / y of the wrong shape.
    """
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float, numpy.floating)):
        raise TypeError(f"explain.backprop: learning_rate must be a number, got {learning_rate!r}")
    lecture_loss = _lecture_loss(loss)
    dense, dropouts = _dense_layers(model)
    sample = _one_row("x", x, None, "input")
    if not all(layer.built for layer in dense):
        model(sample[None, :])
    sample = _one_row("x", x, dense[0].kernel.shape[0], "input")
    target = _one_row("y", y, dense[-1].units, "output unit")

    passes = _tape_pass(dense, sample, target, lecture_loss)
    name_of = _neuron_names(len(dense))
    input_names = [f"i{i + 1}" for i in range(len(sample))]
    source_names, source_values = input_names, sample
    layer_traces, weight_number = [], 1
    for number, (layer, figures) in enumerate(zip(dense, passes["layers"]), start=1):
        trace, weight_number = _layer_trace(number, layer, figures, source_names, source_values, name_of,
                                            weight_number, learning_rate)
        layer_traces.append(trace)
        source_names = [neuron["name"] for neuron in trace["neurons"]]
        source_values = figures["out"]

    # A hidden neuron's dE/dout is the sum, over the neurons k it feeds, of delta_k times the weight to k.
    for layer, following, figures in zip(layer_traces, layer_traces[1:], passes["layers"][1:]):
        for i, neuron in enumerate(layer["neurons"]):
            neuron["downstream"] = tuple(
                DownstreamTerm(downstream["name"], downstream["delta"], following["kernel_names"][(i, k)],
                               float(figures["kernel"][i, k]))
                for k, downstream in enumerate(following["neurons"]))
    layers = tuple(LayerTrace(layer["index"], layer["name"], layer["activation"],
                              tuple(NeuronTrace(**neuron) for neuron in layer["neurons"]), tuple(layer["weights"]),
                              layer["kernel_shape"], layer["use_bias"]) for layer in layer_traces)
    output_names = [neuron.name for neuron in layers[-1].neurons]
    contributions = None
    if lecture_loss.contributions is not None:
        shares = lecture_loss.contributions(target, passes["layers"][-1]["out"])
        contributions = tuple(Term(f"E_{name}", float(share)) for name, share in zip(output_names, shares))
    loss_trace = LossTrace(lecture_loss.name, lecture_loss.formula, lecture_loss.latex, passes["total"],
                           contributions, lecture_loss.contribution_formula, lecture_loss.derivative_formula,
                           passes["penalty"])
    return BackpropTrace(tuple(zip(input_names, map(float, sample))),
                         tuple(zip(output_names, map(float, target))), layers, loss_trace, float(learning_rate),
                         dropouts)


def _tape_pass(dense, sample, target, lecture_loss):
    """One forward pass under a GradientTape, and the tape's derivatives.

    Returns {'total': E, 'layers': [per layer: kernel, bias (or None), net, out, and the tape's
    dE/dnet, dE/dout, dE/dkernel, dE/dbias, with the activation's slope g'(net) or None]}, all
    float64 NumPy arrays of one sample.
    """
    # Float64 copies of the weights, watched by the tape (the model's Variables stay as they are).
    kernels = [Tensor(backend.to_numpy(layer.kernel.value).astype(numpy.float64)) for layer in dense]
    biases = [Tensor(backend.to_numpy(layer.bias.value).astype(numpy.float64)) if layer.use_bias else None
              for layer in dense]
    watched_biases = [bias for bias in biases if bias is not None]
    nets, outs = [], []
    with GradientTape(persistent=True) as tape:
        tape.watch(kernels + watched_biases)
        signal = Tensor(sample[None, :])
        for layer, kernel, bias in zip(dense, kernels, biases):
            net = ops.dense(signal, kernel, bias)
            signal = layer.activation(net)
            # A sigmoid / softmax output remembers its logits, and the cross-entropies would then skip
            # the output and start from net; forgetting them keeps out on the path, so dE/dout exists.
            signal._softmax_logits = None
            nets.append(net)
            outs.append(signal)
        data_loss = ops.mean(lecture_loss.per_sample(Tensor(target[None, :]), signal))
        # The layers' weight penalties (kernel_regularizer, bias_regularizer) belong to the loss training minimizes.
        penalties = [regularizer(weight) for layer, kernel, bias in zip(dense, kernels, biases)
                     for weight, regularizer in ((kernel, layer.kernel_regularizer), (bias, layer.bias_regularizer))
                     if weight is not None and regularizer is not None]
        penalty = ops.sum(ops.stack(penalties)) if penalties else None
        total = data_loss if penalty is None else ops.add(data_loss, penalty)
    gradients = tape.gradient(total, nets + outs + kernels + watched_biases, unconnected_gradients="zero")
    weights = kernels + watched_biases
    penalty_gradients = (tape.gradient(penalty, weights, unconnected_gradients="zero") if penalty is not None
                         else [None] * len(weights))
    count = len(dense)
    bias_grads = iter(zip(gradients[3 * count:], penalty_gradients[count:]))
    layers = []
    for index, layer in enumerate(dense):
        bias_grad, bias_penalty = next(bias_grads) if biases[index] is not None else (None, None)
        figures = {"kernel": kernels[index].numpy(), "net": nets[index].numpy()[0], "out": outs[index].numpy()[0],
                   "dE_dnet": gradients[index].numpy()[0], "dE_dout": gradients[count + index].numpy()[0],
                   "dE_dkernel": gradients[2 * count + index].numpy(),
                   "dR_dkernel": _array_or_zeros(penalty_gradients[index], kernels[index]),
                   "bias": None if biases[index] is None else biases[index].numpy(),
                   "dE_dbias": None if bias_grad is None else bias_grad.numpy(),
                   "dR_dbias": None if bias_grad is None else _array_or_zeros(bias_penalty, biases[index])}
        figures["slope"] = _activation_slope(layer, nets[index], figures)
        layers.append(figures)
    return {"total": float(total.numpy()), "penalty": 0.0 if penalty is None else float(penalty.numpy()),
            "layers": layers}


def _array_or_zeros(gradient, like):
    return numpy.zeros_like(like.numpy()) if gradient is None else gradient.numpy()


def _layer_trace(number, layer, figures, source_names, source_values, name_of, weight_number, learning_rate):
    """The neurons (as dicts, `downstream` filled in later) and WeightTraces of one Dense layer.

    Returns (the layer as a dict, the number of the next weight).
    """
    kernel, bias, slope = figures["kernel"], figures["bias"], figures["slope"]
    neurons, weights, kernel_names = [], [], {}
    for j in range(layer.units):
        name = name_of(number, j + 1)
        net_terms = []
        for i, source in enumerate(source_names):
            kernel_names[(i, j)] = f"w{weight_number}"
            weight_number += 1
            net_terms.append((kernel_names[(i, j)], float(kernel[i, j]), source, float(source_values[i])))
        if bias is not None:
            net_terms.append((f"b_{name}", float(bias[j]), None, 1.0))
        neuron = dict(name=name, layer=number, net=float(figures["net"][j]), out=float(figures["out"][j]),
                      net_terms=tuple(net_terms), dE_dout=float(figures["dE_dout"][j]),
                      dout_dnet=None if slope is None else float(slope[j]), delta=float(figures["dE_dnet"][j]))
        neurons.append(neuron)
        for i, source in enumerate(source_names):
            weight_name = kernel_names[(i, j)]
            gradient = float(figures["dE_dkernel"][i, j])
            weights.append(WeightTrace(weight_name, number, source, name, float(kernel[i, j]),
                                       _factors(name, neuron, f"dnet_{name}/d{weight_name}", float(source_values[i])),
                                       gradient, float(kernel[i, j]) - learning_rate * gradient,
                                       float(figures["dR_dkernel"][i, j])))
    if bias is not None:
        for j, neuron in enumerate(neurons):
            name = neuron["name"]
            gradient = float(figures["dE_dbias"][j])
            weights.append(WeightTrace(f"b_{name}", number, None, name, float(bias[j]),
                                       _factors(name, neuron, f"dnet_{name}/db_{name}", 1.0), gradient,
                                       float(bias[j]) - learning_rate * gradient, float(figures["dR_dbias"][j])))
    return (dict(index=number, name=layer.name, activation=_activation_name(layer), neurons=neurons, weights=weights,
                 kernel_shape=tuple(kernel.shape), use_bias=bias is not None, kernel_names=kernel_names),
            weight_number)


def _factors(name, neuron, last_symbol, last_value):
    """The chain-rule factors of dE/dw for a weight into neuron `name`."""
    if neuron["dout_dnet"] is None:
        return (Term(f"delta_{name}", neuron["delta"]), Term(last_symbol, last_value))
    return (Term(f"dE/dout_{name}", neuron["dE_dout"]), Term(f"dout_{name}/dnet_{name}", neuron["dout_dnet"]),
            Term(last_symbol, last_value))


def _activation_slope(layer, net, figures):
    """g'(net) per neuron from a tape over the layer's activation; None when the activation couples neurons.

    The tape's gradient of sum(g(net)) by net is the diagonal of g's Jacobian only when each output
    depends on its own net input alone. That holds for every built-in activation but the softmax
    family; a custom one is taken as elementwise only if dE/dout * g'(net) gives the tape's dE/dnet.
    """
    if _activation_name(layer) in _COUPLED_ACTIVATIONS:
        return None
    point = Tensor(numpy.array(net.numpy()))
    with GradientTape() as tape:
        tape.watch(point)
        output = layer.activation(point)
    slope = tape.gradient(output, point, unconnected_gradients="zero").numpy()[0]
    if not numpy.allclose(figures["dE_dout"] * slope, figures["dE_dnet"], rtol=1e-9, atol=1e-15):
        return None
    return slope


def lecture_network():
    """The lectures' worked example: (model, x, y) for `backprop(model, x, y, learning_rate=0.5)`.

    A 2-2-2 network with sigmoid neurons in float64: inputs i1 = .05, i2 = .10; weights w1 ... w8 =
    .15 .20 .25 .30 .40 .45 .50 .55 (w1: i1 -> h1, w2: i2 -> h1, w3: i1 -> h2, w4: i2 -> h2, w5: h1 ->
    o1, w6: h2 -> o1, w7: h1 -> o2, w8: h2 -> o2); biases .35 (hidden) and .60 (output); targets .01
    and .99. The loss is E = 1/2 sum (t - o)^2 and the learning rate 0.5.
    """
    model = Sequential([Input(shape=(2,), dtype="float64"),
                        Dense(2, activation="sigmoid", dtype="float64", name="hidden"),
                        Dense(2, activation="sigmoid", dtype="float64", name="output")])
    # kernel[i, j] is the weight from input i to neuron j.
    model.set_weights([numpy.array([[0.15, 0.25], [0.20, 0.30]]), numpy.array([0.35, 0.35]),
                       numpy.array([[0.40, 0.50], [0.45, 0.55]]), numpy.array([0.60, 0.60])])
    return model, numpy.array([0.05, 0.10]), numpy.array([0.01, 0.99])

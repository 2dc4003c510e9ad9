"""A BackpropTrace written out as the lectures write it: plain text, Markdown with LaTeX, or LaTeX alone.

Every figure is printed with nine significant digits (`format(value, '.9g')`), as the lectures
print theirs (out_h1 = 0.593269992, w5+ = 0.35891648); the trace itself keeps full float64.
The functions read the trace's attributes only, so they import nothing from the trace module.
"""
import re


def number(value):
    """`value` with nine significant digits, the lectures' precision (0.593269992, 0.05, -0.0190491183)."""
    text = format(float(value), ".9g")
    return "0" if text == "-0" else text


def _factor(value):
    """A number as a factor of a product: negatives in parentheses."""
    text = number(value)
    return f"({text})" if text.startswith("-") else text


def latex_name(name):
    """A trace name as a LaTeX symbol: 'h1' -> 'h_{1}', 'h2_1' -> 'h_{2,1}', 'w5' -> 'w_{5}', 'b_o1' -> 'b_{o_{1}}'."""
    if name.startswith("b_"):
        return f"b_{{{latex_name(name[2:])}}}"
    match = re.fullmatch(r"([a-z]+)(\d+)(?:_(\d+))?", name)
    if match is None:
        return r"\mathrm{" + name.replace("_", r"\_") + "}"
    letter, first, second = match.groups()
    return f"{letter}_{{{first},{second}}}" if second else f"{letter}_{{{first}}}"


def _signal(source):
    """What a weight multiplies: an input itself (i1), or the output of a neuron (out_h1)."""
    return source if re.fullmatch(r"i\d+", source) else f"out_{source}"


def _latex_signal(source):
    return latex_name(source) if re.fullmatch(r"i\d+", source) else f"out_{{{latex_name(source)}}}"


def _shape_text(trace):
    sizes = [len(trace.inputs)] + [len(layer.neurons) for layer in trace.layers]
    return "-".join(map(str, sizes))


def _layer_title(layer, count):
    role = "output layer" if layer.index == count else "hidden layer"
    return f"layer {layer.index}, {role} '{layer.name}' ({layer.activation})"


def _net_text(neuron):
    symbols = " + ".join(f"{w}*{_signal(source)}" if source is not None else w for w, _, source, _ in neuron.net_terms)
    values = " + ".join(f"{_factor(wv)}*{_factor(sv)}" if source is not None else _factor(wv)
                        for _, wv, source, sv in neuron.net_terms)
    return f"net_{neuron.name} = {symbols} = {values} = {number(neuron.net)}"


def _downstream_text(neuron):
    symbols = " + ".join(f"delta_{term.neuron}*{term.weight}" for term in neuron.downstream)
    values = " + ".join(f"{_factor(term.delta)}*{_factor(term.weight_value)}" for term in neuron.downstream)
    products = " + ".join(_factor(term.value) for term in neuron.downstream)
    return f"dE/dout_{neuron.name} = {symbols} = {values} = {products} = {number(neuron.dE_dout)}"


def _gradient_text(weight):
    symbols = " * ".join(term.symbol for term in weight.factors)
    values = " * ".join(_factor(term.value) for term in weight.factors)
    if weight.penalty_gradient:
        symbols += f" + dR/d{weight.name}"
        values += f" + {_factor(weight.penalty_gradient)}"
    return f"dE/d{weight.name} = {symbols} = {values} = {number(weight.gradient)}"


def _update_text(weight, learning_rate):
    return (f"{weight.name}+ = {weight.name} - eta * dE/d{weight.name} = {number(weight.value)} - "
            f"{number(learning_rate)} * {_factor(weight.gradient)} = {number(weight.updated)}")


def render_text(trace):
    """The derivation in plain text: forward pass, loss, backward pass, gradients and updates."""
    count = len(trace.layers)
    loss = trace.loss
    lines = [f"Backpropagation of one sample through a {_shape_text(trace)} network",
             f"loss: {loss.name}, {loss.formula}; learning rate eta = {number(trace.learning_rate)}", "",
             "Forward pass",
             "  inputs: " + ", ".join(f"{name} = {number(value)}" for name, value in trace.inputs)]
    if trace.dropouts:
        lines.append("  (Dropout " + ", ".join(f"'{name}'" for name in trace.dropouts) +
                     " passed through: the identity when the network predicts)")
    for layer in trace.layers:
        lines.append(f"  {_layer_title(layer, count)}")
        for neuron in layer.neurons:
            lines.append(f"    {_net_text(neuron)}")
            lines.append(f"    out_{neuron.name} = {layer.activation}(net_{neuron.name}) = {number(neuron.out)}")
    lines += ["", "Loss", "  targets: " + ", ".join(f"t_{name} = {number(value)}" for name, value in trace.targets)]
    if loss.contributions is not None:
        for (name, _), term in zip(trace.targets, loss.contributions):
            formula = loss.contribution_formula.replace("{o}", name)
            lines.append(f"  {term.symbol} = {formula} = {number(term.value)}")
        penalty = " + R" if loss.penalty else ""
        lines.append("  E_total = " + " + ".join(term.symbol for term in loss.contributions) + penalty +
                     f" = {number(loss.total)}")
    else:
        lines.append(f"  E_total = {number(loss.total)}")
    if loss.penalty:
        lines.append(f"  R = the layers' weight penalties (kernel / bias regularizers) = {number(loss.penalty)}")
    lines += ["", "Backward pass (derivatives from the GradientTape)"]
    for layer in reversed(trace.layers):
        lines.append(f"  {_layer_title(layer, count)}")
        for neuron in layer.neurons:
            if neuron.downstream:
                lines.append(f"    {_downstream_text(neuron)}")
            elif loss.derivative_formula is not None:
                formula = loss.derivative_formula.replace("{o}", neuron.name)
                lines.append(f"    dE/dout_{neuron.name} = {formula} = {number(neuron.dE_dout)}")
            else:
                lines.append(f"    dE/dout_{neuron.name} = {number(neuron.dE_dout)}")
            if neuron.dout_dnet is not None:
                lines.append(f"    dout_{neuron.name}/dnet_{neuron.name} = {layer.activation}'(net_{neuron.name}) = "
                             f"{number(neuron.dout_dnet)}")
                lines.append(f"    delta_{neuron.name} = dE/dnet_{neuron.name} = dE/dout_{neuron.name} * "
                             f"dout_{neuron.name}/dnet_{neuron.name} = {number(neuron.delta)}")
            else:
                lines.append(f"    delta_{neuron.name} = dE/dnet_{neuron.name} = sum_k dE/dout_k * dout_k/dnet_"
                             f"{neuron.name} ({layer.activation} couples the layer's outputs) = {number(neuron.delta)}")
    lines += ["", "Gradients and updates (w+ = w - eta * dE/dw)"]
    for layer in reversed(trace.layers):
        lines.append(f"  {_layer_title(layer, count)}")
        for weight in layer.weights:
            lines.append(f"    {_gradient_text(weight)}")
            lines.append(f"    {_update_text(weight, trace.learning_rate)}")
    return "\n".join(lines) + "\n"


# ---- LaTeX --------------------------------------------------------------------------------------

def _partial(top, bottom):
    return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"


def _latex_net(neuron):
    symbols = " + ".join(f"{latex_name(w)} {_latex_signal(source)}" if source is not None else latex_name(w)
                         for w, _, source, _ in neuron.net_terms)
    values = " + ".join(rf"{_factor(wv)} \cdot {_factor(sv)}" if source is not None else _factor(wv)
                        for _, wv, source, sv in neuron.net_terms)
    n = latex_name(neuron.name)
    return rf"net_{{{n}}} &= {symbols} = {values} = {number(neuron.net)}"


def _latex_gradient(weight):
    target, w = latex_name(weight.target), latex_name(weight.name)
    if len(weight.factors) == 3:
        symbols = (rf"{_partial('E', f'out_{{{target}}}')} \cdot {_partial(f'out_{{{target}}}', f'net_{{{target}}}')} "
                   rf"\cdot {_partial(f'net_{{{target}}}', w)}")
    else:
        symbols = rf"\delta_{{{target}}} \cdot {_partial(f'net_{{{target}}}', w)}"
    values = r" \cdot ".join(_factor(term.value) for term in weight.factors)
    if weight.penalty_gradient:
        symbols += f" + {_partial('R', w)}"
        values += f" + {_factor(weight.penalty_gradient)}"
    return rf"{_partial('E', w)} &= {symbols} = {values} = {number(weight.gradient)}"


def _latex_update(weight, learning_rate):
    w = latex_name(weight.name)
    return (rf"{w}^{{+}} &= {w} - \eta \, {_partial('E', w)} = {number(weight.value)} - {number(learning_rate)} "
            rf"\cdot {_factor(weight.gradient)} = {number(weight.updated)}")


def _latex_output_derivative(neuron, loss):
    n = latex_name(neuron.name)
    if loss.name == "half_squared_error":
        return rf"{_partial('E', f'out_{{{n}}}')} &= -(t_{{{n}}} - out_{{{n}}}) = {number(neuron.dE_dout)}"
    return rf"{_partial('E', f'out_{{{n}}}')} &= {number(neuron.dE_dout)}"


def _latex_backward(neuron, activation):
    n = latex_name(neuron.name)
    lines = []
    if neuron.downstream:
        symbols = " + ".join(rf"\delta_{{{latex_name(t.neuron)}}} {latex_name(t.weight)}" for t in neuron.downstream)
        values = " + ".join(rf"{_factor(t.delta)} \cdot {_factor(t.weight_value)}" for t in neuron.downstream)
        lines.append(rf"{_partial('E', f'out_{{{n}}}')} &= {symbols} = {values} = {number(neuron.dE_dout)}")
    if neuron.dout_dnet is not None:
        lines.append(rf"{_partial(f'out_{{{n}}}', f'net_{{{n}}}')} &= \mathrm{{{activation}}}'(net_{{{n}}}) = "
                     rf"{number(neuron.dout_dnet)}")
        lines.append(rf"\delta_{{{n}}} = {_partial('E', f'net_{{{n}}}')} &= {_partial('E', f'out_{{{n}}}')} "
                     rf"{_partial(f'out_{{{n}}}', f'net_{{{n}}}')} = {number(neuron.delta)}")
    else:
        lines.append(rf"\delta_{{{n}}} = {_partial('E', f'net_{{{n}}}')} &= \sum_k {_partial('E', 'out_k')} "
                     rf"{_partial('out_k', f'net_{{{n}}}')} = {number(neuron.delta)}")
    return lines


def latex_blocks(trace):
    """The derivation as a list of (title, [aligned LaTeX lines]) sections."""
    loss = trace.loss
    forward = []
    for layer in trace.layers:
        activation = layer.activation.replace("_", r"\_")
        for neuron in layer.neurons:
            n = latex_name(neuron.name)
            forward.append(_latex_net(neuron))
            forward.append(rf"out_{{{n}}} &= \mathrm{{{activation}}}(net_{{{n}}}) = {number(neuron.out)}")
    loss_lines = [loss.latex.replace("=", "&=", 1)]
    if loss.contributions is not None:
        for neuron, term in zip(trace.outputs, loss.contributions):
            loss_lines.append(rf"E_{{{latex_name(neuron.name)}}} &= {number(term.value)}")
        symbols = " + ".join(rf"E_{{{latex_name(neuron.name)}}}" for neuron in trace.outputs)
        symbols += " + R" if loss.penalty else ""
        loss_lines.append(rf"E_{{total}} &= {symbols} = {number(loss.total)}")
    else:
        loss_lines.append(rf"E_{{total}} &= {number(loss.total)}")
    backward = []
    for layer in reversed(trace.layers):
        activation = layer.activation.replace("_", r"\_")
        for neuron in layer.neurons:
            if not neuron.downstream:
                backward.append(_latex_output_derivative(neuron, loss))
            backward += _latex_backward(neuron, activation)
    updates = []
    for layer in reversed(trace.layers):
        for weight in layer.weights:
            updates.append(_latex_gradient(weight))
            updates.append(_latex_update(weight, trace.learning_rate))
    return [("Forward pass", forward), ("Loss", loss_lines), ("Backward pass", backward),
            (rf"Gradients and updates ($\eta = {number(trace.learning_rate)}$)", updates)]


def render_latex(trace):
    """The derivation as LaTeX: one `align*` environment per section, each preceded by a comment line."""
    parts = []
    for title, lines in latex_blocks(trace):
        parts.append(f"% {title}\n\\begin{{align*}}\n" + " \\\\\n".join(lines) + "\n\\end{align*}")
    return "\n\n".join(parts) + "\n"


# ---- Markdown -----------------------------------------------------------------------------------

def _row(cells):
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def render_markdown(trace):
    """The derivation in Markdown: a table per pass, then the chain rule of every weight in LaTeX."""
    count = len(trace.layers)
    loss = trace.loss
    lines = [f"## Backpropagation of one sample through a {_shape_text(trace)} network", "",
             f"Loss `{loss.name}`: ${loss.latex}$; learning rate $\\eta = {number(trace.learning_rate)}$. "
             "Every derivative is the engine's (`GradientTape`); the products show the chain rule.", "",
             "### Forward pass", "",
             "Inputs: " + ", ".join(f"${latex_name(name)} = {number(value)}$" for name, value in trace.inputs), "",
             _row(["layer", "neuron", "net", "out"]), _row(["---"] * 4)]
    for layer in trace.layers:
        for neuron in layer.neurons:
            lines.append(_row([_layer_title(layer, count), neuron.name, number(neuron.net), number(neuron.out)]))
    lines += ["", "### Loss", "", _row(["output", "target t", "out", "contribution to E"]), _row(["---"] * 4)]
    shares = loss.contributions or [None] * len(trace.outputs)
    for neuron, (_, target), share in zip(trace.outputs, trace.targets, shares):
        lines.append(_row([neuron.name, number(target), number(neuron.out), "-" if share is None else number(share.value)]))
    lines += ["", f"$E_{{total}} = {number(loss.total)}$", "",
              "### Backward pass", "", _row(["layer", "neuron", "dE/dout", "dout/dnet", "delta = dE/dnet"]),
              _row(["---"] * 5)]
    for layer in reversed(trace.layers):
        for neuron in layer.neurons:
            slope = "(coupled)" if neuron.dout_dnet is None else number(neuron.dout_dnet)
            lines.append(_row([_layer_title(layer, count), neuron.name, number(neuron.dE_dout), slope,
                               number(neuron.delta)]))
    lines += ["", "### Gradients and updates", "",
              _row(["weight", "from -> to", "w", "dE/dw = product of the chain-rule factors (+ dR/dw)", "dE/dw", "w+"]),
              _row(["---"] * 6)]
    for layer in reversed(trace.layers):
        for weight in layer.weights:
            factors = r" \cdot ".join(_factor(term.value) for term in weight.factors)
            if weight.penalty_gradient:
                factors += f" + {_factor(weight.penalty_gradient)}"
            lines.append(_row([weight.name, f"{weight.source or 'bias'} -> {weight.target}", number(weight.value),
                               f"${factors}$", number(weight.gradient), number(weight.updated)]))
    lines += ["", "### The formulas", ""]
    for title, block in latex_blocks(trace):
        lines += [f"**{title}**", "", "$$", "\\begin{aligned}", " \\\\\n".join(block), "\\end{aligned}", "$$", ""]
    return "\n".join(lines)

"""The lectures' worked backpropagation example, every figure from neuroflow's own tape (decks 2 and 3).

A 2-2-2 sigmoid network (inputs .05 .10; w1 ... w8 = .15 .20 .25 .30 .40 .45 .50 .55; biases .35
and .60; targets .01 .99), the loss E = 1/2 sum (t - o)^2, one gradient-descent step with learning
rate 0.5. `neuroflow.explain.backprop` prints the forward pass, the loss, every delta and every
dE/dw as the product of its chain-rule factors; this script checks them against the lecture's
printed figures and draws the network with each weight before and after the step.

Run it with `python examples/backprop_worked_example.py [--format text|markdown|latex] [--plot-dir D]`
(`neuroflow explain` prints the same trace).
"""
import _common  # noqa: F401  (finds neuroflow and the offline data)
from _common import DEFAULT_PLOT_DIR, new_figure, parse_args, plot_path

from neuroflow import explain

# The figures the lecture prints (deck 3's worked example, in the issue's consistent set of weights).
LECTURE = {"out_h1": 0.593269992, "out_o1": 0.75136507, "E_total": 0.298371109, "dE/dw5": 0.082167041,
           "w5+": 0.35891648, "w6+": 0.408666186, "w7+": 0.511301270, "w8+": 0.561370121, "dE/dw1": 0.000438568,
           "w1+": 0.149780716, "w2+": 0.19956143, "w3+": 0.24975114, "w4+": 0.29950229}
EXPECTED = ("out_h1 0.593269992, E_total 0.298371109, dE/dw5 0.082167041, w5+ 0.35891648, dE/dw1 0.000438568, "
            "w1+ 0.149780716 (and w2+ ... w8+)")


def measured_figures(trace):
    """The trace's value of every figure in LECTURE."""
    figures = {"out_h1": trace.neuron("h1").out, "out_o1": trace.neuron("o1").out, "E_total": trace.loss.total,
               "dE/dw5": trace.weight("w5").gradient, "dE/dw1": trace.weight("w1").gradient}
    figures.update({f"w{i}+": trace.weight(f"w{i}").updated for i in range(1, 9)})
    return figures


def _draw(trace, plot_dir):
    figure = new_figure((10, 4.6)) if plot_dir is not None else None
    if figure is None:
        return None
    ax = figure.subplots()
    columns = [[name for name, _ in trace.inputs]] + [[n.name for n in layer.neurons] for layer in trace.layers]
    position = {}
    for column, names in enumerate(columns):
        for row, name in enumerate(names):
            position[name] = (column * 4.0, (len(names) - 1) / 2 - row)
    for layer in trace.layers:
        for weight in layer.weights:
            if weight.source is None:
                continue
            (x0, y0), (x1, y1) = position[weight.source], position[weight.target]
            ax.plot([x0, x1], [y0, y1], color="0.6", zorder=1)
            share = 0.3 if y1 > y0 else 0.7  # stagger the labels of crossing edges
            ax.text(x0 + (x1 - x0) * share, y0 + (y1 - y0) * share,
                    f"{weight.name}: {weight.value:g} -> {weight.updated:.6f}\ndE/d{weight.name} = {weight.gradient:.6f}",
                    fontsize=7, ha="center", va="center", bbox=dict(facecolor="white", edgecolor="none", alpha=0.85))
    values = dict(trace.inputs)
    values.update({n.name: n.out for layer in trace.layers for n in layer.neurons})
    deltas = {n.name: n.delta for layer in trace.layers for n in layer.neurons}
    for name, (x, y) in position.items():
        ax.scatter([x], [y], s=1400, color="#f5d0cf" if name.startswith("o") else "#cfe0f5", zorder=2)
        label = f"{name}\n{values[name]:.6f}" + (f"\nδ={deltas[name]:.4g}" if name in deltas else "")
        ax.text(x, y, label, ha="center", va="center", fontsize=7, zorder=3)
    ax.set_title(f"one step of backprop, eta = {trace.learning_rate:g}: E_total = {trace.loss.total:.9f}", fontsize=10)
    ax.set_axis_off()
    ax.set_xlim(-1, 9)
    ax.set_ylim(-1.1, 1.1)
    figure.tight_layout()
    path = plot_path(plot_dir, "backprop_worked_example")
    figure.savefig(path, dpi=80)
    print(f"plot saved to {path}")
    return path


def main(epochs=None, samples=None, verbose=1, plot_dir=DEFAULT_PLOT_DIR, output_format="text"):
    """Traces the lecture's example, prints it and compares it with the lecture's figures.

    Args:
        epochs, samples: ignored (one sample, one step); accepted so every example takes the same arguments.
        verbose: 0 silent, 1 the trace and the comparison.
        plot_dir: folder for `backprop_worked_example.png` (None: no plot).
        output_format: 'text', 'markdown' or 'latex', the rendering printed.

    Returns:
        dict with `trace`, `figures` (measured), `max_difference` (largest |measured - lecture|), `plot`, `measured`.
    """
    model, x, y = explain.lecture_network()
    trace = explain.backprop(model, x, y, learning_rate=0.5)
    figures = measured_figures(trace)
    differences = {name: abs(figures[name] - value) for name, value in LECTURE.items()}
    if verbose:
        print({"text": trace.to_text, "markdown": trace.to_markdown, "latex": trace.to_latex}[output_format]())
        for name, value in LECTURE.items():
            print(f"{name:8} lecture {value:.9g}   neuroflow {figures[name]:.9f}   difference {differences[name]:.1e}")
    plot = _draw(trace, plot_dir)
    worst = max(differences.values())
    measured = (f"out_h1 {figures['out_h1']:.9f}, E_total {figures['E_total']:.9f}, dE/dw5 {figures['dE/dw5']:.9f}, "
                f"w5+ {figures['w5+']:.8f}, dE/dw1 {figures['dE/dw1']:.9f}, w1+ {figures['w1+']:.9f}; all 13 figures "
                f"within {worst:.1e} of the lecture's")
    return {"trace": trace, "figures": figures, "max_difference": worst, "plot": plot, "measured": measured}


if __name__ == "__main__":
    arguments = parse_args(__doc__, epochs=None, samples_help="ignored: one sample",
                           extra=lambda parser: parser.add_argument("--format", default="text",
                                                                    choices=("text", "markdown", "latex")))
    main(plot_dir=arguments.plot_dir, output_format=arguments.format)

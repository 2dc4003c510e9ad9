"""`neuroflow explain`: prints the backpropagation trace of one sample (the lectures' example by default).

    neuroflow explain                                   # the 2-2-2 worked example, eta = 0.5
    neuroflow explain --format markdown > backprop.md
    neuroflow explain --model model.keras --csv data.csv --row 3 --loss mean_squared_error

A CSV row holds the inputs, then the targets: as many numbers as the model has inputs, then as
many as it has outputs. A first row that is not numeric is taken as a header and skipped.
"""
import argparse
import csv
import sys

import numpy

from neuroflow.explain.backprop import LOSS_ALIASES, LOSSES, backprop, lecture_network
from neuroflow.saving import load_model

HOST_NUMPY = "parses a CSV row and command-line numbers on the host"

NAME = "explain"
HELP = "print every figure of one backpropagation step (the lectures' 2-2-2 example by default)"


def add_arguments(parser):
    """The options of `neuroflow explain`."""
    parser.add_argument("--model", help="a saved model of Dense layers (.keras, .h5 or neuroflow's format); "
                                        "default: the lectures' 2-2-2 network")
    parser.add_argument("--csv", help="a CSV file whose row holds the inputs, then the targets")
    parser.add_argument("--row", type=int, default=0, help="which data row of --csv (from 0; default 0)")
    parser.add_argument("--inputs", help="the input sample as comma-separated numbers, e.g. 0.05,0.10")
    parser.add_argument("--targets", help="the targets as comma-separated numbers, e.g. 0.01,0.99")
    parser.add_argument("--loss", default="half_squared_error", choices=sorted(LOSSES) + sorted(LOSS_ALIASES),
                        help="the loss (default: half_squared_error, E = 1/2 sum (t - o)^2)")
    parser.add_argument("--learning-rate", type=float, default=0.5, help="eta of the update (default 0.5)")
    parser.add_argument("--format", choices=("text", "markdown", "latex"), default="text",
                        help="plain text (default), Markdown with LaTeX formulas, or LaTeX")


def _numbers(text, option):
    try:
        return numpy.array([float(part) for part in text.split(",")])
    except ValueError:
        raise ValueError(f"{option} expects comma-separated numbers, got {text!r}") from None


def read_csv_row(path, row, input_count, output_count):
    """(inputs, targets) from data row `row` of a CSV file (a non-numeric first row is a header)."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = [line for line in csv.reader(handle) if line]
    try:
        [float(cell) for cell in rows[0]]
    except (ValueError, IndexError):
        rows = rows[1:]
    if not 0 <= row < len(rows):
        raise ValueError(f"--row {row} is outside the {len(rows)} data rows of {path}")
    try:
        values = [float(cell) for cell in rows[row]]
    except ValueError:
        raise ValueError(f"row {row} of {path} is not all numbers: {rows[row]}") from None
    if len(values) != input_count + output_count:
        raise ValueError(f"row {row} of {path} has {len(values)} numbers; the model needs {input_count} inputs "
                         f"then {output_count} targets ({input_count + output_count} in all)")
    return numpy.array(values[:input_count]), numpy.array(values[input_count:])


def run(arguments, out):
    """Builds the trace the options describe and writes it to `out`; returns the exit status."""
    if arguments.model:
        model = load_model(arguments.model, compile=False)
        x = y = None
    else:
        model, x, y = lecture_network()
    if arguments.csv:
        input_count = int(model.layers[0].kernel.shape[0]) if model.layers[0].built else None
        if input_count is None:
            raise ValueError(f"the model in {arguments.model} is not built, so its input size is unknown")
        x, y = read_csv_row(arguments.csv, arguments.row, input_count, int(model.layers[-1].units))
    if arguments.inputs:
        x = _numbers(arguments.inputs, "--inputs")
    if arguments.targets:
        y = _numbers(arguments.targets, "--targets")
    if x is None or y is None:
        raise ValueError("with --model, give the sample as --csv FILE [--row N], or as --inputs and --targets")
    trace = backprop(model, x, y, learning_rate=arguments.learning_rate, loss=arguments.loss)
    rendered = {"text": trace.to_text, "markdown": trace.to_markdown, "latex": trace.to_latex}[arguments.format]()
    out.write(rendered if rendered.endswith("\n") else rendered + "\n")
    return 0


def main(argv=None, out=None):
    """Runs `neuroflow explain ARGS`; returns the exit status.

    Errors a user can fix (a ValueError, a missing file) are one line on stderr and status 2.
    """
    parser = argparse.ArgumentParser(prog=f"neuroflow {NAME}", description=HELP)
    add_arguments(parser)
    arguments = parser.parse_args(argv)
    try:
        return run(arguments, sys.stdout if out is None else out)
    except (ValueError, OSError) as error:
        print(f"neuroflow {NAME}: error: {error}", file=sys.stderr)
        return 2

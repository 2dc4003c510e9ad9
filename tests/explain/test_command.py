"""`neuroflow explain`: the lecture example by default, a saved model with a CSV row, clear errors."""
import io

import numpy
import pytest

from neuroflow import explain, layers, models
from neuroflow.explain import command


def _run(*argv):
    out = io.StringIO()
    status = command.main(list(argv), out=out)
    return status, out.getvalue()


def test_default_is_the_lectures_worked_example():
    status, text = _run()
    assert status == 0
    assert "E_total = E_o1 + E_o2 = 0.298371109" in text
    assert "w1+ = w1 - eta * dE/dw1 = 0.15 - 0.5 * 0.000438567734 = 0.149780716" in text


@pytest.mark.parametrize("format_name, marker", [("markdown", "| w5 | h1 -> o1 |"), ("latex", r"\begin{align*}")])
def test_formats(format_name, marker):
    status, text = _run("--format", format_name)
    assert status == 0 and marker in text


def test_inputs_targets_and_learning_rate_options():
    status, text = _run("--inputs", "0.1,0.2", "--targets", "0,1", "--learning-rate", "0.1")
    assert status == 0
    model, _, _ = explain.lecture_network()
    expected = explain.backprop(model, [0.1, 0.2], [0.0, 1.0], learning_rate=0.1)
    assert text == str(expected)


def test_a_saved_model_and_a_csv_row(tmp_path):
    model = models.Sequential([layers.Input((3,)), layers.Dense(2, activation="tanh"), layers.Dense(1)])
    path = tmp_path / "model.keras"
    model.save(path)
    data = tmp_path / "data.csv"
    data.write_text("a,b,c,target\n0.1,0.2,0.3,1.0\n0.5,-0.5,0.25,0.0\n")
    status, text = _run("--model", str(path), "--csv", str(data), "--row", "1", "--loss", "mse")
    assert status == 0
    expected = explain.backprop(model, numpy.array([0.5, -0.5, 0.25]), [0.0], learning_rate=0.5, loss="mse")
    assert text == str(expected)


def test_csv_errors_say_what_is_wrong(tmp_path, capsys):
    model = models.Sequential([layers.Input((2,)), layers.Dense(1)])
    path = tmp_path / "model.keras"
    model.save(path)
    data = tmp_path / "data.csv"
    data.write_text("0.1,0.2\n")
    assert _run("--model", str(path), "--csv", str(data))[0] == 2
    assert "needs 2 inputs then 1 targets" in capsys.readouterr().err
    assert _run("--model", str(path), "--csv", str(data), "--row", "5")[0] == 2
    assert "--row 5 is outside the 1 data rows" in capsys.readouterr().err
    assert _run("--model", str(path))[0] == 2
    assert "--csv FILE" in capsys.readouterr().err
    assert _run("--inputs", "a,b")[0] == 2
    assert "comma-separated numbers" in capsys.readouterr().err

"""docs/LEARN.md: every Python block runs, and every figure it shows is one an example draws."""
import pathlib
import re

import pytest

import neuroflow

ROOT = pathlib.Path(__file__).resolve().parents[2]
TEXT = (ROOT / "docs" / "LEARN.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)


def test_the_page_has_its_topics():
    assert len(BLOCKS) >= 12
    for topic in ("perceptron", "Backpropagation you can read", "Numerical gradients", "vanishing gradient",
                  "Weight initialization", "Optimizers", "Overfitting"):
        assert topic in TEXT


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_every_python_block_runs(index, capsys):
    neuroflow.set_random_seed(0)
    namespace = {}
    exec(compile(BLOCKS[index], f"LEARN.md block {index + 1}", "exec"), namespace)
    printed = capsys.readouterr().out
    # A block ran to its end (an exception fails the test) and showed the reader what it says it shows.
    assert any(not name.startswith("__") for name in namespace)
    if "print(" in BLOCKS[index]:
        assert printed.strip(), f"LEARN.md block {index + 1} printed nothing"


def test_every_figure_is_drawn_by_an_example():
    examples = {path.stem for path in (ROOT / "examples").glob("*.py")}
    figures = re.findall(r"!\[[^\]]*\]\(plots/([a-z_]+)\.png\)", TEXT)
    assert figures
    for figure in figures:
        assert figure in examples, f"no examples/{figure}.py draws plots/{figure}.png"

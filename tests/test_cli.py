"""The `neuroflow` console command's dispatcher."""
import pathlib
import subprocess
import sys

from neuroflow import cli


def test_help_lists_the_tools(capsys):
    assert cli.main(["--help"]) == 0
    assert "playground" in capsys.readouterr().out


def test_an_unknown_tool_is_named_with_the_usage(capsys):
    assert cli.main(["playgrond"]) == 2
    assert "unknown tool 'playgrond'" in capsys.readouterr().err


def test_playground_arguments_reach_the_playground(monkeypatch):
    from neuroflow.playground import __main__ as playground_main
    received = []
    monkeypatch.setattr(playground_main, "main", lambda argv: received.append(argv) or 0)
    assert cli.main(["playground", "--port", "9000", "--no-browser"]) == 0
    assert received == [["--port", "9000", "--no-browser"]]
    arguments = playground_main.parse_arguments(["--port", "9000", "--no-browser"])
    assert arguments.port == 9000 and arguments.no_browser


# ---- the explain tool (issue 11) and the console script ------------------------------------------

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_pyproject_declares_the_console_script():
    # Read as text: tomllib is Python 3.11+, and neuroflow supports 3.10.
    text = (ROOT / "pyproject.toml").read_text()
    scripts = text.split("[project.scripts]", 1)[1].split("\n[", 1)[0]
    assert 'neuroflow = "neuroflow.cli:main"' in scripts


def test_help_lists_explain(capsys):
    assert cli.main(["--help"]) == 0
    assert "explain" in capsys.readouterr().out


def test_explain_arguments_reach_explain(capsys):
    assert cli.main(["explain", "--format", "latex"]) == 0
    assert r"\begin{align*}" in capsys.readouterr().out


def test_a_user_error_is_one_line_on_stderr(capsys, tmp_path):
    assert cli.main(["explain", "--model", str(tmp_path / "missing.keras")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("neuroflow explain: error:") and "Traceback" not in err


def test_python_dash_m_neuroflow_runs_the_dispatcher():
    result = subprocess.run([sys.executable, "-m", "neuroflow", "explain"], capture_output=True, text=True,
                            cwd=ROOT, timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert result.returncode == 0, result.stderr
    assert "out_h1 = sigmoid(net_h1) = 0.593269992" in result.stdout

"""The `neuroflow` command: the dispatcher, its registration of subcommands, and the console script entry."""
import io
import pathlib
import subprocess
import sys

import pytest

from neuroflow import cli

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_pyproject_declares_the_console_script():
    # Read as text: tomllib is Python 3.11+, and neuroflow supports 3.10.
    text = (ROOT / "pyproject.toml").read_text()
    scripts = text.split("[project.scripts]", 1)[1].split("\n[", 1)[0]
    assert 'neuroflow = "neuroflow.cli:main"' in scripts


def test_every_registered_subcommand_has_a_parser():
    parser = cli.build_parser()
    names = [module.NAME for module in cli.SUBCOMMANDS]
    assert "explain" in names
    for name in names:
        assert parser.parse_args([name]).command == name


def test_no_subcommand_prints_help_and_fails(capsys):
    assert cli.main([]) == 2
    assert "explain" in capsys.readouterr().err


def test_a_user_error_is_one_line_on_stderr(capsys, tmp_path):
    assert cli.main(["explain", "--model", str(tmp_path / "missing.keras")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("neuroflow explain: error:") and "Traceback" not in err


def test_python_dash_m_neuroflow_runs_the_dispatcher():
    result = subprocess.run([sys.executable, "-m", "neuroflow", "explain"], capture_output=True, text=True,
                            cwd=ROOT, timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert result.returncode == 0, result.stderr
    assert "out_h1 = sigmoid(net_h1) = 0.593269992" in result.stdout


@pytest.mark.parametrize("argv", [["--help"], ["explain", "--help"]])
def test_help_exits_cleanly(argv):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv, out=io.StringIO())
    assert exit_info.value.code == 0

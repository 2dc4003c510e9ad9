"""The `neuroflow` console command's dispatcher."""
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

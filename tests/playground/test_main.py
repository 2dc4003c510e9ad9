"""`python -m neuroflow.playground`: the command starts a server on 127.0.0.1 that serves the page."""
import pathlib
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytest.importorskip("uvicorn", reason="the playground server needs the playground extra (uvicorn)")
pytest.importorskip("starlette", reason="the playground server needs the playground extra (starlette)")

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_the_command_serves_the_page_on_the_given_port_without_opening_a_browser():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "neuroflow.playground", "--port", str(port), "--no-browser"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    page = response.read().decode()
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    pytest.fail(f"the playground did not start: {server.stdout.read() if server.poll() is not None else ''}")
                time.sleep(0.2)
        assert "<title>neuroflow playground</title>" in page
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    assert f"neuroflow playground at http://127.0.0.1:{port}/" in output

"""RemoteMonitor against a server on 127.0.0.1 that the test starts and stops (bounded)."""
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest

from neuroflow.callbacks import RemoteMonitor


class _Recorder(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):  # noqa: N802 - the http.server hook's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.path, self.headers.get("Content-Type"), self.headers.get("X-Run"), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Recorder.received = []
    httpd = HTTPServer(("127.0.0.1", 0), _Recorder)
    httpd.timeout = 5
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def test_posts_a_form_field_with_json(server):
    monitor = RemoteMonitor(root=server, headers={"X-Run": "a"}, timeout=5)
    monitor.on_epoch_end(0, {"loss": np.float32(0.25), "acc": np.array(0.5)})
    monitor.on_epoch_end(1, {"loss": 0.125})
    assert len(_Recorder.received) == 2
    path, content_type, run, body = _Recorder.received[0]
    assert (path, content_type, run) == ("/publish/epoch/end/", "application/x-www-form-urlencoded", "a")
    assert json.loads(urllib.parse.parse_qs(body.decode())["data"][0]) == {"epoch": 0, "loss": 0.25, "acc": 0.5}


def test_posts_json(server):
    monitor = RemoteMonitor(root=server, path="/logs", send_as_json=True, timeout=5)
    monitor.on_epoch_end(3, {"val_loss": 1.5})
    path, content_type, _, body = _Recorder.received[0]
    assert (path, content_type) == ("/logs", "application/json")
    assert json.loads(body) == {"epoch": 3, "val_loss": 1.5}


def test_unreachable_server_warns():
    # Port 9 on the loopback (discard) has no listener here: the connection is refused at once.
    monitor = RemoteMonitor(root="http://127.0.0.1:9", timeout=2)
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor"):
        monitor.on_epoch_end(0, {"loss": 1.0})

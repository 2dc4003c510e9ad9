"""RemoteMonitor: posts each epoch's logs to an HTTP server, with the standard library only."""
import json
import urllib.error
import urllib.parse
import warnings

from neuroflow.callbacks.callback import Callback


def _plain(value):
    # NumPy scalars and 0-d arrays become Python numbers, so json can write them.
    item = getattr(value, "item", None)
    return item() if callable(item) and getattr(value, "size", 1) == 1 else value


class RemoteMonitor(Callback):
    """POSTs {'epoch': epoch, <log name>: value, ...} to `root + path` at the end of every epoch.

    By default the body is a form with one field, `field`, holding the logs as a JSON string
    (`data={"epoch": 0, "loss": 0.5}`); with `send_as_json=True` it is the JSON object itself
    (Content-Type application/json). A server that cannot be reached gives a warning, not an error.

    Args:
        root: the server's root URL (default 'http://localhost:9000').
        path: the path appended to `root` (default '/publish/epoch/end/').
        field: the form field that carries the JSON (default 'data').
        headers: extra HTTP headers, a dict.
        send_as_json: send the logs as a JSON body instead of a form (default False).
        timeout: seconds to wait for the server (neuroflow's addition; default 10).
    """

    def __init__(self, root="http://localhost:9000", path="/publish/epoch/end/", field="data", headers=None,
                 send_as_json=False, timeout=10.0):
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json
        self.timeout = timeout

    def on_epoch_end(self, epoch, logs=None):
        import urllib.request as url_request  # here, not at import: see utils/download.download

        send = {"epoch": epoch}
        send.update({key: _plain(value) for key, value in (logs or {}).items()})
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(send).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode("utf-8")
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = url_request.Request(self.root + self.path, data=body, headers=headers, method="POST")
        try:
            with url_request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except (urllib.error.URLError, OSError, ValueError):
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}", stacklevel=2)

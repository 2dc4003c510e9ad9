"""The playground server's WebSocket API, through Starlette's TestClient (no browser)."""
import base64
import contextlib
import json

import pytest

pytest.importorskip("starlette", reason="the playground server needs the playground extra (starlette)")
pytest.importorskip("httpx", reason="Starlette's TestClient needs httpx")

from starlette.testclient import TestClient  # noqa: E402

from neuroflow.playground import server  # noqa: E402


@pytest.fixture
def app():
    return server.create_app()


@pytest.fixture
def client(app):
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def tabs(client):
    """Opens tabs (WebSocket sessions) that are closed again when the test ends."""
    with contextlib.ExitStack() as stack:
        def open_tab():
            websocket = stack.enter_context(client.websocket_connect("/ws"))
            hello = websocket.receive_json()
            frame, opening = receive_until(websocket, "frame")
            return websocket, hello, frame, opening
        yield open_tab


def receive_until(websocket, kind, limit=50):
    """Messages up to and including the first of type `kind`; returns that one and the ones before it."""
    seen = []
    for _ in range(limit):
        message = websocket.receive_json()
        seen.append(message)
        if message["type"] == kind:
            return message, seen
    raise AssertionError(f"no {kind!r} message among {[m['type'] for m in seen]}")


def test_the_page_and_its_assets_are_served_by_the_package(client):
    page = client.get("/")
    assert page.status_code == 200
    for asset in ("/static/playground.js", "/static/playground.css"):
        assert asset in page.text
        assert client.get(asset).status_code == 200
    # Offline: nothing is fetched from another host.
    assert "http://" not in page.text and "https://" not in page.text


def test_a_tab_gets_hello_config_data_network_and_a_first_frame(tabs):
    websocket, hello, frame, opening = tabs()
    assert hello["type"] == "hello" and "circle" in hello["options"]["datasets"]
    assert [message["type"] for message in opening] == ["config", "data", "network", "frame"]
    config, data, network = opening[0]["config"], opening[1], opening[2]
    assert config["hidden_layers"] == [4, 2] and config["dataset"] == "circle"
    assert len(data["train"]) == 250 and len(data["test"]) == 250
    assert network["layers"] == [2, 4, 2, 1]
    assert frame["epoch"] == 0
    assert len(base64.b64decode(frame["output"])) == network["grid"]["output"] ** 2
    assert [len(layer) for layer in frame["neurons"]] == [4, 2, 1]


def test_step_trains_one_epoch_and_the_loss_moves(tabs):
    websocket, _hello, first, _opening = tabs()
    websocket.send_json({"type": "step"})
    frame, _ = receive_until(websocket, "frame")
    assert frame["epoch"] == 1 and frame["steps"] == 25  # 250 training points in batches of 10
    assert frame["train_loss"] != first["train_loss"]
    assert frame["output"] != first["output"]


def test_play_streams_frames_with_a_falling_test_loss_until_paused(tabs):
    websocket, _hello, first, _opening = tabs()
    websocket.send_json({"type": "config", "changes": {"learning_rate": 0.3}})
    receive_until(websocket, "frame")
    websocket.send_json({"type": "play"})
    frames = []
    while not frames or frames[-1]["epoch"] < 15:
        message = websocket.receive_json()
        if message["type"] == "frame":
            frames.append(message)
    websocket.send_json({"type": "pause"})
    status, _ = receive_until(websocket, "status", limit=1000)
    while status["playing"]:
        status, _ = receive_until(websocket, "status", limit=1000)
    # Frames may end inside an epoch (under load several frames share one), but the training only moves on.
    steps = [frame["steps"] for frame in frames]
    assert len(frames) >= 2 and steps == sorted(steps) and steps[0] < steps[-1]
    assert frames[-1]["test_loss"] < first["test_loss"] - 0.1


def test_learning_rate_changes_between_steps_and_keeps_the_trained_network(tabs):
    websocket, _hello, _first, _opening = tabs()
    websocket.send_json({"type": "step"})
    trained, _ = receive_until(websocket, "frame")
    websocket.send_json({"type": "config", "changes": {"learning_rate": 0.1, "batch_size": 25}})
    frame, before = receive_until(websocket, "frame")
    assert [message["type"] for message in before] == ["config", "frame"]
    assert before[0]["config"]["learning_rate"] == 0.1
    assert frame["epoch"] == 1 and frame["weights"] == trained["weights"]
    websocket.send_json({"type": "step"})
    frame, _ = receive_until(websocket, "frame")
    assert frame["steps"] == 25 + 10  # the second epoch ran in batches of 25


def test_changing_the_network_rebuilds_it_from_epoch_zero(tabs):
    websocket, _hello, _first, _opening = tabs()
    websocket.send_json({"type": "step"})
    receive_until(websocket, "frame")
    websocket.send_json({"type": "config", "changes": {"hidden_layers": [6, 6, 3], "activation": "relu"}})
    frame, before = receive_until(websocket, "frame")
    network = next(message for message in before if message["type"] == "network")
    assert network["layers"] == [2, 6, 6, 3, 1]
    assert frame["epoch"] == 0 and [len(kernel[0]) for kernel in frame["weights"]] == [6, 6, 3, 1]
    websocket.send_json({"type": "config", "changes": {"dataset": "plane"}})
    _frame, before = receive_until(websocket, "frame")
    config = before[0]["config"]
    assert config["problem"] == "regression" and len(before[1]["train"]) == 600


@pytest.mark.parametrize("text, expected", [
    ("not json", "messages must be JSON objects"),
    (json.dumps([1, 2]), "string \"type\""),
    (json.dumps({"type": "fly"}), "unknown message type 'fly'"),
    (json.dumps({"type": "config", "changes": {"learning_rate": -1}}), "learning_rate must be a number above 0.0"),
    (json.dumps({"type": "config", "changes": {"hidden_layers": [4, 9]}}), "hidden_layers[1] must be an integer from 1 to 8, got 9"),
    (json.dumps({"type": "config", "changes": {"activaton": "relu"}}), "Did you mean 'activation'?"),
    (json.dumps({"type": "config", "changes": {"features": []}}), "at least one input feature"),
    (json.dumps({"type": "config", "changes": {"dataset": "csv"}}), "needs an uploaded CSV file first"),
    (json.dumps({"type": "upload_csv", "text": "1,2\n"}), "line 1: expected 3 columns (x1, x2, label), got 2"),
])
def test_invalid_messages_get_an_error_reply_and_the_session_goes_on(tabs, text, expected):
    websocket, _hello, _first, opening = tabs()
    websocket.send_text(text)
    error = websocket.receive_json()
    assert error["type"] == "error" and expected in error["message"]
    if error["request"] == "config":  # a refused change is answered with the config still in force
        assert websocket.receive_json() == {"type": "config", "config": opening[0]["config"]}
    websocket.send_json({"type": "step"})
    frame, _ = receive_until(websocket, "frame")
    assert frame["epoch"] == 1


def test_a_good_csv_upload_becomes_the_dataset(tabs):
    websocket, _hello, _first, _opening = tabs()
    rows = "\n".join(f"{x},{-x},{int(x > 0)}" for x in range(-10, 10))
    websocket.send_json({"type": "upload_csv", "text": "x1,x2,label\n" + rows})
    data, before = receive_until(websocket, "data")
    assert before[0]["config"]["dataset"] == "csv"
    assert len(data["train"]) + len(data["test"]) == 20 and data["domain"] == 11


def test_many_tabs_train_at_once_each_in_its_own_session(app, tabs):
    open_tabs = [tabs()[0] for _ in range(4)]
    assert len(app.state.sessions) == 4
    open_tabs[0].send_json({"type": "config", "changes": {"hidden_layers": [3]}})
    receive_until(open_tabs[0], "frame")
    for tab in open_tabs:
        tab.send_json({"type": "play"})
    for tab in open_tabs:
        frames = 0
        while frames < 3:
            frames += tab.receive_json()["type"] == "frame"
    for index, tab in enumerate(open_tabs):
        tab.send_json({"type": "pause"})
        tab.send_json({"type": "step"})
        frame, _ = receive_until(tab, "frame", limit=200)
        assert [len(kernel[0]) for kernel in frame["weights"]] == ([3, 1] if index == 0 else [4, 2, 1])


def test_a_tab_that_disconnects_frees_its_session(app, client, tabs):
    second, _hello, _frame, _opening = tabs()
    with client.websocket_connect("/ws") as first:
        receive_until(first, "frame")
        assert len(app.state.sessions) == 2
        first.send_json({"type": "play"})
        receive_until(first, "frame")
    # Leaving the block closed the tab and waited for the server's handler to end: its session is gone,
    # its player stopped, and the other tab goes on.
    assert len(app.state.sessions) == 1
    second.send_json({"type": "step"})
    frame, _ = receive_until(second, "frame")
    assert frame["epoch"] == 1


def test_exports_answer_with_a_script_and_a_keras_file(tabs):
    websocket, _hello, _first, _opening = tabs()
    websocket.send_json({"type": "export_python"})
    script = websocket.receive_json()
    assert script["type"] == "export_python" and "model.fit(" in script["script"]
    websocket.send_json({"type": "export_keras"})
    keras_file = websocket.receive_json()
    assert keras_file["type"] == "export_keras"
    assert base64.b64decode(keras_file["data"])[:2] == b"PK"  # a .keras file is a zip archive


def test_show_backprop_answers_with_a_trace_or_says_it_is_not_available(tabs):
    websocket, _hello, _first, _opening = tabs()
    websocket.send_json({"type": "backprop"})
    reply = websocket.receive_json()
    assert reply["type"] == "backprop"
    from neuroflow.playground import backprop
    if backprop.explain is None:
        assert reply["text"] == backprop.NOT_AVAILABLE
    else:
        assert reply["text"]

"""The playground's web server: the page, its assets, and one training session per tab over a WebSocket.

Starlette serves `static/` and the WebSocket `/ws`. Each connection owns a `TrainingSession`; while
playing, a background task trains for part of each frame interval in a worker thread, then sends a
frame, FRAME_RATE times a second. Messages from the page are handled between those steps (the
session's lock), and a bad message gets an `error` reply while the session goes on.

Messages from the page (JSON objects with a "type"):
    config {changes}, play, pause, step, reset, regenerate, upload_csv {text},
    export_python, export_keras, backprop
Messages to the page: hello, config, data, network, frame, status, error, export_python,
    export_keras, backprop.
"""
import asyncio
import base64
import itertools
import json
import pathlib

# Starlette and anyio are the `playground` extra; this module is imported only to serve the page.
import anyio.to_thread
from starlette.applications import Starlette
from starlette.responses import FileResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from neuroflow.playground.backprop import backprop_text
from neuroflow.playground.config import ACTIVATIONS, INITIALIZERS, OPTIMIZERS, PROBLEMS, REGULARIZATIONS, PlaygroundConfig
from neuroflow.playground.datasets import DATASETS, generate
from neuroflow.playground.features import FEATURES
from neuroflow.playground.session import TrainingSession

STATIC = pathlib.Path(__file__).parent / "static"
FRAME_RATE = 30
#: the share of each frame interval spent training; the rest computes and sends the frame
TRAINING_SHARE = 0.5
#: at most this many epochs per frame (TensorFlow Playground runs one per animation frame)
MAX_EPOCHS_PER_FRAME = 2


class TabConnection:
    """One tab: its WebSocket, its session, and the task that plays it."""

    def __init__(self, websocket, session_id):
        self.websocket = websocket
        self.session_id = session_id
        self.session = TrainingSession()
        self.lock = asyncio.Lock()
        self.send_lock = asyncio.Lock()
        self.player = None

    async def send(self, message):
        async with self.send_lock:
            await self.websocket.send_text(json.dumps(message))

    async def run_locked(self, function, *args):
        """Runs a session call in a worker thread, between the player's steps."""
        async with self.lock:
            return await anyio.to_thread.run_sync(function, *args)

    async def send_state(self, parts=("config", "data", "network", "frame")):
        if "config" in parts:
            await self.send({"type": "config", "config": self.session.config.to_dict()})
        if "data" in parts:
            await self.send(await self.run_locked(self.session.data_message))
        if "network" in parts:
            await self.send(await self.run_locked(self.session.network_message))
        if "frame" in parts:
            await self.send(await self.run_locked(self.session.frame))

    # --- playing -------------------------------------------------------------------------------

    def play(self):
        if self.player is None:
            self.player = asyncio.create_task(self._play())

    async def pause(self):
        if self.player is not None:
            self.player.cancel()
            try:
                await self.player
            except asyncio.CancelledError:
                pass
            self.player = None

    async def _play(self):
        loop = asyncio.get_running_loop()
        interval = 1 / FRAME_RATE
        next_frame = loop.time()
        while True:
            async with self.lock:
                await anyio.to_thread.run_sync(self.session.train_for, interval * TRAINING_SHARE, MAX_EPOCHS_PER_FRAME)
                frame = await anyio.to_thread.run_sync(self.session.frame)
            await self.send(frame)
            next_frame += interval
            delay = next_frame - loop.time()
            if delay < 0:  # behind: start a fresh schedule instead of bursting to catch up
                next_frame, delay = loop.time(), 0
            await asyncio.sleep(delay)

    # --- messages ------------------------------------------------------------------------------

    async def handle(self, text):
        """Answers one message; a bad one gets an `error` reply naming the request, and the session goes on."""
        kind = None
        try:
            message = _parse_message(text)
            kind = message["type"]
            handler = getattr(self, f"_on_{kind}", None)
            if handler is None:
                known = sorted(name[4:] for name in dir(self) if name.startswith("_on_"))
                raise ValueError(f"unknown message type {kind!r}; known types: {', '.join(known)}")
            await handler(message)
        except WebSocketDisconnect:
            raise
        except ValueError as error:
            await self.send({"type": "error", "request": kind, "message": str(error)})
        except Exception as error:  # a bug met by one message must not end the tab's session
            await self.send({"type": "error", "request": kind, "message": f"{type(error).__name__}: {error}"})
        else:
            return
        if kind == "config":
            # The page shows a change as soon as it is made; a refused one is taken back by the config in force.
            await self.send({"type": "config", "config": self.session.config.to_dict()})

    async def _on_config(self, message):
        rebuilt = await self.run_locked(self.session.apply, message.get("changes", {}))
        await self.send_state(("config", *rebuilt, "frame"))

    async def _on_play(self, message):
        self.play()
        await self.send({"type": "status", "playing": True})

    async def _on_pause(self, message):
        await self.pause()
        await self.send({"type": "status", "playing": False})

    async def _on_step(self, message):
        await self.pause()
        await self.run_locked(self.session.train_epoch)
        await self.send({"type": "status", "playing": False})
        await self.send_state(("frame",))

    async def _on_reset(self, message):
        await self.pause()
        await self.run_locked(self.session.reset)
        await self.send({"type": "status", "playing": False})
        await self.send_state(("network", "frame"))

    async def _on_regenerate(self, message):
        await self.run_locked(self.session.regenerate)
        await self.send_state()

    async def _on_upload_csv(self, message):
        text = message.get("text")
        await self.run_locked(self.session.upload, text)
        await self.send_state()

    async def _on_export_python(self, message):
        script = await self.run_locked(self.session.export_python)
        await self.send({"type": "export_python", "filename": "playground_run.py", "script": script})

    async def _on_export_keras(self, message):
        data = await self.run_locked(self.session.export_keras)
        await self.send({"type": "export_keras", "filename": "playground.keras", "data": base64.b64encode(data).decode("ascii")})

    async def _on_backprop(self, message):
        text = await self.run_locked(backprop_text, self.session)
        await self.send({"type": "backprop", "text": text})


def _parse_message(text):
    try:
        message = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"messages must be JSON objects, got {text[:80]!r} ({error.msg})") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise ValueError(f"messages must be JSON objects with a string \"type\", got {text[:80]!r}")
    return message


def options():
    """What the page's controls offer, so the page and the server never disagree."""
    return {
        "datasets": {name: problem for name, (_generator, problem, _size) in DATASETS.items()},
        "problems": list(PROBLEMS), "activations": list(ACTIVATIONS), "regularizations": list(REGULARIZATIONS),
        "optimizers": list(OPTIMIZERS), "initializers": INITIALIZERS,
        "features": {name: label for name, (label, _expression) in FEATURES.items()},
        "defaults": PlaygroundConfig().to_dict(),
        "thumbnails": _thumbnails(),
    }


def _thumbnails():
    """A few points of each built-in dataset, for the page's dataset buttons."""
    thumbnails = {}
    for name in DATASETS:
        points, labels = generate(name, 0.0, 0)
        thumbnails[name] = [[round(float(x1), 2), round(float(x2), 2), round(float(label), 2)]
                            for x1, x2, label in zip(points[::5, 0], points[::5, 1], labels[::5])]
    return thumbnails


def create_app():
    """The Starlette app: `/` the page, `/static` its assets, `/ws` one session per connection."""
    session_ids = itertools.count(1)

    async def index(request):
        return FileResponse(STATIC / "index.html")

    async def tab(websocket: WebSocket):
        await websocket.accept()
        connection = TabConnection(websocket, next(session_ids))
        websocket.app.state.sessions[connection.session_id] = connection
        try:
            await connection.send({"type": "hello", "session": connection.session_id, "options": options()})
            await connection.send_state()
            while True:
                text = await websocket.receive_text()
                await connection.handle(text)
        except WebSocketDisconnect:
            pass
        finally:
            await connection.pause()
            del websocket.app.state.sessions[connection.session_id]

    app = Starlette(routes=[
        Route("/", index),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        WebSocketRoute("/ws", tab),
    ])
    app.state.sessions = {}
    return app

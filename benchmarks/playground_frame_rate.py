"""Playground speed: training steps and frames per second of a 2-6-6-1 network on the 500-point circle.

Starts `python -m neuroflow.playground` pinned to one core (OMP_NUM_THREADS=1, CPU affinity of one
CPU), presses play over a WebSocket (the `websockets` client) for `--seconds`, and counts the frames
the server streams and the training steps (batch updates) and epochs they report. With Playwright
and Chromium installed it then opens the page in headless Chromium (not pinned) and reads the frames
the page redrew per second.

    python benchmarks/playground_frame_rate.py [--seconds 5] [--train-percent 50] [--batch-size 10] [--no-browser]

Target (issue 13): at least 20 training steps and 10 redrawn frames per second on one core.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time

# The client side of the measurement: websockets (the playground extra), Playwright when present.
from websockets.sync.client import connect

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port):
    environment = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    core = min(os.sched_getaffinity(0))
    server = subprocess.Popen([sys.executable, "-m", "neuroflow.playground", "--no-browser", "--port", str(port)],
                              env=environment, preexec_fn=lambda: os.sched_setaffinity(0, {core}))
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return server, core
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the playground server did not start")


def measure_stream(port, changes, seconds):
    with connect(f"ws://127.0.0.1:{port}/ws", max_size=None) as websocket:
        websocket.send(json.dumps({"type": "config", "changes": changes}))
        while json.loads(websocket.recv())["type"] != "frame":
            pass
        while json.loads(websocket.recv())["type"] != "frame":  # the frame of the changed config
            pass
        websocket.send(json.dumps({"type": "play"}))
        frames, first, last = 0, None, None
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            message = json.loads(websocket.recv())
            if message["type"] == "frame":
                frames += 1
                first = first or (time.perf_counter(), message["steps"], message["epoch"])
                last = (time.perf_counter(), message["steps"], message["epoch"])
        websocket.send(json.dumps({"type": "pause"}))
    elapsed = last[0] - first[0]
    return {"frames_per_second": (frames - 1) / elapsed, "steps_per_second": (last[1] - first[1]) / elapsed,
            "epochs_per_second": (last[2] - first[2]) / elapsed}


def measure_browser(port, changes, seconds):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    chromium = shutil.which("chromium")
    if chromium is None:
        return None
    hash_part = "&".join(f"{name}={','.join(map(str, value)) if isinstance(value, list) else value}"
                         for name, value in changes.items())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto(f"http://127.0.0.1:{port}/#{hash_part}")
        page.wait_for_function("window.playgroundStats.framesDrawn > 0")
        page.wait_for_timeout(500)
        page.click("#play-button")
        page.wait_for_timeout(1000)
        drawn, start = page.evaluate("window.playgroundStats.framesDrawn"), time.perf_counter()
        page.wait_for_timeout(seconds * 1000)
        drawn = page.evaluate("window.playgroundStats.framesDrawn") - drawn
        elapsed = time.perf_counter() - start
        browser.close()
    return {"frames_drawn_per_second": drawn / elapsed}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--train-percent", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--no-browser", action="store_true")
    arguments = parser.parse_args()
    changes = {"hidden_layers": [6, 6], "learning_rate": 0.03, "train_percent": arguments.train_percent,
               "batch_size": arguments.batch_size}
    port = free_port()
    server, core = start_server(port)
    try:
        stream = measure_stream(port, changes, arguments.seconds)
        browser = None if arguments.no_browser else measure_browser(port, changes, arguments.seconds)
    finally:
        server.terminate()
        server.wait(timeout=10)
    points = 500 * arguments.train_percent // 100
    print(f"2-6-6-1 on the 500-point circle ({points} training points, batch {arguments.batch_size}), server on CPU {core} "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs):")
    print(f"  server: {stream['steps_per_second']:.0f} training steps/s ({stream['epochs_per_second']:.1f} epochs/s), "
          f"{stream['frames_per_second']:.1f} frames/s streamed (target 20 steps/s, 10 frames/s)")
    if browser:
        print(f"  page:   {browser['frames_drawn_per_second']:.1f} frames/s redrawn in headless Chromium")


if __name__ == "__main__":
    main()

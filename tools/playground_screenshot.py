"""Takes docs/playground.png, the README's picture of the playground, in headless Chromium.

Serves the playground in this process, opens a trained-looking setup (the circle, three hidden
layers, test points shown), plays until the boundary has formed, hovers one connection so its
weight shows, and saves the page.

    python tools/playground_screenshot.py [--output docs/playground.png] [--epochs 200]

Needs the playground and test extras (Starlette, Uvicorn, Playwright) and Debian's chromium.
"""
import argparse
import pathlib
import shutil
import socket
import threading
import time

import uvicorn
from playwright.sync_api import sync_playwright

from neuroflow.playground.server import create_app

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
SETUP = "hidden_layers=6,4,2&dropout=0,0,0&learning_rate=0.1&features=x1,x2,x1_squared,x2_squared&show_test=1"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=str(pathlib.Path(__file__).resolve().parents[1] / "docs" / "playground.png"))
    parser.add_argument("--epochs", type=int, default=200)
    arguments = parser.parse_args()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 820})
        page.goto(f"http://127.0.0.1:{port}/#{SETUP}")
        page.wait_for_function("window.playgroundStats.framesDrawn > 0")
        page.wait_for_function("location.hash.includes('hidden_layers=6,4,2')")
        page.click("#play-button")
        page.wait_for_function(f"parseInt(document.getElementById('epoch').textContent.replace(',', '')) >= {arguments.epochs}",
                               timeout=120000)
        page.click("#play-button")
        page.wait_for_timeout(300)
        page.locator("#links path").last.hover(force=True)
        page.screenshot(path=arguments.output, full_page=True)
        browser.close()
    server.should_exit = True
    print(f"wrote {arguments.output}")


if __name__ == "__main__":
    main()

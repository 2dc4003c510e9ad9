"""The playground in a real browser: Playwright driving headless Chromium (Debian's `chromium` package).

Skipped, with the reason, when Playwright or Chromium is missing (`./run test` installs both as root).
Each test saves a screenshot under pytest's tmp_path.
"""
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

import pytest

pytest.importorskip("starlette", reason="the playground server needs the playground extra (starlette)")
uvicorn = pytest.importorskip("uvicorn", reason="the playground server needs the playground extra (uvicorn)")
sync_api = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright (the test extra)")

from neuroflow.playground.server import create_app  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("NEUROFLOW_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
# Headless Chromium as root in a container: no sandbox, no GPU, nothing fetched in the background.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium; ./run test does it as root)")


@pytest.fixture(scope="module")
def server_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started:
        if time.time() > deadline:
            pytest.fail("the playground server did not start within 30 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server_url, tmp_path, request):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    page.goto(server_url)
    wait_until_drawn(page)
    yield page
    page.screenshot(path=str(tmp_path / f"{request.node.name}.png"), full_page=True)
    context.close()


def wait_until_drawn(page, frames=1):
    page.wait_for_function(f"window.playgroundStats && window.playgroundStats.framesDrawn >= {frames}")


def epoch(page):
    return int(page.text_content("#epoch").replace(",", ""))


def boundary_image(page):
    return page.evaluate("document.getElementById('boundary').toDataURL()")


def test_the_page_loads_with_no_console_errors(page):
    assert page.console_errors == []
    assert page.locator("#network .node").count() == 7 + 4 + 2 + 1  # features, two hidden layers, output
    assert page.text_content("#test-loss") not in ("", "-")


def test_play_lowers_the_test_loss_on_the_circle_and_changes_the_boundary(page):
    page.select_option("#learning_rate", "0.1")
    page.wait_for_function("location.hash.includes('learning_rate=0.1')")
    start_loss, start_image = float(page.text_content("#test-loss")), boundary_image(page)
    page.click("#play-button")
    page.wait_for_function("parseInt(document.getElementById('epoch').textContent.replace(',', '')) >= 100", timeout=60000)
    page.click("#play-button")
    page.wait_for_function("!document.getElementById('play-button').classList.contains('playing')")
    assert float(page.text_content("#test-loss")) < start_loss / 2
    assert boundary_image(page) != start_image
    stats = page.evaluate("window.playgroundStats")
    assert stats["framesDrawn"] >= 10 and stats["errors"] == []
    trained_image = boundary_image(page)
    page.click("#discretize")
    assert boundary_image(page) != trained_image
    points_image = page.evaluate("document.getElementById('points').toDataURL()")
    page.click("#show-test")
    assert page.evaluate("document.getElementById('points').toDataURL()") != points_image
    assert page.console_errors == []


def test_adding_a_layer_and_a_neuron_changes_the_drawn_network(page):
    nodes, links = page.locator("#network .node").count(), page.locator("#links path").count()
    page.click("#add-layer")
    page.wait_for_function(f"document.querySelectorAll('#network .node').length === {nodes + 2}")
    assert page.text_content("#layer-count") == "3"
    assert page.locator("#links path").count() == links - 2 + 2 * 2 + 2  # 2->1 becomes 2->2->1
    page.locator(".add-neuron").first.click()
    page.wait_for_function(f"document.querySelectorAll('#network .node').length === {nodes + 3}")
    output_image = boundary_image(page)
    page.locator("#network .node:not(.feature)").first.hover()
    assert boundary_image(page) != output_image  # the big plot shows the hovered neuron
    page.locator("#links path").first.hover()
    assert re.fullmatch(r"Weight is -?\d+\.\d{4}", page.text_content("#weight-tooltip"))


def test_the_state_survives_a_reload_from_the_url(page, browser):
    page.select_option("#activation", "relu")
    page.select_option("#optimizer", "adam")
    page.click("#add-layer")
    page.click("#discretize")
    page.locator("#network .feature").nth(2).click()  # feed in x1 squared
    page.wait_for_function("location.hash.includes('hidden_layers=4,2,2') && location.hash.includes('x1_squared')")
    url = page.url
    page.reload()
    wait_until_drawn(page)
    page.wait_for_function("document.getElementById('layer-count').textContent === '3'")
    assert page.input_value("#activation") == "relu" and page.input_value("#optimizer") == "adam"
    assert page.is_checked("#discretize")
    assert "inactive" not in page.locator("#network .feature").nth(2).get_attribute("class")
    # The same link opened in another tab gives another session with the same setup.
    other = browser.new_page()
    other.goto(url)
    wait_until_drawn(other)
    other.wait_for_function("document.getElementById('layer-count').textContent === '3'")
    assert other.input_value("#activation") == "relu"
    other.close()


def test_export_produces_a_script_that_runs_and_trains(page, tmp_path):
    for _ in range(5):
        page.click("#step-button")
    page.wait_for_function("document.getElementById('epoch').textContent === '000,005'")
    shown_loss = float(page.text_content("#test-loss"))
    with page.expect_download() as download:
        page.click("#export-python")
    script = tmp_path / download.value.suggested_filename
    download.value.save_as(script)
    assert script.name == "playground_run.py" and page.is_visible("#dialog")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr
    found = re.search(r"epochs: 5  train loss: ([\d.]+)  test loss: ([\d.]+)", result.stdout)
    assert found and float(found[2]) == pytest.approx(shown_loss, abs=1e-3)
    page.click("#dialog button")
    with page.expect_download() as download:
        page.click("#export-keras")
    keras_file = tmp_path / "playground.keras"
    download.value.save_as(keras_file)
    assert keras_file.read_bytes()[:2] == b"PK"


def test_no_hidden_layers_draws_the_features_straight_to_the_output(page):
    page.click("#remove-layer")
    page.click("#remove-layer")
    page.wait_for_function("document.getElementById('layer-count').textContent === '0'")
    page.wait_for_function("document.querySelectorAll('#links path').length === 2")
    assert page.locator("#network .node").count() == 7 + 1 and page.is_disabled("#remove-layer")
    assert page.console_errors == []


def test_a_link_to_an_uploaded_csv_falls_back_to_a_built_in_dataset(browser, server_url):
    page = browser.new_page()
    page.goto(server_url + "#dataset=csv&problem=regression&hidden_layers=3")
    page.wait_for_function("location.hash.includes('dataset=plane') && location.hash.includes('hidden_layers=3')")
    assert "upload it again" in page.text_content("#message")
    page.close()


def test_a_bad_csv_upload_shows_an_error_and_a_good_one_becomes_the_dataset(page):
    page.set_input_files("#csv-file", files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": b"x1,x2,label\n1,2\n"}])
    page.wait_for_selector("#csv-error:not([hidden])")
    assert "line 2: expected 3 columns (x1, x2, label), got 2" in page.text_content("#csv-error")
    rows = "\n".join(f"{i / 4 - 5},{(i * 7) % 11 - 5},{int(i % 2)}" for i in range(40))
    page.set_input_files("#csv-file", files=[{"name": "good.csv", "mimeType": "text/csv", "buffer": rows.encode()}])
    page.wait_for_function("location.hash.includes('dataset=csv')")
    assert page.console_errors == []


def test_show_backprop_opens_the_trace_or_says_it_is_not_available(page):
    from neuroflow.playground import backprop
    page.click("#show-backprop")
    page.wait_for_selector("#dialog[open]")
    text = page.text_content("#dialog-text")
    if backprop.explain is None:
        assert text == backprop.NOT_AVAILABLE
        pytest.skip("neuroflow.explain is not part of this neuroflow: the page says Show backprop is not available")
    assert text.strip()

"""End to end: every notebook in a real JupyterLab, in headless Chromium.

For each notebook: open it, run all cells, check that every widget renders (no "Error
displaying widget"), move one control, and check that the explorer's output changes.
Screenshots go to build/screenshots/. The notebooks are copied to a temporary folder first,
so JupyterLab's autosave can never touch the committed ones.

Needs Debian's Chromium at /usr/bin/chromium (``apt-get install chromium``; the Python
playwright package drives it, no browser is downloaded). Without it the test is skipped with
that advice, except under CI=true, where a missing browser fails.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-quic"]

# One control per notebook: the widget to change, the value to type into its readout, and
# the element whose text must change once the kernel has retrained.
CONTROLS = {
    "01_single_neuron": {"slider": "epochs", "value": "100",
                         "watch": ".widget-html-content"},
    "02_two_layer_network": {"slider": "hidden units", "value": "1",
                             "watch": ".widget-html-content"},
    "03_mlp_two_moons": {"slider": "epochs", "value": "40",
                         "watch": ".widget-html-content"},
    "04_rnn_binary_addition": {"slider": "a", "value": "100",
                               "watch": ".widget-html-content"},
    "05_bit_order": {"slider": "a", "value": "100", "watch": ".widget-html-content"},
    "06_digits": {"slider": "epochs", "value": "3", "watch": ".widget-html-content"},
    "07_lstm": {"slider": "lag T", "value": "15", "watch": ".widget-html-content"},
    "08_hopfield": {"slider": "stored patterns", "value": "7", "watch": ".widget-html-content"},
    "09_tree_networks": {"slider": "example", "value": "5", "watch": ".widget-html-content"},
    "10_char_language_models": {"slider": "length", "value": "100",
                                "watch": ".widget-html-content"},
    "11_attention_transformer": {"slider": "position", "value": "12",
                                 "watch": ".widget-html-content"},
}

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # slow: left out by test --fast


def _missing_browser_reason() -> str | None:
    if not CHROMIUM.exists():
        return ("Chromium not found at /usr/bin/chromium: install it with "
                "`sudo apt-get install chromium` to run the JupyterLab browser test")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: run `python3 tasks.py test` to install it"
    return None


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    reason = _missing_browser_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI=true: the browser test is required)")
        pytest.skip(reason)
    workdir = tmp_path_factory.mktemp("lab") / "notebooks"
    notebooks = ROOT / "notebooks"

    def leave_out(folder, names):
        # checkpoints, and weight files that notebooks write when run by hand (the top level);
        # the shipped weights in data/ stay (chapters 10 and 11 load them)
        return {name for name in names if name == ".ipynb_checkpoints"
                or (Path(folder) == notebooks and name.endswith(".npz"))}

    shutil.copytree(notebooks, workdir, ignore=leave_out)
    settings = tmp_path_factory.mktemp("lab-settings")
    news = settings / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    token = secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_PREFER_ENV_PATH": "1", "JUPYTERLAB_SETTINGS_DIR": str(settings),
           "OPENBLAS_NUM_THREADS": "1"}
    log = open(workdir / "jupyterlab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={workdir}",
         "--ServerApp.port_retries=0"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                log_text = (workdir / "jupyterlab.log").read_text()
                pytest.fail("JupyterLab did not start:\n" + log_text)
            time.sleep(0.5)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_FLAGS)
        try:
            yield {"browser": browser, "base": base, "token": token}
        finally:
            browser.close()
            # Shut the server down through its API, which also stops every kernel it started.
            request = urllib.request.Request(f"{base}/api/shutdown?token={token}", method="POST")
            try:
                urllib.request.urlopen(request, timeout=10)
                server.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                server.kill()
            log.close()


def _wait_until_idle(page, timeout_s: float) -> None:
    """All code cells executed: no prompt shows [*] and the kernel reports Idle."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        busy = page.locator(".jp-InputPrompt:has-text('[*]')").count()
        status = page.locator(".jp-StatusBar-Widget:has-text('Idle')").count()
        if busy == 0 and status > 0:
            return
        page.wait_for_timeout(500)
    raise AssertionError("the notebook did not finish running in time")


def _run_all(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


@pytest.mark.parametrize("name", sorted(CONTROLS))
def test_notebook_widgets_render_and_respond(lab, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    control = CONTROLS[name]
    context = lab["browser"].new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        # A workspace of its own, reset: JupyterLab would otherwise reopen the notebooks of
        # earlier tests and show this one in a background tab.
        page.goto(f"{lab['base']}/lab/workspaces/{name}/tree/{name}.ipynb"
                  f"?reset&token={lab['token']}")
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
        _wait_until_idle(page, 60)
        _run_all(page)
        page.wait_for_timeout(1000)
        _wait_until_idle(page, 120)

        assert page.locator("text=Error displaying widget").count() == 0
        widgets = page.locator(".jp-OutputArea-output .jupyter-widgets")
        assert widgets.count() > 0, "no widget was rendered"
        label = page.locator(".widget-label",
                             has_text=re.compile(rf"^{re.escape(control['slider'])}$"))
        slider = page.locator(".widget-slider").filter(has=label).first
        slider.scroll_into_view_if_needed()
        watched = slider.locator("xpath=ancestor::div[contains(@class,'widget-vbox')][1]") \
                        .locator(control["watch"]).first
        before = watched.inner_text()
        page.screenshot(path=str(SCREENSHOTS / f"{name}-before.png"))

        readout = slider.locator(".widget-readout")
        readout.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(control["value"])
        page.keyboard.press("Enter")
        deadline = time.monotonic() + 60
        while watched.inner_text() == before and time.monotonic() < deadline:
            page.wait_for_timeout(250)
        after = watched.inner_text()
        _wait_until_idle(page, 30)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-after.png"))
        assert after != before, f"moving {control['slider']} changed nothing"
    finally:
        context.close()


def test_every_notebook_has_a_control_to_move():
    notebooks = {path.stem for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    assert notebooks == set(CONTROLS)

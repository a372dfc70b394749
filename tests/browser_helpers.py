"""A real `streamlit run` on a free port, and Debian's chromium driven by pip playwright."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(timeout: float = 60.0, cpus: str | None = None):
    """Yields the base URL of `streamlit run streamlit_app.py`; stops it by its PID afterwards.
    ``cpus``: run it on these CPUs only (taskset's list, e.g. "1")."""
    port = free_port()
    cmd = (["taskset", "-c", cpus] if cpus else []) + [
        sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
        "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    (ROOT / "artifacts").mkdir(exist_ok=True)
    log = open(ROOT / "artifacts" / f"streamlit-{port}.log", "w")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start (exit code {proc.poll()})")
            time.sleep(0.2)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


@contextmanager
def chromium(cpus: str | None = None):
    """A headless Chromium; ``cpus``: run it (and every process it starts) on these CPUs only."""
    import tempfile

    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)")
    executable = CHROMIUM
    if cpus:  # a launcher that pins the browser: its child processes inherit the affinity
        wrapper = tempfile.NamedTemporaryFile("w", suffix="-chromium", delete=False)
        wrapper.write(f'#!/bin/sh\nexec taskset -c {cpus} {CHROMIUM} "$@"\n')
        wrapper.close()
        os.chmod(wrapper.name, 0o755)
        executable = wrapper.name
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_ready(page, timeout=30_000):
    """Wait until the page has drawn and no script run is under way."""
    page.wait_for_selector("text=Neural network playground", timeout=timeout)
    page.wait_for_selector("img.map, img.tile, [data-testid='stVegaLiteChart'] canvas", timeout=timeout)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')"
                           " && !document.querySelector('[data-testid=stSkeleton]')", timeout=timeout)


def metric(page, label: str) -> str:
    """The value a metric of the page shows."""
    return page.locator(f'[data-metric="{label}"] .v').first.inner_text()


def chart_pixels(page, index):
    """The colours of a chart's pixels as drawn, (n, 3) ints."""
    import io

    import numpy as np
    from PIL import Image

    shot = page.get_by_test_id("stVegaLiteChart").nth(index).screenshot()
    return np.asarray(Image.open(io.BytesIO(shot)).convert("RGB")).reshape(-1, 3).astype(int)


def surface_pixels(page):
    """The colours of the output surface figure's plot as drawn, (height, width, 3) ints."""
    import io

    import numpy as np
    from PIL import Image

    shot = page.locator(".nnp-surface .p").first.screenshot()
    return np.asarray(Image.open(io.BytesIO(shot)).convert("RGB")).astype(int)


def luminance(rgb) -> float:
    """A colour's relative luminance (WCAG 2), from 0-255 RGB."""
    import numpy as np

    c = np.asarray(rgb, dtype=float) / 255
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(c @ [0.2126, 0.7152, 0.0722])


def points_on_plain_ground(page, gap: float, spread: int) -> list[dict]:
    """Each data point on the output surface whose surroundings, ``gap`` px beyond its outline, are one colour
    (no channel there differs by more than ``spread``: no other point, no class boundary) and clearly orange
    or blue. Each as drawn by the browser: its fill colour as written in the figure (``fill``, None if
    unwritten), centre and radius in the screenshot's pixels (``x``, ``y``, ``r``), the pixels on its outline
    (``ring``) and at its centre (``centre``), the mean colour around it (``ground``) and which ``side``."""
    import base64
    import re

    import numpy as np

    pixels = surface_pixels(page)
    src = page.evaluate("getComputedStyle(document.querySelector('.nnp-surface .over')).backgroundImage")
    svg = base64.b64decode(re.search(r'url\("([^"]+)"\)', src).group(1).split(",", 1)[1]).decode()
    scale = pixels.shape[1] / float(re.search(r'<svg [^>]*width="([\d.]+)"', svg).group(1))
    angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)

    def at(x, y):
        return pixels[int(round(y)), int(round(x))]

    found = []
    for cx, cy, r, fill in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"(?: fill="(#\w+)")?', svg):
        x, y, r = float(cx) * scale, float(cy) * scale, float(r) * scale
        around = np.array([at(x + (r + gap) * np.cos(a), y + (r + gap) * np.sin(a)) for a in angles])
        if np.ptp(around, axis=0).max() > spread:
            continue  # another point, or the class boundary, is next to this one
        ground = around.mean(axis=0)
        side = "blue" if ground[2] > ground[0] + 40 else "orange" if ground[0] > ground[2] + 40 else None
        if side is None:
            continue
        centre = np.median(pixels[int(round(y)) - 1:int(round(y)) + 2, int(round(x)) - 1:int(round(x)) + 2]
                           .reshape(-1, 3), axis=0)
        found.append({"fill": fill or None, "x": x, "y": y, "r": r, "ground": ground, "side": side,
                      "centre": centre, "ring": [at(x + r * np.cos(a), y + r * np.sin(a)) for a in angles]})
    return found


def loss_pixels(page):
    """The colours of the loss curve's picture as drawn, (n, 3) ints."""
    import io

    import numpy as np
    from PIL import Image

    shot = page.locator(".nnp-curves img.loss").first.screenshot()
    return np.asarray(Image.open(io.BytesIO(shot)).convert("RGB")).reshape(-1, 3).astype(int)


def near(pixels, rgb, opacity=1.0, tol=40):
    """How many pixels show colour ``rgb`` drawn at ``opacity`` over white."""
    import numpy as np

    seen = np.array(rgb) * opacity + 255 * (1 - opacity)
    return int(np.sum(np.abs(pixels - seen).sum(axis=1) < tol))


def check_trained_xor(page, before, tmp_path, epochs: int):
    """After training XOR for ``epochs``: the surface shows both classes, the loss chart has a line it did
    not have (``before``: its pixels then), and the model downloads as the trained network. Returns the
    model file's path and the downloaded CSV's lines."""
    import numpy as np

    from nn_core import load_model

    surface = surface_pixels(page).reshape(-1, 3)
    ground = 0.6  # the surface's opacity over white (playground.charts.GROUND_OPACITY)
    assert near(surface, (0xF5, 0x93, 0x22), ground) > 2000 and near(surface, (0x08, 0x77, 0xBD), ground) > 2000
    assert near(loss_pixels(page), (0x33, 0x33, 0x33)) > near(before, (0x33, 0x33, 0x33)) + 50
    with page.expect_download() as d:
        page.get_by_role("button", name="Download model (JSON)").click()
    model_path = tmp_path / "model.json"
    d.value.save_as(model_path)
    net, training = load_model(model_path)
    assert training["dataset"] == "xor" and training["epochs_trained"] == epochs
    assert list(np.round(net.predict(np.array([[0, 0], [0, 1], [1, 0], [1, 1]]))[:, 0])) == [0, 1, 1, 0]
    with page.expect_download() as d:
        page.get_by_role("button", name="Download data (CSV)").click()
    csv = tmp_path / "xor.csv"
    d.value.save_as(csv)
    return model_path, csv.read_text().splitlines()


def plane_at(page, p) -> tuple[float, float]:
    """Where point ``p`` of the drawing plane (±1.5) is on the page, in CSS px."""
    m = page.locator("img.map").first.bounding_box()
    return m["x"] + (p[0] + 1.5) / 3 * m["width"], m["y"] + (1.5 - p[1]) / 3 * m["height"]


def click_plane(page, p) -> None:
    page.mouse.click(*plane_at(page, p))


def pixel_at(page, p) -> tuple[int, int, int]:
    """The colour drawn at point ``p`` of the drawing plane."""
    import io

    from PIL import Image

    x, y = plane_at(page, p)
    shot = page.screenshot(clip={"x": x - 1, "y": y - 1, "width": 3, "height": 3})
    return tuple(int(v) for v in Image.open(io.BytesIO(shot)).convert("RGB").getpixel((1, 1)))


def far(rgb, want, tol=60) -> bool:
    """Whether colour ``rgb`` is further than ``tol`` (the sum of the channels' differences) from ``want``."""
    return sum(abs(int(u) - int(v)) for u, v in zip(rgb, want)) > tol

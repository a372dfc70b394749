"""The page in a real headless Chromium against `streamlit run` (Debian's chromium, pip playwright)."""

import json
import re
import time

import pytest

from browser_helpers import ROOT, chart_pixels, check_trained_xor, chromium, metric, streamlit_server, wait_ready

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="module")
def server():
    ARTIFACTS.mkdir(exist_ok=True)
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def status(page):
    return page.get_by_test_id("stMarkdownContainer").filter(has_text=re.compile(r"Epoch [\d,]+ of")).first.inner_text()


def pick(page, label, option):
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_train_xor_share_and_reload(server, browser, tmp_path):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1700}, accept_downloads=True)
    page = ctx.new_page()
    page.goto(server)
    wait_ready(page)
    pick(page, "Dataset", "XOR (4 points)")
    page.wait_for_function("() => location.search.includes('ds=xor')")
    wait_ready(page)
    assert metric(page, "Epoch") == "0"
    before = chart_pixels(page, 1)

    page.get_by_role("button", name="▶ Train").click()
    page.get_by_text("· done").wait_for(timeout=60_000)
    wait_ready(page)
    assert metric(page, "Epoch") == "1,000"
    assert metric(page, "Train accuracy") == "100.0%"
    assert float(metric(page, "Train loss")) < 0.1

    # real marks (both classes on the surface, a new line on the loss chart); the files download
    page.screenshot(path=str(ARTIFACTS / "browser-xor.png"), full_page=True)
    model_path, csv_lines = check_trained_xor(page, before, tmp_path, 1000)
    assert csv_lines == ["x1,x2,label,split", "0.0,0.0,0,train", "0.0,1.0,1,train",
                                             "1.0,0.0,1,train", "1.0,1.0,0,train"]

    # the page's own URL in a fresh browser context rebuilds the same settings
    shared = page.url
    fresh = browser.new_context(viewport={"width": 1500, "height": 1700}).new_page()
    fresh.goto(shared)
    wait_ready(fresh)
    assert fresh.url == shared
    assert fresh.get_by_role("combobox", name="Dataset").input_value() == "XOR (4 points)"
    assert metric(fresh, "Epoch") == "0"

    # and continuing from the downloaded model there: its outputs, not a fresh network's
    fresh.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(model_path))
    fresh.get_by_text("Continuing from model.json").wait_for(timeout=30_000)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "nn_core.model", "version": 1, "layers": []}))
    fresh.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(bad))
    fresh.get_by_text("Could not use bad.json").wait_for(timeout=30_000)
    ctx.close()


def test_live_training_redraws_and_pauses(server, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1700})
    page.goto(f"{server}/?ds=spiral&n=600&h=16-16&ep=100000&bs=16")
    wait_ready(page)
    page.get_by_role("button", name="▶ Train").click()
    page.get_by_role("button", name="⏸ Pause").wait_for(timeout=30_000)
    seen, start = set(), time.monotonic()
    while time.monotonic() - start < 3.0:
        seen.add(metric(page, "Epoch"))
        time.sleep(0.05)
    assert len(seen) >= 5  # the charts and metrics redraw while it trains
    page.get_by_role("button", name="⏸ Pause").click()
    page.get_by_role("button", name="▶ Train").wait_for(timeout=5_000)
    time.sleep(0.5)
    paused = metric(page, "Epoch")
    time.sleep(1.5)
    assert metric(page, "Epoch") == paused and "paused" in status(page)
    assert paused != "0"
    page.screenshot(path=str(ARTIFACTS / "browser-spiral.png"), full_page=True)
    page.close()

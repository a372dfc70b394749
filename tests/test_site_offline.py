"""The --offline static site in a real Chromium, served from localhost with every other request aborted:
the page boots on stlite/Pyodide, trains, draws, shares and loads model files with no network at all."""

import json
import os
import re
import time
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from site_helpers import MIME, NO_RUN, ROOT, Console, built_site, offline_context, serve, wait_rendered

from browser_helpers import check_trained_xor, click_plane, far, loss_pixels, metric, pixel_at
from tools import site

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "artifacts"
VIEWPORT = {"width": 1500, "height": 1700}
BOOT_MS = 180_000  # Pyodide, the packages and Streamlit on a busy 2-core machine
# To debug this tooling against another copy of the app (e.g. a patched one): PLAYGROUND_SITE_APP=DIR.
APP = os.environ.get("PLAYGROUND_SITE_APP")


@pytest.fixture(scope="module")
def url():
    with serve(built_site(offline=True, app=APP)) as u:
        yield u


def selected(page, label):
    """The option shown by the select box ``label`` (read from its text: Streamlit 1.40 leaves the input empty)."""
    return page.get_by_test_id("stSelectbox").filter(has_text=label).first.inner_text().replace(label, "").strip()


def idle(page, timeout=60_000):
    page.wait_for_function(f"() => {NO_RUN}", timeout=timeout)


# Every change of the loading screen's bar and text, and whether it was on screen, from the page's start.
WATCH_LOADING = """
window.nnpSeen = [];
new MutationObserver(() => {
  const box = document.getElementById('nnp-loading'), bar = box && box.querySelector('[role=progressbar]');
  const seen = box ? [Number(bar.getAttribute('aria-valuenow')), box.innerText] : [null, null];
  const last = window.nnpSeen[window.nnpSeen.length - 1];
  if (!last || last[0] !== seen[0] || last[1] !== seen[1]) window.nnpSeen.push(seen);
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""


def open_page(browser, address):
    ctx, leaks, requested = offline_context(browser, viewport=VIEWPORT, accept_downloads=True)
    page = ctx.new_page()
    page.add_init_script(WATCH_LOADING)
    console = Console(page)
    page.goto(address)
    wait_rendered(page, BOOT_MS)
    return page, console, leaks


def check_loading_screen(page) -> None:
    """Until the first screen was drawn the page showed our loading screen: what loads, how much a first
    visit downloads, a bar that only goes forward, downloads counted by bytes and then stlite's steps; then
    it went, at the first screen (the Train button and the surface drawn)."""
    seen = page.evaluate("() => window.nnpSeen")
    shown, gone = [s for s in seen if s[0] is not None], [s for s in seen if s[0] is None]
    assert shown and gone and seen[-1][0] is None, seen[:3] + seen[-3:]
    size = re.search(r"downloads about (\d+) MB", shown[0][1])
    assert size and 10 <= int(size[1]) <= 60, shown[0][1]
    values = [v for v, _ in shown]
    assert values == sorted(values) and values[0] < 20 and values[-1] >= 85, values
    texts = " / ".join(t for _, t in shown)
    assert re.search(r"downloaded \d+\.\d of \d+\.\d MB", texts), texts[:2000]
    for step in ("Starting Python", "Starting Streamlit", "Drawing the page", "MB downloaded"):
        assert step in texts, (step, texts[:2000])
    marks = page.evaluate("() => window.nnpLoading.marks")
    steps = ["Loading Pyodide.", "Unpacking archives.", "Installing packages.", "Loading streamlit package.",
             "Booting up the Streamlit server.", "loaded", "first screen"]
    assert [m for m in sorted(marks, key=marks.get) if m in steps] == steps, marks


def no_errors(page, console, leaks):
    assert leaks == [], f"requests that would have left localhost: {leaks}"
    assert page.query_selector("[data-testid=stException]") is None
    assert console.errors() == [], console.errors()


def test_offline_site_trains_draws_shares_and_loads_models(url, browser, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    # a shared link: the experiment comes from the URL; a budget that takes several slices to train
    page, console, leaks = open_page(browser, f"{url}?ds=xor&ep=5000")
    no_errors(page, console, leaks)
    check_loading_screen(page)
    assert selected(page, "Dataset") == "XOR (4 points)"
    assert metric(page, "Epoch") == "0"
    assert page.get_by_text("of 5,000 · ready").count() >= 1
    before = loss_pixels(page)

    page.get_by_role("button", name="▶ Train").click()
    seen, deadline = set(), time.monotonic() + 180
    while not page.get_by_text("5,000 of 5,000 · done").count():
        assert time.monotonic() < deadline, f"Train did not reach the end of its budget: epochs seen {seen}"
        seen.add(metric(page, "Epoch"))
        time.sleep(0.1)
    idle(page)
    assert metric(page, "Epoch") == "5,000"
    assert seen - {"0", "5,000"}, f"the page redraws while it trains (epochs seen: {seen})"
    assert metric(page, "Train accuracy") == "100.0%"
    assert float(metric(page, "Train loss")) < 0.1

    # the charts are drawn (both classes on the surface, a new line on the loss chart); the files download
    page.screenshot(path=str(ARTIFACTS / "site-offline-xor.png"), full_page=True)
    model_path, csv_lines = check_trained_xor(page, before, tmp_path, 5000)
    assert csv_lines[0] == "x1,x2,label,split"
    no_errors(page, console, leaks)
    shared = page.url
    assert "ds=xor" in shared and "ep=5000" in shared

    # the page's own URL in a fresh browser context rebuilds the same experiment
    fresh, fresh_console, fresh_leaks = open_page(browser, shared)
    assert fresh.url == shared
    assert selected(fresh, "Dataset") == "XOR (4 points)"
    assert metric(fresh, "Epoch") == "0"

    # and the downloaded model uploads there; a broken one is refused with a message
    fresh.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(model_path))
    fresh.get_by_text("Continuing from model.json").wait_for(timeout=60_000)
    idle(fresh)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "nn_core.model", "version": 1, "layers": []}))
    fresh.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(bad))
    fresh.get_by_text("Could not use bad.json").wait_for(timeout=60_000)
    no_errors(fresh, fresh_console, fresh_leaks)
    fresh.screenshot(path=str(ARTIFACTS / "site-offline-upload.png"), full_page=True)

    # the data picker: a click on a dataset's picture picks it (a chart selection, on Streamlit 1.40 too)
    from nn_core import DATASETS
    from playground import thumbnails

    picker = fresh.locator("[data-testid=stSidebar] [data-testid=stVegaLiteChart] canvas, "
                           "[data-testid=stSidebar] [data-testid=stVegaLiteChart] svg.marks").first
    box = picker.bounding_box()
    i, pad = list(DATASETS).index("moons"), (box["width"] - thumbnails.PER_ROW * thumbnails.TILE) / 2
    picker.click(position={"x": pad + (i % thumbnails.PER_ROW + 0.5) * thumbnails.TILE,
                           "y": pad + (i // thumbnails.PER_ROW + 0.5) * thumbnails.TILE})
    fresh.wait_for_function("() => location.search.includes('ds=moons')", timeout=60_000)
    idle(fresh)
    assert selected(fresh, "Dataset") == "Moons"
    no_errors(fresh, fresh_console, fresh_leaks)

    # the explore views: each opens and draws in the browser's own Python
    fresh.get_by_role("button", name="+100").click()
    fresh.get_by_text("100 of").first.wait_for(timeout=60_000)
    idle(fresh)
    views = {"Gradients": ".nnp-gradients img.grad", "Transformed space": ".nnp-space img.space",
             "Timeline": "[data-testid=stSlider]", "Export script": "[data-testid=stCode]"}
    for name, selector in views.items():
        fresh.get_by_text(name, exact=True).click()
        fresh.locator(selector).first.wait_for(timeout=60_000)
        idle(fresh)
    assert "import numpy as np" in fresh.locator("[data-testid=stCode]").first.inner_text()
    assert "x=script" in fresh.url
    fresh.get_by_text("Convergence odds", exact=True).click()
    fresh.get_by_test_id("stNumberInput").filter(has_text="Seeds").locator("input").fill("12")
    fresh.get_by_test_id("stNumberInput").filter(has_text="Seeds").locator("input").press("Enter")
    idle(fresh)
    fresh.get_by_role("button", name="Train 12 seeds").click()
    try:  # they train in the page's slices (the budget is 5,000 epochs here: a while); stopping keeps the odds so far
        fresh.get_by_text(re.compile(r"of 12 seeds converged .* · training")).first.wait_for(timeout=120_000)
        fresh.get_by_role("button", name="Stop the seeds").click()
        fresh.get_by_text(re.compile(r"of 12 seeds converged .* · stopped")).first.wait_for(timeout=60_000)
    finally:
        fresh.screenshot(path=str(ARTIFACTS / "site-offline-odds.png"), full_page=True)
    idle(fresh)
    fresh.get_by_text("A/B", exact=True).click()
    fresh.get_by_role("button", name="Pin this run as A").click()
    fresh.get_by_text("B has A's settings").wait_for(timeout=60_000)
    idle(fresh)
    fresh.wait_for_function("() => location.search.includes('pin=')", timeout=60_000)  # the link carries run A
    no_errors(fresh, fresh_console, fresh_leaks)
    fresh.screenshot(path=str(ARTIFACTS / "site-offline-explore.png"), full_page=True)

    # your own points: cleared, then a click on the surface for each class makes a dataset the link carries,
    # each point drawn in its class's colour where the click landed
    fresh.get_by_role("combobox", name="Dataset").click()
    fresh.keyboard.type("Your data")  # the list shows a few options at a time: type to find it
    fresh.keyboard.press("Enter")
    fresh.get_by_text("Click the surface to add a point").wait_for(timeout=60_000)
    idle(fresh)
    fresh.get_by_role("button", name="Clear").click()
    fresh.get_by_text("0 points.").wait_for(timeout=60_000)
    idle(fresh)
    fresh.locator("img.map").first.scroll_into_view_if_needed()
    drawn = (("class 0", (0.0, 0.9), (0xF5, 0x93, 0x22), "1 point."), ("class 1", (0.0, -1.0), (0x08, 0x77, 0xBD),
                                                                         "2 points."))
    for label, where, colour, count in drawn:
        fresh.locator("[data-testid=stButtonGroup] button").filter(has_text=label).click()
        idle(fresh)
        assert far(pixel_at(fresh, where), colour), (label, pixel_at(fresh, where))  # the ground there
        click_plane(fresh, where)
        fresh.get_by_text(count).wait_for(timeout=60_000)
        idle(fresh)
    # two points make a dataset (one was not enough): the link carries them, and the surface draws them
    fresh.wait_for_function("() => (new URLSearchParams(location.search).get('pts') || '').split(';').length == 3",
                            timeout=60_000)
    for label, where, colour, _ in drawn:
        assert not far(pixel_at(fresh, where), colour, 40), (label, pixel_at(fresh, where))
    pts = [[float(v) for v in p.split(",")] for p in parse_qs(urlparse(fresh.url).query)["pts"][0].split(";")[1:]]
    assert [(round(x1, 1), round(x2, 1), k) for x1, x2, k in pts] == [(0.0, 0.9, 0), (0.0, -1.0, 1)], pts
    fresh.screenshot(path=str(ARTIFACTS / "site-offline-draw.png"))

    # the diagram answers clicks: a weight's card sets it to 0, a click on an input turns it on
    from nn_core import build
    from nn_core.features import FEATURES
    from playground import drawing
    from playground.url import config_from_query

    net = build(config_from_query(dict(parse_qs(urlparse(fresh.url).query, keep_blank_values=True)))[0]).network
    line = next(line for line in drawing.weight_lines(net, 380, tuple(FEATURES)) if line[:3] == (0, 0, 0))
    fresh.locator(".nnp-network").first.scroll_into_view_if_needed()
    fresh.mouse.click(*on_diagram(fresh, ((line[4][0] + line[5][0]) / 2, (line[4][1] + line[5][1]) / 2)))
    fresh.locator(".st-key-editor").get_by_text("The weight x₁ → h1.1").wait_for(timeout=60_000)
    idle(fresh)
    fresh.get_by_role("button", name="Set to 0").click()
    fresh.get_by_text("Set the weight x₁ → h1.1 to 0").wait_for(timeout=60_000)
    idle(fresh)
    fresh.get_by_role("button", name="Close").click()
    fresh.locator(".st-key-editor").wait_for(state="detached", timeout=60_000)
    idle(fresh)
    columns = drawing.diagram_columns(net.arch, tuple(FEATURES))
    tile, xs, ys, _ = drawing.diagram_geometry(tuple(len(c[2]) + (c[3] > 0) for c in columns), 380)
    fresh.mouse.click(*on_diagram(fresh, (xs[0], ys[0][2])))  # x1^2
    fresh.wait_for_function("() => location.search.includes('f=x1%2Cx2%2Cx1sq')", timeout=60_000)
    idle(fresh)
    fresh.screenshot(path=str(ARTIFACTS / "site-offline-diagram.png"))
    no_errors(fresh, fresh_console, fresh_leaks)
    every_other_feature(fresh, tmp_path)
    no_errors(fresh, fresh_console, fresh_leaks)
    # the site leaves out what the page never imports (tools/site/pins.py STANDINS): had any of it been
    # imported, its stand-in would have said so on the console (an error, failing no_errors above)
    assert not [m for m in console.messages + fresh_console.messages if "stand-in" in m]


def click_pill(page, group: str, option: str) -> None:
    page.get_by_test_id("stButtonGroup").filter(has_text=group).get_by_text(option, exact=True).click()
    idle(page)


def pick_dataset(page, title: str) -> None:
    page.get_by_role("combobox", name="Dataset").click()
    page.keyboard.type(title)  # the list shows a few options at a time: type to find it
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.body.innerText.includes({json.dumps(title)})", timeout=60_000)
    idle(page)


def open_expander(page, title: str, inside: str) -> None:
    """Open the first expander ``title`` until ``inside`` shows (a redraw just after a click can close it)."""
    for _ in range(3):
        idle(page)
        page.get_by_text(title).first.click()
        try:
            page.get_by_text(inside).wait_for(timeout=10_000)
            return
        except PlaywrightTimeout:
            continue
    page.get_by_text(inside).wait_for(timeout=10_000)


def every_other_feature(page, tmp_path) -> None:
    """The widgets and views the rest of the test does not use, each once: with what the other steps use,
    every kind of element the page draws, under stlite, with the packages the site serves."""
    # your own points from a CSV file (their own file uploader), then a formula dataset (a text input)
    csv = tmp_path / "points.csv"
    csv.write_text("x1,x2,label\n0.5,0.4,1\n-0.5,-0.3,0\n0.2,-0.6,1\n-0.4,0.7,0\n0.1,0.1,1\n")
    page.get_by_test_id("stFileUploader").filter(has_text="Upload a CSV").get_by_test_id(
        "stFileUploaderDropzoneInput").set_input_files(str(csv))
    page.get_by_text("5 points.").wait_for(timeout=60_000)
    idle(page)
    pick_dataset(page, "Formula")
    formula = page.get_by_test_id("stTextInput").filter(has_text="Formula").locator("input")
    formula.fill("x1 * x2 > 0")
    formula.press("Enter")
    page.wait_for_function("() => location.search.includes('fx=')", timeout=60_000)
    idle(page)
    # a slider, the features' pills, a layer more with one activation each, a number typed in
    page.get_by_test_id("stSlider").filter(has_text="Noise").get_by_role("slider").press("ArrowRight")
    idle(page)
    click_pill(page, "Input features", "x1*x2")
    page.locator(".st-key-add_layer button").first.click()
    idle(page)
    page.get_by_test_id("stCheckbox").filter(has_text="One activation for all layers").locator("label").first.click()
    page.get_by_text("Layer 2 activation").wait_for(timeout=60_000)
    idle(page)
    rate = page.get_by_test_id("stNumberInput").filter(has_text="L2 rate").locator("input")
    rate.fill("0.001")
    rate.press("Enter")
    idle(page)
    # the main area's buttons, toggle, view options and help (what a shared link hides, a multiselect, and
    # Discretize output: tests/test_share_browser.py, on this site too)
    page.get_by_role("button", name="Step").click()
    page.get_by_text(re.compile(r"Epoch 1\b")).first.wait_for(timeout=60_000)
    idle(page)
    page.get_by_test_id("stCheckbox").filter(has_text="Until paused").locator("label").first.click()
    idle(page)
    page.get_by_role("button", name="Reset", exact=True).click()
    idle(page)
    click_pill(page, "Log scale", "Log scale")
    open_expander(page, "What am I looking at?", "Each column is a layer")
    # the transformed space as the output layer sees it
    page.get_by_text("Transformed space", exact=True).click()
    page.locator(".nnp-space img.space").first.wait_for(timeout=60_000)
    idle(page)
    click_pill(page, "Layer", "Output")


def on_diagram(page, p) -> tuple[float, float]:
    """Where point ``p`` (px of the diagram drawn 380 px wide) is on the page."""
    b = page.locator(".nnp-network .p").first.bounding_box()
    return b["x"] + p[0] * b["width"] / 380, b["y"] + p[1] * b["width"] / 380


def test_online_page_boots_from_its_cdn_urls(browser):
    """The online site's index.html, with the pinned CDN URL answered from the offline site's copy of
    stlite's build (the only copy reachable here; byte for byte the npm package's): stlite's script, style
    and chunks pass their integrity check, stlite finds its worker and wheels beside its CDN script, and the
    site serves Pyodide and the archives itself. Nothing else leaves localhost."""
    online, offline = built_site(offline=False, app=APP), built_site(offline=True, app=APP)
    mirrors = {site.STLITE_CDN: offline / "stlite"}
    cdn_hits = []

    def cdn(route):
        url = route.request.url
        prefix = next(p for p in mirrors if url.startswith(p))
        path = mirrors[prefix] / url[len(prefix):].split("?")[0]
        cdn_hits.append(url)
        if not path.is_file():
            return route.fulfill(status=404, body="not found")
        route.fulfill(path=str(path), headers={"content-type": MIME.get(path.suffix, "application/octet-stream"),
                                               "access-control-allow-origin": "*"})

    with serve(online) as url:
        ctx, leaks, requested = offline_context(browser, viewport=VIEWPORT)
        for prefix in mirrors:
            ctx.route(prefix + "**", cdn)  # registered last: runs before the catch-all
        page = ctx.new_page()
        console = Console(page)
        page.goto(url)
        wait_rendered(page, BOOT_MS)
        no_errors(page, console, leaks)
        assert any(u.endswith("/build/stlite.js") for u in cdn_hits)
        assert any(u.endswith("/build/pypi/streamlit-1.40.1-cp312-none-any.whl") for u in cdn_hits)
        local = {u.removeprefix(url).split("?")[0] for u in requested if u.startswith(url)}
        assert {"pyodide/pyodide.asm.wasm", "pyodide/python_stdlib.zip", "bundle/site-packages.zip",
                "bundle/app.zip"} <= local and not any(p.startswith("stlite/") for p in local), local
        ctx.close()


def test_python_starts_while_stlite_loads_and_each_file_comes_once(url, browser):
    """The loading screen starts stlite's worker, and Pyodide in it, before stlite's script runs: pyodide.js is
    asked for before stlite asks for its worker's code; the app's archives are asked for then too, and
    stlite's own fetches of them are given those downloads: every file of the site comes once."""
    ctx, leaks, requested = offline_context(browser, viewport=VIEWPORT)
    page = ctx.new_page()
    console = Console(page)
    page.goto(url)
    wait_rendered(page, BOOT_MS)
    no_errors(page, console, leaks)
    paths = [urlparse(u).path.lstrip("/") for u in requested if u.startswith(url)]
    worker = "stlite/" + site.STLITE_WORKER
    assert paths.index("pyodide/pyodide.js") < paths.index(worker), paths
    assert all(paths.index(a) < paths.index(worker) for a in site.ARCHIVES), paths
    twice = sorted({p for p in paths if paths.count(p) > 1})
    assert twice == [], twice
    marks = page.evaluate("() => window.nnpLoading.marks")
    assert marks["Loading Pyodide."] <= marks["Unpacking archives."] <= marks["first screen"], marks
    ctx.close()

"""The page in a real headless Chromium against `streamlit run` (Debian's chromium, pip playwright)."""

import base64
import json
import re
import time
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest

from browser_helpers import (
    ROOT,
    check_trained_xor,
    click_plane,
    far,
    loss_pixels,
    luminance,
    metric,
    pixel_at,
    points_on_plain_ground,
    wait_ready,
)
from nn_core import build, dumps, load_model  # noqa: E402
from playground.url import config_from_query  # noqa: E402

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "artifacts"


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
    before = loss_pixels(page)

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

    # and continuing from the downloaded model there, exactly where it stopped: its figures at once, and
    # 100 more epochs give the very network that 1,100 epochs in one go give (Adam's moments included)
    fresh.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(model_path))
    fresh.get_by_text("Continuing from model.json at epoch 1,000").wait_for(timeout=30_000)
    wait_ready(fresh)
    assert metric(fresh, "Epoch") == "1,000" and metric(fresh, "Train accuracy") == "100.0%"
    fresh.get_by_role("button", name="+100").click()
    fresh.wait_for_function("() => document.querySelector('[data-metric=\"Epoch\"] .v').textContent === '1,100'")
    wait_ready(fresh)
    with fresh.expect_download() as d:
        fresh.get_by_role("button", name="Download model (JSON)").click()
    d.value.save_as(tmp_path / "more.json")
    continued = load_model(tmp_path / "more.json")[0]
    query = {k: v[0] for k, v in parse_qs(urlparse(shared).query).items()}
    straight = build(config_from_query(query)[0])
    straight.trainer.fit(1100)
    assert np.array_equal(continued.params, straight.network.params)
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
    page.get_by_role("button", name="❚❚ Pause").wait_for(timeout=30_000)
    seen, give_up = set(), time.monotonic() + 60  # a hang guard only: the page redraws at its machine's pace
    while len(seen) < 5 and time.monotonic() < give_up:
        seen.add(metric(page, "Epoch"))
        time.sleep(0.05)
    assert len(seen) >= 5, seen  # the charts and metrics redraw while it trains
    page.get_by_role("button", name="❚❚ Pause").click()  # its learning plays over seconds: still running
    page.get_by_role("button", name="▶ Train").wait_for(timeout=30_000)
    time.sleep(0.5)
    paused = metric(page, "Epoch")
    time.sleep(1.5)
    assert metric(page, "Epoch") == paused and "paused" in status(page)
    assert paused != "0"
    page.screenshot(path=str(ARTIFACTS / "browser-spiral.png"), full_page=True)
    page.close()


def _watch(page, seconds: float) -> dict:
    """Click Train and watch the page for ``seconds`` in the browser itself, at every animation frame: how many
    different pictures the surface and the diagram's output tile showed, how many different epochs the
    figures showed, and in how many frames the surface had no picture (drawn blank)."""
    page.evaluate("""() => { window.seen = {surface: new Set(), tile: new Set(), epoch: new Set(), blank: 0, frames: 0};
        window.watching = true;
        const look = () => { const s = window.seen, map = document.querySelector('img.map');
            const tile = document.querySelector('img.tiles');
            const epoch = document.querySelector('[data-metric="Epoch"] .v');
            s.frames++;
            if (!map || !map.complete || map.naturalWidth === 0) s.blank++;
            if (map) s.surface.add(map.src.length + ':' + map.src.slice(-64));
            if (tile) s.tile.add(tile.src.length + ':' + tile.src.slice(-64));
            if (epoch) s.epoch.add(epoch.textContent);
            if (window.watching) requestAnimationFrame(look); };
        requestAnimationFrame(look); }""")
    page.get_by_role("button", name="▶ Train").click()
    time.sleep(seconds)
    return page.evaluate("""() => { window.watching = false; const s = window.seen;
        return {surface: s.surface.size, tile: s.tile.size, epochs: [...s.epoch], blank: s.blank,
                frames: s.frames}; }""")


@pytest.mark.parametrize("preset", ["default", "tutorial"])
def test_training_is_something_you_watch(server, browser, preset):
    """From a click on Train, the surface and the figures change at least 8 times in the first 3 s, and the
    surface never flashes blank between pictures."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(server)
    wait_ready(page)
    if preset == "tutorial":
        page.get_by_role("button", name="Tutorial preset").click()
        page.get_by_text("Final Output after Training").or_(page.get_by_text("Output", exact=True)).first.wait_for()
        wait_ready(page)
    seen = _watch(page, 3.0)
    assert seen["surface"] >= 9, seen  # the first picture and at least 8 changes
    assert seen["tile"] >= 9 and len(seen["epochs"]) >= 9, seen
    assert seen["blank"] == 0 and seen["frames"] > 30, seen
    page.close()


def test_quick_clicks_each_take_effect(server, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(server)
    wait_ready(page)
    for _ in range(10):  # 20 clicks as fast as the browser takes them: 10 x Step, 10 x +100
        page.get_by_role("button", name="Step").click()
        page.get_by_role("button", name="+100").click()
    page.wait_for_function("() => document.querySelector('[data-metric=\"Epoch\"] .v').textContent === '1,010'",
                           timeout=30_000)
    wait_ready(page)
    assert metric(page, "Epoch") == "1,010"
    # Pause, then +100 at once: the run stops and trains exactly 100 more
    page.get_by_role("button", name="Reset", exact=True).click()
    page.wait_for_function("() => document.querySelector('[data-metric=\"Epoch\"] .v').textContent === '0'")
    page.get_by_role("button", name="▶ Train").click()
    page.get_by_role("button", name="❚❚ Pause").wait_for()
    time.sleep(1.0)
    before = int(metric(page, "Epoch").replace(",", ""))
    page.get_by_role("button", name="❚❚ Pause").click()
    page.get_by_role("button", name="+100").click()
    page.get_by_role("button", name="▶ Train").wait_for()
    time.sleep(1.0)
    wait_ready(page)
    after = int(metric(page, "Epoch").replace(",", ""))
    # The run was at least at ``before`` when paused. Had the +100 been lost, ``after`` would be where the run
    # paused: paced by change (playground.tempo), the default experiment's first redraws train a few epochs each
    # while its loss falls, so the run cannot add 100 epochs between reading ``before`` and the Pause click's
    # run. So ``after`` at least 100 more shows the click took effect.
    assert after >= before + 100 and "paused" in status(page), (before, after)
    page.close()


def test_points_stand_out_on_both_classes(server, browser):
    """Each data point's outline, as Chromium draws it, contrasts with the surface around it (WCAG contrast
    ratio of 3 or more), on the orange and on the blue side alike."""


    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{server}/?ds=circles&n=80&tr=0")
    wait_ready(page)
    for _ in range(3):
        page.get_by_role("button", name="+100").click()
    page.wait_for_function("() => document.querySelector('[data-metric=\"Epoch\"] .v').textContent === '300'")
    wait_ready(page)
    checked = {"orange": 0, "blue": 0}
    for point in points_on_plain_ground(page, gap=4, spread=30):
        outline = min(point["ring"], key=luminance)
        lo, hi = sorted((luminance(outline), luminance(point["ground"])))
        assert (hi + 0.05) / (lo + 0.05) >= 3.0, (point["side"], outline, point["ground"])
        checked[point["side"]] += 1
    assert checked["orange"] >= 3 and checked["blue"] >= 3, checked
    page.close()


def test_a_click_on_a_dataset_picture_picks_it(server, browser):
    from nn_core import DATASETS
    from playground import thumbnails

    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(server)
    wait_ready(page)
    picker = page.locator("[data-testid=stSidebar] [data-testid=stVegaLiteChart] canvas, "
                          "[data-testid=stSidebar] [data-testid=stVegaLiteChart] svg.marks").first
    picker.wait_for()
    box = picker.bounding_box()
    i = list(DATASETS).index("moons")
    pad = (box["width"] - thumbnails.PER_ROW * thumbnails.TILE) / 2  # Vega's padding around the plot, if any
    picker.click(position={"x": pad + (i % thumbnails.PER_ROW + 0.5) * thumbnails.TILE,
                           "y": pad + (i // thumbnails.PER_ROW + 0.5) * thumbnails.TILE})
    page.wait_for_function("() => location.search.includes('ds=moons')", timeout=30_000)
    wait_ready(page)
    assert page.get_by_role("combobox", name="Dataset").input_value() == "Moons"
    assert box["width"] >= thumbnails.PER_ROW * thumbnails.TILE
    page.close()


def _box(page, selector):
    return page.locator(selector).first.bounding_box()


def test_layout_laptop_and_phone(server, browser):
    """At 1366 x 768 the network, the surface and the loss curve are all on the first screen; on a 390 x 844
    phone the surface is within the first 900 px; no figure is wider than the screen."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(server)
    wait_ready(page)
    for selector in (".nnp-network .p", ".nnp-surface .p", ".nnp-curves img.loss"):
        b = _box(page, selector)
        assert b["y"] >= 0 and b["y"] + b["height"] <= 768 and b["x"] + b["width"] <= 1366, (selector, b)
    page.close()
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(server)
    wait_ready(phone)
    b = _box(phone, ".nnp-surface .p")
    assert b["y"] + b["height"] <= 900 and b["x"] >= 0 and b["x"] + b["width"] <= 390, b
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sticks out sideways
    buttons = [phone.get_by_role("button", name=name, exact=True).bounding_box()
               for name in ("▶ Train", "Step", "+100", "Reset")]
    assert len({round(b["y"]) for b in buttons}) == 1  # the four buttons on one row
    phone.close()
    # eight hidden layers and a surface to draw on (figures with click layers over them, which cannot shrink
    # as a picture does): no sideways scroll on a laptop (issue 19) nor on a phone, where they zoom out
    for size in ({"width": 1366, "height": 768}, {"width": 390, "height": 844}):
        page = browser.new_page(viewport=size)
        page.goto(f"{server}/?ds=custom&h=64-64-64-64-64-64-64-64")
        wait_ready(page)
        main = page.evaluate("(() => { const m = document.querySelector('[data-testid=stMain]');"
                             " return [m.scrollWidth, m.clientWidth]; })()")
        assert main[0] <= main[1], (size, main)  # the page's main area does not scroll sideways
        for selector in (".nnp-network .p", ".nnp-surface .p"):
            b = _box(page, selector)
            assert b["x"] >= 0 and b["x"] + b["width"] <= size["width"], (size, selector, b)
        assert page.evaluate("(() => { const n = document.querySelector('.nnp-network');"  # the diagram scrolls no more
                             " return getComputedStyle(n).overflowX == 'visible'"
                             " && n.querySelector('.p').getBoundingClientRect().width <= n.clientWidth + 0.5; })()")
        page.close()


def test_explore_views_in_chromium(server, browser):
    """The explore row: the vanishing-gradients example (a button inside the redrawing fragment that changes
    the settings) builds its experiment, trains, and the gradient view draws a line per layer; the odds of
    the tutorial's network over 20 seeds train in the page's slices to the end."""
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(server)
    wait_ready(page)
    page.get_by_text("Gradients", exact=True).click()
    page.get_by_role("button", name="Example: vanishing gradients").click()
    page.wait_for_function("() => location.search.includes('ds=blobs')", timeout=30_000)
    page.get_by_text("of 1,000 · ready").wait_for(timeout=30_000)
    page.get_by_role("button", name="+100").click()
    page.get_by_text("100 of 1,000").wait_for(timeout=30_000)
    wait_ready(page)
    svg = page.locator(".nnp-gradients img.grad").get_attribute("src")
    lines = base64.b64decode(svg.split(",", 1)[1]).decode().count("<polyline")
    assert lines == 9  # 8 hidden layers and the output
    page.get_by_role("button", name="Tutorial preset").click()
    page.get_by_text("of 10,000 · ready").wait_for(timeout=30_000)
    page.get_by_text("Convergence odds", exact=True).click()
    seeds = page.get_by_test_id("stNumberInput").filter(has_text="Seeds").locator("input")
    seeds.fill("20")
    seeds.press("Enter")
    page.get_by_role("button", name="Train 20 seeds").click()
    page.get_by_text("· done").first.wait_for(timeout=120_000)
    text = page.get_by_text("of 20 seeds converged").first.inner_text()
    assert re.search(r"\b(1[89]|20) of 20 seeds converged", text), text  # the tutorial's net: almost always
    page.close()


def test_your_own_data_upload(server, browser, tmp_path):
    """A CSV file uploads into "Your data" (scaled into the plane, and said so); a bad one gets one message
    naming the row and changes nothing."""
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(f"{server}/?ds=custom&tr=0")
    wait_ready(page)
    good = tmp_path / "mine.csv"
    rows = [f"{x},{y},{int(x * y > 0)}" for x in range(-20, 21, 4) for y in range(-20, 21, 4)]
    good.write_text("x1,x2,label\n" + "\n".join(rows) + "\n")
    uploader = page.get_by_role("region", name="Upload a CSV").get_by_test_id("stFileUploaderDropzoneInput")
    uploader.set_input_files(str(good))
    page.get_by_text("Loaded 121 points from mine.csv").wait_for(timeout=30_000)
    wait_ready(page)
    text = page.get_by_text("Loaded 121 points from mine.csv").inner_text()
    assert "scaled" in text and "download the data" in text  # moved into the plane; too many for a link
    assert "pts=" not in page.url and "ds=custom" in page.url
    assert page.get_by_text("121 points.").count()
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n1,2,0\n3,oops,1\n")
    uploader.set_input_files(str(bad))
    page.get_by_text("Could not use bad.csv").wait_for(timeout=30_000)
    message = page.get_by_text("Could not use bad.csv").inner_text()
    assert "row 3" in message, message
    assert page.get_by_text("121 points.").count()  # nothing else changed
    page.close()


def test_drawing_on_the_surface(server, browser):
    """Issue 19: a click on the output surface adds a point of the chosen class where it lands, drawn in that
    class's colour (read from the pixels there: not the hollow ring of the old pad); a click on the point
    removes it. The surface's plane stays put (±1.5) as points come and go."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{server}/?ds=custom&tr=0&pts=c;-1.2,-1.2,0;1.2,1.2,1")
    wait_ready(page)
    orange, blue = (0xF5, 0x93, 0x22), (0x08, 0x77, 0xBD)
    a, b = (0.6, 0.6), (-0.6, -0.6)  # where the clicks land, in the plane
    before = {p: pixel_at(page, p) for p in (a, b)}
    assert far(before[a], orange) and far(before[b], blue), before  # the ground there: a dot would show
    click_plane(page, a)
    page.get_by_text("3 points.").wait_for(timeout=30_000)
    wait_ready(page)
    assert not far(pixel_at(page, a), orange, 40), pixel_at(page, a)  # a point of class 0, filled orange
    page.locator("[data-testid=stButtonGroup] button").filter(has_text="class 1").click()
    wait_ready(page)
    click_plane(page, b)
    page.get_by_text("4 points.").wait_for(timeout=30_000)
    wait_ready(page)
    assert not far(pixel_at(page, b), blue, 40), pixel_at(page, b)  # and one of class 1, filled blue
    page.screenshot(path=str(ARTIFACTS / "browser-draw-on-surface.png"))
    page.wait_for_function("() => location.search.includes('pts=')", timeout=30_000)
    pts = parse_qs(urlparse(page.url).query)["pts"][0]
    (a1, a2, la), (b1, b2, lb) = ([float(v) for v in p.split(",")] for p in pts.split(";")[3:])
    assert abs(a1 - 0.6) < 0.05 and abs(a2 - 0.6) < 0.05 and la == 0, pts  # where each landed, of its class
    assert abs(b1 + 0.6) < 0.05 and abs(b2 + 0.6) < 0.05 and lb == 1, pts
    click_plane(page, a)  # on the point: it goes
    page.get_by_text("3 points.").wait_for(timeout=30_000)
    wait_ready(page)
    assert far(pixel_at(page, a), orange), pixel_at(page, a)
    page.close()


def test_the_diagram_answers_clicks(server, browser, tmp_path):
    """Issue 19: hover a weight to read its value; click it and set it to 0, and training goes on from the
    edited network (a model file carries it, and the next epoch is the engine's from that value to the last
    bit); click an input feature on the diagram to turn it on: its tile is no longer greyed."""
    from nn_core.features import FEATURES
    from playground import drawing

    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    page = ctx.new_page()
    query = "ds=xor&h=3&a=sigmoid&opt=gd&lr=0.5"
    page.goto(f"{server}/?{query}")
    wait_ready(page)
    exp = build(config_from_query(dict(p.split("=") for p in query.split("&")))[0])  # the page's network
    w = exp.network.weights(0)[1, 0]  # x₂ → h1.1
    line = next(line for line in drawing.weight_lines(exp.network, 380, tuple(FEATURES)) if line[:3] == (0, 1, 0))
    middle = ((line[4][0] + line[5][0]) / 2, (line[4][1] + line[5][1]) / 2)
    page.mouse.move(*diagram_at(page, middle))
    page.wait_for_function("() => document.querySelector('#vg-tooltip-element.visible')", timeout=10_000)
    assert page.inner_text("#vg-tooltip-element") == f"weight x₂ → h1.1 = {w:.4g} · click to edit"
    page.mouse.click(*diagram_at(page, middle))
    card = page.locator(".st-key-editor")
    card.get_by_text("The weight x₂ → h1.1").wait_for(timeout=30_000)
    box = card.locator("input").first
    assert float(box.input_value()) == pytest.approx(w, abs=1e-3)
    box.fill("0")
    box.press("Enter")
    page.get_by_text("Set the weight x₂ → h1.1 to 0").wait_for(timeout=30_000)
    wait_ready(page)
    page.screenshot(path=str(ARTIFACTS / "browser-diagram-edit.png"))
    page.get_by_role("button", name="Step", exact=True).click()
    page.get_by_text("Epoch 1 of").wait_for(timeout=30_000)
    wait_ready(page)
    with page.expect_download() as d:
        page.get_by_role("button", name="Download model (JSON)").click()
    d.value.save_as(tmp_path / "edited.json")
    exp.network.weights(0)[1, 0] = 0.0
    exp.trainer.parameters_changed()
    list(exp.trainer.run(1))
    assert np.array_equal(load_model(tmp_path / "edited.json")[0].params, exp.network.params)
    page.get_by_role("button", name="Close").click()
    page.locator(".st-key-editor").wait_for(state="detached", timeout=30_000)
    wait_ready(page)
    tile, xs, ys, _ = drawing.diagram_geometry((7, 3, 1), 380)
    x1sq = (xs[0], ys[0][2])
    before = tile_colour(page, x1sq, tile)
    page.mouse.click(*diagram_at(page, x1sq))
    page.wait_for_function("() => location.search.includes('f=x1%2Cx2%2Cx1sq')", timeout=30_000)
    page.get_by_text("New network, so training starts again from epoch 0: input features").wait_for(timeout=30_000)
    wait_ready(page)
    after = tile_colour(page, x1sq, tile)
    assert before < 45 and after > 3 * before, (before, after)  # greyed (near the grey), then drawn in full
    page.screenshot(path=str(ARTIFACTS / "browser-diagram-input-on.png"))
    ctx.close()


def diagram_at(page, p) -> tuple[float, float]:
    """Where point ``p`` (px of the diagram drawn 380 px wide) is on the page."""
    b = page.locator(".nnp-network .p").first.bounding_box()
    return b["x"] + p[0] * b["width"] / 380, b["y"] + p[1] * b["width"] / 380


def tile_colour(page, centre, tile) -> float:
    """How far the middle of the tile at ``centre`` is drawn from the diagram's grey, on average (0 to 765)."""
    import io

    from PIL import Image

    x, y = diagram_at(page, centre)
    half = tile / 4
    shot = page.screenshot(clip={"x": x - half, "y": y - half, "width": 2 * half, "height": 2 * half})
    pixels = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB")).reshape(-1, 3).astype(int)
    return float(np.abs(pixels - (0xE8, 0xEA, 0xEB)).sum(axis=1).mean())


def test_a_hostile_model_file_stops_no_one_and_draws_nothing(server, browser, tmp_path):
    """Issue 17: 120 kB of escaped quotes held the server's interpreter for 40 s (no other visitor got a
    frame); a model file's value quoted in a message fetched a picture in every visitor's browser."""
    watcher = browser.new_page(viewport={"width": 1366, "height": 768})
    watcher.goto(f"{server}/?ds=spiral&n=300&h=16-16&ep=100000")
    wait_ready(watcher)
    watcher.get_by_role("button", name="▶ Train").click()
    watcher.get_by_role("button", name="❚❚ Pause").wait_for(timeout=30_000)
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    fetched = []
    ctx.on("request", lambda r: fetched.append(r.url) if "127.0.0.1:9/" in r.url else None)
    page = ctx.new_page()
    page.goto(server)
    wait_ready(page)
    hostile = tmp_path / "q.json"
    hostile.write_bytes(b'"' + b'\\"' * 60_000)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(hostile))
    seen, deadline = {metric(watcher, "Epoch")}, time.monotonic() + 20  # 40 s of nothing, before
    while len(seen) < 4 or not page.get_by_text("Could not use q.json").is_visible():
        assert time.monotonic() < deadline, f"the other visitor's page saw epochs {seen} in 20 s"
        seen.add(metric(watcher, "Epoch"))
        time.sleep(0.1)
    # a value from a model file, quoted in the message, is shown as text: no picture, no link
    exp = build(config_from_query({"ds": "xor", "h": "2"})[0])
    doc = json.loads(dumps(exp.network, exp.config.to_dict()))
    doc["training"]["dataset"] = "![t](http://127.0.0.1:9/t.png)"
    injected = tmp_path / "t.json"
    injected.write_text(json.dumps(doc))
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(injected))
    page.get_by_text("![t](http://127.0.0.1:9/t.png)").first.wait_for(timeout=30_000)
    page.wait_for_timeout(500)
    assert fetched == [] and page.locator("img[src*='127.0.0.1:9']").count() == 0
    watcher.get_by_role("button", name="❚❚ Pause").click()
    ctx.close()
    watcher.close()

"""The explore views in the page (streamlit.testing): timeline, gradients, transformed space, convergence
odds, A/B and the exported script, and their part of the URL."""

import re
from dataclasses import replace

import numpy as np

from apptest_helpers import (
    _images,
    curves,
    decode_png,
    decode_svg,
    figure,
    metrics,
    network,
    no_errors,
    run_app,
    session,
    surface,
    widget,
)
from nn_core import SETTINGS, build, evaluate_grid, transformed_space
from nn_core.config import VANISHING
from nn_core.export import script
from nn_core.odds import convergence_odds
from playground import charts, explore, panel
from playground.url import EXPLORE_KEY, EXPLORE_KEYS, HIDE_KEY, PINNED_KEY, VIEW_OPTIONS


def open_view(at, name: str):
    return widget(at, "pills", "explore").set_value(name).run()


def trained(params: dict, epochs: int):
    at = run_app(params)
    at.button(key="step100").click().run()
    while session(at).epoch < epochs:
        at.button(key="step100").click().run()
    return at


def test_page_keys_are_not_setting_keys():
    settings = {s.url for s in SETTINGS.values()}
    page = {EXPLORE_KEY, PINNED_KEY, HIDE_KEY, *VIEW_OPTIONS.values()}
    assert not settings & page and len(page) == 3 + len(VIEW_OPTIONS)


def test_no_view_is_open_at_first():
    at = run_app()
    assert widget(at, "pills", "explore").value is None
    assert figure(at, "gradients") is None and figure(at, "space") is None


# ---------------------------------------------------------------- timeline
def test_timeline_takes_the_figures_back_to_a_kept_epoch():
    at = trained({"ds": "circles", "n": "100", "h": "4"}, 300)
    at = open_view(at, "Timeline")
    no_errors(at)
    s = session(at)
    options = list(at.select_slider(key="timeline_epoch").options)
    assert options[0] == "0" and options[-1] == "300" and "7" in options  # every early epoch is kept
    at.select_slider(key="timeline_epoch").set_value(7).run()
    no_errors(at)
    assert any("epoch 7" in i.value for i in at.info)
    # the surface is the network as a fresh run had it after 7 epochs, and the curves mark epoch 7
    fresh = build(s.config)
    fresh.trainer.fit(7)
    grid = evaluate_grid(fresh.network, s.cache.bounds, panel.SURFACE_RESOLUTION)
    assert np.array_equal(surface(at)["pixels"], charts.surface_rgb(grid, "sigmoid"))
    assert 'class="mark"' in curves(at)["svg"]["loss"]
    tiles = {t["name"]: t for t in network(at)["tiles"]}
    small = evaluate_grid(fresh.network, s.cache.bounds, panel.NEURON_RESOLUTION, hidden=True)
    assert f"from {small.hidden[0][:, :, 0].min():.3g}" in tiles["h1.1"]["title"]
    # back to the newest: the figures are the session's network again, with no mark
    at.select_slider(key="timeline_epoch").set_value(300).run()
    assert not any("epoch 7" in i.value for i in at.info) and 'class="mark"' not in curves(at)["svg"]["loss"]
    assert session(at).epoch == 300  # going back in time trains nothing and changes nothing


def test_timeline_is_bounded():
    at = run_app({"ds": "xor", "ep": "20000"})
    session(at).train(20_000)
    at = open_view(at, "Timeline")
    options = [int(o.replace(",", "")) for o in at.select_slider(key="timeline_epoch").options]
    assert len(options) <= 200 and options[-1] == 20_000
    gaps = np.diff(options)
    assert gaps[0] == 1 and gaps[-2] > 50  # log-spaced: dense early, sparse late


def test_the_timeline_slider_is_log_spaced_and_the_figures_follow_it():
    """Issue 19: the slider's early epochs, where the network changes most, shared its first few percent; and
    while it showed epoch 33 the figures strip showed the last epoch. Now each epoch sits where log(1 + epoch)
    puts it (past the first few, each a step of its own), and the strip shows the epoch the slider shows."""
    at = run_app({"ds": "xor", "ep": "10000"})
    session(at).train(10_000)
    at = open_view(at, "Timeline")
    options = [int(o.replace(",", "")) for o in at.select_slider(key="timeline_epoch").options]
    assert options[0] == 0 and options[-1] == 10_000 and options[:4] == [0, 1, 2, 3]
    steps = np.diff(np.log1p(options))[np.array(options[1:]) > 20]  # past the first, each a step of its own
    even = np.log1p(10_000) / explore.TIMELINE_PLACES
    assert 0.4 * even < steps.min() and steps.max() < 2 * even, steps  # even steps of log(1 + epoch), as kept
    place = options.index(min(options, key=lambda e: abs(e - 100))) / (len(options) - 1)
    assert place > 0.38  # epoch 100 nearer the middle (log: 0.5; the first dozen epochs take a step each): 0.34 before
    at.select_slider(key="timeline_epoch").set_value(options[20]).run()
    record = session(at).exp.trainer.history[options[20] - 1]
    shown = metrics(at)
    assert shown["Epoch"] == f"{options[20]:,}" and shown["Train loss"] == f"{record.train_loss:.3g}"
    at.select_slider(key="timeline_epoch").set_value(0).run()
    assert metrics(at)["Epoch"] == "0" and metrics(at)["Train loss"] == f"{session(at).exp.trainer.start_loss:.3g}"
    assert metrics(at)["Train accuracy"] == "–"


# ---------------------------------------------------------------- gradients
def test_gradient_view_draws_a_line_per_layer_on_log_axes():
    at = trained({"ds": "circles", "n": "100", "h": "4-4"}, 100)
    at = open_view(at, "Gradients")
    no_errors(at)
    html = figure(at, "gradients")
    svgs = {i["class"]: decode_svg(i["src"]) for i in _images(html)}
    assert set(svgs) == {"grad", "ratio"}
    for svg in svgs.values():
        assert len(re.findall(r"<polyline", svg)) == 3  # three weight layers
        assert "1e-" in svg  # log ticks
    record = session(at).exp.trainer.gradient_stats.record()
    assert record.epochs[-1] == 100 and record.grad_norm.shape[1] == 3


def test_vanishing_gradients_example_is_one_click():
    at = run_app()
    at = open_view(at, "Gradients")
    at.button(key="vanishing").click().run()
    no_errors(at)
    c = session(at).config
    assert (c.dataset, c.hidden, c.activations, c.optimizer) == (VANISHING.dataset, VANISHING.hidden,
                                                                  VANISHING.activations, VANISHING.optimizer)
    at.button(key="step100").click().run()
    record = session(at).exp.trainer.gradient_stats.record()
    first, last = record.grad_norm[0, 0], record.grad_norm[0, -1]
    assert first < 1e-3 * last  # the first layer's gradient has all but vanished


# ---------------------------------------------------------------- transformed space
def test_transformed_space_of_a_two_neuron_layer_is_its_activations():
    at = trained({"ds": "moons", "n": "60", "h": "2-3", "tr": "0"}, 100)
    at = open_view(at, "Transformed space")
    no_errors(at)
    html = figure(at, "space")
    svg = decode_svg(_images(html)[0]["src"])
    assert ">h1.1<" in svg and ">h1.2<" in svg
    assert len(re.findall(r"<polyline", svg)) == 26  # 13 + 13 grid lines, bent
    assert len(re.findall(r"<circle", svg)) == 60  # every point
    # the points sit where the layer puts them: their order along the first axis is the first neuron's
    s = session(at)
    t = transformed_space(s.exp.network, 1, s.exp.data.X, s.cache.bounds)
    xs = np.array([float(v) for v in re.findall(r'<circle cx="([\d.]+)"', svg)])
    points = s.cache.points
    order = np.lexsort((points["y"], points["x"]))
    assert len(xs) == len(order)
    values = transformed_space(s.exp.network, 1, np.column_stack([points["x"], points["y"]]), s.cache.bounds)
    assert np.corrcoef(xs, values.points[:, 0])[0, 1] > 0.999
    assert t.method == "neurons"
    widget(at, "pills", "space_layer").set_value("Layer 2").run()
    assert "PC1" in decode_svg(_images(figure(at, "space"))[0]["src"])


# ---------------------------------------------------------------- convergence odds
def test_odds_in_the_page_are_the_engines():
    at = run_app({"ds": "xor", "h": "2", "a": "sigmoid", "o": "sigmoid", "i": "normal", "l": "sse", "opt": "gd",
                  "lr": "0.5", "ep": "2000"})
    at = open_view(at, "Convergence odds")
    at.number_input(key="odds_seeds").set_value(30).run()
    at.button(key="odds_start").click().run()
    for _ in range(400):
        if not session(at).odds_running:
            break
        at.run()
    no_errors(at)
    s = session(at)
    want = convergence_odds(s.config, 30)
    text = " ".join(m.value for m in at.markdown)
    assert f"{want.converged} of 30 seeds converged" in text
    assert 0 < want.converged < 30  # two hidden units: XOR needs luck
    imgs = {i["class"]: decode_svg(i["src"]) for i in _images(figure(at, "odds"))}
    bars = sum(int(c) for c in re.findall(r"<title>(\d+)</title>", imgs["epochs"]))
    assert bars == want.converged
    assert sum(int(c) for c in re.findall(r"<title>(\d+)</title>", imgs["losses"])) == 30


def test_odds_refuse_more_seeds_than_the_page_allows():
    at = run_app({"n": "2000", "h": "-".join(["64"] * 8)})
    at = open_view(at, "Convergence odds")
    no_errors(at)
    most = at.number_input(key="odds_seeds").max
    assert 1 <= most < 100  # the work bound, not the seed count, limits a large network


# ---------------------------------------------------------------- A/B
def test_ab_pins_a_run_and_compares_the_next():
    at = trained({"ds": "circles", "n": "100", "lr": "0.03"}, 200)
    at = open_view(at, "A/B")
    at.button(key="pin").click().run()
    at.select_slider(key="w_lr").set_value(0.3).run()
    at.button(key="step100").click().run()
    no_errors(at)
    text = " ".join(m.value for m in at.markdown)
    assert "B differs from A in" in text and "0.03 → 0.3" in text
    assert session(at).epoch == 100  # B starts afresh, so that both curves start at epoch 0
    html = figure(at, "ab")
    svg = decode_svg(_images(html)[0]["src"])
    assert 'class="A"' in svg and 'class="B"' in svg
    smalls = [m.value for m in at.markdown if "nnp-small" in m.value][0]
    assert "A at epoch 200" in smalls and "B at epoch 100" in smalls
    assert decode_png([i for i in _images(smalls) if i.get("class") == "small"][0]["src"]).shape[0] == 60
    # the link keeps A's settings and epoch; opening it trains A again
    q = {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert q[EXPLORE_KEY] == EXPLORE_KEYS["A/B"] and "at=200" in q[PINNED_KEY]
    again = run_app(q)
    no_errors(again)
    link = {k: (v[-1] if isinstance(v, list) else v) for k, v in again.query_params.items()}
    assert "at=200" in link[PINNED_KEY]  # in the link while run A is trained again, in the page's slices
    while session(again).rebuilding is not None:
        session(again).train_slice()
        again.run()  # the page's timer, by hand: each run trains a slice in its turn
    a = session(again).pinned
    assert a.config == session(at).pinned.config and a.epoch == 200
    assert np.allclose(a.loss, session(at).pinned.loss)


def test_bad_links_to_a_view_or_a_run_a_are_named():
    at = run_app({EXPLORE_KEY: "nope", PINNED_KEY: "lr=banana&at=-3"})
    no_errors(at)
    text = at.warning[0].value
    assert "x='nope'" in text and "pin.lr='banana'" in text and "pin.at='-3'" in text
    assert widget(at, "pills", "explore").value is None


# ---------------------------------------------------------------- export
def test_export_view_offers_the_script_of_these_settings():
    at = run_app({"ds": "moons", "n": "80", "h": "5"})
    at = open_view(at, "Export script")
    no_errors(at)
    assert at.code[0].value == script(session(at).config).rstrip("\n")


def test_a_large_diagram_is_drawn_at_every_other_redraw_while_training():
    from nn_core import Config
    from playground.session import Session

    big = Session(Config(hidden=(8,) * 6, samples=60))  # 51 tiles
    small = Session(Config(hidden=(8, 8), samples=60))  # 19
    for s in (big, small):
        cache = replace(s.cache, diagram="<div>the last drawing</div>")
        assert panel.diagram_due(s, cache)  # at rest, always
        s.running = True
        due = []
        for tick in range(4):
            s.live.ticks = tick
            due.append(panel.diagram_due(s, cache))
        s.running = False
        assert due == ([True, False, True, False] if s is big else [True] * 4)
        assert panel.diagram_due(s, replace(cache, diagram=None))  # never drawn yet: drawn now

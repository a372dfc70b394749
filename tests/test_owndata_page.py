"""Your own data on the page (streamlit.testing): drawn points, a formula, and what a link carries. The
upload and the clicks on the pad are in tests/test_browser.py (they need a real browser)."""

import json

import numpy as np

from apptest_helpers import figure, no_errors, plain, run_app, session, surface, widget
from nn_core import build
from nn_core.userdata import URL_POINTS, add_point, parse_points
from playground import drawpad


def query(at) -> dict[str, str]:
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def test_a_drawn_point_joins_the_data_and_training_goes_on():
    at = run_app({"ds": "custom", "n": "80", "tr": "0"})
    no_errors(at)
    at.button(key="step100").click().run()
    s = session(at)
    params, before = s.exp.network.params.copy(), len(s.exp.data)
    at.session_state["w_points"] = add_point(s.config.points, 0.1, -0.2, 1)  # what a click on the pad writes
    at.run()
    no_errors(at)
    s = session(at)
    assert len(s.exp.data) == before + 1 and s.epoch == 100  # the same network, on the new points
    assert np.array_equal(s.exp.network.params, params)
    assert any("goes on from epoch 100" in i.value for i in at.info)
    at.button(key="step100").click().run()
    assert session(at).epoch == 200
    # the points are in the link (few enough), and the link rebuilds them
    q = query(at)
    assert parse_points(q["pts"]).text == s.config.points
    again = run_app(q)
    assert np.array_equal(session(again).exp.data.X, s.exp.data.X)


def test_undo_and_clear():
    at = run_app({"ds": "custom"})
    n = len(parse_points(session(at).config.points).X)
    at.button(key="undo_point").click().run()
    assert len(parse_points(session(at).config.points).X) == n - 1
    kept = session(at).config
    at.button(key="clear_points").click().run()
    assert not at.exception
    assert any("no points yet" in w.value for w in at.sidebar.warning)  # nothing to train on: it says so
    assert any(c.value.startswith("0 points") for c in at.caption)
    assert session(at).config == kept  # and the page shows the last points until there are some to train on
    for x, label in ((-0.5, 0), (0.5, 1)):
        at.session_state["w_points"] = add_point(at.session_state["w_points"], x, 0.0, label)
        at.run()
    no_errors(at)
    assert len(session(at).exp.data) == 2


def test_too_many_points_for_a_link_are_left_out_of_it_and_the_page_says_so():
    rng = np.random.default_rng(0)
    text = "c"
    for i in range(URL_POINTS + 1):
        text = add_point(text, *rng.uniform(-1, 1, 2), i % 2)
    at = run_app({"ds": "custom"})
    at.session_state["w_points"] = text
    at.run()
    no_errors(at)
    assert len(session(at).exp.data) == URL_POINTS + 1
    assert "pts" not in query(at)
    assert any("Too many for the link" in c.value for c in at.caption)


def test_a_formula_labels_the_plane():
    at = run_app({"ds": "formula", "n": "300", "tr": "0", "fx": "x1**2 + x2**2 < 0.5"})
    no_errors(at)
    s = session(at)
    X, y = s.exp.data.X, s.exp.data.y
    assert np.array_equal(y, (X[:, 0] ** 2 + X[:, 1] ** 2 < 0.5).astype(np.int64))
    at.text_input(key="w_formula").set_value("sin(3*x1) + x2").run()
    no_errors(at)
    s = session(at)
    assert s.config.task == "regression" and "Output" in figure(at, "surface")
    assert np.allclose(s.exp.data.y, np.sin(3 * s.exp.data.X[:, 0]) + s.exp.data.X[:, 1])
    assert query(at)["fx"] == "sin(3*x1) + x2"


def test_a_bad_formula_is_named_and_nothing_else_changes():
    at = run_app({"ds": "formula", "n": "100"})
    before = session(at).config
    for bad, words in (("__import__('os')", "__import__"), ("x1.__class__", "attribute"),
                       ("lambda: 1", "lambda"), ("x1 ** 99999", "exponent")):
        at.text_input(key="w_formula").set_value(bad).run()
        assert not at.exception
        assert any(words in plain(e.value) for e in at.error), (bad, [e.value for e in at.error])
        assert session(at).config == before and surface(at)  # the page still shows the last experiment


def test_a_bad_formula_in_a_link_is_named():
    at = run_app({"ds": "formula", "fx": "open('x')"})
    no_errors(at)
    assert "fx=" in at.warning[0].value


def test_the_pad_adds_where_the_click_lands_and_removes_a_clicked_point():
    X, y = np.array([[0.5, -0.5]]), np.array([1])
    bounds = (-1.5, 1.5, -1.5, 1.5)
    spec = drawpad.pad_spec(X, y, bounds, "binary")
    json.dumps(spec)  # plain JSON
    assert spec["data"]["sequence"]["stop"] == drawpad.GRID ** 2 + 1
    i = 7 + 30 * drawpad.GRID  # column 7, row 30 from the bottom
    kind, (x1, x2) = drawpad.clicked({"selection": {drawpad.SELECTION: [{"i": i}]}}, bounds, 1)
    cell = 3.0 / drawpad.GRID
    assert kind == "add" and np.isclose(x1, -1.5 + 7.5 * cell) and np.isclose(x2, -1.5 + 30.5 * cell)
    assert drawpad.clicked({"selection": {drawpad.SELECTION: [{"i": drawpad.GRID ** 2}]}}, bounds, 1) == ("remove", 0)
    assert drawpad.clicked({"selection": {}}, bounds, 1) is None
    assert drawpad.clicked({"selection": {drawpad.SELECTION: [{"i": 10 ** 6}]}}, bounds, 1) is None


def test_the_pad_is_valid_vega_lite():
    import altair as alt

    spec = drawpad.pad_spec(np.zeros((3, 2)), np.array([0.5, -1.0, 2.0]), (-1.5, 1.5, -1.5, 1.5), "regression", 2.0)
    alt.Chart.from_dict(spec, validate=True)


def test_the_page_draws_the_pad_for_your_points_only():
    at = run_app({"ds": "custom"})
    assert any(m.value == "**Draw your points**" for m in at.markdown)
    at = run_app({"ds": "moons"})
    assert not any(m.value == "**Draw your points**" for m in at.markdown)
    at = run_app({"ds": "custom", "hide": "pts"})
    assert not any(m.value == "**Draw your points**" for m in at.markdown)


def test_the_data_download_loads_again_as_your_data():
    from nn_core import data_csv
    from nn_core.userdata import read_csv

    at = run_app({"ds": "moons", "n": "60"})
    s = session(at)
    data = read_csv(data_csv(s.exp).encode())
    again = build(s.config.replace(dataset="custom", points=data.text))
    assert np.allclose(again.data.X, s.exp.data.X, atol=1e-3) and np.array_equal(again.data.y, s.exp.data.y)
    assert widget(at, "select", "w_dataset").value == "moons"


def test_the_pad_shows_the_networks_output_under_the_points():
    """The pad's cells are coloured as the surface colours the network's output there (a coarse surface
    to click on); read back from the page's chart."""
    from nn_core import evaluate_grid
    from playground import charts

    at = run_app({"ds": "custom", "h": "4"})
    at.button(key="step100").click().run()
    charts_ = at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")  # its name before Streamlit 1.41
    spec = json.loads(next(e.proto.spec for e in charts_ if '"add"' in e.proto.spec))
    expr = next(t["calculate"] for t in spec["transform"] if t["as"] == "ground")
    colours = json.loads(expr.split(" : ", 1)[1].rsplit("[datum.i]", 1)[0])
    s = session(at)
    grid = evaluate_grid(s.exp.network, (-1.5, 1.5, -1.5, 1.5), drawpad.GRID)
    rgb = charts.surface_rgb(grid, s.exp.network.arch.output)[::-1].reshape(-1, 3)
    assert colours == [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in rgb.tolist()]
    assert len(set(colours)) > 20  # a picture, not a blank

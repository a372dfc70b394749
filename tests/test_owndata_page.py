"""Your own data on the page (streamlit.testing): drawn points, a formula, and what a link carries. The
upload and the clicks on the surface are in tests/test_browser.py (they need a real browser)."""

import json

import numpy as np

from apptest_helpers import figure, no_errors, plain, run_app, session, surface, widget
from nn_core import build
from nn_core.userdata import URL_POINTS, add_point, parse_points
from playground import drawpad, panel


def query(at) -> dict[str, str]:
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def test_a_drawn_point_joins_the_data_and_training_goes_on():
    at = run_app({"ds": "custom", "n": "80", "tr": "0"})
    no_errors(at)
    at.button(key="step100").click().run()
    s = session(at)
    params, before = s.exp.network.params.copy(), len(s.exp.data)
    at.session_state["w_points"] = add_point(s.config.points, 0.1, -0.2, 1)  # what a click on the surface writes
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


def test_a_click_adds_where_it_lands_and_removes_a_clicked_point():
    X = np.array([[0.5, -0.5]])
    bounds = (-1.5, 1.5, -1.5, 1.5)
    spec = drawpad.layer_spec(X, bounds, 290, 7.5)
    json.dumps(spec)  # plain JSON
    assert spec["data"]["sequence"]["stop"] == drawpad.GRID ** 2 + 1
    i = 7 + 30 * drawpad.GRID  # column 7, row 30 from the bottom
    kind, (x1, x2) = drawpad.clicked({"selection": {drawpad.SELECTION: [{"i": i}]}}, bounds, 1)
    cell = 3.0 / drawpad.GRID
    assert kind == "add" and np.isclose(x1, -1.5 + 7.5 * cell) and np.isclose(x2, -1.5 + 30.5 * cell)
    assert drawpad.clicked({"selection": {drawpad.SELECTION: [{"i": drawpad.GRID ** 2}]}}, bounds, 1) == ("remove", 0)
    assert drawpad.clicked({"selection": {}}, bounds, 1) is None
    assert drawpad.clicked({"selection": {drawpad.SELECTION: [{"i": 10 ** 6}]}}, bounds, 1) is None


def test_the_click_layer_is_valid_vega_lite():
    import altair as alt

    alt.Chart.from_dict(drawpad.layer_spec(np.zeros((3, 2)), (-1.5, 1.5, -1.5, 1.5), 290, 3.6), validate=True)


def layer(at) -> dict | None:
    """The Vega-Lite design of the surface's click layer on the page, if it draws one."""
    charts_ = at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")  # its name before Streamlit 1.41
    found = [json.loads(e.proto.spec) for e in charts_ if e.proto.id.endswith("surface_click")]
    return found[0] if found else None


def test_the_surface_takes_clicks_for_your_points_only():
    """The click layer lies on the surface of your points (no pad of its own), at the surface's own plane and
    size, with the drawing tools under it; not for another dataset, nor when a link hides the points."""
    at = run_app({"ds": "custom"})
    no_errors(at)
    spec, s = layer(at), session(at)
    assert spec is not None and s.cache.bounds == (-1.5, 1.5, -1.5, 1.5) == at.session_state["click_bounds"]
    assert (spec["width"], spec["height"]) == (panel.SURFACE_PX, panel.SURFACE_PX)
    x = spec["encoding"]["x"]["scale"]["domain"] + spec["encoding"]["y"]["scale"]["domain"]
    assert tuple(x) == s.cache.bounds
    assert spec["data"]["sequence"]["stop"] == drawpad.GRID ** 2 + len(s.exp.data)
    assert at.button(key="undo_point") and widget(at, "pills", "draw_class").options[:2] == [":orange[●] class 0",
                                                                                            ":blue[●] class 1"]
    assert "Draw your points" not in "".join(m.value for m in at.markdown)  # the pad is gone
    for params in ({"ds": "moons"}, {"ds": "custom", "hide": "pts"}, {"ds": "custom", "hide": "data"}):
        at = run_app(params)
        assert layer(at) is None and not [b for b in at.button if b.key == "undo_point"], params


def test_the_drawing_plane_stays_put_and_holds_every_point():
    """The surface of your points shows the plane within ±1.5 however few points there are (it does not zoom
    to them as they come and go under the pointer), wider only to hold a point beyond it."""
    at = run_app({"ds": "custom", "pts": "c;.1,.1,0;.2,.15,1"})
    assert session(at).cache.bounds == (-1.5, 1.5, -1.5, 1.5)
    at = run_app({"ds": "custom", "pts": "c;.1,.1,0;3,-2,1"})
    x0, x1, y0, y1 = session(at).cache.bounds
    assert x1 - x0 == y1 - y0 and x0 < -3 and x1 > 3 and y0 < -3 and y1 > 3
    assert session(run_app({"ds": "moons"})).cache.bounds != (-1.5, 1.5, -1.5, 1.5)  # the others zoom to the data


def test_the_data_download_loads_again_as_your_data():
    from nn_core import data_csv
    from nn_core.userdata import read_csv

    at = run_app({"ds": "moons", "n": "60"})
    s = session(at)
    data = read_csv(data_csv(s.exp).encode())
    again = build(s.config.replace(dataset="custom", points=data.text))
    assert np.allclose(again.data.X, s.exp.data.X, atol=1e-3) and np.array_equal(again.data.y, s.exp.data.y)
    assert widget(at, "select", "w_dataset").value == "moons"

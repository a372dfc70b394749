"""The page through streamlit.testing.v1.AppTest: controls, the Train / Step / Reset flow, charts' data."""

import re

import numpy as np
import pytest

from apptest_helpers import curves, figure, metrics, network, no_errors, run_app, session, surface, view, widget
from nn_core import DATASETS, TUTORIAL, evaluate_grid
from playground import charts as chart_module
from playground import drawing, panel
from playground.page_config import explicit
from playground.url import VIEW_DEFAULT, config_to_query, page_query
from test_settings import cases


def test_page_loads_with_every_figure():
    at = run_app()
    no_errors(at)
    assert figure(at, "surface") and figure(at, "network") and figure(at, "curves")
    q = at.query_params
    assert q["ds"] == ["circles"] or q["ds"] == "circles"
    assert session(at).epoch == 0


def _q(at):
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def test_step_plus_100_train_reset():
    at = run_app({"ds": "moons", "n": "200", "ep": "300"})
    at.button(key="step").click().run()
    no_errors(at)
    assert session(at).epoch == 1
    at.button(key="step100").click().run()
    assert session(at).epoch == 101
    at.button(key="train").click().run()
    assert session(at).running or session(at).done
    for _ in range(50):
        if not session(at).running:
            break
        at.run()
    s = session(at)
    assert s.epoch == 300 and s.done and not s.running
    assert any("Epoch 300" in m.value for m in at.markdown)
    at.button(key="reset").click().run()
    assert session(at).epoch == 0 and session(at).exp.trainer.history == []


def test_metrics_follow_the_history():
    at = run_app({"ds": "circles", "n": "100"})
    at.button(key="step100").click().run()
    last = session(at).exp.trainer.history[-1]
    values = metrics(at)
    assert values["Epoch"] == "100"
    assert values["Train loss"] == f"{last.train_loss:.3g}" and values["Test accuracy"] == f"{100 * last.test_acc:.1f}%"


def trained_surface(params):
    """(page, the surface figure, the grid of the network's outputs) after 100 epochs."""
    at = run_app(params)
    at.button(key="step100").click().run()
    s = session(at)
    grid = evaluate_grid(s.exp.network, s.cache.bounds, panel.SURFACE_RESOLUTION)
    return at, surface(at), grid


def _marks(svg: str) -> dict[str, list[dict]]:
    """The data points drawn in an SVG: circles (training) and rects (test), with their attributes."""
    def attrs(tag):
        return {k: v for k, v in re.findall(r'([\w-]+)="([^"]*)"', tag)}
    return {"train": [attrs(t) for t in re.findall(r"<circle ([^>]*)/>", svg)],
            "test": [attrs(t) for t in re.findall(r"<rect ([^>]*)/>", svg) if 'fill="none"' not in t]}


def test_surface_picture_is_the_models_prediction():
    at, fig, grid = trained_surface({"ds": "circles", "n": "150"})
    img = fig["pixels"]
    assert img.shape == (panel.SURFACE_RESOLUTION, panel.SURFACE_RESOLUTION, 3) and panel.SURFACE_RESOLUTION >= 100
    assert np.array_equal(img, chart_module.surface_rgb(grid, "sigmoid"))
    p = grid.outputs[::-1, :, 0]  # the picture's top row is the highest x2
    sure = np.abs(p - 0.5) > 0.05
    assert sure.mean() > 0.5
    assert np.array_equal((img[..., 2] > img[..., 0])[sure], (p > 0.5)[sure])  # blue where class 1 is likely
    exp = session(at).exp
    marks = _marks(fig["overlay"])
    assert len(marks["train"]) == len(exp.train) and len(marks["test"]) == len(exp.test)
    # square in data units: equal spans on both axes, drawn on a square of the figure
    x0, x1, y0, y1 = session(at).cache.bounds
    assert np.isclose(x1 - x0, y1 - y0)
    box = drawing.SurfaceBox(panel.SURFACE_PX)
    ratio = re.search(r"aspect-ratio:(\d+)/(\d+)", fig["html"]).groups()
    assert (int(ratio[0]), int(ratio[1])) == (box.width, box.height)
    style = dict(re.findall(r"(\w+):([\d.]+)%", fig["map"]["style"]))
    width_px, height_px = float(style["width"]) * box.width / 100, float(style["height"]) * box.height / 100
    assert width_px == pytest.approx(height_px, abs=0.01) == pytest.approx(panel.SURFACE_PX, abs=0.01)
    # every point lies on the picture, where its coordinates say
    xs = np.array([float(m["cx"]) for m in marks["train"]])
    ys = np.array([float(m["cy"]) for m in marks["train"]])
    assert np.allclose(xs, box.left + (exp.train.X[:, 0] - x0) / (x1 - x0) * box.size, atol=0.06)
    assert np.allclose(ys, box.top + (y1 - exp.train.X[:, 1]) / (y1 - y0) * box.size, atol=0.06)
    assert (xs > box.left).all() and (xs < box.left + box.size).all()


def test_discretize_and_show_test_toggles():
    at = run_app({"ds": "circles", "n": "150"})
    at.button(key="step100").click().run()
    view(at, "Discretize output")  # and no longer "Show test data"
    no_errors(at)
    fig = surface(at)
    sides = chart_module.ground(np.array([[0xF5, 0x93, 0x22], [0x08, 0x77, 0xBD]]))  # orange, blue, as the ground
    assert {tuple(c) for c in fig["pixels"].reshape(-1, 3)} <= {tuple(c) for c in sides.tolist()}
    marks = _marks(fig["overlay"])
    assert len(marks["train"]) == len(session(at).exp.train) and not marks["test"]
    assert "test" not in re.sub(r"<[^>]+>", "", fig["html"].split('class="legend"')[1])  # nor in the legend


def test_multiclass_surface_shows_classes():
    _, fig, grid = trained_surface({"ds": "blobs3", "n": "150"})
    img = fig["pixels"]
    assert np.array_equal(img, chart_module.surface_rgb(grid, "softmax"))
    out = grid.outputs[::-1]
    sure = out.max(axis=2) > 0.999
    assert sure.any()
    colours = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in chart_module.CLASS_COLORS[:3]])
    assert np.abs(img[sure].astype(int) - chart_module.ground(colours)[out.argmax(axis=2)[sure]]).max() <= 1
    assert all(f"class {k}" in fig["html"] for k in range(3))  # the legend names every class


def test_curves_draw_the_history_per_point():
    at = run_app({"ds": "moons", "n": "100", "l": "sse", "h": "4"})
    at.button(key="step100").click().run()
    s = session(at)
    hist = s.exp.trainer.history
    fig = curves(at)
    train, test = fig["loss"]["train"], fig["loss"]["test"]
    assert len(train) == len(test) == len(hist) == 100
    # sse sums over the points: per point, the training and test curves compare (the axis says so)
    per_train = np.array([r.train_loss for r in hist]) / len(s.exp.train)
    per_test = np.array([r.test_loss for r in hist]) / len(s.exp.test)
    ys = train[:, 1]
    assert np.all(np.diff(ys) * np.diff(per_train) <= 1e-9)  # lower loss, higher on the picture (y grows down)
    top = drawing.CurveBox(panel.CURVES_PX + 50, 160).top
    span = (ys.max() - ys.min()) / (per_train.max() - per_train.min())  # px per unit of loss
    assert np.allclose(test[:, 1] - ys, -(per_test - per_train) * span, atol=0.15)
    assert ys.min() >= top and "squared error per point" in fig["svg"]["loss"]
    assert len(fig["accuracy"]["train"]) == 100
    view(at, "Show test data", "Log scale")
    labels = re.findall(r">(1e-?\d+|1e\d+)</text>", curves(at)["svg"]["loss"])
    assert len(labels) >= 2  # powers of ten on the loss axis


def test_no_test_split_no_word_of_it():
    at = run_app({"ds": "circles", "n": "100", "tr": "0"})
    at.button(key="step100").click().run()
    no_errors(at)
    fig = curves(at)
    assert "test" not in fig["loss"] and "test" not in fig["accuracy"]
    assert "Test loss" not in metrics(at) and "Test accuracy" not in metrics(at)
    assert "test" not in re.sub(r"<[^>]+>", "", surface(at)["html"].split('class="legend"')[1])
    assert "Show test data" not in widget(at, "pills", "view_some").options
    widget(at, "pills", "view_some").set_value(["Log scale"]).run()
    no_errors(at)
    # the choice to show test data is kept, in the URL too, for when there is a test split again
    assert set(at.session_state["view"]) == {"Show test data", "Log scale"}
    assert _q(at)["test"] == "1" and _q(at)["log"] == "1"


INPUTS = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]  # every input the diagram draws, in its order


def test_network_diagram_shows_weights_and_biases():
    at = run_app({"ds": "xor", "h": "3", "a": "sigmoid"})
    fig = network(at)
    net = session(at).exp.network
    assert [t["name"] for t in fig["tiles"]] == [*INPUTS, "h1.1", "h1.2", "h1.3", "output"]
    assert f"bias {net.biases(0)[1]:.4g}" in fig["tiles"][8]["title"]
    from test_drawing import segments

    lines = segments(fig["lines"])
    assert len(lines) == 2 * 3 + 3 * 1  # from the inputs in use only
    tile, xs, ys, _ = drawing.diagram_geometry((7, 3, 1), panel.DIAGRAM_PX)
    w = net.weights(0)[1, 2]  # x2 -> h1.3
    colour, width = lines[tuple(round(v, 1) for v in (xs[0] + tile / 2, ys[0][1], xs[1] - tile / 2, ys[1][2]))]
    assert colour == (chart_module.POS if w >= 0 else chart_module.NEG)
    biggest = max(np.abs(net.weights(l)).max() for l in range(2))
    assert max(width for _, width in lines.values()) == pytest.approx(5.0)
    assert width == pytest.approx(0.4 + 4.6 * abs(w) / biggest, abs=0.2)
    for heading in ("Input", "2 features", "Layer 1", "3 neurons", "Output", "1 neuron"):
        assert f">{heading}</text>" in fig["lines"]


def test_wide_layers_show_eight_tiles_and_say_how_many_more():
    at = run_app({"ds": "circles", "h": "20-8-3", "n": "100"})
    no_errors(at)
    fig = network(at)
    names = [t["name"] for t in fig["tiles"]]
    assert names[7:14] == [f"h1.{j}" for j in range(1, 8)] and "h1.8" not in names
    assert [n for n in names if n.startswith("h2.")] == [f"h2.{j}" for j in range(1, 9)]
    assert ">+13 more</text>" in fig["lines"] and "more</text>" not in fig["lines"].split(">+13 more</text>")[1]
    boxes = [tuple(float(v) for v in re.findall(r"(?:left|top):([\d.]+)%", t["style"])) for t in fig["tiles"]]
    size = float(re.search(r"width:([\d.]+)%", fig["tiles"][0]["style"]).group(1))
    for i, a in enumerate(boxes):  # no two tiles overlap
        for b in boxes[i + 1:]:
            assert abs(a[0] - b[0]) >= size - 1e-6 or abs(a[1] - b[1]) > 0


def test_neuron_maps_picture_each_hidden_neuron():
    at = run_app({"ds": "circles", "h": "4-3", "n": "100"})
    at.button(key="step100").click().run()
    tiles = {t["name"]: t for t in network(at)["tiles"]}
    assert list(tiles) == [*INPUTS, "h1.1", "h1.2", "h1.3", "h1.4", "h2.1", "h2.2", "h2.3", "output"]
    s = session(at)
    grid = evaluate_grid(s.exp.network, s.cache.bounds, panel.NEURON_RESOLUTION, hidden=True)
    a = grid.hidden[1][:, :, 2]
    title = tiles["h2.3"]["title"]
    assert f"values from {a.min():.3g} to {a.max():.3g}" in title and "drawn on -1 (orange) to 1 (blue)" in title
    img = tiles["h2.3"]["pixels"]
    assert img.shape == (panel.NEURON_RESOLUTION, panel.NEURON_RESOLUTION, 3)
    # a tanh neuron is drawn on tanh's range, -1 orange to 1 blue, whatever its own range (the image's top row
    # is the highest y)
    assert np.array_equal(img[::-1], chart_module.PALETTE[chart_module.diverging_index((a + 1) / 2)])
    # the output tile is P(class 1) from 0 to 1; an input tile is its feature on +- its largest size
    p = grid.outputs[:, :, 0]
    assert np.array_equal(tiles["output"]["pixels"][::-1], chart_module.PALETTE[chart_module.diverging_index(p)])
    x1 = drawing.feature_maps(grid, ("x1",))[:, :, 0]
    level = (x1 / np.abs(x1).max() + 1) / 2
    assert np.array_equal(tiles["x1"]["pixels"][::-1], chart_module.PALETTE[chart_module.diverging_index(level)])


def test_truth_table_for_the_tutorial_preset():
    at = run_app()
    at.button(key="tutorial").click().run()
    no_errors(at)
    s = session(at)
    assert s.config == TUTORIAL.replace(noise=0.0)
    # the preset's banner in words: each setting by its label and its value as a person reads it
    assert s.notice.startswith("New data and a new network, so training starts again from epoch 0: ")
    for said in ("dataset XOR (4 points)", "hidden layers 3", "activation sigmoid", "loss squared error",
                 "optimizer gradient descent", "learning rate 0.1", "epoch budget 10,000"):
        assert said in s.notice, said
    assert "noise 0," in s.notice and not re.search(r"\b(test_ratio|lr|init|activations)\b", s.notice), s.notice
    at.button(key="train").click().run()
    for _ in range(300):
        if not session(at).running:
            break
        at.run()
    s = session(at)
    assert s.epoch == 10_000
    table = next(m.value for m in at.markdown if m.value.startswith("| x1 | x2 | target | output |"))
    rows = [[float(v) for v in line.strip("| ").split(" | ")] for line in table.splitlines()[2:]]
    assert [r[2] for r in rows] == [0, 1, 1, 0]
    assert np.allclose([r[3] for r in rows], s.exp.network.predict(s.exp.data.X)[:, 0], atol=1e-6)
    assert any("Final Output after Training" in h.value for h in at.subheader)


# ---------------------------------------------------------------- controls
def test_every_control_reaches_the_config():
    at = run_app()
    at.selectbox(key="w_dataset").set_value("spiral").run()
    assert at.slider(key="w_noise").value == DATASETS["spiral"].noise  # the new dataset's noise
    at.slider(key="w_samples").set_value(240).run()
    at.slider(key="w_noise").set_value(0.05).run()
    at.slider(key="w_test_ratio").set_value(0.25).run()
    at.number_input(key="w_data_seed").set_value(7).run()
    at.session_state["w_features"] = ["x1", "x2", "sin(x1)"]
    at.run()
    at.button(key="add_layer").click().run()
    at.number_input(key="w_width_2").set_value(5).run()
    at.toggle(key="w_same_act").set_value(False).run()
    at.selectbox(key="w_act_1").set_value("relu").run()
    at.selectbox(key="w_output").set_value("softmax").run()
    at.selectbox(key="w_init").set_value("he").run()
    at.number_input(key="w_seed").set_value(3).run()
    at.selectbox(key="w_loss").set_value("mse").run()
    at.selectbox(key="w_optimizer").set_value("momentum").run()
    at.number_input(key="w_momentum").set_value(0.8).run()
    at.select_slider(key="w_lr").set_value(0.1).run()
    at.number_input(key="w_batch_size").set_value(16).run()
    at.number_input(key="w_l1").set_value(0.002).run()
    at.number_input(key="w_l2").set_value(0.004).run()
    at.number_input(key="w_epochs").set_value(400).run()
    no_errors(at)
    c = session(at).config
    assert (c.dataset, c.samples, c.noise, c.test_ratio, c.data_seed) == ("spiral", 240, 0.05, 0.25, 7)
    assert c.features == ("x1", "x2", "sin(x1)")
    assert c.hidden == (6, 6, 5) and c.activations == ("tanh", "relu", "tanh")
    assert (c.output, c.init, c.seed, c.loss, c.optimizer) == ("softmax", "he", 3, "mse", "momentum")
    assert (c.momentum, c.lr, c.batch_size, c.l1, c.l2, c.epochs) == (0.8, 0.1, 16, 0.002, 0.004, 400)
    assert session(at).exp.network.arch.sizes == [3, 6, 6, 5, 2]
    q = {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert q == page_query(c, VIEW_DEFAULT)  # the URL follows every control
    at.button(key="remove_layer").click().run()
    assert session(at).config.hidden == (6, 6)
    at.selectbox(key="w_optimizer").set_value("adam").run()
    at.number_input(key="w_beta1").set_value(0.85).run()
    at.number_input(key="w_beta2").set_value(0.995).run()
    at.number_input(key="w_eps").set_value(1e-6).run()
    assert (session(at).config.beta1, session(at).config.beta2, session(at).config.eps) == (0.85, 0.995, 1e-6)


def test_regenerate_draws_new_points():
    at = run_app({"ds": "moons", "n": "100"})
    before = session(at).exp.data.X.copy()
    at.button(key="regenerate").click().run()
    assert session(at).config.data_seed == 1 and not np.array_equal(session(at).exp.data.X, before)


def test_learning_rate_change_keeps_the_network_and_says_so():
    at = run_app({"ds": "moons", "n": "100"})
    at.button(key="step100").click().run()
    params = session(at).exp.network.params.copy()
    at.select_slider(key="w_lr").set_value(0.001).run()
    assert session(at).epoch == 100 and np.array_equal(session(at).exp.network.params, params)
    assert any("kept" in i.value for i in at.info)
    at.number_input(key="w_width_0").set_value(3).run()
    assert session(at).epoch == 0 and any("from epoch 0" in i.value for i in at.info)


# ---------------------------------------------------------------- sharing and bad input
def test_shared_url_rebuilds_the_same_experiment():
    a = run_app({"ds": "spiral", "n": "300", "h": "8-4", "a": "relu-tanh", "s": "17", "dseed": "5", "i": "he"})
    q = {k: (v[-1] if isinstance(v, list) else v) for k, v in a.query_params.items()}
    b = run_app(q)
    sa, sb = session(a), session(b)
    assert sa.config == sb.config
    assert np.array_equal(sa.exp.data.X, sb.exp.data.X) and np.array_equal(sa.exp.network.params, sb.exp.network.params)


def test_bad_url_values_warn_and_never_break():
    at = run_app({"ds": "nope", "n": "-5", "lr": "fast", "h": "9999", "zz": "1", "f": "x1,evil()", "ep": "1e12"})
    no_errors(at)
    assert len(at.warning) == 1
    lines = at.warning[0].value.splitlines()[1:]
    assert [line.split("=")[0] for line in lines] == ["- ds", "- n", "- f", "- h", "- lr", "- and 1 more"]
    c = session(at).config
    assert c.dataset == "circles" and c.samples == 4 and c.hidden == (64,) and c.epochs == 100_000
    assert c.features == ("x1", "x2") and c.lr == 0.03


def test_divergence_message_and_last_finite_network():
    at = run_app({"ds": "plane", "h": "16-16", "a": "relu", "opt": "gd", "lr": "9", "l": "sse", "ep": "500"})
    at.button(key="train").click().run()
    for _ in range(20):
        if not session(at).running:
            break
        at.run()
    no_errors_but_divergence = [e.value for e in at.error]
    assert any("try a lower learning rate" in e for e in no_errors_but_divergence)
    assert not at.exception
    assert np.all(np.isfinite(session(at).exp.network.params))
    assert surface(at)["pixels"].shape[0] == panel.SURFACE_RESOLUTION


def test_download_buttons_are_there():
    # their files are made on click (see the browser test, which downloads and reads both)
    at = run_app({"ds": "xor", "h": "3", "a": "sigmoid"})
    labels = {el.proto.label for el in at.get("download_button")}
    assert labels == {"Download model (JSON)", "Download data (CSV)"}


def test_parameter_count_metric():
    at = run_app({"ds": "spiral3", "h": "5-4", "f": "x1,x2,x1x2"})
    values = metrics(at)
    expected = (3 + 1) * 5 + (5 + 1) * 4 + (4 + 1) * 3
    assert values["Parameters"] == str(expected) and session(at).exp.network.arch.n_params == expected


@pytest.mark.parametrize("ds", list(DATASETS))
def test_every_dataset_trains_and_draws(ds):
    for params in ({"ds": ds, "h": "none", "n": "80"}, {"ds": ds, "h": "3-3", "a": "relu-elu", "bs": "16", "n": "80",
                                                         "f": "x1,x2,x1sq,sin2", "l2": "0.01"}):
        at = run_app(params)
        at.button(key="step").click().run()
        at.button(key="step100").click().run()
        no_errors(at)
        s = session(at)
        assert s.epoch == 101
        assert figure(at, "surface") and figure(at, "network") and figure(at, "curves")
        assert ("accuracy" in curves(at)) == (DATASETS[ds].task != "regression")


# ---------------------------------------------------------------- every setting's widget
@pytest.mark.parametrize("s,base,changed", list(cases()))
def test_every_setting_has_its_widget(s, base, changed):
    """The page draws each setting's widget showing the URL's value, and the widget moves the experiment."""
    at = run_app(config_to_query(changed))
    no_errors(at)
    want, back = getattr(explicit(changed), s.name), getattr(explicit(base), s.name)
    if s.widget_kind == "layers":
        assert at.number_input(key=f"w_width_{len(want) - 1}").value == want[-1]
        at.button(key="remove_layer").click().run()
    elif s.widget_kind == "layer_activations":
        assert at.selectbox(key="w_act_all").value == want[0]
        at.selectbox(key="w_act_all").set_value(back[0]).run()
    elif s.widget_kind == "points":  # the sidebar counts them; the pad and an upload write the setting's state
        n = len(want.split(";")) - 1
        assert any(c.value.startswith(f"{n:,} point") for c in at.caption), [c.value for c in at.caption]
        at.session_state["w_points"] = back
        at.run()
    else:
        w = widget(at, s.widget_kind, f"w_{s.name}")
        assert w.value == (list(want) if isinstance(want, tuple) else want)
        w.set_value(list(back) if isinstance(back, tuple) else back).run()
    no_errors(at)
    assert getattr(session(at).config, s.name) == back


def test_the_data_picker_is_valid_vega_lite():
    """The page's one Vega-Lite design is written as a dict (no Altair at run time); Altair's schema checks it."""
    import copy

    import altair as alt

    from playground import thumbnails

    spec = thumbnails.picker_spec("circles")
    alt.Chart.from_dict(copy.deepcopy(spec), validate=True)  # raises on anything Vega-Lite does not know
    broken = copy.deepcopy(spec)
    broken["encoding"]["x"]["scal"] = {}
    with pytest.raises(Exception, match="scal"):
        alt.Chart.from_dict(broken, validate=True)



def test_the_page_does_not_import_altair():
    code = ("import sys; from streamlit.testing.v1 import AppTest; "
            "AppTest.from_file('streamlit_app.py', default_timeout=60).run(); print('altair' in sys.modules)")
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=chart_module.__file__.rsplit("/playground/", 1)[0])
    assert out.stdout.strip().splitlines()[-1] == "False", out.stderr[-2000:]


def test_a_stuck_run_gets_a_hint_that_goes_when_it_no_longer_holds():
    # the example: relu and sse with a learning rate of 10 stick near 48% on the default circles
    at = run_app({"a": "relu", "l": "sse", "lr": "10"})
    for _ in range(4):
        at.button(key="step100").click().run()
    no_errors_but_hint = [w.value for w in at.warning]
    assert any(w.startswith("**Hint:**") and "learning rate" in w for w in no_errors_but_hint), no_errors_but_hint
    assert session(at).exp.trainer.history[-1].train_acc < 0.6
    at.button(key="reset").click().run()
    assert not [w.value for w in at.warning if w.value.startswith("**Hint:**")]
    at = run_app()  # the default experiment, trained in full: no hint
    for _ in range(10):
        at.button(key="step100").click().run()
    assert not [w.value for w in at.warning if w.value.startswith("**Hint:**")]


def test_notices_go_once_they_no_longer_hold():
    at = run_app({"ds": "moons", "n": "100"})
    at.select_slider(key="w_lr").set_value(0.1).run()
    assert any("kept" in i.value for i in at.info)
    at.button(key="step").click().run()  # trained since: "the trained network is kept" is old news
    assert not at.info
    at.selectbox(key="w_dataset").set_value("circles").run()
    assert any("from epoch 0" in i.value for i in at.info)
    at.button(key="step100").click().run()
    assert not at.info


def test_the_budget_follows_clicks_past_it():
    at = run_app({"ds": "moons", "n": "100", "ep": "150"})
    at.button(key="step100").click().run()
    at.button(key="step100").click().run()
    status = next(m.value for m in at.markdown if m.value.startswith('<span class="nnp-status">'))
    assert "Epoch 200</b> of 200 · done" in status  # never "200 of 150"


def test_each_panel_explains_itself_until_a_link_hides_the_explanations():
    at = run_app()
    assert [e.label for e in at.expander] == ["What am I looking at?"] * 3
    texts = [e.children[0].value if hasattr(e.children[0], "value") else "" for e in at.expander]
    assert all(len(t) > 100 for t in texts) and len(set(texts)) == 3
    at = run_app({"hide": "help"})
    assert not at.expander


def test_no_activation_to_choose_without_hidden_layers():
    at = run_app({"h": "none", "a": "relu"})
    assert "Activation" not in [s.label for s in at.selectbox]
    assert "One activation for all layers" not in [t.label for t in at.toggle]
    at.button(key="add_layer").click().run()
    no_errors(at)
    assert at.selectbox(key="w_act_all").value == "relu" and session(at).config.hidden == (4,)


def test_the_learning_rate_is_chosen_on_a_log_scale():
    """TensorFlow Playground's stops, 0.00001 to 10, each 3 or 10 times the last: 0.003 is one move away
    (a linear stepper greyed its "−" at 0.01). A link's value between the stops is one more stop, kept
    while it is chosen."""
    at = run_app({"lr": "0.05"})
    w = at.select_slider(key="w_lr")
    assert w.options == ["0.00001", "0.0001", "0.001", "0.003", "0.01", "0.03", "0.05", "0.1", "0.3", "1", "3", "10"]
    assert w.value == 0.05 and session(at).config.lr == 0.05
    w.set_value(0.003).run()
    no_errors(at)
    assert session(at).config.lr == 0.003 and at.query_params["lr"] in ("0.003", ["0.003"])
    assert "0.05" not in at.select_slider(key="w_lr").options

"""The diagram answers clicks (issue 19): its click layer's targets lie on what the diagram draws, a weight or
a bias edited goes on training exactly as if the network had had that value (and a model file carries it),
and the page's editor and input toggles (streamlit.testing). The clicks themselves are in test_browser.py."""

import copy
import re

import numpy as np
import pytest

from apptest_helpers import figure, no_errors, run_app, session, widget
from nn_core import Config, build, dumps, parse_model
from nn_core.features import FEATURES
from nn_core.network import Architecture, Network
from playground import diagramclick, drawing, keys, netedit
from playground.session import Session

WIDTH = 380


def net_of(hidden=(3,), features=("x1", "x2"), n_outputs=1, output="sigmoid"):
    return Network.create(Architecture(hidden, "tanh", output, n_outputs, features), "xavier", 0)


def corners(path: str) -> np.ndarray:
    return np.array([[float(v) for v in p.split(",")] for p in re.findall(r"-?[\d.]+,-?[\d.]+", path)])


def test_each_weight_target_lies_along_its_line_and_each_tile_target_on_its_tile():
    net = net_of((4, 3), ("x2", "x1*x2"))  # inputs drawn in FEATURES' order, not the network's
    inputs = tuple(FEATURES)
    rows = diagramclick.targets(net, WIDTH, inputs, values=True)
    lines = drawing.weight_lines(net, WIDTH, inputs)
    weights = [r for r in rows if r[0][0] == "weight"]
    assert [r[0][1:] for r in weights] == [line[:3] for line in lines] and len(lines) == 2 * 4 + 4 * 3 + 3 * 1
    for (_, path, tip), (*_, v, a, b) in zip(weights, lines):
        c = corners(path)
        assert np.allclose(c.mean(axis=0), np.add(a, b) / 2, atol=0.5)  # centred on the line ...
        assert np.allclose(sorted(np.linalg.norm(c - c[0], axis=1))[1], 2 * diagramclick.HIT, atol=1.5)  # ... 7 px wide
        assert f"= {v:.4g}" in tip
    columns = drawing.diagram_columns(net.arch, inputs)
    tile, xs, ys, _ = drawing.diagram_geometry(tuple(len(c[2]) for c in columns), WIDTH)
    assert lines[0][4] == (xs[0] + tile / 2, ys[0][1]) and lines[4][4] == (xs[0] + tile / 2, ys[0][4])  # x2, x1*x2
    boxes = {r[0]: corners(r[1]) for r in rows if r[0][0] != "weight"}
    assert set(boxes) == {("input", f) for f in FEATURES} | {("neuron", l, j) for l, w in enumerate((4, 3, 1))
                                                              for j in range(w)}
    h22 = boxes[("neuron", 1, 1)]
    assert np.allclose(h22.min(axis=0), (xs[2] - tile / 2, ys[2][1] - tile / 2), atol=0.5)
    assert np.allclose(h22.max(axis=0), (xs[2] + tile / 2, ys[2][1] + tile / 2), atol=0.5)
    x1sq = boxes[("input", "x1^2")]  # an input's target takes in its label, left of the tile
    assert np.allclose(x1sq.min(axis=0), (xs[0] - tile / 2 - drawing.LABELS_PX, ys[0][2] - tile / 2), atol=0.5)
    tips = {r[0]: r[2] for r in rows}
    assert tips[("input", "x1^2")] == "input x₁²: off · click to turn it on"
    assert tips[("input", "x2")] == "input x₂: on · click to turn it off"
    assert tips[("neuron", 0, 2)].startswith(f"h1.3 · tanh · bias {net.biases(0)[2]:.4g}")


def test_while_training_the_layer_says_no_values_and_stays_the_same():
    net = net_of()
    still = diagramclick.targets(net, WIDTH, tuple(FEATURES), values=False)
    assert all("pause" in tip and "=" not in tip and not re.search(r"bias -?\d", tip)
               for what, _, tip in still if what[0] != "input")
    net.params[:] += 0.5  # the weights move while training: the layer does not
    assert diagramclick.targets(net, WIDTH, tuple(FEATURES), values=False) == still
    assert diagramclick.targets(net, WIDTH, tuple(FEATURES), values=True) != still


def test_a_click_names_its_target_and_the_layer_is_valid_vega_lite():
    import altair as alt

    net = net_of()
    rows = diagramclick.targets(net, WIDTH, tuple(FEATURES), values=True)
    whats = [r[0] for r in rows]
    for i in (0, 8, len(rows) - 1):
        assert diagramclick.clicked({"selection": {diagramclick.PICK: [{"i": i}]}}, whats) == whats[i]
    for bad in ({"selection": {}}, None, {"selection": {diagramclick.PICK: [{"i": len(rows)}]}}):
        assert diagramclick.clicked(bad, whats) is None
    spec = diagramclick.layer_spec(rows, WIDTH, 300, selected=3)
    alt.Chart.from_dict(copy.deepcopy(spec), validate=True)
    assert (spec["width"], spec["height"], spec["padding"]) == (WIDTH, 300, 0)
    assert "datum.i == 3" in str(spec["encoding"]["color"])  # the selected target is drawn shaded


def test_no_sideways_scroll_for_eight_layers():
    """Eight hidden layers of 64 fit the column: every tile inside the width, short headings ("L8", "64")."""
    net = net_of((64,) * 8)
    columns = drawing.diagram_columns(net.arch, tuple(FEATURES))
    tile, xs, ys, height = drawing.diagram_geometry(tuple(len(c[2]) + (c[3] > 0) for c in columns), WIDTH)
    assert xs[0] - tile / 2 - drawing.LABELS_PX >= 0 and xs[-1] + tile / 2 <= WIDTH and tile >= 16
    labels = drawing.diagram_labels(columns, WIDTH, net.arch.features)
    assert ">L8</text>" in labels and ">64</text>" in labels and "neurons" not in labels and ">+57</text>" in labels
    assert ">Layer 1</text>" in drawing.diagram_labels(drawing.diagram_columns(net_of((4,)).arch), WIDTH)
    grid_html = drawing.diagram_figure(net, [[{"index": np.zeros((4, 4), np.uint8), "name": n, "kind": "", "low": 0,
                                               "high": 0, "bias": None, "scale": (-1.0, 1.0, "-1 to 1")} for n in c[2]]
                                        for c in columns], WIDTH,
                                       tuple(FEATURES))
    assert 'style="width:380px"' in grid_html and "overflow-x" not in grid_html


def test_unused_inputs_are_greyed_and_labelled():
    net = net_of((3,), ("x1", "sin(x2)"))
    columns = drawing.diagram_columns(net.arch, tuple(FEATURES))
    labels = drawing.diagram_labels(columns, WIDTH, net.arch.features)
    for name, label in drawing.INPUT_LABELS.items():
        colour = "#333" if name in net.arch.features else "#aaa"
        assert re.search(f'fill="{colour}"[^>]*>{label}</text>', labels), name
    level = np.full((5, 5), 250, np.uint8)
    tiles = [[{"name": f, "index": level, "kind": "input feature"} for f in FEATURES], []]
    greyed = drawing.off_inputs(tiles, net.arch.features)[0]
    assert [t["index"][0, 0] for t in greyed] == [250, 151, 151, 151, 151, 151, 250]  # a fifth as far from grey
    assert greyed[1]["kind"] == "input feature, off"


# ---------------------------------------------------------------- an edit goes on exactly
@pytest.mark.parametrize("c", [
    Config(dataset="moons", samples=60, hidden=(4, 3), optimizer="gd", lr=0.3, batch_size=0, epochs=40),
    Config(dataset="spiral3", samples=60, hidden=(5,), optimizer="adam", batch_size=16, epochs=40),
], ids=["full batch", "mini-batches"])
def test_an_edit_trains_on_as_if_the_network_had_had_that_value(c):
    """Set a weight and a bias mid-run: the next epochs are, to the last bit, those of the network a model
    file saved at that moment carries (which holds the new values), trained from the file. Without telling
    the trainer (its cached full-batch pass), the run would go on from the old values for a step."""
    def edited(trainer_told: bool = True):
        s = Session(c)
        s.train(20)
        if not trainer_told:
            s.exp.trainer.parameters_changed = lambda: None
        notice = netedit.set_parameter(s, ("weight", 1, 2, 0), 0.0)
        netedit.set_parameter(s, ("bias", 0, 1), 0.75)
        return s, notice, dumps(s.exp.network, s.config.to_dict(), s.exp.trainer.state())

    a, notice, file = edited()
    assert notice.startswith("Set the weight h1.3 → ") and "at epoch 20" in notice
    model = parse_model(file)
    assert model.network.weights(1)[2, 0] == 0.0 and model.network.biases(0)[1] == 0.75  # the file carries them
    assert np.array_equal(a.timeline.network_at(20, a.exp.network).params, a.exp.network.params)
    b = Session(c)
    b.reset(model.network, model.state)
    a.train(20)
    b.train(20)
    assert a.epoch == b.epoch == 40
    assert np.array_equal(a.exp.network.params, b.exp.network.params)
    assert [r.train_loss for r in a.exp.trainer.history[-20:]] == [r.train_loss for r in b.exp.trainer.history[-20:]]
    if c.batch_size == 0:  # the check can fail: a trainer not told of the edit steps from its cached pass
        untold, _, _ = edited(trainer_told=False)
        untold.train(20)
        assert not np.array_equal(untold.exp.network.params, b.exp.network.params)


def test_the_engine_alone_agrees():
    """The edit as nn_core users would make it (Trainer.parameters_changed): the same as the page's."""
    c = Config(dataset="xor", hidden=(3,), optimizer="gd", lr=0.5, epochs=10)
    s = Session(c)
    s.train(5)
    netedit.set_parameter(s, ("weight", 0, 1, 2), -1.25)
    exp = build(c)
    list(exp.trainer.run(5))
    exp.network.weights(0)[1, 2] = -1.25
    exp.trainer.parameters_changed()
    s.train(5)
    list(exp.trainer.run(5))
    assert np.array_equal(s.exp.network.params, exp.network.params)


# ---------------------------------------------------------------- the page
def test_the_editor_edits_the_selected_weight_and_neuron():
    at = run_app({"ds": "xor", "h": "3", "a": "sigmoid"})
    at.button(key="step100").click().run()
    net = session(at).exp.network
    assert not [w for w in at.number_input if w.key == keys.EDIT_VALUE]  # nothing selected, no editor
    at.session_state[keys.DIAGRAM_SELECTED] = ("weight", 0, 1, 2)  # what a click on x₂ → h1.3 selects
    at.run()
    no_errors(at)
    box = at.number_input(key=keys.EDIT_VALUE)
    assert box.value == pytest.approx(net.weights(0)[1, 2]) and any("x₂ → h1.3" in m.value for m in at.markdown)
    box.set_value(0.0).run()
    no_errors(at)
    assert session(at).exp.network.weights(0)[1, 2] == 0.0 and session(at).epoch == 100
    assert any("Set the weight x₂ → h1.3 to 0" in i.value for i in at.info)
    at.button(key="step").click().run()  # training goes on from the edited network
    assert session(at).epoch == 101 and session(at).exp.network.weights(0)[1, 2] != 0.0
    at.button(key=keys.EDIT_ZERO).click().run()
    assert session(at).exp.network.weights(0)[1, 2] == 0.0
    at.session_state[keys.DIAGRAM_SELECTED] = ("neuron", 0, 1)  # h1.2: its bias, its weights in
    at.run()
    at.number_input(key=keys.EDIT_BIAS).set_value(-2.5).run()
    assert session(at).exp.network.biases(0)[1] == -2.5
    at.selectbox(key=keys.EDIT_FROM).set_value(1).run()
    at.number_input(key=keys.EDIT_VALUE).set_value(3.0).run()
    assert session(at).exp.network.weights(0)[1, 1] == 3.0
    at.button(key=keys.EDIT_CLOSE).click().run()
    no_errors(at)
    assert not [w for w in at.number_input if w.key in (keys.EDIT_VALUE, keys.EDIT_BIAS)]


def layer_rows(at) -> list[tuple]:
    return at.session_state[keys.DIAGRAM_ROWS] if keys.DIAGRAM_ROWS in at.session_state else []


def test_a_link_hides_the_editing_or_the_input_toggles():
    shown = run_app({"ds": "xor", "h": "3"})
    kinds = {w[0] for w in layer_rows(shown)}
    assert kinds == {"weight", "neuron", "input"} and figure(shown, "network").count('class="tile"') == 7 + 3 + 1
    no_edit = run_app({"ds": "xor", "h": "3", "hide": "edit"})
    assert {w[0] for w in layer_rows(no_edit)} == {"input"}
    no_edit.session_state[keys.DIAGRAM_SELECTED] = ("weight", 0, 1, 2)
    no_edit.run()
    assert not [w for w in no_edit.number_input if w.key == keys.EDIT_VALUE]
    no_toggle = run_app({"ds": "xor", "h": "3", "hide": "f"})
    assert {w[0] for w in layer_rows(no_toggle)} == {"weight", "neuron"}
    assert figure(no_toggle, "network").count('class="tile"') == 2 + 3 + 1  # the network's own inputs only
    neither = run_app({"ds": "xor", "h": "3", "hide": "edit,data"})
    assert not any("diagram_click" in k for k in neither.session_state)  # no layer at all
    no_errors(neither)
    assert widget(shown, "pills", "w_features").value == ["x1", "x2"]

"""The HTML figures (output surface, network diagram) built from the model, checked without a page."""

import re

import numpy as np
import pytest

from apptest_helpers import decode_png, decode_svg
from nn_core import Architecture, Network, evaluate_grid
from playground import charts, drawing


@pytest.mark.parametrize("lo,hi", [(-1.5, 1.5), (-0.013, 0.2), (3.0, 3000.0), (-7.3, -7.2)])
def test_ticks_are_round_and_inside(lo, hi):
    t = drawing.ticks(lo, hi)
    assert 3 <= len(t) <= 11 and all(lo - 1e-9 <= v <= hi + 1e-9 for v in t)
    steps = np.diff(t)
    assert np.allclose(steps, steps[0])
    mantissa = steps[0] / 10 ** np.floor(np.log10(steps[0]))
    assert min(abs(mantissa - m) for m in (1, 2, 5, 10)) < 1e-6


def segments(svg: str) -> dict[tuple[float, ...], tuple[str, float]]:
    """Every line of the diagram's weights: (x1, y1, x2, y2) -> (colour, width)."""
    out = {}
    for d, colour, width in re.findall(r'<path d="([^"]*)" stroke="(#\w+)" stroke-width="([\d.]+)"', svg):
        for seg in re.findall(r"M([\d.]+) ([\d.]+)L([\d.]+) ([\d.]+)", d):
            out[tuple(float(v) for v in seg)] = (colour, float(width))
    return out


def test_edges_follow_the_weights():
    net = Network.create(Architecture((3, 2), "tanh", "sigmoid"), "xavier", 0)
    body, top = drawing.diagram_edges(net, 380)
    lines = segments(body)
    tile, xs, ys, _ = drawing.diagram_geometry((2, 3, 2, 1), 380)
    assert len(lines) == 2 * 3 + 3 * 2 + 2 * 1
    assert top == max(np.abs(net.weights(l)).max() for l in range(net.n_layers))
    for l in range(net.n_layers):
        for (i, j), w in np.ndenumerate(net.weights(l)):
            key = tuple(round(v, 1) for v in (xs[l] + tile / 2, ys[l][i], xs[l + 1] - tile / 2, ys[l + 1][j]))
            colour, width = lines[key]
            assert colour == (charts.POS if w >= 0 else charts.NEG)
            assert abs(width - (0.4 + 4.6 * abs(w) / top)) <= 4.6 / drawing.EDGE_STEPS / 2 + 0.006


def test_points_overlay_draws_every_point_outlined():
    points = {"x": np.array([0.0, 1.0, -1.0]), "y": np.array([0.0, 1.0, -1.0]), "label": np.array([0, 1, 1]),
              "split": np.array(["train", "train", "test"])}
    svg = decode_svg(drawing.surface_overlay(points, (-2.0, 2.0, -2.0, 2.0), "binary", 1.0, 200, 3.6))
    assert svg.count("<circle") == 2 and svg.count('<rect x="') - svg.count('fill="none"') == 1
    assert f'stroke="{charts.OUTLINE}"' in svg
    fills = re.findall(r'<circle [^>]*fill="(#\w+)"', svg)
    assert fills == [charts.CLASS_COLORS[0], charts.CLASS_COLORS[1]]
    box = drawing.SurfaceBox(200)
    cx = [float(v) for v in re.findall(r'cx="([\d.]+)"', svg)]
    assert cx == pytest.approx([box.left + 100, box.left + 150], abs=0.06)


def test_regression_points_are_coloured_by_value():
    points = {"x": np.zeros(3), "y": np.zeros(3), "label": np.array([-2.0, 0.0, 2.0]), "split": np.array(["train"] * 3)}
    svg = decode_svg(drawing.surface_overlay(points, (-1.0, 1.0, -1.0, 1.0), "regression", 2.0, 100, 3.0))
    assert re.findall(r'fill="(#\w+)"/>', svg) == [charts.NEG, charts.MID, charts.POS]


def test_tiles_of_a_network_without_hidden_layers():
    net = Network.create(Architecture((), "tanh", "softmax", n_outputs=3, features=("x1", "x2", "x1*x2")),
                         "xavier", 0)
    grid = evaluate_grid(net, (-1, 1, -1, 1), 12, hidden=True)
    tiles = drawing.diagram_tiles(net, grid.hidden, grid.outputs, drawing.feature_maps(grid, net.arch.features), 1.0)
    assert [[t["name"] for t in column] for column in tiles] == [["x1", "x2", "x1*x2"],
                                                                  ["class 0", "class 1", "class 2"]]
    assert tiles[1][2]["index"].shape == (12, 12)
    html = drawing.diagram_figure(net, tiles, 300)
    assert html.count('class="tile"') == 6
    picture = decode_png(re.search(r'class="tiles" alt="[^"]*" src="([^"]+)"', html).group(1))
    for tag, t in zip(re.findall(r'<div class="tile" ([^>]*)>', html), [t for column in tiles for t in column]):
        x, y = (int(v) for v in re.search(r'data-x="(\d+)" data-y="(\d+)"', tag).groups())
        assert np.array_equal(picture[y:y + 12, x:x + 12, :3], charts.PALETTE[t["index"]])  # each where its frame is
        assert (picture[y:y + 12, x:x + 12, 3] == 255).all()
    assert picture[..., 3].mean() < 200  # transparent between the tiles
    biases = decode_svg(re.search(r'class="biases" alt="" src="([^"]+)"', html).group(1))
    assert biases.count("<rect") == 3  # the output neurons': inputs have none


def _tiles_of(net, value_range=1.0, res=20):
    grid = evaluate_grid(net, (-1.5, 1.5, -1.5, 1.5), res, hidden=True)
    tiles = drawing.diagram_tiles(net, grid.hidden, grid.outputs, drawing.feature_maps(grid, net.arch.features),
                                  value_range)
    return grid, {t["name"]: t for column in tiles for t in column}, tiles


def test_dead_saturated_and_constant_neurons_look_flat():
    """Each tile is drawn on its column's fixed scale, never stretched to its own range: a dead ReLU is one
    flat grey, a ReLU that is constant is one flat colour, and the live ReLU beside them spans the layer's
    scale (the layer's largest output full blue); a saturated tanh is flat blue."""
    relu = Network.create(Architecture((3,), "relu", "sigmoid"), "xavier", 0)
    relu.weights(0)[...] = [[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]  # h1.1 = relu(x1), h1.2 dead, h1.3 = 0.5
    relu.biases(0)[...] = [0.0, -1.0, 0.5]
    grid, tiles, columns = _tiles_of(relu)
    grey = charts.diverging_index(np.array(0.5))
    assert (tiles["h1.2"]["index"] == grey).all()
    assert len(np.unique(tiles["h1.3"]["index"])) == 1 and tiles["h1.3"]["index"][0, 0] > grey
    live = tiles["h1.1"]["index"]
    assert live.max() == charts.CLEAR - 1 and live.min() == grey  # 0 (grey) to the layer's largest (blue)
    assert tiles["h1.1"]["scale"][:2] == (-1.5, 1.5) == tiles["h1.2"]["scale"][:2]  # one scale for the layer
    assert "±1.5, the layer's largest" in drawing.scale_legend(columns)
    tanh = Network.create(Architecture((2,), "tanh", "sigmoid"), "xavier", 0)
    tanh.weights(0)[...] = [[1e-3, 2.0], [0.0, 0.0]]
    tanh.biases(0)[...] = [5.0, 0.0]
    grid, tiles, columns = _tiles_of(tanh)
    assert len(np.unique(tiles["h1.1"]["index"])) == 1 and tiles["h1.1"]["index"][0, 0] >= charts.CLEAR - 2
    assert np.ptp(tiles["h1.2"]["index"]) > 200  # a neuron that varies still shows it
    assert "layer 1 (tanh) −1 to 1" in drawing.scale_legend(columns)


def test_the_tooltip_gives_a_neurons_exact_range_and_its_scale():
    net = Network.create(Architecture((2, 2), ("sigmoid", "relu"), "linear"), "xavier", 3)
    grid, tiles, columns = _tiles_of(net, value_range=2.5)
    h = grid.hidden[0][:, :, 1]
    tip = tiles["h1.2"]
    assert (tip["low"], tip["high"]) == (float(h.min()), float(h.max())) and tip["scale"][:2] == (0.0, 1.0)
    top = float(np.abs(grid.hidden[1]).max())
    assert tiles["h2.1"]["scale"][:2] == (-top, top) and tiles["output"]["scale"][:2] == (-2.5, 2.5)
    legend = drawing.scale_legend(columns)
    assert "layer 1 (sigmoid) 0 to 1" in legend and "layer 2 (relu) ±" in legend and "output ±2.5" in legend
    html_ = drawing.diagram_figure(net, columns, 380)
    assert f"values from {h.min():.3g} to {h.max():.3g}" in html_ and "drawn on 0 (orange) to 1 (blue)" in html_

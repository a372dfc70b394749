"""The network diagram's click layer: every input feature, neuron and weight line of the diagram as a target
to hover (its value) and to click (an input turns on or off; a neuron or a weight opens its editor).

Why a layer: the diagram is pictures in Markdown (:mod:`playground.drawing`: a sprite of the tiles and an SVG
of the lines, redrawn several times a second while training), and Markdown cannot send a click back to the
server. Over it, in the same place, lies one Vega-Lite view (Streamlit 1.40 allows selections on single views
only) whose marks are all but transparent: one symbol per target, each drawn by its own SVG path in the
diagram's px (a band along a weight's line, a tile's square), so one mark type covers lines and squares alike.
Its rows come from a ``sequence`` and their paths and tooltips from arrays in expressions (nothing goes
through pandas in the browser). A click selects one row; :func:`clicked` says what it was.

The tooltips carry the values (a weight's, a neuron's bias) while the network is at rest. While it trains the
layer leaves them out, so that it stays the same from one redraw to the next and the browser keeps it as it
is; a click then pauses the run and the editor shows the values.

Pure functions, no Streamlit.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from . import drawing

PICK, HOVER = "pick", "hover"  # the click selection (what the page reads), and the pointer's (drawn only)
HIT = 3.5  # px either side of a weight's line within which the pointer finds it


def _band(a: tuple[float, float], b: tuple[float, float], half: float) -> str:
    """An SVG path: the rectangle ``half`` px either side of the segment from ``a`` to ``b``."""
    (xa, ya), (xb, yb) = a, b
    length = max(((xb - xa) ** 2 + (yb - ya) ** 2) ** 0.5, 1e-9)
    nx, ny = -(yb - ya) / length * half, (xb - xa) / length * half
    corners = ((xa + nx, ya + ny), (xb + nx, yb + ny), (xb - nx, yb - ny), (xa - nx, ya - ny))
    return "M" + "L".join(f"{x:.0f},{y:.0f}" for x, y in corners) + "Z"  # whole px: a deep network's layer
    # is sent at every redraw


def _box(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"M{x0:.0f},{y0:.0f}L{x1:.0f},{y0:.0f}L{x1:.0f},{y1:.0f}L{x0:.0f},{y1:.0f}Z"


def unit_names(arch) -> list[list[str]]:
    """The names of each layer's units as the diagram writes them, the inputs in the network's order."""
    return [[drawing.INPUT_LABELS.get(f, f) for f in arch.features],
            *([f"h{l + 1}.{j + 1}" for j in range(w)] for l, w in enumerate(arch.hidden)),
            ["output"] if arch.n_outputs == 1 else [f"class {c}" for c in range(arch.n_outputs)]]


def targets(network, width: int, inputs: Sequence[str], values: bool, toggles: bool = True,
            edits: bool = True) -> list[tuple]:
    """Every target of the diagram of ``network`` drawn ``width`` px wide with ``inputs`` in its first column:
    (what, SVG path in px, tooltip), what being ("weight", l, i, j), ("neuron", l, j) (a neuron fed by weight
    layer l) or ("input", name). The weights come first: the tiles lie over their lines' ends. ``values``:
    the tooltips say the values; ``toggles``: the inputs take clicks; ``edits``: the weights and neurons."""
    arch = network.arch
    columns = drawing.diagram_columns(arch, inputs)
    tile, xs, ys, _ = drawing.diagram_geometry(tuple(len(c[2]) + (c[3] > 0) for c in columns), width)
    names = unit_names(arch)
    out = []
    for l, i, j, v, a, b in drawing.weight_lines(network, width, inputs) if edits else ():
        value = f" = {v:.4g} · click to edit" if values else " · click to pause and edit"
        out.append((("weight", l, i, j), _band(a, b, HIT), f"weight {names[l][i]} → {names[l + 1][j]}{value}"))
    if toggles:
        for name, y in zip(columns[0][2], ys[0]):
            on = name in arch.features
            last = on and len(arch.features) == 1
            out.append((("input", name), _box(xs[0] - tile / 2 - drawing.LABELS_PX, y - tile / 2, xs[0] + tile / 2,
                                              y + tile / 2),
                        f"input {drawing.INPUT_LABELS.get(name, name)}: {'on' if on else 'off'}"
                        + ("" if last else f" · click to turn it {'off' if on else 'on'}")))
    kinds = [*arch.activations, arch.output]
    for l in range(network.n_layers if edits else 0):
        for j, y in enumerate(ys[l + 1][:len(columns[l + 1][2])]):
            bias = f" · bias {float(network.biases(l)[j]):.4g} · click" if values else " · click to pause and"
            out.append((("neuron", l, j), _box(xs[l + 1] - tile / 2, y - tile / 2, xs[l + 1] + tile / 2, y + tile / 2),
                        f"{names[l + 1][j]} · {kinds[l]}{bias} edit its bias and weights"))
    return out


def layer_spec(rows: list[tuple], width: int, height: int, selected: int | None = None) -> dict:
    """The Vega-Lite design of the layer over a diagram of ``width`` x ``height`` px whose ``rows`` are
    :func:`targets`; row ``selected`` (the one the editor shows) is drawn shaded, and so is the one under the
    pointer."""
    paths = "[" + ",".join(json.dumps(r[1]) for r in rows) + "]"
    tips = "[" + ",".join(json.dumps(r[2]) for r in rows) + "]"
    shaded = {"param": HOVER, "empty": False}
    if selected is not None:
        shaded = {"or": [shaded, f"datum.i == {int(selected)}"]}
    return {
        "data": {"sequence": {"start": 0, "stop": len(rows), "as": "i"}},
        "transform": [{"calculate": f"{paths}[datum.i]", "as": "path"}, {"calculate": f"{tips}[datum.i]", "as": "tip"}],
        "mark": {"type": "point", "filled": True, "strokeWidth": 0, "cursor": "pointer", "size": 4},  # 1 px a unit
        "encoding": {
            "x": {"value": 0}, "y": {"value": 0},  # each path is drawn in the diagram's own px
            "shape": {"field": "path", "type": "nominal", "scale": None},
            "color": {"condition": {"test": shaded, "value": "#000000"}, "value": "#ffffff"},
            "opacity": {"condition": {"test": shaded, "value": 0.22}, "value": 0.01},
            "tooltip": {"field": "tip", "type": "nominal"}},
        "params": [{"name": PICK, "select": {"type": "point", "fields": ["i"], "clear": False, "toggle": False}},
                   {"name": HOVER, "select": {"type": "point", "fields": ["i"], "on": "mouseover",
                                              "clear": "mouseout"}}],
        "width": width, "height": height, "autosize": {"type": "none"}, "padding": 0, "background": "transparent",
        "config": {"view": {"stroke": None, "fill": None}},
        "usermeta": {"embedOptions": {"actions": False, "renderer": "svg"}}}  # SVG: the browser finds what a
        # click is on, also where the page shrinks the layer on a phone (playground.drawing.stack_style)


def clicked(selection, whats: list[tuple]) -> tuple | None:
    """What a click on the layer picked, from the chart's selection state and what each row is (the first
    item of each of :func:`targets`), or None."""
    try:
        i = int(selection["selection"][PICK][0]["i"])
    except (KeyError, TypeError, IndexError, ValueError):
        return None
    return whats[i] if 0 <= i < len(whats) else None

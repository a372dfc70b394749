"""Drawing on the output surface: a transparent layer over it that takes clicks, adding a point where a click
lands or removing the point clicked (ConvNetJS lets you click to add points; TensorFlow Playground's users ask
for it).

Why a layer and not the surface itself: the surface is an ``<img>`` that a redraw replaces four times a second
while training (:mod:`playground.drawing` says why it is no Vega-Lite image: those flashed blank). Over it,
in the same place and at the same scale, lies one Vega-Lite view that draws nothing one can see and never
changes while training: ``GRID x GRID`` cells, each a click target, and a target over every data point (the
points themselves are drawn in the surface's own overlay, in their class's colour). Streamlit 1.40 (stlite)
allows selections on single views only, so it is one view; its rows come from a ``sequence`` and the points'
places from arrays in expressions, so nothing goes through pandas in the browser. A click selects one row: a
cell (add a point at its centre) or a point (remove it).

Pure functions, no Streamlit: the layer's Vega-Lite design and what a click on it means.
"""

from __future__ import annotations

import json
import math

import numpy as np

GRID = 50  # cells a side: a click lands on a cell's centre, 1/50 of the plane's width apart
SELECTION = "add"


def _array(values) -> str:
    return "[" + ",".join(json.dumps(v) for v in values) + "]"


def _round(v: np.ndarray) -> list[float]:
    return [float(f"{x:.4g}") for x in np.asarray(v, dtype=np.float64).tolist()]


def layer_spec(X: np.ndarray, bounds, size: int, radius: float) -> dict:
    """The click layer for points X (n, 2) over a surface of ``bounds`` (x0, x1, y0, y1, a square) drawn
    ``size`` px a side, its points of ``radius`` px: rows 0 .. GRID**2 - 1 are the cells (row i: column
    i % GRID, row i // GRID from the bottom), then one row per point. The view is the plot alone, no axes
    and no padding: the page lays it over the surface's plot (:data:`playground.owndata.STYLE`)."""
    return {
        "data": {"sequence": {"start": 0, "stop": GRID * GRID + len(X), "as": "i"}},
        "transform": _rows(X, bounds),
        "mark": {"type": "point", "filled": True, "strokeWidth": 0, "cursor": "crosshair"},
        "encoding": _encoding(bounds, size, radius),
        "params": [{"name": SELECTION, "select": {"type": "point", "fields": ["i"], "clear": False,
                                                   "toggle": False}}],
        "width": size, "height": size, "autosize": {"type": "none"}, "padding": 0, "background": "transparent",
        "config": {"view": {"stroke": None, "fill": None}},
        "usermeta": {"embedOptions": {"actions": False, "renderer": "svg"}}}  # SVG: the browser finds what a
        # click is on, also where the page shrinks the layer on a phone (playground.drawing.stack_style)


def _rows(X: np.ndarray, bounds) -> list[dict]:
    """The Vega-Lite transforms that make each row of the layer's sequence a cell (its centre) or a point
    (its place): x, y and kind."""
    x0, x1, y0, y1 = (float(b) for b in bounds)
    n_cells = GRID * GRID
    dx, dy = (x1 - x0) / GRID, (y1 - y0) / GRID
    px, py = _array(_round(X[:, 0])), _array(_round(X[:, 1]))
    point = f"datum.i >= {n_cells}"
    return [
        {"calculate": f"{point} ? {px}[datum.i - {n_cells}] : {x0} + ({dx}) * (datum.i % {GRID} + 0.5)", "as": "x"},
        {"calculate": f"{point} ? {py}[datum.i - {n_cells}] : {y0} + ({dy}) * (floor(datum.i / {GRID}) + 0.5)",
         "as": "y"},
        {"calculate": f"{point} ? 'point' : 'cell'", "as": "kind"}]


def _encoding(bounds, size: int, radius: float) -> dict:
    """Cells as squares that tile the plot, points as circles a little larger than the drawn ones; all of them
    white and all but transparent (a click target must be painted to be hit)."""
    x0, x1, y0, y1 = (float(b) for b in bounds)
    point = f"datum.i >= {GRID * GRID}"
    return {
        "x": {"field": "x", "type": "quantitative", "scale": {"domain": [x0, x1], "nice": False, "zero": False},
              "axis": None},
        "y": {"field": "y", "type": "quantitative", "scale": {"domain": [y0, y1], "nice": False, "zero": False},
              "axis": None},
        "shape": {"field": "kind", "type": "nominal", "legend": None,
                  "scale": {"domain": ["cell", "point"], "range": ["square", "circle"]}},
        "size": {"condition": {"test": point, "value": round(math.pi * (radius + 2) ** 2)},
                 "value": round((size / GRID) ** 2 + 1)},
        "color": {"value": "#ffffff"},
        "opacity": {"value": 0.01},
        "tooltip": {"condition": {"test": point, "value": "click to remove this point"}, "value": None}}


def clicked(selection, bounds, n_points: int) -> tuple[str, object] | None:
    """What a click on the layer asks for, from the chart's selection state: ("add", (x1, x2)) at a cell's
    centre, ("remove", index of the point), or None."""
    try:
        rows = selection["selection"][SELECTION]
        i = int(rows[0]["i"])
    except (KeyError, TypeError, IndexError, ValueError):
        return None
    n_cells = GRID * GRID
    if n_cells <= i < n_cells + n_points:
        return "remove", i - n_cells
    if not 0 <= i < n_cells:
        return None
    x0, x1, y0, y1 = (float(b) for b in bounds)
    return "add", (x0 + (x1 - x0) / GRID * (i % GRID + 0.5), y0 + (y1 - y0) / GRID * (i // GRID + 0.5))

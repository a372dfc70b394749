"""The drawing pad: a plane to click, adding a point where the click lands (ConvNetJS lets you click to add
points; TensorFlow Playground's users ask for it).

Pure functions, no Streamlit: the Vega-Lite design of the pad and what a click on it means. The pad is one
view (Streamlit 1.40 allows selections on single views only) of ``GRID x GRID`` invisible square cells,
each a click target, and the data points over them; its rows come from a ``sequence``, the points' values
from arrays in expressions, so nothing goes through pandas in the browser. A click selects one row: a cell
(add a point at its centre) or a point (remove it).
"""

from __future__ import annotations

import json

import numpy as np

from .charts import CLASS_COLORS, NEG, POS

GRID = 40  # cells a side: a click lands on a cell's centre, 1/40 of the plane's width apart
SIZE = 270  # px of the pad's plot: with its axes, as wide as the output surface's column
SELECTION = "add"


def _array(values) -> str:
    return "[" + ",".join(json.dumps(v) for v in values) + "]"


def _round(v: np.ndarray) -> list[float]:
    return [float(f"{x:.4g}") for x in np.asarray(v, dtype=np.float64).tolist()]


def pad_spec(X: np.ndarray, y: np.ndarray, bounds, task: str, value_range: float = 1.0,
             ground: list[str] | None = None) -> dict:
    """The pad for points X (n, 2) with labels y (n,) over ``bounds`` (x0, x1, y0, y1, a square): rows
    0 .. GRID**2 - 1 are the cells (row i: column i % GRID, row i // GRID from the bottom), then one row per
    point. Classes are coloured as on the surface; values from orange (-value_range) to blue. ``ground``:
    a colour per cell (the network's output there, as the surface draws it), else the cells are blank."""
    return {
        "data": {"sequence": {"start": 0, "stop": GRID * GRID + len(X), "as": "i"}},
        "transform": _rows(X, y, bounds, task, ground),
        "mark": {"type": "point", "filled": True, "cursor": "crosshair", "strokeWidth": 1},
        "encoding": _encoding(bounds, task, value_range, ground),
        "params": [{"name": SELECTION, "select": {"type": "point", "fields": ["i"], "clear": False,
                                                   "toggle": False}}],
        "width": SIZE, "height": SIZE, "autosize": {"type": "pad"},
        "config": {"view": {"stroke": "#bbbbbb"}, "axis": {"grid": False}},
        "usermeta": {"embedOptions": {"actions": False}}}


def _rows(X: np.ndarray, y: np.ndarray, bounds, task: str, ground: list[str] | None) -> list[dict]:
    """The Vega-Lite transforms that make each row of the pad's sequence a cell (its centre) or a point (its
    place and label): x, y, label, kind and ground."""
    x0, x1, y0, y1 = (float(b) for b in bounds)
    n_cells = GRID * GRID
    dx, dy = (x1 - x0) / GRID, (y1 - y0) / GRID
    px, py = _array(_round(X[:, 0])), _array(_round(X[:, 1]))
    labels = _array([int(v) for v in y] if task != "regression" else _round(y))
    point = f"datum.i >= {n_cells}"
    return [
        {"calculate": f"{point} ? {px}[datum.i - {n_cells}] : {x0} + ({dx}) * (datum.i % {GRID} + 0.5)", "as": "x"},
        {"calculate": f"{point} ? {py}[datum.i - {n_cells}] : {y0} + ({dy}) * (floor(datum.i / {GRID}) + 0.5)",
         "as": "y"},
        {"calculate": f"{point} ? {labels}[datum.i - {n_cells}] : null", "as": "label"},
        {"calculate": f"{point} ? 'point' : 'cell'", "as": "kind"},
        {"calculate": f"{point} ? null : {_array(ground) if ground else '[]'}[datum.i]", "as": "ground"}]


def _encoding(bounds, task: str, value_range: float, ground: list[str] | None) -> dict:
    """How the pad draws its rows: cells as squares (in ``ground``'s colours, else nearly invisible), points as
    circles in their class's or value's colour, over the plane's axes."""
    x0, x1, y0, y1 = (float(b) for b in bounds)
    point = f"datum.i >= {GRID * GRID}"
    colour = ({"field": "label", "type": "quantitative", "legend": None,
               "scale": {"domain": [-value_range, 0, value_range], "range": [NEG, "#e8e8e8", POS]}}
              if task == "regression" else
              {"field": "label", "type": "nominal", "legend": None,
               "scale": {"domain": list(range(len(CLASS_COLORS))), "range": list(CLASS_COLORS)}})
    return {
        "x": {"field": "x", "type": "quantitative", "scale": {"domain": [x0, x1], "nice": False},
              "axis": {"title": "x1", "tickCount": 5}},
        "y": {"field": "y", "type": "quantitative", "scale": {"domain": [y0, y1], "nice": False},
              "axis": {"title": "x2", "tickCount": 5}},
        "shape": {"field": "kind", "type": "nominal", "legend": None,
                  "scale": {"domain": ["cell", "point"], "range": ["square", "circle"]}},
        "size": {"condition": {"test": point, "value": 46}, "value": (SIZE / GRID) ** 2},
        "color": ({"condition": {"test": point, **colour}, "field": "ground", "type": "nominal", "scale": None}
                  if ground else {"condition": {"test": point, **colour}, "value": "#ffffff"}),
        "opacity": {"condition": {"test": point, "value": 1}, "value": 0.9 if ground else 0.01},
        "stroke": {"condition": {"test": point, "value": "#000000"}, "value": None},
        "tooltip": {"condition": {"test": point, "value": "click to remove"}, "value": "click to add a point"}}


def clicked(selection, bounds, n_points: int) -> tuple[str, object] | None:
    """What a click on the pad asks for, from the chart's selection state: ("add", (x1, x2)) at a cell's
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

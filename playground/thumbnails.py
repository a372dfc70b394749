"""The data picker: a small picture of every dataset, to click, as in TensorFlow Playground.

Pure functions, no Streamlit: each dataset's picture (a PNG of its points, drawn with NumPy) and the
Vega-Lite design that lays them out with a click selection. The sidebar draws it with
``st.vega_lite_chart(..., on_select=...)`` and turns a click into the Dataset setting.
"""

from __future__ import annotations

import json
from functools import cache, lru_cache

import numpy as np

from nn_core import DATASETS, data_bounds, make_dataset

from .charts import CLASS_COLORS, _hex_rgb, diverging_rgb, png_data_url

PIXELS = 44  # each picture's side
PER_ROW = 5
TILE = 50  # px a picture takes in the grid, its gap included: five fit the sidebar
SELECTION = "pick"


@cache
def thumbnail(name: str) -> str:
    """A PNG data URL of dataset ``name``: its points as small dots in their class's colour (or their
    value's) on a pale ground, fixed seed and size, like the page's surface."""
    spec = DATASETS[name]
    data = make_dataset(name, 4 if spec.fixed else 160, seed=1)
    x0, x1, y0, y1 = data_bounds(data.X, margin=0.1)
    half = max(x1 - x0, y1 - y0) / 2
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    img = np.full((PIXELS, PIXELS, 3), 247, dtype=np.uint8)
    cols = np.clip(((data.X[:, 0] - cx + half) / (2 * half) * (PIXELS - 1)).round().astype(int), 0, PIXELS - 1)
    rows = np.clip(((cy + half - data.X[:, 1]) / (2 * half) * (PIXELS - 1)).round().astype(int), 0, PIXELS - 1)
    if spec.task == "regression":
        top = float(np.max(np.abs(data.y))) or 1.0
        colours = diverging_rgb((data.y / top + 1) / 2)
    else:
        colours = np.array([_hex_rgb(CLASS_COLORS[int(k) % len(CLASS_COLORS)]) for k in data.y], dtype=np.uint8)
    dot = 3 if spec.fixed else 1  # the 4-point truth tables get big dots
    for dr in range(-dot, dot + 1):
        for dc in range(-dot, dot + 1):
            if dr * dr + dc * dc <= dot * dot + dot:
                img[np.clip(rows + dr, 0, PIXELS - 1), np.clip(cols + dc, 0, PIXELS - 1)] = colours
    return png_data_url(img)


def tiles() -> list[dict]:
    """One row per dataset: its name, title, place in the grid (x, y: tile centres in px) and picture."""
    return [{"name": name, "title": d.title, "x": (i % PER_ROW + 0.5) * TILE, "y": (i // PER_ROW + 0.5) * TILE,
             "url": thumbnail(name)} for i, (name, d) in enumerate(DATASETS.items())]


def _array(values: list) -> str:
    """A Vega expression for a constant array of strings or numbers."""
    return "[" + ",".join(json.dumps(v) for v in values) + "]"


@lru_cache(maxsize=32)
def picker_spec(current: str) -> dict:
    """The pictures in a grid, the current dataset's at full strength and the others paler; a click
    selects a dataset (selection :data:`SELECTION`, field ``name``).

    One view, not layers (Streamlit 1.40 allows selections on single views only), and its rows made by
    Vega-Lite from a sequence: rows given as values would go through pandas and Arrow in the browser."""
    rows = -(-len(DATASETS) // PER_ROW)
    width, height = PER_ROW * TILE, rows * TILE
    values = tiles()
    fields = [{"calculate": f"{_array([v[k] for v in values])}[datum.i]", "as": k} for k in ("name", "title", "url")]
    return {
        "data": {"sequence": {"start": 0, "stop": len(values), "as": "i"}},
        "transform": [*fields, {"calculate": f"(datum.i % {PER_ROW} + 0.5) * {TILE}", "as": "x"},
                      {"calculate": f"(floor(datum.i / {PER_ROW}) + 0.5) * {TILE}", "as": "y"}],
        "mark": {"type": "image", "width": PIXELS, "height": PIXELS, "cursor": "pointer"},
        "encoding": {
            "x": {"field": "x", "type": "quantitative", "scale": {"domain": [0, width], "nice": False}, "axis": None},
            "y": {"field": "y", "type": "quantitative", "scale": {"domain": [height, 0], "nice": False}, "axis": None},
            "url": {"field": "url", "type": "nominal"},
            "opacity": {"condition": {"test": f"datum.name == {json.dumps(current)}", "value": 1}, "value": 0.45},
            "tooltip": [{"field": "title", "type": "nominal", "title": "dataset"}]},
        "params": [{"name": SELECTION, "select": {"type": "point", "fields": ["name"], "clear": False,
                                                   "toggle": False}}],
        "width": width, "height": height, "autosize": {"type": "pad"}, "config": {"view": {"stroke": None}},
        "usermeta": {"embedOptions": {"actions": False}}}


def picked(selection) -> str | None:
    """The dataset a click on the picker chose, from the chart's selection state (None if none)."""
    try:
        points = selection["selection"][SELECTION]
    except (KeyError, TypeError):
        return None
    names = [p.get("name") for p in points if isinstance(p, dict)] if isinstance(points, list) else []
    return names[0] if names and names[0] in DATASETS else None

"""The data picker: a small picture of every dataset with its name under it, to click, as in TensorFlow
Playground.

Pure functions, no Streamlit: each dataset's picture (a PNG of its points, drawn with NumPy, and its name, in
one SVG: a name on a phone, where nothing hovers) and the Vega-Lite design that lays them out with a click
selection. The sidebar draws it with ``st.vega_lite_chart(..., on_select=...)`` and turns a click into the
Dataset setting.
"""

from __future__ import annotations

import base64
import html
import json
from functools import cache, lru_cache

import numpy as np

from nn_core import DATASETS, data_bounds, make_dataset

from .charts import CLASS_COLORS, _hex_rgb, diverging_rgb, png_data_url

PIXELS = 38  # each picture's side
PER_ROW = 4
TILE = 62  # px a picture and its name take in the grid, gaps included: four fit the sidebar
NAME_PX = 8.5  # the names' font size
ONE_LINE = 13  # a name of up to this many characters on one line, a longer one on two
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


def name_lines(title: str) -> list[str]:
    """A dataset's title in one line, or two: before a bracket, or if long after a comma or at the space nearest
    its middle ("XOR", "(4 points)"; "Spiral,", "3 classes"; "Gaussian", "blobs")."""
    if title.find("(") > 0:  # what the brackets say goes under the name, long or short
        at = title.find("(")
        return [title[:at].strip(), title[at:]]
    if len(title) <= ONE_LINE:
        return [title]
    if title.find(", ") > 0:
        at = title.find(", ") + 1
        return [title[:at], title[at:].strip()]
    spaces = [i for i, c in enumerate(title) if c == " "]
    if not spaces:
        return [title]
    at = min(spaces, key=lambda i: abs(i - len(title) / 2))
    return [title[:at], title[at + 1:]]


@cache
def named_picture(name: str) -> str:
    """An SVG data URL of dataset ``name``'s picture (:func:`thumbnail`) with its title under it."""
    side, mid = TILE - 4, (TILE - 4) / 2
    lines = name_lines(DATASETS[name].title)
    text = "".join(
        f'<text x="{mid:g}" y="{PIXELS + 8.5 + 9 * k:g}"'
        + (f' textLength="{side - 2}" lengthAdjust="spacingAndGlyphs"' if len(line) > ONE_LINE else "")
        + f'>{html.escape(line)}</text>' for k, line in enumerate(lines))
    png = thumbnail(name)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{side}" '
           f'height="{side}" viewBox="0 0 {side} {side}"><image x="{(side - PIXELS) / 2:g}" y="0" width="{PIXELS}" '
           f'height="{PIXELS}" href="{png}" xlink:href="{png}"/><g font-family="Helvetica,Arial,sans-serif" '
           f'font-size="{NAME_PX}" fill="#1f2028" text-anchor="middle">{text}</g></svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def tiles() -> list[dict]:
    """One row per dataset: its name, title, place in the grid (x, y: tile centres in px) and picture."""
    return [{"name": name, "title": d.title, "x": (i % PER_ROW + 0.5) * TILE, "y": (i // PER_ROW + 0.5) * TILE,
             "url": named_picture(name)} for i, (name, d) in enumerate(DATASETS.items())]


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
        "mark": {"type": "image", "width": TILE - 4, "height": TILE - 4, "cursor": "pointer"},
        "encoding": {
            "x": {"field": "x", "type": "quantitative", "scale": {"domain": [0, width], "nice": False}, "axis": None},
            "y": {"field": "y", "type": "quantitative", "scale": {"domain": [height, 0], "nice": False}, "axis": None},
            "url": {"field": "url", "type": "nominal"},
            "opacity": {"condition": {"test": f"datum.name == {json.dumps(current)}", "value": 1}, "value": 0.6},
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

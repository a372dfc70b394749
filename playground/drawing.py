"""The output surface and the network diagram as HTML: pictures in ``<img>`` elements, layered.

Why not Vega-Lite image marks: a chart whose picture changes draws the new frame before the new
picture has loaded, so four times a second the surface and every neuron's tile flashed blank (seen on
about a third of Chromium screenshots while training). An ``<img>`` keeps showing its old picture
until the new one is ready, and the page's Markdown element updates the same ``<img>`` elements from
one redraw to the next. So each figure here is a stack of pictures: a PNG made with NumPy (the
surface, each neuron's map) under or over an SVG drawn as text (axes, data points, weights, labels).
The points' SVG does not change while training, so a redraw sends it again but the browser does not
redraw it.

Pure functions, no Streamlit: each returns the HTML string the page shows with ``st.markdown``.
Positions inside a figure are percentages, so a figure shrinks with a narrow column and keeps its shape.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from nn_core import ACTIVATIONS, Grid, Network
from nn_core.features import feature_matrix
from nn_core.grid import grid_points

from .charts import (
    CLASS_COLORS,
    CLEAR,
    MID,
    NEG,
    OUTLINE,
    PALETTE,
    POS,
    Columns,
    diverging_index,
    diverging_rgb,
    png_data_url,
)

FONT = "font-family:'Source Sans Pro','Source Sans 3',sans-serif"
STYLE = (
    "<style>.nnp-fig{margin:0 0 .3rem;max-width:100%}"
    ".nnp-fig .t{font-weight:600;font-size:.95rem;line-height:1.3}"
    ".nnp-fig .s{font-size:.8rem;opacity:.7;line-height:1.25;margin-bottom:.25rem}"
    ".nnp-fig .p{position:relative;width:100%}"
    ".nnp-fig .p img{position:absolute;display:block;margin:0;padding:0;max-width:none;object-fit:fill}"
    # Layers of their own: the browser then redraws only what changed. Without, a new surface picture
    # made it rasterise the 2,000 points over it again at every redraw, a third of its time on one core.
    ".nnp-fig .over,.nnp-fig .map,.nnp-fig .lines,.nnp-fig .tiles{will-change:transform}"
    ".nnp-fig .tile{position:absolute;border:1px solid #8a8a8a;box-sizing:border-box;transition:transform .12s;"
    "cursor:zoom-in;z-index:3}"
    ".nnp-fig .tile:hover{background-image:var(--sprite);transform:scale(3.2);z-index:5;"
    "box-shadow:0 2px 10px rgba(0,0,0,.35)}"
    ".nnp-fig .legend{font-size:.8rem;display:flex;flex-wrap:wrap;gap:.1rem 1rem;align-items:center;"
    "margin-top:.2rem}"
    ".nnp-fig .sw{display:inline-block;width:11px;height:11px;border:1.5px solid " + OUTLINE + ";"
    "vertical-align:-1px;margin-right:.25rem}"
    ".nnp-fig .ramp{display:inline-block;width:70px;height:10px;vertical-align:-1px;margin:0 .3rem;"
    "border:1px solid #999}"
    # pills wrap onto a second row rather than scroll out of sight in a narrow column (on a phone, "Log scale")
    "[data-testid=stButtonGroup]>div{flex-wrap:wrap;row-gap:.4rem}"
    ".st-key-speed button{padding-left:.6rem;padding-right:.6rem}</style>")  # the speed beside the run's buttons


def _pct(v: float, of: float) -> str:
    return f"{100 * v / of:.3f}%"


def svg_data_url(width: float, height: float, body: str) -> str:
    """A data: URL of an SVG picture of that size holding ``body``."""
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
           f'viewBox="0 0 {width:g} {height:g}">{body}</svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _hex(rgb: np.ndarray) -> list[str]:
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in np.asarray(rgb, dtype=np.uint8).reshape(-1, 3).tolist()]


def ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round values between ``lo`` and ``hi``, about ``count`` of them (steps of 1, 2 or 5 times a power of 10)."""
    raw = (hi - lo) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    return [round(first + i * step, 10) for i in range(int((hi - first) / step + 1e-9) + 1)]


def _label(v: float) -> str:
    return f"{v:g}".replace("-", "−")


# ---------------------------------------------------------------- the output surface
class SurfaceBox:
    """Where things go in the surface figure, in px of its own frame: the plot is a square of ``size``."""

    def __init__(self, size: int):
        self.size, self.left, self.top, self.bottom = size, 38, 6, 34
        self.width, self.height = self.left + size + 8, self.top + size + self.bottom


def point_marks(points: Columns, bounds, task: str, value_range: float, box: SurfaceBox, radius: float) -> str:
    """SVG of the data points over the plot: training points as circles, test points as squares, each
    filled with its class's colour (or its value's) at full strength, over a lighter ground
    (:func:`playground.charts.ground`), and outlined dark: a point shows on either class's ground."""
    x0, x1, y0, y1 = bounds
    px = box.left + (np.asarray(points["x"], dtype=np.float64) - x0) / (x1 - x0) * box.size
    py = box.top + (y1 - np.asarray(points["y"], dtype=np.float64)) / (y1 - y0) * box.size
    labels = np.asarray(points["label"])
    if task == "regression":
        fills = _hex(diverging_rgb((labels.astype(np.float64) / value_range + 1) / 2))
    else:
        fills = [CLASS_COLORS[int(k) % len(CLASS_COLORS)] for k in labels.tolist()]
    out = []
    for x, y, fill, split in zip(px.tolist(), py.tolist(), fills, np.asarray(points["split"]).tolist()):
        if split == "test":
            r = radius * 0.9
            side = f'width="{2 * r:.1f}" height="{2 * r:.1f}"'
            out.append(f'<rect x="{x - r:.1f}" y="{y - r:.1f}" {side} fill="{fill}"/>')
        else:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{fill}"/>')
    width = min(1.6, max(1.0, 0.22 * radius))  # thin on small points, whose colour is most of them
    return f'<g stroke="{OUTLINE}" stroke-width="{width:.2g}">{"".join(out)}</g>'


def axes(bounds, box: SurfaceBox) -> str:
    """SVG of the plot's frame, ticks and labels (x1 across, x2 up)."""
    x0, x1, y0, y1 = bounds
    s, L, T = box.size, box.left, box.top
    parts = [f'<rect x="{L}" y="{T}" width="{s}" height="{s}" fill="none" stroke="#888" stroke-width="1"/>']
    text = f'font-size="11" fill="#555" style="{FONT}"'
    for v in ticks(x0, x1):
        x = L + (v - x0) / (x1 - x0) * s
        parts.append(f'<line x1="{x:.1f}" y1="{T + s}" x2="{x:.1f}" y2="{T + s + 4}" stroke="#888"/>'
                     f'<text x="{x:.1f}" y="{T + s + 15}" text-anchor="middle" {text}>{_label(v)}</text>')
    for v in ticks(y0, y1):
        y = T + (y1 - v) / (y1 - y0) * s
        parts.append(f'<line x1="{L - 4}" y1="{y:.1f}" x2="{L}" y2="{y:.1f}" stroke="#888"/>'
                     f'<text x="{L - 6}" y="{y + 3.5:.1f}" text-anchor="end" {text}>{_label(v)}</text>')
    parts.append(f'<text x="{L + s / 2}" y="{T + s + 30}" text-anchor="middle" {text}>x1</text>'
                 f'<text x="10" y="{T + s / 2}" text-anchor="middle" transform="rotate(-90 10 {T + s / 2})" '
                 f'{text}>x2</text>')
    return "".join(parts)


def surface_overlay(points: Columns, bounds, task: str, value_range: float, size: int, radius: float) -> str:
    """The data URL of what lies over the surface's picture: axes and points (made once per dataset and view)."""
    box = SurfaceBox(size)
    return svg_data_url(box.width, box.height,
                        axes(bounds, box) + point_marks(points, bounds, task, value_range, box, radius))


def surface_legend(task: str, n_classes: int, value_range: float, has_test: bool) -> str:
    if task == "regression":
        ramp = f"linear-gradient(90deg,{NEG},{MID},{POS})"
        colours = (f'<span>value {_label(-value_range)}<span class="ramp" style="background:{ramp}"></span>'
                   f'{_label(value_range)}</span>')
    else:
        colours = "".join(f'<span><span class="sw" style="background:{CLASS_COLORS[k % len(CLASS_COLORS)]};'
                          f'border-radius:50%"></span>class {k}</span>' for k in range(n_classes))
    shapes = ('<span><span class="sw" style="border-radius:50%"></span>training</span>'
              '<span><span class="sw"></span>test</span>') if has_test else ""
    return f'<div class="legend">{colours}{shapes}</div>'


def overlay_style(train: str, test: str | None = None) -> str:
    """The style that lays an overlay (from :func:`surface_overlay`) over the surface's picture: ``train``
    (the training points), or ``test`` (all the points) over a figure that shows the test points.

    Apart from the figure, in an element the page draws outside the fragment that redraws while training:
    with 2,000 points an overlay is over 100 kB, which would otherwise be sent, and parsed by the browser,
    at every redraw."""
    rules = f'.nnp-surface .over{{background-image:url("{train}")}}'
    if test is not None:
        rules += f'.nnp-surface[data-points="test"] .over{{background-image:url("{test}")}}'
    return f"<style>{rules}</style>"


def surface_figure(title: str, subtitle: str, picture: str, legend: str, size: int, tests: bool = False) -> str:
    """The surface figure: ``picture`` (a PNG data URL of the output, top row the highest x2) filling the
    plot, the axes and points over it (:func:`overlay_style`; the test points too if ``tests``), the title
    above and ``legend`` below."""
    box = SurfaceBox(size)
    w, h = box.width, box.height
    points = ' data-points="test"' if tests else ""
    return (f'<div class="nnp-fig nnp-surface"{points} style="width:{w}px">'
            f'<div class="t">{html.escape(title)}</div><div class="s">{html.escape(subtitle)}</div>'
            f'<div class="p" style="aspect-ratio:{w}/{h}">'
            f'<img class="map" alt="the network\'s output over the plane" src="{picture}" '
            f'style="left:{_pct(box.left, w)};top:{_pct(box.top, h)};width:{_pct(size, w)};height:{_pct(size, h)}">'
            f'<div class="over" style="position:absolute;left:0;top:0;width:100%;height:100%;'
            f'background-size:100% 100%"></div></div>'
            f'{legend}</div>')


# ---------------------------------------------------------------- the network diagram
MAX_SHOWN = 8  # neurons drawn per layer; a wider layer shows its first MAX_SHOWN - 1 and "+N more"
HEADING_PX = 34  # room above the tiles for each column's two-line heading


def diagram_columns(arch, inputs: Sequence[str] | None = None) -> tuple[tuple[str, str, tuple[str, ...], int], ...]:
    """One column per layer, input to output: (heading, its second line, names of the neurons drawn, how
    many more the layer has). ``inputs``: the input features the first column draws (every one the network
    could use, those it does not greyed: :func:`off_inputs`), by default the network's own."""
    def column(heading: str, count: str, names: list[str]):
        shown = names if len(names) <= MAX_SHOWN else names[:MAX_SHOWN - 1]
        return heading, count, tuple(shown), len(names) - len(shown)

    def plural(n: int, word: str) -> str:
        return f"{n} {word}" if n == 1 else f"{n} {word}s"

    k = arch.n_outputs
    return (column("Input", plural(len(arch.features), "feature"), list(arch.features if inputs is None else inputs)),
            *(column(f"Layer {l + 1}", plural(w, "neuron"), [f"h{l + 1}.{j + 1}" for j in range(w)])
              for l, w in enumerate(arch.hidden)),
            column("Output", "1 neuron" if k == 1 else f"{k} classes",
                   ["output"] if k == 1 else [f"class {c}" for c in range(k)]))


MIN_GAP = 60  # px between columns' centres: room for the heading "64 neurons"; closer, headings are short ("L3")
LABELS_PX = 30  # room left of the input column for its labels (x₁, sin x₂)
INPUT_LABELS = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁x₂", "sin(x1)": "sin x₁",
                "sin(x2)": "sin x₂"}


def input_slots(arch, inputs: Sequence[str] | None = None) -> list[int]:
    """Where each of the network's inputs is drawn in the input column (that draws ``inputs``)."""
    drawn = list(arch.features if inputs is None else inputs)
    return [drawn.index(f) for f in arch.features]


def diagram_geometry(slots: tuple[int, ...], width: int, tallest_px: int = 330) -> tuple[int, list[float],
                                                                                         list[list[float]], int]:
    """(tile side, x of each column's centre, y of each drawn neuron per column, chart height), in px.

    ``slots``: the places drawn per column (neurons, plus one for "+N more"). Tiles are as large as the
    gaps between columns and ``tallest_px`` for the tallest column allow (16 to 40 px); columns are
    spread over ``width`` (eight hidden layers too: no sideways scroll), each centred, with room on the
    left for the inputs' labels."""
    gap = (width - 64 - LABELS_PX) / max(len(slots) - 1, 1)
    tile = int(max(16, min(40, 0.62 * gap, 0.8 * tallest_px / max(slots))))
    step = tile + max(6, tile // 4)
    xs = [32 + LABELS_PX + i * gap for i in range(len(slots))]
    tallest = max(slots)
    ys = [[HEADING_PX + step * ((tallest - n) / 2 + j) + step / 2 for j in range(n)] for n in slots]
    return tile, xs, ys, HEADING_PX + step * tallest


def feature_maps(grid: Grid, features: Sequence[str]) -> np.ndarray:
    """(res, res, n) the input features over the grid's points."""
    pts = grid_points(grid.xs, grid.ys)
    return feature_matrix(pts, features).reshape(len(grid.ys), len(grid.xs), -1)


class Scale(NamedTuple):
    """The values a column's tiles are drawn on: ``low`` orange, the middle grey, ``high`` blue (per neuron of
    the column, (k,) each), and how the legend says it."""

    low: np.ndarray
    high: np.ndarray
    words: str


def _number(v: float) -> str:
    return _label(float(f"{v:.3g}"))


def column_scales(arch, maps: Sequence[np.ndarray], value_range: float) -> list[Scale]:
    """The fixed scale of each column of the diagram, from its maps ((res, res, k) each, inputs first, every
    neuron of each layer): what a tile's colour means never depends on that tile alone, so a dead, saturated
    or constant neuron looks flat, as it is.

    Inputs: each feature from minus to plus its largest size over the plane (fixed by the plane). A bounded
    activation (sigmoid, tanh): its own range (``nn_core.activations``). An unbounded one (ReLU and its
    kin): minus to plus the layer's largest output, one scale for the whole layer. The output: the
    surface's scale (probabilities 0 to 1, or values from -value_range to +value_range)."""
    size = np.abs(maps[0]).max(axis=(0, 1))
    out = [Scale(-size, size, "± their largest on the plane")]
    for name, m in zip(arch.activations, maps[1:-1]):
        act, k = ACTIVATIONS[name], m.shape[2]
        if act.bounded:
            lo, hi = act.bounds
            words = f"{_label(lo)} to {_label(hi)}"
        else:
            top = float(np.abs(m).max(initial=0.0))
            lo, hi, words = -top, top, f"±{_number(top)}, the layer's largest"
        out.append(Scale(np.full(k, lo), np.full(k, hi), words))
    k = maps[-1].shape[2]
    if arch.output == "linear":
        out.append(Scale(np.full(k, -value_range), np.full(k, value_range), f"±{_number(value_range)}"))
    else:
        out.append(Scale(np.zeros(k), np.ones(k), "0 to 1 (probability)"))
    return out


def scaled(maps: np.ndarray, scale: Scale) -> np.ndarray:
    """Levels in [0, 1] of (res, res, k) maps on ``scale`` (a neuron whose scale is a single value sits at 0.5)."""
    span = scale.high - scale.low
    with np.errstate(divide="ignore", invalid="ignore"):
        levels = np.where(span > 0, (maps - scale.low) / np.where(span > 0, span, 1.0), 0.5)
    return np.clip(levels, 0.0, 1.0)


def diagram_tiles(network: Network, hidden: Sequence[np.ndarray], outputs: np.ndarray, features: np.ndarray,
                  value_range: float, inputs: Sequence[str] | None = None) -> list[list[dict]]:
    """Per column of the diagram, per drawn neuron: its name, what it is, its picture ("index": (res, res) uint8
    indices into :data:`~playground.charts.PALETTE`, on its column's fixed scale, :func:`column_scales`), the
    range of its values over the plane, the scale ("scale": the values drawn orange and blue, and the
    legend's words) and its bias. ``hidden``, ``outputs``, ``features``: (res, res, k) maps over a grid whose
    first row is the lowest x2; ``features`` those of ``inputs`` (by default the network's input features)."""
    a = network.arch
    columns = diagram_columns(a, inputs)
    maps = [features, *hidden, outputs]
    scales = column_scales(a, maps, value_range)
    kinds = ["input feature", *a.activations, a.output]
    out = []
    for l, (column, m, scale) in enumerate(zip(columns, maps, scales)):
        n = len(column[2])
        m = m[::-1, :, :n]  # the picture's top row is the highest x2
        lo, hi = m.min(axis=(0, 1)), m.max(axis=(0, 1))
        bias = network.biases(l - 1) if l else None
        pictures = diverging_index(scaled(m, Scale(scale.low[:n], scale.high[:n], scale.words)))
        out.append([{"name": name, "kind": kinds[l], "index": pictures[:, :, j], "low": float(lo[j]),
                     "high": float(hi[j]), "scale": (float(scale.low[j]), float(scale.high[j]), scale.words),
                     "bias": None if bias is None else float(bias[j])}
                    for j, name in enumerate(column[2])])
    return out


def off_inputs(tiles: list[list[dict]], used: Sequence[str]) -> list[list[dict]]:
    """``tiles`` with each input feature not in ``used`` greyed: its map faint, said to be off."""
    column = [t if t["name"] in used else {**t, "kind": "input feature, off",
                                            "index": (127 + (t["index"].astype(np.int16) - 127) // 5).astype(np.uint8)}
              for t in tiles[0]]
    return [column, *tiles[1:]]


EDGE_STEPS = 12  # a weight's line is drawn at one of this many widths (and none) from its size


def edge_width(step: int) -> float:
    """The width of a weight's line at ``step`` (0 to :data:`EDGE_STEPS`, by its size against the largest)."""
    return 0.4 + 4.6 * step / EDGE_STEPS


def weight_lines(network: Network, width: int, inputs: Sequence[str] | None = None) -> list[tuple]:
    """Each weight the diagram draws (its input column drawing ``inputs``), ``width`` px wide: (layer l, row i,
    column j of ``network.weights(l)``, its value, the line's start (x, y) and end (x, y) in px)."""
    columns = diagram_columns(network.arch, inputs)
    slots = tuple(len(c[2]) + (c[3] > 0) for c in columns)
    tile, xs, ys, _ = diagram_geometry(slots, width)
    rows = [input_slots(network.arch, inputs), *(list(range(len(c[2]))) for c in columns[1:])]
    out = []
    for l in range(network.n_layers):
        xa, xb = xs[l] + tile / 2, xs[l + 1] - tile / 2
        w = network.weights(l)[:len(rows[l]), :len(columns[l + 1][2])]
        for (i, j), v in np.ndenumerate(w):
            if rows[l][i] < len(columns[l][2]):  # a drawn input (a wide layer draws its first few)
                out.append((l, i, j, float(v), (xa, ys[l][rows[l][i]]), (xb, ys[l + 1][j])))
    return out


def diagram_edges(network: Network, width: int, inputs: Sequence[str] | None = None) -> tuple[str, float]:
    """The SVG body of the weights between drawn neurons (blue positive, orange negative, wider when
    larger), and the largest weight's size. One path per colour and width: a few kilobytes for the
    hundreds of lines of a deep network, to send and to parse four times a second."""
    lines = weight_lines(network, width, inputs)
    top = max((abs(line[3]) for line in lines), default=0.0) or 1.0
    groups: dict[tuple[str, int], list[str]] = {}  # (colour, width step) -> the segments drawn so
    for _, _, _, v, (xa, ya), (xb, yb) in lines:
        key = (POS if v >= 0 else NEG, round(EDGE_STEPS * abs(v) / top))
        groups.setdefault(key, []).append(f"M{xa:.1f} {ya:.1f}L{xb:.1f} {yb:.1f}")
    paths = [f'<path d="{"".join(d)}" stroke="{colour}" stroke-width="{edge_width(step):.2f}"/>'
             for (colour, step), d in sorted(groups.items())]
    return f'<g fill="none" stroke-opacity="0.8">{"".join(paths)}</g>', top


def diagram_labels(columns, width: int, used: Sequence[str] | None = None) -> str:
    """SVG of each column's two-line heading ("L3" and "64" where columns are too close for "Layer 3" and
    "64 neurons"), "+N more" under a wide layer's tiles, and each input's label left of its tile (grey for
    an input feature not in ``used``)."""
    slots = tuple(len(c[2]) + (c[3] > 0) for c in columns)
    tile, xs, ys, _ = diagram_geometry(slots, width)
    text = f'font-size="11" fill="#333" text-anchor="middle" style="{FONT}"'
    short = len(xs) > 1 and xs[1] - xs[0] < MIN_GAP
    parts = []
    for l, (x, y, c) in enumerate(zip(xs, ys, columns)):
        heading, count = c[0], c[1]
        if short and 0 < l < len(xs) - 1:
            heading, count = f"L{l}", count.split()[0]
        elif short and l:
            count = count.split()[0]
        parts.append(f'<text x="{x:.1f}" y="12" {text}>{html.escape(heading)}</text>'
                     f'<text x="{x:.1f}" y="25" {text}>{html.escape(count)}</text>')
        if c[3]:
            parts.append(f'<text x="{x:.1f}" y="{y[-1] + 4:.1f}" {text}>+{c[3]}{"" if short else " more"}</text>')
    for name, y in zip(columns[0][2], ys[0]):
        colour = "#333" if used is None or name in used else "#aaa"
        parts.append(f'<text x="{xs[0] - tile / 2 - 4:.1f}" y="{y + 4:.1f}" font-size="11" fill="{colour}" '
                     f'text-anchor="end" style="{FONT}">{html.escape(INPUT_LABELS.get(name, name))}</text>')
    return "".join(parts)


def _tip(t: dict) -> str:
    lo, hi, _ = t["scale"]
    lines = [f"{t['name']} · {t['kind']}", f"values from {t['low']:.3g} to {t['high']:.3g}",
             f"drawn on {lo:.3g} (orange) to {hi:.3g} (blue)"]
    if t["bias"] is not None:
        lines.append(f"bias {t['bias']:.4g}")
    return html.escape("\n".join(lines))


def scale_legend(tiles: list[list[dict]]) -> str:
    """The diagram's legend: the colour ramp, and the scale of each column (:func:`column_scales`), hidden
    layers on the same scale said once ("layers 1–3 (tanh) −1 to 1")."""
    said = [(c[0]["kind"], c[0]["scale"][2]) for c in tiles]
    parts = [f"inputs {said[0][1]}"]
    layers = said[1:-1]
    i = 0
    while i < len(layers):
        j = i
        while j + 1 < len(layers) and layers[j + 1] == layers[i]:
            j += 1
        which = f"layer {i + 1}" if i == j else f"layers {i + 1}–{j + 1}"
        parts.append(f"{which} ({layers[i][0]}) {layers[i][1]}")
        i = j + 1
    parts.append(f"output {said[-1][1]}")
    ramp = f"linear-gradient(90deg,{NEG},{MID},{POS})"
    return (f'<div class="legend scales"><span>Fixed scales, low<span class="ramp" style="background:{ramp}"></span>'
            f'high: {html.escape(" · ".join(parts), quote=False)}</span></div>')


def sprite(tiles: list[list[dict]], boxes: list[list[tuple[int, int]]], size: tuple[int, int]) -> np.ndarray:
    """Every tile's picture in one (height, width) image of :data:`~playground.charts.PALETTE` indices, each
    at its box's top left corner (in the picture's pixels), transparent (:data:`~playground.charts.CLEAR`)
    elsewhere."""
    out = np.full(size, CLEAR, dtype=np.uint8)
    for column, places in zip(tiles, boxes):
        for t, (x, y) in zip(column, places):
            r = t["index"].shape[0]
            out[y:y + r, x:x + r] = t["index"]
    return out


def diagram_figure(network: Network, tiles: list[list[dict]], width: int, inputs: Sequence[str] | None = None) -> str:
    """The network as TensorFlow Playground draws it: a column per layer, headed by its name and size;
    every input feature and neuron a small map of its value over the plane (hover one to see it larger,
    with its figures), with its bias as the small square at its corner; the weights as lines between
    them.

    All the maps are one picture (a sprite), laid out as the diagram: a browser handles one changing
    picture far faster than sixty (on one core, the diagram of 8 x 64 took 40% of the browser's time as
    separate pictures, 17% as one). Over it, an empty frame per tile carries its tooltip and, on hover,
    shows that part of the picture larger. ``inputs``: the input features the first column draws (by
    default the network's; those it does not use greyed, see :func:`off_inputs`)."""
    columns = diagram_columns(network.arch, inputs)
    slots = tuple(len(c[2]) + (c[3] > 0) for c in columns)
    tile, xs, ys, height = diagram_geometry(slots, width)
    edges, _ = diagram_edges(network, width, inputs)
    res = tiles[0][0]["index"].shape[0]
    scale = res / tile  # picture pixels per diagram px
    size = (math.ceil(height * scale) + 1, math.ceil(width * scale) + 1)
    boxes = [[(round((xs[l] - tile / 2) * scale), round((y - tile / 2) * scale)) for y in ys[l][:len(column)]]
             for l, column in enumerate(tiles)]
    picture = png_data_url(sprite(tiles, boxes, size), PALETTE)
    under = svg_data_url(width, height, edges + diagram_labels(columns, width, network.arch.features))
    parts = [f'<img class="lines" alt="" src="{under}" style="left:0;top:0;width:100%;height:100%">',
             f'<img class="tiles" alt="each neuron\'s output over the plane" src="{picture}" style="left:0;top:0;'
             f'width:{_pct(size[1] / scale, width)};height:{_pct(size[0] / scale, height)}">']
    frames, biases = _tile_frames(tiles, boxes, scale, tile, (width, height), size)
    parts += frames
    if biases:
        over = svg_data_url(width, height, f'<g stroke="#333" stroke-width="1">{"".join(biases)}</g>')
        parts.append(f'<img class="biases" alt="" src="{over}" style="left:0;top:0;width:100%;height:100%;'
                     f'pointer-events:none;z-index:2">')
    return (f'<div class="nnp-fig nnp-network" style="width:{width}px"><div class="t">Network</div>'
            f'<div class="s">tiles: each neuron&rsquo;s output (hover for more) · lines: weights, '
            f'blue +, orange −</div><div class="p" style="aspect-ratio:{width}/{height};'
            f'--sprite:url({picture})">{"".join(parts)}</div>{scale_legend(tiles)}</div>')


def _tile_frames(tiles: list[list[dict]], boxes: list[list[tuple[int, int]]], scale: float, tile: float,
                 frame: tuple[int, int], size: tuple[int, int]) -> tuple[list[str], list[str]]:
    """Over the diagram's picture (``size``: the sprite's (height, width) in picture pixels, ``scale`` of them
    per diagram px; ``frame``: the diagram's (width, height) in px), an empty frame per tile carrying its
    tooltip and its part of the sprite; and a small square at each neuron's lower left corner, coloured by
    its bias (SVG rects, drawn as one picture over all)."""
    width, height = frame
    res = tiles[0][0]["index"].shape[0]
    frames, biases = [], []
    for l, column in enumerate(tiles):
        for j, t in enumerate(column):
            bx, by = boxes[l][j]
            left, top = bx / scale, by / scale
            frames.append(
                f'<div class="tile" data-name="{html.escape(t["name"])}" data-x="{bx}" data-y="{by}" title="{_tip(t)}" '
                f'style="left:{_pct(left, width)};top:{_pct(top, height)};width:{_pct(tile, width)};'
                f'height:{_pct(tile, height)};background-size:{100 * size[1] / res:.2f}% {100 * size[0] / res:.2f}%;'
                f'background-position:{_bg(bx, size[1], res)} {_bg(by, size[0], res)}"></div>')
            if t["bias"] is not None:
                colour = _hex(diverging_rgb(np.clip((t["bias"] + 1) / 2, 0, 1)))[0]
                biases.append(f'<rect x="{left - 3:.1f}" y="{top + tile - 4:.1f}" width="7" height="7" '
                              f'fill="{colour}"/>')
    return frames, biases


def _bg(offset: int, total: int, res: int) -> str:
    """CSS background-position (a percentage) that shows the tile at ``offset`` of a sprite ``total`` long."""
    return f"{100 * offset / (total - res):.3f}%" if total > res else "0%"


PHONE_COLUMN = 72  # px of a phone's width that are not its column's (the page's and the column's margins)


def stack_style(key: str, top: float, left: float, width: int) -> str:
    """The style that lays a click layer (a Vega-Lite chart, the second element of the container ``key``)
    over a figure (its first), and anything after them over both: all in one grid cell from the top left
    corner, the layer moved by ``top`` and ``left`` px. The figure keeps its size (the layer cannot shrink
    with it) and shows its title apart; the layer shows no chart toolbar. On a screen too narrow for the
    figure's ``width`` px, both are zoomed out to fit (the layer draws SVG, whose clicks the browser finds)."""
    stack = f".st-key-{key}"
    narrow = "".join(f"@media (max-width:{w + 19}px){{{stack}{{zoom:{(w - PHONE_COLUMN) / width:.3f}}}}}"
                     for w in range(width + PHONE_COLUMN - 20, 299, -20))  # from the widest screen down
    return (f"<style>{stack}{{display:grid !important;gap:0 !important}}"
            f"{stack}>div{{grid-area:1/1;align-self:start;justify-self:start;min-width:0;width:auto !important}}"
            f"{stack}>div:nth-child(2){{z-index:6;line-height:0;margin:{top}px 0 0 {left}px}}"
            f"{stack} canvas,{stack} svg{{display:block}}{stack} .nnp-fig{{max-width:none}}"
            f"{stack} .nnp-fig>.t,{stack} .nnp-fig>.s,{stack} [data-testid=stElementToolbar]{{display:none}}"
            f"{narrow}</style>")


# ---------------------------------------------------------------- the curves
CURVE_COLOURS = {"train": "#333333", "test": POS}


class CurveBox:
    """Where a curve's plot goes in its SVG, in px: left for the value labels, bottom for the epochs."""

    def __init__(self, width: int, height: int):
        self.left, self.right, self.top, self.bottom = 46, 18, 8, 30
        self.width, self.height = width, height
        self.plot_w, self.plot_h = width - self.left - self.right, height - self.top - self.bottom


def log_ticks(lo: float, hi: float) -> list[float]:
    """Powers of ten from below ``lo`` to above ``hi`` (every other one when there are many)."""
    a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    b = max(b, a + 1)
    step = max(1, -(-(b - a) // 5))
    return [10.0 ** k for k in range(a, b + 1, step)]


def _curve(epochs: np.ndarray, values: np.ndarray, fx, fy) -> str:
    keep = np.isfinite(values)
    if not keep.any():
        return ""
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(fx(epochs[keep]).tolist(), fy(values[keep]).tolist()))
    return pts


def _value_scale(finite: np.ndarray, log: bool, percent: bool) -> tuple[float, float, list[float]]:
    """(low, high, ticks) of a curve's value axis for the ``finite`` values it shows: from 0 with round ticks,
    in powers of ten when ``log``, or 0-100% when ``percent``."""
    if percent:
        return 0.0, 1.0, [0.0, 0.25, 0.5, 0.75, 1.0]
    if log:
        positive = finite[finite > 0]
        lo, hi = (float(positive.min()), float(positive.max())) if positive.size else (0.1, 1.0)
        yt = log_ticks(lo, hi)
        return yt[0], yt[-1], yt
    top = float(finite.max()) if finite.size else 1.0
    yt = ticks(0.0, top if top > 0 else 1.0, 4)
    lo, hi = 0.0, max(yt[-1], top if top > 0 else 1.0)
    if yt[-1] < hi:
        yt.append(yt[-1] + (yt[1] - yt[0]))
        hi = yt[-1]
    return lo, hi, yt


def _value_label(v: float, log: bool, percent: bool) -> str:
    if percent:
        return f"{100 * v:g}%"
    return f"{v:.0e}".replace("e-0", "e-").replace("e+0", "e") if log else _label(v)


def _curve_axes(box: CurveBox, values: list[tuple[float, str]], epochs: list[tuple[float, float]], label: str) -> str:
    """A curve's grid and axes: a line and a label at each value tick (y in px, its text), a tick at each
    epoch (x in px, the epoch), the epoch axis and the value axis's ``label``."""
    L, T, W, H = box.left, box.top, box.plot_w, box.plot_h
    text = f'font-size="10.5" fill="#555" style="{FONT}"'
    parts = []
    for y, name in values:
        parts.append(f'<line x1="{L}" y1="{y:.1f}" x2="{L + W}" y2="{y:.1f}" stroke="#e6e6e6"/>'
                     f'<text x="{L - 5}" y="{y + 3.5:.1f}" text-anchor="end" {text}>{name}</text>')
    for x, v in epochs:
        parts.append(f'<line x1="{x:.1f}" y1="{T + H}" x2="{x:.1f}" y2="{T + H + 4}" stroke="#888"/>'
                     f'<text x="{x:.1f}" y="{T + H + 15}" text-anchor="middle" {text}>{v:,.0f}</text>')
    parts.append(f'<line x1="{L}" y1="{T + H}" x2="{L + W}" y2="{T + H}" stroke="#888"/>'
                 f'<text x="{L + W / 2}" y="{T + H + 28}" text-anchor="middle" {text}>epoch</text>'
                 f'<text x="11" y="{T + H / 2}" text-anchor="middle" transform="rotate(-90 11 {T + H / 2})" '
                 f'{text}>{html.escape(label)}</text>')
    return "".join(parts)


def curve_svg(epochs: np.ndarray, series: dict[str, np.ndarray], box: CurveBox, log: bool = False,
              percent: bool = False, label: str = "", colours: dict[str, str] | None = None,
              mark: float | None = None) -> str:
    """An SVG line chart of ``series`` (name -> values per epoch) against ``epochs``: axes with round
    ticks, the value axis from 0 (or in powers of ten when ``log``, or 0-100% when ``percent``). Each line
    in its name's colour (``colours``, by default the splits'); ``mark``: an epoch to mark with a line."""
    colours = CURVE_COLOURS if colours is None else colours
    L, T, W, H = box.left, box.top, box.plot_w, box.plot_h
    e0, e1 = (float(epochs[0]), float(epochs[-1])) if len(epochs) else (0.0, 1.0)
    e1 = max(e1, e0 + 1)
    finite = np.concatenate([v[np.isfinite(v)] for v in series.values()] + [np.zeros(0)])
    lo, hi, yt = _value_scale(finite, log, percent)

    def fx(e):
        return L + (np.asarray(e, dtype=np.float64) - e0) / (e1 - e0) * W

    def fy(v):
        v = np.asarray(v, dtype=np.float64)
        if log:
            v = np.log10(np.maximum(v, lo))
            return T + H - (v - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * H
        return T + H - (v - lo) / (hi - lo) * H

    parts = [_curve_axes(box, [(float(fy(v)), _value_label(v, log, percent)) for v in yt],
                         [(float(fx(v)), v) for v in ticks(e0, e1, 4) if float(v).is_integer()], label)]  # whole epochs
    for split, values in series.items():
        pts = _curve(np.asarray(epochs), np.asarray(values, dtype=np.float64), fx, fy)
        if pts:
            parts.append(f'<polyline class="{html.escape(split)}" points="{pts}" fill="none" '
                         f'stroke="{colours[split]}" stroke-width="1.8" stroke-linejoin="round"/>')
    if mark is not None and e0 <= mark <= e1:
        x = float(fx(mark))
        parts.append(f'<line class="mark" x1="{x:.1f}" y1="{T}" x2="{x:.1f}" y2="{T + H}" stroke="#d62728" '
                     f'stroke-width="1.5" stroke-dasharray="4 3"/>')
    return "".join(parts)


def curves_figure(history: dict[str, np.ndarray], loss_label: str, log: bool, has_test: bool, accuracy: bool,
                  width: int, mark: float | None = None) -> str:
    """Loss (and accuracy) against epoch: SVG pictures with a legend above, one <img> each; ``mark``: an
    epoch marked on both (the timeline's)."""
    splits = ("train", "test") if has_test else ("train",)
    epochs = history["epoch"]
    legend = line_legend({s: CURVE_COLOURS[s] for s in splits}) if has_test else ""
    out = [f'<div class="nnp-fig nnp-curves" style="width:{width}px"><div class="t">Loss</div>{legend}']
    plots = [("loss", CurveBox(width, 160), {s: history[f"{s}_loss"] for s in splits}, log, False, loss_label)]
    if accuracy:
        out_acc = {s: history[f"{s}_acc"] for s in splits}
        plots.append(("accuracy", CurveBox(width, 120), out_acc, False, True, "accuracy"))
    for i, (name, box, series, lg, pc, label) in enumerate(plots):
        if i:
            out.append('<div class="t" style="margin-top:.3rem">Accuracy</div>')
        out.append(plot_img(name, box, curve_svg(epochs, series, box, lg, pc, label, mark=mark),
                            f"{name} against epoch"))
    return "".join(out) + "</div>"


def line_legend(colours: dict[str, str]) -> str:
    """A legend of lines: each name beside a short bar of its colour."""
    return '<div class="legend">' + "".join(
        f'<span><span class="sw" style="background:{c};height:3px;border:0;vertical-align:3px"></span>'
        f'{html.escape(name)}</span>' for name, c in colours.items()) + "</div>"


def plot_img(name: str, box: CurveBox, svg: str, alt: str) -> str:
    """One plot of a figure: the SVG body ``svg`` drawn in ``box``, as an <img> of class ``name``."""
    url = svg_data_url(box.width, box.height, svg)
    return (f'<div class="p" style="aspect-ratio:{box.width}/{box.height}"><img class="{name}" '
            f'alt="{html.escape(alt)}" src="{url}" style="left:0;top:0;width:100%;height:100%"></div>')

"""Pure functions from model state to what the page draws: colours, pictures (PNG, made with NumPy and
the standard library), the history's columns, the figures strip, tables and files. No Streamlit here.

The figures themselves (surface, network, curves) are assembled as HTML in :mod:`playground.drawing`.
"""

from __future__ import annotations

import base64
import html
import struct
import zlib
from collections.abc import Sequence

import numpy as np

from nn_core import Dataset, Grid, Network
from nn_core.losses import get_loss

# TensorFlow Playground's colours: orange for class 0 / negative, blue for class 1 / positive.
NEG, MID, POS = "#f59322", "#e8eaeb", "#0877bd"
CLASS_COLORS = ["#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
SERIES = ("train_loss", "test_loss", "train_acc", "test_acc")  # the history's columns besides the epoch
MAX_CURVE_POINTS = 200  # per series: more than a chart's width needs, few enough to redraw fast


Columns = dict[str, np.ndarray]  # equal-length columns of one dataset


def short(values: np.ndarray, digits: int = 6) -> np.ndarray:
    """Floats rounded to ``digits`` significant digits, which JSON then writes in as few characters
    (0.204123 rather than 0.20412345678901234): a chart shows no more, and redraws send a third less."""
    x = np.asarray(values, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.floor(np.log10(np.abs(x)))
    k = np.where(np.isfinite(magnitude), digits - 1 - magnitude, 0)
    exact = np.abs(k) <= 22  # 10**k is exact: the result is the double nearest the short decimal
    k = np.where(exact, k, 0)
    up, down = np.power(10.0, np.maximum(k, 0)), np.power(10.0, np.maximum(-k, 0))
    with np.errstate(over="ignore", invalid="ignore"):
        rounded = np.round(x * up / down) * down / up
    return np.where(np.isfinite(rounded) & exact, rounded, x)


# ---------------------------------------------------------------- loss and accuracy
def history_frame(history: Sequence, max_points: int = MAX_CURVE_POINTS) -> Columns:
    """Loss and accuracy per epoch, one row per epoch: columns epoch, train_loss, test_loss, train_acc, test_acc
    (NaN where there is no test split or no accuracy). The charts fold the splits into one column themselves:
    one row per epoch is half the rows to send at each redraw.

    A long history is thinned to ``max_points`` epochs, always keeping the first and last.
    """
    n = len(history)
    names = ("epoch",) + SERIES
    if n == 0:
        return {name: np.zeros(0, dtype=np.int64 if name == "epoch" else np.float64) for name in names}
    idx = np.unique(np.linspace(0, n - 1, min(n, max_points)).round().astype(np.int64))
    epoch, *series = zip(*(history[i][:5] for i in idx))
    columns = {name: np.asarray(v, dtype=np.float64) for name, v in zip(SERIES, series)}  # None becomes NaN
    return {"epoch": np.asarray(epoch, dtype=np.int64), **columns}


def loss_per_point(loss_name: str) -> bool:
    """Whether the loss is a sum over the points, which the page divides by their number: a sum over 90
    test points next to one over 210 training points would sit apart for no reason."""
    return get_loss(loss_name).summed


def history_data(history: Sequence, counts: tuple[int, int] | None = None) -> dict[str, Columns]:
    """The history's columns for the curves; with ``counts`` (training points, test points), the losses
    divided by them (per point)."""
    columns = history_frame(history)
    if counts:
        for name, n in zip(("train_loss", "test_loss"), counts):
            columns[name] = columns[name] / max(n, 1)
    for name in ("train_loss", "test_loss"):  # a log axis cannot show 0: the floor is far below any curve
        columns[name] = np.maximum(columns[name], 1e-12)
    return {"history": columns}


# ---------------------------------------------------------------- decision surface
def value_range(data: Dataset, task: str) -> float:
    """The colour range of a regression surface and its points: the targets' largest size (symmetric about
    0); 1 for classes (probabilities)."""
    return (float(np.max(np.abs(data.y))) or 1.0) if task == "regression" else 1.0


def square_bounds(bounds) -> tuple[float, float, float, float]:
    """``bounds`` widened about their centre to a square, so one unit spans as many pixels on both axes
    (:func:`short`, as the charts write them)."""
    x0, x1, y0, y1 = bounds
    half = max(x1 - x0, y1 - y0) / 2
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return tuple(short(np.array([cx - half, cx + half, cy - half, cy + half])).tolist())


GROUND_OPACITY = 0.6  # the surface is drawn at this opacity over white, as TensorFlow Playground draws its ground
# (alpha 160 of 255): lighter than the points' full colours, so that a point shows on the ground of its own class


def ground(rgb: np.ndarray) -> np.ndarray:
    """Colours (..., 3) uint8 as the surface draws them: at :data:`GROUND_OPACITY` over white."""
    return np.round(np.asarray(rgb, dtype=np.float64) * GROUND_OPACITY + 255 * (1 - GROUND_OPACITY)).astype(np.uint8)


def surface_rgb(grid: Grid, output: str, value_range: float = 1.0, discretize: bool = False) -> np.ndarray:
    """The network's output over the grid as colours (res, res, 3) uint8, the highest y in the top row, lighter
    than the points drawn over it (:func:`ground`).

    Sigmoid: P(class 1) from orange through grey to blue; softmax: the winning class's colour, paler where
    the network is less sure; linear: the value from orange (-value_range) to blue (+value_range).
    Discretized: the decided class at its strongest, or the value rounded to quarters.
    """
    out = grid.outputs[::-1]
    if output == "sigmoid":
        p = out[:, :, 0]
        return ground(diverging_rgb((p > 0.5).astype(np.float64) if discretize else p))
    if output == "softmax":
        k = out.shape[2]
        colours = np.array([_hex_rgb(CLASS_COLORS[i % len(CLASS_COLORS)]) for i in range(k)])
        sure = np.ones(out.shape[:2]) if discretize else (out.max(axis=2) - 1 / k) / (1 - 1 / k)
        mixed = _hex_rgb(MID) + (colours[out.argmax(axis=2)] - _hex_rgb(MID)) * sure[:, :, None]
        return ground(mixed)
    v = out[:, :, 0]
    v = np.round(v * 4) / 4 if discretize else v
    return ground(diverging_rgb((v / value_range + 1) / 2))


def points_frame(train: Dataset, test: Dataset | None = None) -> Columns:
    """Data points with their split: columns x, y, label, split."""
    parts = [train] + ([test] if test is not None and len(test) else [])
    return {"x": np.concatenate([d.X[:, 0] for d in parts]), "y": np.concatenate([d.X[:, 1] for d in parts]),
            "label": np.concatenate([d.y for d in parts]),
            "split": np.repeat(["train", "test"][:len(parts)], [len(d) for d in parts])}


def rows_where(columns: Columns, keep: np.ndarray) -> Columns:
    return {k: np.asarray(v)[keep] for k, v in columns.items()}


OUTLINE = "#1a1a1a"  # every point's outline: near black, which contrasts with the ground's every colour


# ---------------------------------------------------------------- pictures
def _hex_rgb(color: str) -> np.ndarray:
    return np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


def _diverging_table(steps: int = 1024) -> np.ndarray:
    t = np.linspace(0.0, 1.0, steps)[:, None]
    neg, mid, pos = _hex_rgb(NEG), _hex_rgb(MID), _hex_rgb(POS)
    rgb = np.where(t < 0.5, neg + (mid - neg) * (t / 0.5), mid + (pos - mid) * ((t - 0.5) / 0.5))
    return np.round(rgb).astype(np.uint8)


_DIVERGING = _diverging_table()  # the colour of each of 1024 levels: a lookup is faster than the blend


def diverging_rgb(level: np.ndarray) -> np.ndarray:
    """Colours (..., 3) uint8 for levels in [0, 1]: orange at 0, grey at 0.5, blue at 1 (as the charts).
    NaN draws as grey."""
    t = np.nan_to_num(np.asarray(level, dtype=np.float64), nan=0.5)
    return _DIVERGING[np.rint(np.clip(t, 0.0, 1.0) * (len(_DIVERGING) - 1)).astype(np.intp)]


CLEAR = 255  # the palette index of "transparent"
PALETTE = np.vstack([_diverging_table(CLEAR), [[255, 255, 255]]]).astype(np.uint8)  # the diverging colours in
# 255 steps, then the transparent one


def diverging_index(level: np.ndarray) -> np.ndarray:
    """Indices (...) uint8 into :data:`PALETTE` for levels in [0, 1] (as :func:`diverging_rgb`, in 255 steps);
    NaN is grey."""
    t = np.nan_to_num(np.asarray(level, dtype=np.float64), nan=0.5)
    return np.rint(np.clip(t, 0.0, 1.0) * (CLEAR - 1)).astype(np.uint8)


def png_data_url(rgb: np.ndarray, palette: np.ndarray | None = None) -> str:
    """A data: URL holding the (height, width, 3) uint8 image (or (height, width, 4) with alpha) as PNG
    (zlib and struct, no imaging library); or, with a ``palette`` (k, 3) uint8, the (height, width) uint8
    indices into it, index :data:`CLEAR` transparent. A palette picture is a quarter of the bytes to
    encode, send and decode: the diagram's picture of 8 x 64 neurons is 21 kB instead of 51.

    Each row is filtered with PNG's "Sub" filter (each byte minus the one a pixel to its left): the smooth
    maps the page draws then compress to about half (a neuron's tile from 1.2 to 0.6 kB)."""
    if palette is not None:
        rgb = rgb[:, :, None]
    h, w, k = rgb.shape
    rows = rgb.reshape(h, k * w)
    raw = np.empty((h, k * w + 1), dtype=np.uint8)
    raw[:, 0] = 1  # filter type: Sub
    raw[:, 1:k + 1] = rows[:, :k]
    np.subtract(rows[:, k:], rows[:, :-k], out=raw[:, k + 1:])  # modulo 256, as uint8 arithmetic wraps

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    colour_type = 3 if palette is not None else {3: 2, 4: 6}[k]  # indexed, RGB, RGBA
    colours = b"" if palette is None else (
        chunk(b"PLTE", np.ascontiguousarray(palette, dtype=np.uint8).tobytes())
        + (chunk(b"tRNS", bytes([255] * CLEAR + [0])) if len(palette) > CLEAR else b""))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, colour_type, 0, 0, 0))
           + colours + chunk(b"IDAT", zlib.compress(raw.tobytes(), 6)) + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


# ---------------------------------------------------------------- figures, tables and files
_STRIP_STYLE = (
    "<style>.nnp-metrics{display:flex;flex-wrap:wrap;gap:.4rem 2rem;margin:.2rem 0 .6rem}"
    ".nnp-metrics>div{display:flex;flex-direction:column}"
    ".nnp-metrics .l{font-size:.85rem;opacity:.75}"
    ".nnp-metrics .v{font-size:1.75rem;line-height:1.25;font-variant-numeric:tabular-nums;white-space:nowrap}"
    ".nnp-metrics .n{font-size:.75rem;opacity:.65}</style>")


def metric_strip(items: Sequence[tuple[str, str, str, str]]) -> str:
    """HTML for a row of figures, each (label, value, note under it, tooltip), that wraps onto more lines
    on a narrow screen instead of cutting values short. Every text is escaped."""
    def one(label: str, value: str, note: str, tip: str) -> str:
        tip = f' title="{html.escape(tip)}"' if tip else ""
        note = f'<span class="n">{html.escape(note)}</span>' if note else ""
        return (f'<div data-metric="{html.escape(label)}"{tip}><span class="l">{html.escape(label)}</span>'
                f'<span class="v">{html.escape(value)}</span>{note}</div>')
    return _STRIP_STYLE + '<div class="nnp-metrics">' + "".join(one(*item) for item in items) + "</div>"
def truth_table(network: Network, data: Dataset) -> Columns:
    """Inputs, targets and outputs, like the tutorial's "Final Output after Training"."""
    out = network.predict(data.X)
    table = {"x1": data.X[:, 0], "x2": data.X[:, 1], "target": data.y}
    if out.shape[1] == 1:
        table["output"] = out[:, 0]
    else:
        table.update({f"P(class {k})": out[:, k] for k in range(out.shape[1])})
    return table


def markdown_table(table: Columns, digits: int = 6) -> str:
    """A small table as Markdown: whole numbers as they are, others to ``digits`` decimals."""
    def cell(v) -> str:
        return f"{v:g}" if float(v).is_integer() and abs(v) < 1e15 else f"{v:.{digits}f}"

    lines = ["| " + " | ".join(table) + " |", "|" + "---:|" * len(table)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in zip(*table.values())]
    return "\n".join(lines)

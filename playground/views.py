"""Figures of the explore views (gradients, transformed space, convergence odds, A/B) as HTML strings.

Pure functions of nn_core's records, like :mod:`playground.drawing`: SVG pictures in ``<img>`` elements,
testable without a server.
"""

from __future__ import annotations

import html
import math

import numpy as np

from nn_core.training import GradientRecord
from nn_core.transform import Transformed

from .charts import CLASS_COLORS, Columns
from .drawing import FONT, CurveBox, _label, curve_svg, line_legend, plot_img, point_marks, svg_data_url, ticks

# one colour per weight layer, first to last: a ramp from light to dark, so depth reads as darkness
LAYER_COLOURS = ("#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b", "#54278f", "#3f007d",
                 "#000000")
AB_COLOURS = {"A": "#b5651d", "B": "#333333"}


def layer_names(n_layers: int) -> list[str]:
    """The weight layers' names, input side first: the weights into hidden layer 1, 2, ..., then the output."""
    return [f"into layer {l + 1}" for l in range(n_layers - 1)] + ["into the output"]


def layer_colours(n_layers: int) -> dict[str, str]:
    """A colour per weight layer, the last (into the output) darkest."""
    picks = np.rint(np.linspace(len(LAYER_COLOURS) - 1, 0, n_layers)).astype(int)[::-1] if n_layers > 1 else [-1]
    return dict(zip(layer_names(n_layers), (LAYER_COLOURS[i] for i in picks)))


def gradients_figure(record: GradientRecord, width: int) -> str:
    """Per weight layer, the gradient's norm and the update-to-weight ratio against epoch, both on log
    axes: vanishing gradients show as the first layers' lines orders of magnitude under the last's."""
    n_layers = record.grad_norm.shape[1] if record.grad_norm.ndim == 2 else 0
    colours = layer_colours(n_layers)
    names = list(colours)
    out = [f'<div class="nnp-fig nnp-gradients" style="width:{width}px"><div class="t">Gradient per layer</div>'
           '<div class="s">the size of the loss&rsquo;s gradient for each layer&rsquo;s weights, ||dJ/dW||</div>',
           line_legend(colours)]
    if not len(record.epochs):
        return "".join(out) + '<div class="s">Train a step to see them.</div></div>'
    epochs = record.epochs.astype(np.float64)
    for i, (name, values, label, sub) in enumerate((
            ("grad", record.grad_norm, "gradient norm", ""),
            ("ratio", record.update_ratio, "update / weight", "how far each epoch moves the weights, "
                                                              "||ΔW|| / ||W||: about 1e-3 is healthy"))):
        if i:
            out.append(f'<div class="t" style="margin-top:.3rem">Update per layer</div>'
                       f'<div class="s">{html.escape(sub)}</div>')
        box = CurveBox(width, 170)
        series = {n: values[:, l] for l, n in enumerate(names)}
        out.append(plot_img(name, box, curve_svg(epochs, series, box, log=True, label=label, colours=colours),
                         f"{label} per layer against epoch"))
    return "".join(out) + "</div>"


def _extent(values: np.ndarray) -> tuple[float, float, float, float]:
    """A square window (x0, x1, y0, y1) around the finite points of ``values`` (n, 2), with a margin."""
    v = values[np.isfinite(values).all(axis=1)]
    if not len(v):
        return -1.0, 1.0, -1.0, 1.0
    lo, hi = v.min(axis=0), v.max(axis=0)
    centre, half = (lo + hi) / 2, max(float((hi - lo).max()) / 2, 1e-9) * 1.08
    return centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half


def space_figure(space: Transformed, points: Columns, task: str, value_range: float, size: int,
                 title: str) -> str:
    """The plane as a layer sees it: the plane's grid lines bent by the network (vertical lines blue-grey,
    horizontal ones brown-grey) and the data points where the layer puts them, in a square window."""
    lines = space.lines
    window = _extent(np.concatenate([space.points, lines.reshape(-1, 2)]))
    x0, x1, y0, y1 = window
    pad, plot = 30, size

    def px(v):
        return pad + (v[..., 0] - x0) / (x1 - x0) * plot, 6 + (y1 - v[..., 1]) / (y1 - y0) * plot

    parts = [f'<rect x="{pad}" y="6" width="{plot}" height="{plot}" fill="#fafafa" stroke="#bbb"/>']
    half = len(lines) // 2
    for i, line in enumerate(lines):
        keep = np.isfinite(line).all(axis=1)
        if keep.sum() < 2:
            continue
        xs, ys = px(line[keep])
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs.tolist(), ys.tolist()))
        colour = "#7b9cb8" if i < half else "#b89a7b"
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1"/>')

    parts.append(point_marks(_moved(points, space.points), window, task, value_range, _Square(plot, pad, 6), 3.2))
    text = f'font-size="10.5" fill="#555" style="{FONT}"'
    parts.append(f'<text x="{pad + plot / 2}" y="{plot + 26}" text-anchor="middle" {text}>'
                 f'{html.escape(space.axes[0])}</text><text x="11" y="{6 + plot / 2}" text-anchor="middle" '
                 f'transform="rotate(-90 11 {6 + plot / 2})" {text}>{html.escape(space.axes[1])}</text>')
    w, h = pad + plot + 8, plot + 34
    url = svg_data_url(w, h, "".join(parts))
    return (f'<div class="nnp-fig nnp-space" style="width:{w}px"><div class="t">{html.escape(title)}</div>'
            '<div class="s">the plane&rsquo;s grid lines and the data points as this layer sees them</div>'
            f'<div class="p" style="aspect-ratio:{w}/{h}"><img class="space" alt="the data points and the '
            f'plane&rsquo;s grid lines in the layer&rsquo;s space" src="{url}" '
            'style="left:0;top:0;width:100%;height:100%"></div></div>')


class _Square:
    """A square plot of ``size`` px at (left, top), as :func:`playground.drawing.point_marks` takes it."""

    def __init__(self, size: float, left: float = 0.0, top: float = 0.0):
        self.size, self.left, self.top = size, left, top


def _moved(points: Columns, xy: np.ndarray) -> Columns:
    """``points`` with their positions replaced by ``xy`` (n, 2)."""
    return {**points, "x": xy[:, 0], "y": xy[:, 1]}


def histogram_svg(values: np.ndarray, box: CurveBox, label: str, log: bool, colour: str, bins: int = 20) -> str:
    """Bars of how many of ``values`` fall in each of ``bins`` equal bins (of log10 of the values when
    ``log``): the x axis in the values' units, the y axis in counts."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v) & ((v > 0) if log else True)]
    L, T, W, H = box.left, box.top, box.plot_w, box.plot_h
    text = f'font-size="10.5" fill="#555" style="{FONT}"'
    parts = [f'<line x1="{L}" y1="{T + H}" x2="{L + W}" y2="{T + H}" stroke="#888"/>']
    if len(v):
        data = np.log10(v) if log else v
        lo, hi = float(data.min()), float(data.max())
        if hi - lo < 1e-12:
            lo, hi = lo - 0.5, hi + 0.5
        counts, edges = np.histogram(data, bins=bins, range=(lo, hi))
        top = max(int(counts.max()), 1)
        for t in ticks(0.0, float(top), 3):
            y = T + H - t / top * H
            parts.append(f'<line x1="{L}" y1="{y:.1f}" x2="{L + W}" y2="{y:.1f}" stroke="#eee"/>'
                         f'<text x="{L - 5}" y="{y + 3.5:.1f}" text-anchor="end" {text}>{t:g}</text>')
        bw = W / bins
        for i, c in enumerate(counts.tolist()):
            if c:
                h = c / top * H
                parts.append(f'<rect x="{L + i * bw + 0.5:.1f}" y="{T + H - h:.1f}" width="{max(bw - 1, 1):.1f}" '
                             f'height="{h:.1f}" fill="{colour}"><title>{c}</title></rect>')
        for t in (ticks(lo, hi, 4) if not log else range(math.ceil(lo), math.floor(hi) + 1)):
            x = L + (t - lo) / (hi - lo) * W
            name = f"1e{int(t)}" if log else _label(t)
            parts.append(f'<line x1="{x:.1f}" y1="{T + H}" x2="{x:.1f}" y2="{T + H + 4}" stroke="#888"/>'
                         f'<text x="{x:.1f}" y="{T + H + 15}" text-anchor="middle" {text}>{name}</text>')
    parts.append(f'<text x="{L + W / 2}" y="{T + H + 28}" text-anchor="middle" {text}>{html.escape(label)}</text>'
                 f'<text x="11" y="{T + H / 2}" text-anchor="middle" transform="rotate(-90 11 {T + H / 2})" '
                 f'{text}>seeds</text>')
    return "".join(parts)


def odds_figure(result, width: int) -> str:
    """The odds over seeds as two histograms: the epoch each converged run converged at, and every run's
    final training loss (log scale)."""
    out = [f'<div class="nnp-fig nnp-odds" style="width:{width}px">']
    converged = result.converged_at[result.converged_at >= 0]
    box = CurveBox(width, 150)
    out.append('<div class="t">Epochs to converge</div>'
               f'<div class="s">{len(converged):,} of {result.seeds:,} runs converged</div>')
    out.append(plot_img("epochs", box, histogram_svg(converged, box, "epoch first converged", False, CLASS_COLORS[1]),
                     "how many seeds converged at each epoch"))
    out.append('<div class="t" style="margin-top:.3rem">Final training loss</div><div class="s">every run</div>')
    out.append(plot_img("losses", box, histogram_svg(result.final_loss, box, "final loss (log scale)", True,
                                                  "#555555"), "how many seeds ended at each loss"))
    return "".join(out) + "</div>"


def ab_curves(a: dict[str, np.ndarray], b: dict[str, np.ndarray], label: str, log: bool, width: int) -> str:
    """Both runs' training loss against epoch on one chart (each a dict with "epoch" and "loss")."""
    epochs = np.union1d(a["epoch"], b["epoch"]).astype(np.float64)
    series = {k: np.interp(epochs, r["epoch"], r["loss"], left=np.nan, right=np.nan) if len(r["epoch"])
              else np.full(len(epochs), np.nan) for k, r in (("A", a), ("B", b))}
    box = CurveBox(width, 180)
    return (f'<div class="nnp-fig nnp-ab" style="width:{width}px"><div class="t">Training loss, A and B</div>'
            f'{line_legend(AB_COLOURS)}'
            + plot_img("ab", box, curve_svg(epochs, series, box, log=log, label=label, colours=AB_COLOURS),
                    "training loss of runs A and B against epoch") + "</div>")


def points_overlay(points: Columns, bounds, task: str, value_range: float, size: int) -> str:
    """The data URL of the data points alone over a square surface of ``size`` px (no axes)."""
    return svg_data_url(size, size, point_marks(points, bounds, task, value_range, _Square(size), 2.6))


def small_surface(title: str, picture: str, overlay: str, size: int) -> str:
    """A surface with its points over it (``overlay``: :func:`points_overlay`) in one figure, for A and B
    side by side."""
    return (f'<div class="nnp-fig nnp-small" style="width:{size}px"><div class="t">{html.escape(title)}</div>'
            f'<div class="p" style="aspect-ratio:1/1"><img class="small" alt="{html.escape(title)}" src="{picture}" '
            'style="left:0;top:0;width:100%;height:100%"><img alt="" src="' + overlay + '" '
            'style="left:0;top:0;width:100%;height:100%"></div></div>')

"""Pure functions: model state -> pandas frames -> Altair charts. No Streamlit here.

Every chart builder takes plain values (a network, a grid, a history) and
returns an ``alt.Chart``; the frames behind them are built by their own
functions so tests can compare them with the model's predictions.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from nn_core import Dataset, Grid, Network
from nn_core.features import FEATURES

# TensorFlow Playground's colours: orange for class 0 / negative, blue for class 1 / positive.
NEG, MID, POS = "#f59322", "#e8eaeb", "#0877bd"
CLASS_COLORS = ["#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
MAX_CURVE_POINTS = 1000
MAX_EDGES = 1500


# ---------------------------------------------------------------- history
def history_frame(history: Sequence, max_points: int = MAX_CURVE_POINTS) -> pd.DataFrame:
    """Long-form loss and accuracy per epoch: columns epoch, split, loss, accuracy.

    A long history is thinned to ``max_points`` epochs, always keeping the last.
    """
    n = len(history)
    if n == 0:
        return pd.DataFrame({"epoch": [], "split": [], "loss": [], "accuracy": []})
    idx = np.unique(np.linspace(0, n - 1, min(n, max_points)).round().astype(int))
    rows = [history[i] for i in idx]
    epochs = [r.epoch for r in rows]
    parts = [pd.DataFrame({"epoch": epochs, "split": "train", "loss": [r.train_loss for r in rows],
                           "accuracy": [r.train_acc for r in rows]})]
    if rows[-1].test_loss is not None:
        parts.append(pd.DataFrame({"epoch": epochs, "split": "test", "loss": [r.test_loss for r in rows],
                                   "accuracy": [r.test_acc for r in rows]}))
    return pd.concat(parts, ignore_index=True)


def loss_chart(frame: pd.DataFrame, log_scale: bool = False, loss_name: str = "loss") -> alt.Chart:
    """Train and test loss against epoch on one chart."""
    data = frame.assign(loss=frame["loss"].clip(lower=1e-12)) if log_scale else frame
    y = alt.Y("loss:Q", title=f"{loss_name} loss", scale=alt.Scale(type="log") if log_scale else alt.Scale(zero=True))
    return (
        alt.Chart(data, title="Loss")
        .mark_line()
        .encode(
            x=alt.X("epoch:Q", title="epoch"),
            y=y,
            color=alt.Color("split:N", scale=alt.Scale(domain=["train", "test"], range=["#333333", POS]),
                            legend=alt.Legend(title=None, orient="top")),
            tooltip=["epoch:Q", "split:N", alt.Tooltip("loss:Q", format=".5g")],
        )
        .properties(height=220)
    )


def accuracy_chart(frame: pd.DataFrame) -> alt.Chart:
    """Train and test accuracy against epoch, on [0, 1]."""
    return (
        alt.Chart(frame.dropna(subset=["accuracy"]), title="Accuracy")
        .mark_line()
        .encode(
            x=alt.X("epoch:Q", title="epoch"),
            y=alt.Y("accuracy:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
            color=alt.Color("split:N", scale=alt.Scale(domain=["train", "test"], range=["#333333", POS]),
                            legend=alt.Legend(title=None, orient="top")),
            tooltip=["epoch:Q", "split:N", alt.Tooltip("accuracy:Q", format=".1%")],
        )
        .properties(height=220)
    )


# ---------------------------------------------------------------- decision surface
def surface_frame(grid: Grid, output: str, discretize: bool = False) -> pd.DataFrame:
    """One row per grid cell: its corners (x, x2, y, y2) and what the network says there.

    Columns by output kind: sigmoid -> p (probability of class 1); softmax ->
    class, confidence; linear -> value. Discretized: p becomes 0/1 and
    confidence 1.
    """
    xs, ys = grid.xs, grid.ys
    dx, dy = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2
    gx, gy = np.meshgrid(xs, ys)
    frame = pd.DataFrame({"x": (gx - dx).ravel(), "x2": (gx + dx).ravel(),
                          "y": (gy - dy).ravel(), "y2": (gy + dy).ravel()})
    out = grid.outputs.reshape(-1, grid.outputs.shape[-1])
    if output == "sigmoid":
        p = out[:, 0]
        frame["p"] = (p > 0.5).astype(float) if discretize else p
    elif output == "softmax":
        frame["class"] = out.argmax(axis=1)
        frame["confidence"] = 1.0 if discretize else out.max(axis=1)
    else:
        v = out[:, 0]
        frame["value"] = np.round(v * 4) / 4 if discretize else v
    return frame


def points_frame(train: Dataset, test: Dataset | None = None) -> pd.DataFrame:
    """Data points with their split: columns x, y, label, split."""
    parts = [pd.DataFrame({"x": train.X[:, 0], "y": train.X[:, 1], "label": train.y, "split": "train"})]
    if test is not None and len(test):
        parts.append(pd.DataFrame({"x": test.X[:, 0], "y": test.X[:, 1], "label": test.y, "split": "test"}))
    return pd.concat(parts, ignore_index=True)


def _label_scale(task: str, n_classes: int, value_range: float) -> alt.Scale:
    if task == "binary":
        return alt.Scale(domain=[0, 1], range=[NEG, POS])
    if task == "multiclass":
        return alt.Scale(domain=list(range(n_classes)), range=CLASS_COLORS[:n_classes])
    return alt.Scale(domain=[-value_range, 0, value_range], range=[NEG, MID, POS], clamp=True)


def surface_chart(grid: Grid, output: str, task: str, n_classes: int, points: pd.DataFrame, *,
                  discretize: bool = False, show_test: bool = True, value_range: float = 1.0,
                  size: int = 420) -> alt.LayerChart:
    """Heatmap of the network's output over the plane with the data on top.

    Training points are filled, test points outlined. The axes are fixed to
    the grid's bounds so the picture does not jump while training.
    """
    x0, x1, y0, y1 = grid.xs[0], grid.xs[-1], grid.ys[0], grid.ys[-1]
    xscale = alt.Scale(domain=[float(x0), float(x1)], nice=False, zero=False)
    yscale = alt.Scale(domain=[float(y0), float(y1)], nice=False, zero=False)
    cells = surface_frame(grid, output, discretize)
    base = alt.Chart(cells).mark_rect(opacity=0.85)
    pos = dict(x=alt.X("x:Q", scale=xscale, title="x1"), x2="x2:Q", y=alt.Y("y:Q", scale=yscale, title="x2"),
               y2="y2:Q")
    if output == "sigmoid":
        heat = base.encode(**pos, color=alt.Color("p:Q", scale=alt.Scale(domain=[0, 0.5, 1], range=[NEG, MID, POS]),
                                                  legend=alt.Legend(title="P(class 1)")),
                           tooltip=[alt.Tooltip("p:Q", format=".3f")])
    elif output == "softmax":
        heat = base.encode(**pos, color=alt.Color("class:N", scale=_label_scale("multiclass", n_classes, 1),
                                                  legend=alt.Legend(title="class")),
                           opacity=alt.Opacity("confidence:Q", scale=alt.Scale(domain=[0, 1]), legend=None),
                           tooltip=["class:N", alt.Tooltip("confidence:Q", format=".3f")])
    else:
        heat = base.encode(**pos, color=alt.Color("value:Q", scale=_label_scale("regression", 0, value_range),
                                                  legend=alt.Legend(title="output")),
                           tooltip=[alt.Tooltip("value:Q", format=".3f")])
    shown = points if show_test else points[points["split"] == "train"]
    label_type = "Q" if task == "regression" else "N" if task == "multiclass" else "Q"
    label_scale = _label_scale(task, n_classes, value_range)
    dots = alt.Chart(shown).mark_point(size=40, filled=True, opacity=1).encode(
        x=alt.X("x:Q", scale=xscale), y=alt.Y("y:Q", scale=yscale),
        fill=alt.condition("datum.split == 'train'", alt.Fill(f"label:{label_type}", scale=label_scale, legend=None),
                           alt.value("transparent")),
        stroke=alt.condition("datum.split == 'train'", alt.value("white"),
                             alt.Stroke(f"label:{label_type}", scale=label_scale, legend=None)),
        strokeWidth=alt.condition("datum.split == 'train'", alt.value(1), alt.value(2)),
        shape=alt.value("circle"),
        tooltip=["split:N", alt.Tooltip("label", title="label"), alt.Tooltip("x:Q", format=".3f"),
                 alt.Tooltip("y:Q", format=".3f")],
    )
    return alt.layer(heat, dots).properties(width=size, height=size, title="Decision surface").resolve_scale(
        color="independent")


# ---------------------------------------------------------------- network diagram
def _layer_names(network: Network) -> list[list[str]]:
    a = network.arch
    names = [list(a.features)]
    for l, w in enumerate(a.hidden):
        names.append([f"h{l + 1}.{j + 1}" for j in range(w)])
    names.append(["output"] if a.n_outputs == 1 else [f"class {k}" for k in range(a.n_outputs)])
    return names


def network_frames(network: Network, max_edges: int = MAX_EDGES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(nodes, edges) for the diagram. Nodes: layer, name, x, y, bias, activation.
    Edges: x, y, x2, y2, source, target, weight, magnitude. Past ``max_edges``, the strongest are kept."""
    names = _layer_names(network)
    a = network.arch
    acts = ["input", *a.activations, a.output]
    height = max(len(n) for n in names)
    ypos = [[(height - 1) / 2 - (len(n) - 1) / 2 + j for j in range(len(n))] for n in names]
    nodes = []
    for l, layer in enumerate(names):
        bias = network.biases(l - 1) if l > 0 else None
        for j, name in enumerate(layer):
            nodes.append({"layer": l, "name": name, "x": float(l), "y": ypos[l][j],
                          "bias": float(bias[j]) if bias is not None else None, "activation": acts[l]})
    edges = []
    for l in range(network.n_layers):
        W = network.weights(l)
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                edges.append({"x": float(l), "y": ypos[l][i], "x2": float(l + 1), "y2": ypos[l + 1][j],
                              "source": names[l][i], "target": names[l + 1][j], "weight": float(W[i, j])})
    edges = pd.DataFrame(edges)
    edges["magnitude"] = edges["weight"].abs()
    if len(edges) > max_edges:
        edges = edges.nlargest(max_edges, "magnitude").sort_index()
    return pd.DataFrame(nodes), edges


def network_chart(network: Network, width: int = 700) -> alt.LayerChart:
    """Neurons as nodes (coloured by bias), weights as edges (colour = sign, width = magnitude)."""
    nodes, edges = network_frames(network)
    height = max(160, 22 * (nodes["y"].max() + 1))
    wmax = float(edges["magnitude"].max()) if len(edges) else 1.0
    xs = alt.Scale(domain=[-0.3, nodes["x"].max() + 0.3], nice=False)
    ys = alt.Scale(domain=[nodes["y"].max() + 0.7, -0.7], nice=False)
    rules = alt.Chart(edges).mark_rule(opacity=0.75).encode(
        x=alt.X("x:Q", scale=xs, axis=None), y=alt.Y("y:Q", scale=ys, axis=None), x2="x2:Q", y2="y2:Q",
        color=alt.condition("datum.weight >= 0", alt.value(POS), alt.value(NEG)),
        strokeWidth=alt.StrokeWidth("magnitude:Q", scale=alt.Scale(domain=[0, max(wmax, 1e-9)], range=[0.3, 6]),
                                    legend=None),
        tooltip=["source:N", "target:N", alt.Tooltip("weight:Q", format=".4f")],
    )
    dots = alt.Chart(nodes).mark_circle(size=260, stroke="#333", strokeWidth=1, opacity=1).encode(
        x=alt.X("x:Q", scale=xs), y=alt.Y("y:Q", scale=ys),
        color=alt.condition("datum.bias === null", alt.value("#ffffff"),
                            alt.Color("bias:Q", scale=alt.Scale(domain=[-2, 0, 2], range=[NEG, MID, POS],
                                                                clamp=True), legend=alt.Legend(title="bias"))),
        tooltip=["name:N", "activation:N", alt.Tooltip("bias:Q", format=".4f")],
    )
    labels = alt.Chart(nodes[nodes["layer"] == 0]).mark_text(dx=-18, align="right", fontSize=11).encode(
        x=alt.X("x:Q", scale=xs), y=alt.Y("y:Q", scale=ys), text="name:N")
    return alt.layer(rules, dots, labels).properties(width=width, height=height, title="Network")


# ---------------------------------------------------------------- per-neuron maps
def neuron_frame(grid: Grid, per_row: int = 8) -> pd.DataFrame:
    """Every hidden neuron's activation over the grid, laid out as tiles: one row of tiles per
    ``per_row`` neurons of a layer. Columns: neuron, layer, tx, ty (tile), x, x2, y, y2, activation, level."""
    res = len(grid.xs)
    frames, tile_row = [], 0
    cell = 1.0 / res
    jj, ii = np.meshgrid(np.arange(res), np.arange(res))
    for l, acts in enumerate(grid.hidden):
        width = acts.shape[2]
        for j in range(width):
            a = acts[:, :, j]
            lo, hi = float(a.min()), float(a.max())
            level = (a - lo) / (hi - lo) if hi > lo else np.full_like(a, 0.5)
            tx, ty = j % per_row, tile_row + j // per_row
            frames.append(pd.DataFrame({
                "neuron": f"h{l + 1}.{j + 1}", "layer": l + 1,
                "x": tx * 1.1 + jj.ravel() * cell, "x2": tx * 1.1 + (jj.ravel() + 1) * cell,
                "y": ty * 1.1 + 1 - (ii.ravel() + 1) * cell, "y2": ty * 1.1 + 1 - ii.ravel() * cell,
                "activation": a.ravel(), "level": level.ravel(),
            }))
        tile_row += -(-width // per_row)
    if not frames:
        return pd.DataFrame(columns=["neuron", "layer", "x", "x2", "y", "y2", "activation", "level"])
    return pd.concat(frames, ignore_index=True)


def neuron_chart(grid: Grid, per_row: int = 8, tile_px: int = 70) -> alt.Chart:
    """Small heatmaps of each hidden neuron's activation over the plane (colour scaled per neuron)."""
    frame = neuron_frame(grid, per_row)
    if frame.empty:
        return alt.Chart(pd.DataFrame({"text": ["no hidden layers"]})).mark_text().encode(text="text:N")
    cols = min(per_row, int(frame["x2"].max() // 1.1) + 1)
    rows = int(frame["y2"].max() // 1.1) + 1
    return alt.Chart(frame, title="Hidden neurons over the plane (each scaled to its own range)").mark_rect().encode(
        x=alt.X("x:Q", axis=None, scale=alt.Scale(domain=[0, cols * 1.1 - 0.1], nice=False)), x2="x2:Q",
        y=alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[rows * 1.1 - 0.1, 0], nice=False)), y2="y2:Q",
        color=alt.Color("level:Q", scale=alt.Scale(domain=[0, 0.5, 1], range=[NEG, MID, POS]), legend=None),
        tooltip=["neuron:N", alt.Tooltip("activation:Q", format=".3f")],
    ).properties(width=cols * tile_px, height=rows * tile_px)


# ---------------------------------------------------------------- tables
def truth_table(network: Network, data: Dataset) -> pd.DataFrame:
    """Inputs, targets and outputs, like the tutorial's "Final Output after Training"."""
    out = network.predict(data.X)
    frame = pd.DataFrame({"x1": data.X[:, 0], "x2": data.X[:, 1], "target": data.y})
    if out.shape[1] == 1:
        frame["output"] = out[:, 0]
    else:
        for k in range(out.shape[1]):
            frame[f"P(class {k})"] = out[:, k]
    return frame


def dataset_csv(train: Dataset, test: Dataset) -> str:
    """The data as CSV: x1, x2, label, split."""
    frame = points_frame(train, test).rename(columns={"x": "x1", "y": "x2"})
    return frame.to_csv(index=False)


FEATURE_LABELS = {name: name for name in FEATURES}

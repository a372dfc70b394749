"""The main area: buttons, status, metrics and charts for one session. Drawn inside an
``st.fragment`` that reruns on a timer while training, so only this part redraws."""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from nn_core import DATASETS, data_bounds, dumps, evaluate_grid
from nn_core.text import format_number, format_percent

from . import charts, compat
from .session import Session, turns

SURFACE_RESOLUTION = 100
NEURON_RESOLUTION = 32
MAX_NEURON_MAPS = 64
# The parts of the main area a shared link may hide (``hide=`` in the URL, read by playground.state):
# name -> what it is. st.session_state["hidden"] holds the hidden names.
PANELS = {
    "surface": "the output surface",
    "network": "the network diagram",
    "curves": "the loss and accuracy curves",
    "metrics": "the figures (epoch, losses, accuracy)",
    "view": "the display options",
    "files": "the download buttons",
    "help": "the explanations",
}
VIEW_OPTIONS = ("Discretize output", "Show test data", "Log scale")  # how the charts draw, in that order
STEP_SECONDS = 2.0  # the most one click on "+100" may train (the other visitors wait their turn meanwhile)


def buttons(s: Session) -> None:
    c = st.columns([1.3, 1, 1, 1, 4], vertical_alignment="center")
    if s.running:
        if compat.button(c[0], "⏸ Pause", key="pause", type="primary"):
            s.pause()
            st.rerun()  # the whole page, to stop the timer
    elif compat.button(c[0], "▶ Train", key="train", type="primary"):
        s.start()
        st.rerun()  # the whole page, to start the timer
    if compat.button(c[1], "Step", key="step", help="Train one epoch", disabled=s.running):
        s.train(1)
    if compat.button(c[2], "+100", key="step100", help="Train 100 epochs", disabled=s.running):
        n = s.train(100, STEP_SECONDS)
        if n < 100 and not s.exp.trainer.divergence:
            st.toast(f"Trained {n} epochs: one click trains for {STEP_SECONDS:g} s at most.")
    if compat.button(c[3], "Reset", key="reset", help="A fresh network from the seed, epoch 0"):
        s.reset()
        st.rerun()
    status = ("training…" if s.running else "diverged" if s.exp.trainer.divergence
              else "done" if s.done else "ready" if s.epoch == 0 else "paused")
    c[4].markdown(f"**Epoch {s.epoch:,}** of {s.target:,} · {status}")


def metrics(s: Session) -> None:
    """The figures of the run as one strip that wraps on narrow screens (one element to redraw, not 14)."""
    h = s.exp.trainer.history
    last = h[-1] if h else None
    rate = s.live_rate if s.live_rate else (last.epoch / last.seconds if last and last.seconds > 0 else None)
    redraws = f"{s.redraw_rate:.1f} redraws/s" if s.redraw_rate and s.live_ticks > 1 else ""
    st.markdown(charts.metric_strip([
        ("Epoch", format_number(s.epoch), "", ""),
        ("Train loss", format_number(last and last.train_loss, 3), "", ""),
        ("Test loss", format_number(last and last.test_loss, 3), "", ""),
        ("Train accuracy", format_percent(last and last.train_acc), "", ""),
        ("Test accuracy", format_percent(last and last.test_acc), "", ""),
        ("Parameters", format_number(s.exp.network.arch.n_params), "", "Weights and biases of the network."),
        ("Epochs / s", "–" if rate is None else f"{rate:,.0f}", redraws,
         "While training here: epochs per second of wall time, redraws included."),
    ]), unsafe_allow_html=True)


def draw(spec: dict, data: dict, key: str) -> None:
    compat.vega_lite_chart(charts.figure(spec, data), key=key)


def charts_area(s: Session) -> None:
    exp = s.exp
    net, c = exp.network, exp.config
    if "points" not in s.cache:
        s.cache["points"] = charts.points_frame(exp.train, exp.test)
        s.cache["bounds"] = charts.square_bounds(data_bounds(exp.data.X))
        # the colour scale of a regression surface spans the targets, symmetric about 0
        s.cache["value_range"] = (float(np.max(np.abs(exp.data.y))) or 1.0) if c.task == "regression" else 1.0
    bounds, value_range = s.cache["bounds"], s.cache["value_range"]
    view = st.pills("View", VIEW_OPTIONS, selection_mode="multi", default=["Show test data"], key="view",
                    label_visibility="collapsed")
    discretize, show_test, log = (o in view for o in VIEW_OPTIONS)
    left, right = st.columns([1, 1])
    with left:
        st.markdown("**Output surface**" if c.task == "regression" else "**Decision surface**",
                    help="The network's output at every point of the plane: orange for class 0 (or low values), "
                         "blue for class 1 (or high), grey where it is unsure. Circles are training points, "
                         "squares test points.")
        grid = evaluate_grid(net, bounds, SURFACE_RESOLUTION)
        point_size = 200 if len(exp.data) <= 20 else 40  # the 4-point truth tables get big dots
        spec = charts.surface_spec(c.task, c.n_classes, bounds, value_range, point_size=point_size)
        data = charts.surface_data(grid, net.arch.output, s.cache["points"], discretize, show_test, value_range)
        draw(spec, data, "surface_chart")
    with right:
        history = charts.history_data(exp.trainer.history)
        draw(charts.loss_spec(log, c.loss_name), history, "loss_chart")
        if c.task != "regression":
            draw(charts.accuracy_spec(), history, "accuracy_chart")
    if DATASETS[c.dataset].fixed:
        st.subheader("Final Output after Training" if s.done and s.epoch else "Output")
        st.markdown(charts.markdown_table(charts.truth_table(net, exp.data)))
    draw(charts.network_spec(charts.layer_names(net.arch)), charts.network_data(net), "network_chart")
    neuron_maps(s, bounds)


def neuron_maps(s: Session, bounds) -> None:
    net = s.exp.network
    if not net.arch.hidden:
        return
    grid = evaluate_grid(net, bounds, NEURON_RESOLUTION, hidden=True)
    widths = net.arch.hidden
    if sum(widths) > MAX_NEURON_MAPS:
        layer = st.selectbox("Neuron maps for layer", list(range(1, len(widths) + 1)), key="neuron_layer")
        layer = min(layer, len(widths))
        grid = type(grid)(grid.xs, grid.ys, grid.outputs, (grid.hidden[layer - 1],))
        widths = (widths[layer - 1],)
    draw(charts.neuron_spec(*charts.neuron_layout(widths)), {"neurons": charts.neuron_frame(grid)}, "neuron_chart")


def files(s: Session) -> None:
    exp, epoch = s.exp, s.epoch

    # Callables: the files are made when a button is clicked, not at every redraw while training.
    def model_file() -> str:
        return dumps(exp.network, {**exp.config.to_dict(), "epochs_trained": epoch})

    def data_file() -> str:
        return charts.dataset_csv(exp.train, exp.test)

    c1, c2 = st.columns(2)
    compat.download_button(c1, "Download model (JSON)", model_file, file_name="model.json", mime="application/json",
                           key="download_model")
    compat.download_button(c2, "Download data (CSV)", data_file, file_name=f"{exp.config.dataset}.csv",
                           mime="text/csv", key="download_data")


def panel(s: Session) -> None:
    """Everything in the main area. While the session runs, each run of this fragment (on a timer)
    trains a time slice, then draws; the runs of different visitors take turns."""
    called = time.perf_counter()
    with turns.turn(s.drawn if s.running else 0.0):  # a visitor's click goes first
        _panel(s, called, time.perf_counter())


def _panel(s: Session, called: float, turn: float) -> None:
    s.tick()
    if s.timer and (not s.running or s.timer != s.interval):
        st.rerun()  # finished, diverged, or the timer needs another interval: the whole page sets it anew
    buttons(s)
    d = s.exp.trainer.divergence
    if d is not None:
        st.error(d.message)
    metrics(s)
    charts_area(s)
    files(s)
    if s.timer:
        now = time.perf_counter()
        s.ran(now - called, now - turn)


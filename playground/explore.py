"""The explore views under the figures: questions one run does not answer.

- **Timeline**: the network at log-spaced epochs of the run; a slider (log-spaced) takes the figures, the
  surface, the diagram and the neuron maps back to any of them, and the curves mark that epoch.
- **Gradients**: per layer, the gradient's norm and the update-to-weight ratio over the epochs (log
  axes), with a one-click example of vanishing gradients.
- **Transformed space**: the plane and the data as a chosen layer sees them (ConvNetJS's view), live.
- **Convergence odds**: the experiment trained from many seeds at once; how many converged, and when.
- **A/B**: pin this run as A, change settings, train B: both curves on one chart, both surfaces.
- **Export script**: one NumPy-only Python file that reruns the experiment.

One view at a time (``st.session_state[keys.EXPLORE]``), none by default: a closed view costs nothing.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import numpy as np
import streamlit as st

from nn_core import SETTINGS, Config, data_bounds, evaluate_grid, transformed_space
from nn_core.config import VANISHING, VANISHING_RELU
from nn_core.export import script
from nn_core.odds import MAX_PAGE_SEEDS, max_seeds
from nn_core.training import EpochRecord

from . import charts, compat, controls, keys, views, words
from .messages import markdown, say
from .page_cache import PageCache
from .session import Session
from .url import EXPLORE_KEYS

VIEWS = tuple(EXPLORE_KEYS)  # Timeline, Gradients, Transformed space, Convergence odds, A/B, Export script
WIDTH = 420  # px of an explore figure
TIMELINE_PLACES = 120  # steps of the timeline's slider, spread evenly over log(1 + epoch)
SCRIPT_STYLE = '<style>[data-testid="stCode"] pre{max-height:24rem;overflow:auto}</style>'  # the exported
# script in a block of its own height that scrolls, not 7,000 px of page
SMALL = 200  # px of each surface in A/B
HELP = {
    "Timeline": "The run is kept at log-spaced epochs (every early one, then ever fewer: at most 200). Pick one "
                "and the surface, the diagram and its neuron maps show the network as it was then; the curves "
                "mark the epoch. Training goes on from the newest.",
    "Gradients": "How strongly the loss pulls on each layer's weights (the gradient's norm) and how far each epoch "
                 "moves them (the update over the weights' size). When the first layers' lines sit orders of "
                 "magnitude below the last's, their gradients vanish: they barely learn. Sigmoids do this in deep "
                 "networks (each layer multiplies the gradient by at most 1/4); ReLU does not.",
    "Transformed space": "Each layer maps the plane to its neurons' values. Here the plane's grid lines and the "
                         "data points are drawn as a layer sees them (its two neurons, or for a wider layer the two "
                         "directions in which the data points spread most). Watch the layers bend and fold the "
                         "plane until a straight line separates the classes.",
    "Convergence odds": "Was this run lucky? The same experiment trained from many network seeds at once (seeds "
                        "s, s+1, ...), each exactly as a single run with that seed. A classifier has converged when "
                        "every training point is on the right side (100% training accuracy); a regression when its "
                        "training loss is under the threshold.",
    "A/B": "Pin the current run as A, change any setting, and train B: both loss curves on one chart and both "
           "surfaces side by side. The link keeps A's settings: opening it trains A again.",
    "Export script": "One Python file that needs only NumPy: it builds the same data and initial weights, trains "
                     "with the same maths and prints the final loss, the one the page and the command line get.",
}


def chosen() -> str | None:
    view = st.session_state.get(keys.EXPLORE)
    return view if view in VIEWS else None


# ---------------------------------------------------------------- timeline
def timeline_epoch(s: Session) -> int | None:
    """The kept epoch the figures show instead of the newest, if the timeline is open at an earlier one."""
    if chosen() != "Timeline" or s.running:
        return None
    e = st.session_state.get(keys.TIMELINE_EPOCH)
    if not isinstance(e, int) or e >= s.epoch or not len(s.timeline):
        return None
    try:
        return s.timeline.nearest(e)
    except ValueError:
        return None


def log_spaced(epochs: list[int], places: int = TIMELINE_PLACES) -> list[int]:
    """Of the kept ``epochs`` (increasing), the one nearest each of ``places`` points spread evenly over
    log(1 + epoch), each once (the first and the last always): the slider's steps are then as wide for the early
    epochs, where a network changes most, as for the late ones (but for the first few, every one of which is a
    step of its own)."""
    if len(epochs) <= 2:
        return list(epochs)
    logs = np.log1p(np.asarray(epochs, dtype=np.float64))
    targets = np.linspace(logs[0], logs[-1], places)
    i = np.clip(np.searchsorted(logs, targets), 1, len(logs) - 1)
    nearest = np.where(targets - logs[i - 1] <= logs[i] - targets, i - 1, i)
    return [epochs[k] for k in np.unique(nearest).tolist()]


def record_at(s: Session, epoch: int) -> EpochRecord | None:
    """The run's record of ``epoch`` (the last of that epoch: new data adds one), the start loss alone at epoch 0,
    or None."""
    history = s.exp.trainer.history
    i = bisect_right(history, epoch, key=lambda r: r.epoch) - 1
    if i >= 0 and history[i].epoch == epoch:
        return history[i]
    start = s.exp.trainer.start_loss
    return EpochRecord(0, start, None, None, None, 0.0) if epoch == 0 and start is not None else None


def timeline(s: Session) -> None:
    epochs = log_spaced(s.timeline.epochs.tolist())
    if s.running:
        st.caption(f"Keeping the run at {len(epochs)} epochs so far: pause to go back through them.")
        return
    if len(epochs) < 2:
        st.caption("Train a few epochs, then come back here to go back through them.")
        return
    if st.session_state.get(keys.TIMELINE_EPOCH) not in epochs:
        st.session_state[keys.TIMELINE_EPOCH] = epochs[-1]
    st.select_slider("Epoch shown", options=epochs, key=keys.TIMELINE_EPOCH, format_func=lambda e: f"{e:,}",
                     help="The surface, the diagram and the neuron maps show the network at this epoch")
    shown = st.session_state[keys.TIMELINE_EPOCH]
    st.caption(f"{len(s.timeline)} epochs kept, from 0 to {epochs[-1]:,}, on a log scale. "
               + (f"Showing epoch {shown:,}." if shown < s.epoch else "Showing the newest."))


# ---------------------------------------------------------------- gradients
def gradients(s: Session, main, side) -> None:
    stats = s.exp.trainer.gradient_stats
    main.markdown(views.gradients_figure(stats.record(), WIDTH), unsafe_allow_html=True)
    side.caption("Try it: a deep sigmoid network whose first layers hardly learn, then the same with ReLU.")
    clicked = [compat.button(side, "Example: vanishing gradients", key=keys.VANISHING, on_click=controls.set_widgets,
                             args=(VANISHING,), help="8 layers of 8 sigmoid neurons on two blobs: the first layers "
                                                     "barely learn"),
               compat.button(side, "The same with ReLU", key=keys.VANISHING_RELU, on_click=controls.set_widgets,
                             args=(VANISHING_RELU,), help="The same network with ReLU: every layer's gradient is "
                                                          "about the same size")]
    if any(clicked):  # new settings: the page (outside this fragment) builds them
        st.rerun()


# ---------------------------------------------------------------- transformed space
def space(s: Session, cache: PageCache, network, main, side) -> None:
    arch = network.arch
    layers = {f"Layer {l}": l for l in range(1, len(arch.hidden) + 1)}
    layers["Output"] = len(arch.hidden) + 1
    if st.session_state.get(keys.SPACE_LAYER) not in layers:
        st.session_state[keys.SPACE_LAYER] = next(iter(layers))
    name = side.pills("Layer", list(layers), selection_mode="single", key=keys.SPACE_LAYER) or next(iter(layers))
    layer = layers[name]
    points = cache.points
    X = np.column_stack([points["x"], points["y"]])
    with np.errstate(over="ignore", invalid="ignore"):
        t = transformed_space(network, layer, X, cache.bounds, reference=cache.space_reference.get(layer))
    cache.space_reference[layer] = t.components  # keeps the picture from flipping
    main.markdown(views.space_figure(t, points, s.exp.config.task, cache.value_range, 340,
                                     f"The plane as {name.lower()} sees it"), unsafe_allow_html=True)
    side.caption(f"Axes: {t.axes[0]} across, {t.axes[1]} up." + (
        " A wider layer is drawn by the two directions its values spread most (principal components)."
        if t.method == "pca" else ""))


# ---------------------------------------------------------------- convergence odds
def _start_odds(s: Session) -> None:
    try:
        s.start_odds(int(st.session_state[keys.ODDS_SEEDS]))
        st.session_state.pop(keys.ODDS_ERROR, None)
    except ValueError as e:
        st.session_state[keys.ODDS_ERROR] = str(e)


def odds(s: Session, main, side) -> None:
    most = max_seeds(s.config, page=True)
    if most < 1:
        side.caption("This experiment is too large to train from many seeds on this page; the command line can: "
                   "`python -m nn_core odds --seeds N` with the same flags.")
        return
    if st.session_state.get(keys.ODDS_SEEDS, 0) > most:
        st.session_state[keys.ODDS_SEEDS] = most
    if keys.ODDS_SEEDS not in st.session_state or st.session_state[keys.ODDS_SEEDS] > most:
        st.session_state[keys.ODDS_SEEDS] = min(100, most)
    side.number_input("Seeds", 1, most, step=10, key=keys.ODDS_SEEDS,
                      help=f"Network seeds {s.config.seed} onwards; at most {min(most, MAX_PAGE_SEEDS):,} here")
    if s.odds_running:
        compat.button(side, "Stop the seeds", key=keys.ODDS_STOP, on_click=s.stop_odds)
    else:
        compat.button(side, f"Train {int(st.session_state[keys.ODDS_SEEDS]):,} seeds", key=keys.ODDS_START,
                      type="primary", on_click=_start_odds, args=(s,))
    error = st.session_state.pop(keys.ODDS_ERROR, None)
    if error:
        say("error", error, where=side)
    o = s.odds
    if o is None:
        side.caption(_converged_means(s.config))
        return
    r = o.result()
    state = "training…" if s.odds_running else "done" if o.done else "stopped"
    main.markdown(f"**{r.converged:,} of {r.seeds:,} seeds converged ({r.percent:.0f}%)** by epoch {r.epochs:,} "
                  f"of {o.config.epochs:,} · {state}" + (f" · {r.diverged:,} diverged" if r.diverged else ""))
    main.markdown(views.odds_figure(r, WIDTH), unsafe_allow_html=True)
    if r.epochs_median is not None:
        side.caption(f"Epochs to converge: median {r.epochs_median:,.0f} (quartiles {r.epochs_q1:,.0f} to "
                     f"{r.epochs_q3:,.0f}).")
    side.caption(_converged_means(o.config, r.threshold))
    if o.config != s.config:
        say("warning", "These odds are for the settings before your last change: train the seeds again for these.",
            where=side)


def _converged_means(c: Config, threshold: float | None = None) -> str:
    if c.task == "regression":
        at = f" ({threshold:.3g})" if threshold is not None else ""
        return f"Converged means: training loss under 1% of always guessing the mean{at}."
    return "Converged means: every training point on the right side (100% training accuracy)."


# ---------------------------------------------------------------- A/B
@dataclass
class Pinned:
    """Run A: its settings, where it stopped, its loss curve and its surface (pictures made once)."""

    config: Config
    epoch: int
    epochs: np.ndarray
    loss: np.ndarray
    picture: str
    overlay: str


def _train_loss(exp) -> tuple[np.ndarray, np.ndarray]:
    """The run's training loss against epoch, (epochs, losses), per point where the curves show it so."""
    history = charts.history_data(exp.trainer.history, (len(exp.train), 1)
                                  if charts.loss_per_point(exp.config.loss_name) else None)["history"]
    return np.asarray(history["epoch"], dtype=np.float64), np.asarray(history["train_loss"], dtype=np.float64)


def pinned_from(s: Session) -> Pinned:
    """The session's run as it is now, as A."""
    exp = s.exp
    bounds = charts.square_bounds(data_bounds(exp.data.X))
    grid = evaluate_grid(exp.network, bounds, 60)
    picture = charts.png_data_url(charts.surface_rgb(grid, exp.network.arch.output,
                                                     charts.value_range(exp.data, exp.config.task)))
    return Pinned(exp.config, s.epoch, *_train_loss(exp), picture, _overlay(exp, bounds))


def _overlay(exp, bounds) -> str:
    return views.points_overlay(charts.points_frame(exp.train), bounds, exp.config.task,
                                charts.value_range(exp.data, exp.config.task), SMALL)


def take_rebuilt(s: Session) -> None:
    """Run A of a link as A, once the page's slices have trained it again (Session.rebuild_pinned)."""
    a = s.rebuilt()
    if a is not None:
        s.pinned = pinned_from(a)


def differences(a: Config, b: Config) -> str:
    """The settings B changes from A, as "label: A's value → B's value", or "" if none."""
    out = []
    for name in b.diff(a):
        st_ = SETTINGS[name]
        out.append(f"{st_.label}: {st_.text(getattr(a, name))} → {st_.text(getattr(b, name))}")
    return "; ".join(out)


def _pin(s: Session) -> None:
    s.pinned = pinned_from(s)
    controls.write_url(s.config)


def _unpin(s: Session) -> None:
    s.pinned = None
    controls.write_url(s.config)


def ab(s: Session, cache: PageCache, picture: str | None, log: bool, main, side) -> None:
    a = s.pinned
    compat.button(side, "Pin this run as A" if a is None else "Pin this run as A instead", key=keys.PIN, on_click=_pin,
                  args=(s,), help="Keep this run to compare the next one with; then change any setting and train")
    if a is None and s.rebuilding is not None:
        side.caption(f"Training run A of the link again: epoch {s.rebuilding.run.epoch:,} of {s.rebuilding.until:,}…")
        return
    if a is None:
        side.caption("Pin a run, change a setting (the learning rate, the layers…), train again: the page "
                     "draws both runs.")
        return
    compat.button(side, "Unpin A", key=keys.UNPIN, on_click=_unpin, args=(s,))
    diff = differences(a.config, s.config)
    side.markdown(markdown(f"{diff}.", lead="**B differs from A in**") if diff
                  else "**B has A's settings**: change one to compare.")
    exp = s.exp
    epochs, loss = _train_loss(exp)
    label = words.loss_label(exp.config.loss_name)
    main.markdown(views.ab_curves({"epoch": a.epochs, "loss": a.loss}, {"epoch": epochs, "loss": loss}, label, log,
                                  WIDTH), unsafe_allow_html=True)
    if cache.ab_overlay is None:
        cache.ab_overlay = _overlay(exp, cache.bounds)
    pictures = views.small_surface(f"A at epoch {a.epoch:,}", a.picture, a.overlay, SMALL)
    if picture is not None:
        pictures += views.small_surface(f"B at epoch {s.epoch:,}", picture, cache.ab_overlay, SMALL)
    main.markdown(f'<div style="display:flex;gap:1rem;flex-wrap:wrap">{pictures}</div>', unsafe_allow_html=True)


# ---------------------------------------------------------------- export
def export(s: Session, cache: PageCache, main, side) -> None:
    if cache.script is None or cache.script[0] != s.config:  # made once per experiment, not at every redraw
        cache.script = s.config, script(s.config)  # while it trains (20 ms)
    text = cache.script[1]
    compat.download_button(main, "Download run.py", lambda: text, file_name="run.py", mime="text/x-python",
                           key=keys.SCRIPT)
    side.caption(f"{len(text.splitlines())} lines (scroll through them below). Run it with `python run.py`: it "
                 "prints the final loss, the one this page gets after the epoch budget. `python -m nn_core "
                 "export-script` with the same flags writes the same file.")
    st.markdown(SCRIPT_STYLE, unsafe_allow_html=True)
    st.code(text, language="python")  # the whole width: its lines are up to 110 characters


# ---------------------------------------------------------------- the section
def section(s: Session, cache: PageCache, network, picture: str | None, log: bool, hidden) -> None:
    """The view picker and the open view (``network``: the one the figures show)."""
    st.pills("Explore", VIEWS, selection_mode="single", key=keys.EXPLORE, on_change=controls.view_changed)
    view = chosen()
    if view is None:
        return
    if view == "Timeline":
        timeline(s)
        side = st
    else:
        main, side = st.columns([WIDTH + 20, 520], gap="medium")
        if view == "Gradients":
            gradients(s, main, side)
        elif view == "Transformed space":
            space(s, cache, network, main, side)
        elif view == "Convergence odds":
            odds(s, main, side)
        elif view == "A/B":
            ab(s, cache, picture, log, main, side)
        else:
            export(s, cache, main, side)
    if "help" not in hidden:
        with side.expander("What am I looking at?"):
            st.caption(HELP[view])

"""The main area: the run's controls, the figures, the network diagram, the output surface and the curves
for one session. Drawn inside an ``st.fragment`` that reruns on a timer while training, so only this part
redraws; each such run draws, then trains a slice, in the server's turn (playground.pacing).

Laid out like TensorFlow Playground: the network in the middle of the page, the output on its right,
the curves beside them, all above the fold on a laptop screen. On a phone the columns stack, the
output first (see :data:`STYLE`).
"""

from __future__ import annotations

import streamlit as st

from nn_core import DATASETS, Grid, data_csv, diagnose, dumps, evaluate_grid
from nn_core.text import format_number, format_percent

from . import charts, compat, controls, drawing, explore, keys, netedit, owndata, pacing, run_controls, words
from .goal import goal_box
from .messages import say
from .page_cache import PageCache
from .session import Session
from .url import DISCRETIZE, LOG_SCALE, SHOW_TEST, VIEW_DEFAULT, VIEW_OPTIONS

SURFACE_RESOLUTION = 100
NEURON_RESOLUTION = 25  # each tile of the diagram: shown 16-40 px wide, smoothed by the browser (100 / 4)
BUSY_TILES = 40  # while training, a diagram of more tiles than this is redrawn at every other redraw: its
# picture and lines cost a browser on one core more than the surface and curves together (8 x 64: 62 tiles)
SURFACE_PX, DIAGRAM_PX, CURVES_PX = 290, 380, 200  # plot sizes: the three columns fit 1366 px with the sidebar
# The parts of the main area a shared link may hide (``hide=`` in the URL, read by playground.url):
# name -> what it is. st.session_state[keys.HIDDEN] holds the hidden names.
PANELS = {
    "surface": "the output surface",
    "diagram": "the network diagram",
    "curves": "the loss and accuracy curves",
    "metrics": "the figures (epoch, losses, accuracy)",
    "view": "the display options",
    "files": "the download buttons",
    "help": "the explanations",
    "explore": "the explore views (timeline, gradients, transformed space, odds, A/B, export)",
    "edit": "editing weights and biases on the diagram",
}

# Page-wide layout: less space above the title, and on a phone the buttons stay on one row and the
# output surface comes first when the columns stack. (Selectors for Streamlit 1.40 and 1.5x+.)
STYLE = """<style>
.block-container, [data-testid="stMainBlockContainer"] {padding: 3.2rem 1.5rem 2rem}
h1 {font-size: 1.75rem !important; padding: 0 0 .1rem !important}
.nnp-status {white-space: nowrap}
@media (max-width: 640px) {
  .block-container, [data-testid="stMainBlockContainer"] {padding-top: 3.4rem}
  h1 {font-size: 1.35rem !important}
  [data-testid="stHorizontalBlock"]:has(.st-key-step) {flex-wrap: wrap !important; gap: .4rem .35rem !important}
  [data-testid="stHorizontalBlock"]:has(.st-key-step) > div {min-width: 0 !important; width: auto !important;
    flex: 1 1 20% !important}
  [data-testid="stHorizontalBlock"]:has(.st-key-step) > div:nth-child(n+5) {flex: 1 1 40% !important}
  [data-testid="stHorizontalBlock"]:has(.st-key-step) button {padding-left: .4rem; padding-right: .4rem}
  [data-testid="stHorizontalBlock"]:has(.nnp-surface) {display: flex; flex-direction: column}
  [data-testid="stHorizontalBlock"]:has(.nnp-surface) > div:has(.nnp-surface) {order: -1}
}
</style>"""

HELP = {
    "diagram": "Each column is a layer. The tiles on the left are the input features, each drawn as its value "
               "over the plane (blue high, orange low). Every other tile is one neuron: its output at each point "
               "of the plane on a fixed scale, said under the diagram: a sigmoid from 0 (orange) to 1 (blue), a tanh "
               "from −1 to 1, a ReLU layer up to its largest output. So a neuron that hardly changes over the plane "
               "looks flat, as it is; hover a tile for its exact range. A neuron adds up the tiles before "
               "it, weighted by the lines: blue lines add, orange ones subtract, thicker ones count more. The "
               "small square in a tile's corner is its bias. Watch the first layer draw straight edges and the "
               "next ones bend them into the output's shape.",
    "surface": "What the network answers at every point of the plane. For two classes: orange where it says "
               "class 0, blue where it says class 1, pale where it is unsure. For values: orange low, blue high. "
               "The dots are the data: circles the training points it learns from, squares the test points it "
               "never sees, each filled with its true class or value. A dot whose colour differs from the ground "
               "under it is a mistake.",
    "curves": "The loss measures how wrong the network is, averaged per point so that training and test compare; "
              "training lowers it step by step. When the test curve rises while the training curve falls, the "
              "network is learning the training points by heart (overfitting). Accuracy is the share of points "
              "on the right side. Log scale shows the small late gains.",
}


def metrics(s: Session, n_train: int, n_test: int, back: int | None = None) -> None:
    """The figures of the run as one strip that wraps on narrow screens (one element to redraw, not 14); at
    epoch ``back`` if the timeline shows one."""
    h = s.exp.trainer.history
    last = explore.record_at(s, back) if back is not None else h[-1] if h else None
    rate = s.live.rate if s.live.rate else (last.epoch / last.seconds if last and last.seconds > 0 else None)
    redraws = f" ({s.live.redraw_rate:.1f} redraws a second)" if s.live.redraw_rate and s.live.ticks > 1 else ""
    per = charts.loss_per_point(s.exp.config.loss_name)
    train_n, test_n = (n_train, n_test) if per else (1, 1)
    train_loss = last.train_loss / train_n if last else None
    test_loss = last.test_loss / test_n if last and last.test_loss is not None else None
    items = [("Epoch", format_number(s.epoch if back is None else back), "", ""),
             ("Train loss", format_number(train_loss, 3), "", words.loss_label(s.exp.config.loss_name).capitalize())]
    if n_test:
        items.append(("Test loss", format_number(test_loss, 3), "", ""))
    if s.exp.config.task != "regression":
        items.append(("Train accuracy", format_percent(last and last.train_acc), "", ""))
        if n_test:
            items.append(("Test accuracy", format_percent(last and last.test_acc), "", ""))
    items += [("Parameters", format_number(s.exp.network.arch.n_params), "", "Weights and biases of the network."),
              ("Epochs / s", "–" if rate is None else f"{rate:,.0f}", "",
               f"While training here: epochs per second of wall time, redraws included{redraws}.")]
    st.markdown(charts.metric_strip(items), unsafe_allow_html=True)


def help_expander(name: str, hidden) -> None:
    if "help" not in hidden:
        with st.expander("What am I looking at?"):
            st.caption(HELP[name])


def surface_resolution(s: Session, cache: PageCache) -> int:
    """The surface's grid: :data:`SURFACE_RESOLUTION` cells a side, or while training a network so large
    that the grid would take more than a tenth of a redraw's interval, fewer (at least half as many; the
    browser smooths the picture). A network of eight layers of 64 takes a third of a second over 100 x 100
    points here: at full size it would hold the page to two redraws a second."""
    cost = cache.grid_cost  # seconds per grid point, as last measured
    if not s.running or cost is None:
        return SURFACE_RESOLUTION
    fits = int((0.1 * s.pace.interval / cost) ** 0.5)
    return max(SURFACE_RESOLUTION // 2, min(SURFACE_RESOLUTION, fits))


def diagram_due(s: Session, cache: PageCache) -> bool:
    """Whether this run draws the diagram anew: always at rest and for a small network; while a network of
    more than :data:`BUSY_TILES` tiles trains, every other run (the others show its last drawing again)."""
    if not s.running or cache.diagram is None:
        return True
    tiles = sum(len(c[2]) for c in drawing.diagram_columns(s.exp.network.arch))
    return tiles <= BUSY_TILES or s.live.ticks % 2 == 0


def evaluate_grids(s: Session, cache: PageCache, net, surface: bool,
                   diagram: bool) -> tuple[Grid | None, Grid | None]:
    """The network over the plane for the surface, and for the diagram's tiles (hidden layers included).

    While training, one pass serves both, the tiles taking every k-th point: a large network's second
    pass would cost a tenth of a redraw. At rest, the tiles get their own small grid (a large network's
    hidden layers over the whole surface grid would hold tens of megabytes). ``net``: the network shown
    (the session's, or the timeline's)."""
    bounds = cache.bounds
    res = surface_resolution(s, cache)
    one = surface and diagram and s.running
    start = pacing.clock()
    big = evaluate_grid(net, bounds, res, hidden=one) if surface else None
    if surface:
        cache.grid_cost = (pacing.clock() - start) / res**2
    if not diagram:
        return big, None
    if one:
        k = max(1, res // NEURON_RESOLUTION)
        return big, Grid(big.xs[::k], big.ys[::k], big.outputs[::k, ::k], tuple(h[::k, ::k] for h in big.hidden))
    return big, evaluate_grid(net, bounds, NEURON_RESOLUTION, hidden=True)


def surface(s: Session, cache: PageCache, grid: Grid, discretize: bool, show_test: bool, hidden) -> None:
    """The output surface; for your own points, with a layer that takes clicks over it (playground.owndata)."""
    exp, c = s.exp, s.exp.config
    picture = charts.png_data_url(charts.surface_rgb(grid, exp.network.arch.output, cache.value_range, discretize))
    cache.picture = picture
    show_test = show_test and exp.test is not None and len(exp.test) > 0
    if show_test not in cache.legends:
        cache.legends[show_test] = drawing.surface_legend(c.task, c.n_classes, cache.value_range, show_test)
    title, subtitle = (("Output", "the network's value at each point: orange low, blue high") if c.task == "regression"
                       else ("Decision surface", "the network's class at each point; pale where unsure"))
    if owndata.drawable(c, hidden):
        figure = drawing.surface_figure(title, subtitle, picture, "", SURFACE_PX, show_test)
        owndata.clickable_surface(s, cache, (title, subtitle), figure, cache.legends[show_test], SURFACE_PX,
                                  point_radius(exp))
        return
    st.markdown(drawing.surface_figure(title, subtitle, picture, cache.legends[show_test], SURFACE_PX, show_test),
                unsafe_allow_html=True)


def point_radius(exp) -> float:
    return 7.5 if len(exp.data) <= 20 else 3.6  # the 4-point truth tables (and a few drawn points) get big dots


def unchanging_parts(s: Session, hidden) -> None:
    """What the main area draws that stays the same from one redraw to the next, drawn by the page outside
    the fragment that redraws while training (so those redraws neither send it again nor make the browser
    read it again): the page's style, and the surface's axes and points (over 100 kB with 2,000 points),
    one picture with the test points and one without."""
    st.markdown(STYLE + drawing.STYLE + owndata.style(SURFACE_PX) + netedit.style(DIAGRAM_PX), unsafe_allow_html=True)
    if "surface" in hidden:
        return
    cache, exp = s.cache, s.exp
    if cache.overlays is None:
        p, c = cache.points, exp.config
        radius = point_radius(exp)

        def overlay(points) -> str:
            return drawing.surface_overlay(points, cache.bounds, c.task, cache.value_range, SURFACE_PX, radius)

        has_test = exp.test is not None and len(exp.test) > 0
        cache.overlays = (overlay(charts.rows_where(p, p["split"] == "train")), overlay(p) if has_test else None)
    st.markdown(drawing.overlay_style(*cache.overlays), unsafe_allow_html=True)


def curves(s: Session, log: bool, n_train: int, n_test: int, mark: int | None = None) -> None:
    c = s.exp.config
    per = charts.loss_per_point(c.loss_name)
    history = charts.history_data(s.exp.trainer.history, (n_train, n_test) if per else None)["history"]
    label = words.loss_label(c.loss_name)
    st.markdown(drawing.curves_figure(history, label, log, n_test > 0, c.task != "regression", CURVES_PX + 50,
                                      mark), unsafe_allow_html=True)


def diagram(s: Session, net, grid: Grid | None, hidden, live: bool) -> None:
    """The diagram of ``net`` from ``grid``, or as last drawn when there is none (see :func:`diagram_due`);
    ``live``: ``net`` is the session's own (not the timeline's past one), and the diagram answers clicks
    (playground.netedit), with the editor under it."""
    cache, inputs, tiles = s.cache, netedit.drawn_inputs(net.arch, hidden), None
    if grid is not None:
        tiles = drawing.off_inputs(drawing.diagram_tiles(net, grid.hidden, grid.outputs,
                                                         drawing.feature_maps(grid, inputs), cache.value_range, inputs),
                                   net.arch.features)
        cache.diagram = drawing.diagram_figure(net, tiles, DIAGRAM_PX, inputs)
    if live and netedit.answers(hidden):
        netedit.clickable_diagram(s, cache.diagram, inputs, DIAGRAM_PX, hidden, tiles)
    else:
        st.markdown(cache.diagram, unsafe_allow_html=True)


def view_options(n_test: int, hidden=frozenset()) -> None:
    """How the charts draw. They are read at the top of the next run (a click reruns this fragment), and
    go into the URL. An option a shared link hides (by its URL key) is not offered, nor "Show test data"
    without a test split, but its choice is kept (in the URL too): those pills have their own key."""
    options = [o for o, key in VIEW_OPTIONS.items() if key not in hidden and (n_test or o != SHOW_TEST)]
    if len(options) == len(VIEW_OPTIONS):
        st.pills("View", options, selection_mode="multi", key=keys.VIEW, label_visibility="collapsed",
                 on_change=controls.view_changed)
    elif options:
        st.session_state[keys.VIEW_SOME] = [o for o in st.session_state.get(keys.VIEW) or () if o in options]
        st.pills("View", options, selection_mode="multi", key=keys.VIEW_SOME, label_visibility="collapsed",
                 on_change=_view_some, args=(options,))


def _view_some(options: list[str]) -> None:
    kept = [o for o in st.session_state.get(keys.VIEW) or () if o not in options]
    st.session_state[keys.VIEW] = kept + list(st.session_state[keys.VIEW_SOME])
    controls.view_changed()


def figures(s: Session, hidden) -> None:
    """The figures strip, then the diagram, the surface and the curves side by side (those not hidden), a
    truth table's outputs, and the explore views."""
    exp, cache = s.exp, s.cache
    n_train, n_test = len(exp.train), (len(exp.test) if exp.test is not None else 0)
    back = explore.timeline_epoch(s)  # the timeline's epoch, if it takes the figures back to one
    if "metrics" not in hidden:
        metrics(s, n_train, n_test, back)
    # written back at every run: a widget's value is forgotten after a run that does not draw it (the
    # pills are not drawn while the view options are hidden, or have another key without a test split)
    view = st.session_state[keys.VIEW] = list(st.session_state.get(keys.VIEW, VIEW_DEFAULT) or ())
    shown = [p for p in ("diagram", "surface", "curves") if p not in hidden]
    net = exp.network if back is None else s.timeline.network_at(back, exp.network)
    if back is not None:
        say("info", f"Showing the network at epoch {back:,} (the timeline below); training goes on from epoch "
                f"{s.epoch:,}.")
    widths = {"diagram": DIAGRAM_PX + 10, "surface": SURFACE_PX + 50, "curves": CURVES_PX + 55}
    due = "diagram" in shown and (back is not None or diagram_due(s, cache))
    surface_grid, tile_grid = evaluate_grids(s, cache, net, "surface" in shown, due)
    for column, part in zip(st.columns([widths[p] for p in shown], gap="small") if shown else (), shown):
        with column:
            if part == "diagram":
                diagram(s, net, tile_grid, hidden, back is None)
            elif part == "surface":
                surface(s, cache, surface_grid, DISCRETIZE in view, SHOW_TEST in view, hidden)
                if "view" not in hidden:
                    view_options(n_test, hidden)
                if owndata.drawable(s.config, hidden):
                    owndata.tools_ui(s)
            else:
                curves(s, LOG_SCALE in view, n_train, n_test, back)
            help_expander(part, hidden)
    if DATASETS[exp.config.dataset].fixed:
        st.subheader("Final Output after Training" if s.done and s.epoch else "Output")
        st.markdown(charts.markdown_table(charts.truth_table(exp.network, exp.data)))
    if "explore" not in hidden:
        explore.section(s, cache, net, cache.picture if "surface" in shown else None, LOG_SCALE in view, hidden)


def download_buttons(s: Session) -> None:
    """Download the model (JSON) and the data (CSV)."""
    exp = s.exp

    # Callables: the files are made when a button is clicked, not at every redraw while training.
    def model_file() -> str:  # the trainer's state too: an upload goes on exactly from here
        return dumps(exp.network, exp.config.to_dict(), exp.trainer.state())

    def data_file() -> str:  # loads again as "Your data", split the same way
        return data_csv(exp)

    c1, c2 = st.columns(2)
    compat.download_button(c1, "Download model (JSON)", model_file, file_name="model.json", mime="application/json",
                           key=keys.DOWNLOAD_MODEL)
    compat.download_button(c2, "Download data (CSV)", data_file, file_name=f"{exp.config.dataset}.csv",
                           mime="text/csv", key=keys.DOWNLOAD_DATA)


def main_area(s: Session) -> None:
    """Everything in the main area. While the session is busy, each run of this fragment (on a timer) draws,
    then trains a time slice; the runs of every page of the server take turns (playground.pacing).

    Drawing first lets the browser draw the new picture while the server trains, rather than after: the
    browser's timer then finds it idle and asks for the next run on time. (Trained first, a large network's
    pictures reached the browser at the end of each run, and its timer fired a tenth of an interval late on
    average while the browser drew them.)"""
    with s.pace.redraw(s.running):  # a visitor's click goes first
        _draw_then_train(s)


def _rerun_if_changed(s: Session) -> None:
    if s.pace.timer_stale(s.busy):
        st.rerun()  # started, finished, paused, diverged, or the timer needs another interval: the whole page


def _keep_values() -> None:
    """Put back a value of :data:`playground.keys.KEPT` that a run of the whole page dropped, and keep a copy."""
    state = st.session_state
    for key in keys.KEPT:
        if key in state:
            state[keys.kept_key(key)] = state[key]
        elif keys.kept_key(key) in state:
            state[key] = state[keys.kept_key(key)]


def _messages(s: Session) -> None:
    """What the last change did, a divergence or a loss spike, and a hint about the run so far."""
    if s.current_notice:
        say("info", s.current_notice)
    tr = s.exp.trainer
    if tr.divergence is not None:
        say("error", tr.divergence.message)
    elif tr.spike is not None:  # said once, for as long as this run goes on: it may have recovered since
        say("warning", tr.spike.message)
    hint = diagnose(tr.history, s.exp.config, tr.start_loss, tr.divergence)
    if hint is not None:
        say("warning", hint.message, lead="**Hint:**")


def _draw_then_train(s: Session) -> None:
    _keep_values()
    if st.session_state.pop(keys.RERUN_PAGE, False):
        st.rerun()  # a click changed a setting (the points, the features): the page builds the experiment
    _rerun_if_changed(s)
    hidden = st.session_state.get(keys.HIDDEN, frozenset())
    run_controls.buttons(s, hidden)
    goal_box(s)
    _messages(s)
    figures(s, hidden)
    if "files" not in hidden:
        download_buttons(s)
    s.train_slice()
    explore.take_rebuilt(s)
    _rerun_if_changed(s)  # a run that ended in this slice is drawn as it ended

"""Your own data on the page: a CSV file to upload, points to draw on a pad, a formula (its widget is the
text box the settings declare).

The points live in the ``points`` setting (its widget's value, the points text of
:mod:`nn_core.userdata`), so they go into the URL (up to 100 points), the model file and the CSV
download like every other setting. The sidebar part (:func:`points_ui`) is the ``points`` setting's widget;
the pad (:func:`pad_ui`) is drawn under the output surface, and a click on it reruns the whole page (not
only the fragment the pad is in), which builds the new data.
"""

from __future__ import annotations

import streamlit as st

from nn_core import SETTINGS, evaluate_grid
from nn_core.userdata import (
    PAGE_FILE_BYTES,
    PAGE_POINTS,
    URL_POINTS,
    DataFileError,
    PointsError,
    add_point,
    fits_url,
    parse_points,
    points_text,
    read_csv,
    undo_point,
)

from . import charts, compat, drawpad, keys
from .messages import say
from .page_cache import PageCache

KEY = keys.setting_key("points")
MAX_DRAW_CLASSES = 6  # classes offered for drawing (a file may bring up to 20)


def _say(kind: str, text: str) -> None:
    st.session_state[keys.OWNDATA_MESSAGE] = (kind, text)


def _uploaded() -> None:
    """A CSV file chosen: its points become the points setting, or one message says why not (and nothing
    else changes)."""
    f = st.session_state.get(keys.CSV_UPLOAD)
    if f is None:
        return
    try:
        data = read_csv(f.getvalue(), max_rows=PAGE_POINTS, max_bytes=PAGE_FILE_BYTES)
    except DataFileError as e:
        _say("error", f"Could not use {f.name}: {e}")
        return
    st.session_state[KEY] = data.text
    st.session_state[keys.setting_key("dataset")] = "custom"
    where = ("The link carries them." if fits_url(data.text) else
             f"More than {URL_POINTS} points do not fit in a link: download the data (CSV) to keep them.")
    _say("success", " ".join([f"Loaded {len(data.X):,} points from {f.name}.", *data.notes, where]))


def _draw_label():
    """The class (or value) a click on the pad adds."""
    points = parse_points(st.session_state[KEY], PAGE_POINTS)
    if points.classes:
        return int(st.session_state.get(keys.DRAW_CLASS) or 0)
    return float(st.session_state.get(keys.DRAW_VALUE, 1.0))


def _set(text: str) -> None:
    """New points from a widget beside the pad: the page, not only the panel the pad is in, runs next."""
    st.session_state[KEY] = text
    st.session_state[keys.PAD_CLICKED] = True


def _undo() -> None:
    _set(undo_point(st.session_state[KEY]))


def _clear() -> None:
    _set(st.session_state[KEY].split(";", 1)[0])  # the kind marker alone: no points


def _kind_changed() -> None:
    marker = "c" if st.session_state[keys.DRAW_KIND] == "Classes" else "v"
    if not st.session_state[KEY].startswith(marker):
        _set(marker)  # switching between classes and values starts an empty pad


def points_ui(s, values) -> None:
    """The ``points`` setting's widget in the sidebar: upload a CSV, how many points there are and whether
    the link can carry them (the drawing tools are beside the pad, under the output surface)."""
    st.file_uploader("Upload a CSV", type=["csv", "txt", "tsv"], key=keys.CSV_UPLOAD, on_change=_uploaded,
                     help="Columns x1, x2 and label (classes 0, 1, ...) or value (a number); a header line "
                          f"is optional; comma, semicolon or tab. Up to {PAGE_POINTS:,} rows here.")
    message = st.session_state.pop(keys.OWNDATA_MESSAGE, None)
    if message:
        say(*message)
    try:
        points = parse_points(values["points"], PAGE_POINTS)
    except PointsError as e:
        say("error", str(e))
        return
    n = len(points.X)
    link = ("The link carries them." if fits_url(points.text) else
            f"Too many for the link (at most {URL_POINTS}): download the data (CSV) to keep them.")
    st.caption(f"{n:,} point{'s' if n != 1 else ''}. {link}")
    problem = points.problem()
    if problem:
        say("warning", problem)


def _clicked() -> None:
    """A click on the pad: add a point where it landed, or remove the point clicked."""
    text = st.session_state[KEY]
    points = parse_points(text, PAGE_POINTS)
    bounds = st.session_state.get(keys.PAD_BOUNDS)
    what = drawpad.clicked(st.session_state.get(keys.PAD), bounds, len(points.X)) if bounds else None
    if what is None:
        return
    try:
        if what[0] == "add":
            st.session_state[KEY] = add_point(text, *what[1], _draw_label())
        else:
            keep = [i for i in range(len(points.X)) if i != what[1]]
            st.session_state[KEY] = points_text(points.X[keep], points.y[keep], points.classes)
    except PointsError as e:
        _say("error", str(e))
    st.session_state[keys.PAD_CLICKED] = True  # the fragment the pad is in reruns the whole page (the panel)


def pad_ui(session, cache: PageCache, hidden) -> None:
    """The pad, when the dataset is your own points (under the output surface)."""
    c = session.config
    if c.dataset != "custom" or SETTINGS["points"].url in hidden or "data" in hidden:
        return
    points = parse_points(st.session_state.get(KEY, c.points), PAGE_POINTS)
    bounds = (-1.5, 1.5, -1.5, 1.5)  # the plane the built-in sets lie in, and some room around
    st.session_state[keys.PAD_BOUNDS] = bounds
    value_range = cache.value_range  # the surface's, so that the points and the ground share one scale
    st.markdown("**Draw your points**")
    st.caption("The network's output, coarser than above, to click on: a click adds a point of the class (or "
               "value) chosen here, a click on a point removes it; the network keeps training on them.")
    st.radio("Draw", ["Classes", "Values"], index=0 if points.classes else 1, key=keys.DRAW_KIND, horizontal=True,
             on_change=_kind_changed, label_visibility="collapsed")
    if points.classes:
        shown = max(2, min(MAX_DRAW_CLASSES, points.n_classes + 1))
        st.pills("Class to add", list(range(shown)), key=keys.DRAW_CLASS, selection_mode="single", default=0,
                 format_func=lambda k: f"class {k}", label_visibility="collapsed")
    else:
        st.slider("Value to add", -1.0, 1.0, 1.0, 0.1, key=keys.DRAW_VALUE)
    net = session.exp.network
    rgb = charts.surface_rgb(evaluate_grid(net, bounds, drawpad.GRID), net.arch.output,
                             value_range)[::-1]  # the bottom row first, as the cells
    ground = [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in rgb.reshape(-1, 3).tolist()]
    compat.picker_chart(drawpad.pad_spec(points.X, points.y, bounds, "binary" if points.classes else "regression",
                                         value_range, ground), keys.PAD, _clicked, drawpad.SELECTION)
    c1, c2 = st.columns(2)
    compat.button(c1, "Undo", key=keys.UNDO_POINT, on_click=_undo, disabled=not len(points.X),
                  help="Remove the last point")
    compat.button(c2, "Clear", key=keys.CLEAR_POINTS, on_click=_clear, disabled=not len(points.X),
                  help="Remove every point")

"""Your own data on the page: a CSV file to upload, points drawn on the output surface, a formula (its widget
is the text box the settings declare).

The points live in the ``points`` setting (its widget's value, the points text of
:mod:`nn_core.userdata`), so they go into the URL (up to 100 points), the model file and the CSV
download like every other setting. The sidebar part (:func:`points_ui`) is the ``points`` setting's widget;
on the output surface a click layer (:func:`clickable_surface`, :mod:`playground.drawpad`) adds and removes
points, with the tools under it (:func:`tools_ui`: the class or value a click adds, Undo, Clear). A click
reruns the whole page (not only the fragment the surface is in), which builds the new data.
"""

from __future__ import annotations

import html

import streamlit as st

from nn_core import DATASETS, SETTINGS
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

from . import compat, drawing, drawpad, keys
from .messages import say
from .page_cache import PageCache

KEY = keys.setting_key("points")
MAX_DRAW_CLASSES = 6  # classes offered for drawing (a file may bring up to 20)
SWATCH = ("orange", "blue", "green", "red", "violet", "gray")  # each class's colour on the surface, as near as
# Streamlit's coloured text comes (playground.charts.CLASS_COLORS)


def style(size: int) -> str:
    """The page's style for the surface of ``size`` px and its click layer, which lies on the plot."""
    box = drawing.SurfaceBox(size)
    return drawing.stack_style(keys.SURFACE_STACK, box.top, box.left, box.width)


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
    """The class (or value) a click on the surface adds."""
    points = parse_points(st.session_state[KEY], PAGE_POINTS)
    if points.classes:
        return int(st.session_state.get(keys.DRAW_CLASS) or 0)
    return float(st.session_state.get(keys.DRAW_VALUE, 1.0))


def _set(text: str) -> None:
    """New points from a tool under the surface: the page, not only the panel they are in, runs next."""
    st.session_state[KEY] = text
    st.session_state[keys.RERUN_PAGE] = True


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
    the link can carry them (the drawing tools are under the output surface)."""
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
    """A click on the surface: add a point where it landed, or remove the point clicked."""
    text = st.session_state[KEY]
    points = parse_points(text, PAGE_POINTS)
    bounds = st.session_state.get(keys.CLICK_BOUNDS)
    what = drawpad.clicked(st.session_state.get(keys.SURFACE_CLICK), bounds, len(points.X)) if bounds else None
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
    st.session_state[keys.RERUN_PAGE] = True  # the fragment the surface is in reruns the whole page (the panel)


def drawable(config, hidden) -> bool:
    """Whether the surface takes clicks: the dataset is your own points, and a shared link does not hide them."""
    return DATASETS[config.dataset].source == "points" and SETTINGS["points"].url not in hidden and "data" not in hidden


def clickable_surface(session, cache: PageCache, head: tuple[str, str], figure: str, legend: str, size: int,
                      radius: float) -> None:
    """The surface ``figure`` (its HTML, without its legend) with the click layer over its plot, under ``head``
    (its title and subtitle) and over ``legend``: the layer covers the surface's own plane (``cache.bounds``)
    at its size (``size`` px, the points of ``radius`` px)."""
    st.session_state[keys.CLICK_BOUNDS] = cache.bounds
    points = parse_points(st.session_state.get(KEY, session.config.points), PAGE_POINTS)
    st.markdown('<div class="nnp-fig">' + "".join(f'<div class="{c}">{html.escape(t)}</div>'
                                                   for c, t in zip("ts", head)) + "</div>", unsafe_allow_html=True)
    with st.container(key=keys.SURFACE_STACK):
        st.markdown(figure, unsafe_allow_html=True)
        compat.picker_chart(drawpad.layer_spec(points.X, cache.bounds, size, radius),
                            keys.SURFACE_CLICK, _clicked, drawpad.SELECTION, theme=None)  # Streamlit's theme would
        # fit the view into the chart's frame, some pixels shorter than the spec says: the layer would not be square
    st.markdown(f'<div class="nnp-fig">{legend}</div>', unsafe_allow_html=True)


def tools_ui(session) -> None:
    """Under the surface that takes clicks: what a click adds (a class, or a value), Undo and Clear."""
    points = parse_points(st.session_state.get(KEY, session.config.points), PAGE_POINTS)
    st.caption("Click the surface to add a point of the class (or value) chosen here; click a point to remove "
               "it. The network keeps training on them.")
    st.radio("Draw", ["Classes", "Values"], index=0 if points.classes else 1, key=keys.DRAW_KIND, horizontal=True,
             on_change=_kind_changed, label_visibility="collapsed")
    if points.classes:
        shown = max(2, min(MAX_DRAW_CLASSES, points.n_classes + 1))
        st.pills("Class to add", list(range(shown)), key=keys.DRAW_CLASS, selection_mode="single", default=0,
                 format_func=lambda k: f":{SWATCH[k]}[●] class {k}", label_visibility="collapsed")
    else:
        st.slider("Value to add", -1.0, 1.0, 1.0, 0.1, key=keys.DRAW_VALUE)
    c1, c2 = st.columns(2)
    compat.button(c1, "Undo", key=keys.UNDO_POINT, on_click=_undo, disabled=not len(points.X),
                  help="Remove the last point")
    compat.button(c2, "Clear", key=keys.CLEAR_POINTS, on_click=_clear, disabled=not len(points.X),
                  help="Remove every point")

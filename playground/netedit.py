"""The network diagram answers clicks: an input feature turns on or off, a weight or a neuron opens a small
editor under the diagram (a teacher's "set this weight to 0"), and training goes on from the edited network.

The diagram is pictures in Markdown; over it lies the click layer of :mod:`playground.diagramclick`, in a
grid cell shared with the figure (:func:`playground.drawing.stack_style`). Selecting a weight or a neuron
pauses the run: a value moving under the pointer cannot be edited. An edit changes the session's network in
place (:func:`set_parameter`), so the model file, the timeline and the next epoch all see it. A click on an
input feature changes the ``features`` setting, as its pills in the sidebar do (the network starts afresh).
"""

from __future__ import annotations

import functools

import streamlit as st

from nn_core import SETTINGS
from nn_core.features import FEATURES

from . import charts, compat, diagramclick, drawing, keys

FEATURES_KEY = keys.setting_key("features")
EDIT = "edit"  # the part of the page a shared link hides to keep the network from being edited
SUBTITLE = ("tiles: each neuron's output · lines: weights, blue +, orange − · hover for values, click a weight or "
            "a neuron to edit it, an input to turn it on or off")
LIMIT = 1e6  # the editor takes values within ±LIMIT


def _toggles(hidden) -> bool:
    s = SETTINGS["features"]
    return s.url not in hidden and s.group not in hidden


def drawn_inputs(arch, hidden) -> tuple[str, ...]:
    """The input features the diagram draws: every one (those the network does not use greyed, a click turns
    one on), or the network's own where a shared link hides the features."""
    return tuple(FEATURES) if _toggles(hidden) else tuple(arch.features)


def style(width: int) -> str:
    """The page's style for the diagram of ``width`` px and its click layer, which lies on it."""
    return drawing.stack_style(keys.DIAGRAM_STACK, 0, 0, width)


def answers(hidden) -> bool:
    """Whether the diagram takes clicks at all: to turn inputs on and off, or to edit (unless a link hides both)."""
    return _toggles(hidden) or EDIT not in hidden


# ---------------------------------------------------------------- the edit itself (no Streamlit)
def describe(arch, what: tuple) -> str:
    """A weight ("weight", l, i, j), a bias ("bias", l, j) or a neuron ("neuron", l, j) in words."""
    names = diagramclick.unit_names(arch)
    if what[0] == "weight":
        return f"the weight {names[what[1]][what[2]]} → {names[what[1] + 1][what[3]]}"
    return f"the bias of {names[what[1] + 1][what[2]]}" if what[0] == "bias" else names[what[1] + 1][what[2]]


def parameter(network, what: tuple) -> float:
    """The value of the weight ("weight", l, i, j) or the bias ("bias", l, j)."""
    if what[0] == "weight":
        return float(network.weights(what[1])[what[2], what[3]])
    return float(network.biases(what[1])[what[2]])


def set_parameter(session, what: tuple, value: float) -> str:
    """Set the weight ("weight", l, i, j) or the bias ("bias", l, j) of the session's network to ``value``:
    training goes on exactly as if the network had had that value (the trainer's cached passes are made
    again), a model file carries it, and the timeline keeps it at this epoch. Returns the notice it says."""
    net, old = session.exp.network, parameter(session.exp.network, what)
    if what[0] == "weight":
        net.weights(what[1])[what[2], what[3]] = value
    else:
        net.biases(what[1])[what[2]] = value
    session.exp.trainer.parameters_changed()
    session.timeline.offer(session.epoch, net.params, latest=True)
    return session.say(f"Set {describe(net.arch, what)} to {value:g} (it was {old:.4g}) at epoch {session.epoch:,}: "
                       "training goes on from the edited network.")


# ---------------------------------------------------------------- the layer
def clickable_diagram(session, figure: str, inputs: tuple[str, ...], width: int, hidden, tiles=None) -> None:
    """The diagram ``figure`` (its HTML) under its own title, with the click layer over it and, over both, the
    editor of the selected weight or neuron (a card beside it, as TensorFlow Playground's); ``tiles``: the
    diagram's tiles, if drawn in this run (the editor shows the selected neuron's map larger)."""
    net = session.exp.network
    what = selected(net.arch) if EDIT not in hidden else None
    columns = drawing.diagram_columns(net.arch, inputs)
    geometry = drawing.diagram_geometry(tuple(len(c[2]) + (c[3] > 0) for c in columns), width)
    spec = _layer(session, inputs, (width, geometry[3]), hidden, what)
    st.markdown(f'<div class="nnp-fig"><div class="t">Network</div><div class="s">{SUBTITLE}</div></div>',
                unsafe_allow_html=True)
    with st.container(key=keys.DIAGRAM_STACK):
        st.markdown(figure, unsafe_allow_html=True)
        key = keys.diagram_click(st.session_state.get(keys.DIAGRAM_CLICKS, 0))  # a new layer after each click: a
        # click on the same target again is a new selection
        compat.picker_chart(spec, key, functools.partial(_clicked, key), diagramclick.PICK, theme=None)  # (owndata)
        if what is not None:
            editor_ui(session, what, _card_at(net, what, inputs, width, geometry), tiles)


def _layer(session, inputs, size: tuple[int, int], hidden, what) -> dict:
    """The click layer's design (and what each of its rows is, kept for reading a click): made anew at rest,
    where its tooltips say the values; while training the same from one redraw to the next, so made once."""
    net, (width, height) = session.exp.network, size
    made = (net.arch, inputs, size, _toggles(hidden), EDIT not in hidden, what)
    kept = st.session_state.get(keys.DIAGRAM_LAYER)
    if session.running and kept is not None and kept[0] == made:
        return kept[1]
    rows = diagramclick.targets(net, width, inputs, values=not session.running, toggles=made[3], edits=made[4])
    whats = [r[0] for r in rows]
    spec = diagramclick.layer_spec(rows, width, height, whats.index(what) if what in whats else None)
    st.session_state[keys.DIAGRAM_ROWS] = whats
    st.session_state[keys.DIAGRAM_LAYER] = (made, spec) if session.running else None
    return spec


CARD_PX = 230  # the editor's width ...
CARD_HEIGHT = {"weight": 130, "neuron": 270}  # ... and about its height, to keep it over the diagram


def _card_at(net, what: tuple, inputs, width: int, geometry) -> tuple[float, float]:
    """Where the editor's card goes in the diagram (left, top px): under a weight's line, beside a neuron."""
    tile, xs, ys, height = geometry
    if what[0] == "weight":
        line = next(w for w in drawing.weight_lines(net, width, inputs) if w[:3] == what[1:])
        x, y = (line[4][0] + line[5][0]) / 2, (line[4][1] + line[5][1]) / 2
        left, top = x - CARD_PX / 2, y + 14
    else:
        x, y = xs[what[1] + 1], ys[what[1] + 1][what[2]]
        left, top = (x + tile / 2 + 10 if x < width / 2 else x - tile / 2 - 10 - CARD_PX), y - tile / 2
    return min(max(left, 0.0), width - CARD_PX), max(min(top, height - CARD_HEIGHT[what[0]]), drawing.HEADING_PX)


def _clicked(key: str) -> None:
    """A click on the diagram (layer ``key``): an input turns on or off; a weight or a neuron is selected for the
    editor (and the run pauses)."""
    what = diagramclick.clicked(st.session_state.get(key), st.session_state.get(keys.DIAGRAM_ROWS, []))
    if what is None:
        return
    st.session_state[keys.DIAGRAM_CLICKS] = st.session_state.get(keys.DIAGRAM_CLICKS, 0) + 1
    if what[0] == "input":
        now = set(st.session_state[FEATURES_KEY]) ^ {what[1]}
        if now:  # the last input stays on
            st.session_state[FEATURES_KEY] = [f for f in FEATURES if f in now]
            st.session_state[keys.RERUN_PAGE] = True  # the sidebar's pills show it, the page builds the network
        return
    st.session_state[keys.SESSION].pause()
    st.session_state[keys.DIAGRAM_SELECTED] = what


# ---------------------------------------------------------------- the editor
def _close() -> None:
    st.session_state[keys.DIAGRAM_SELECTED] = None


def _edited(what: tuple, key: str) -> None:
    session = st.session_state[keys.SESSION]
    value = st.session_state.get(key)
    if value is not None and value != parameter(session.exp.network, what):
        set_parameter(session, what, float(value))


def _set(what: tuple, value: float) -> None:
    set_parameter(st.session_state[keys.SESSION], what, value)


def _number(label: str, what: tuple, key: str, net, shown: bool = True) -> None:
    """A number box showing the parameter ``what`` of ``net``; a new value in it edits the network."""
    st.session_state[key] = min(max(parameter(net, what), -LIMIT), LIMIT)  # what the network holds now
    st.number_input(label, -LIMIT, LIMIT, step=0.1, format="%.4g", key=key, on_change=_edited, args=(what, key),
                    label_visibility="visible" if shown else "collapsed")


def selected(arch) -> tuple | None:
    """The weight or neuron the editor shows, if it is still one of the network's."""
    what = st.session_state.get(keys.DIAGRAM_SELECTED)
    sizes = arch.sizes
    if what is None or what[0] not in ("weight", "neuron") or not 0 <= what[1] < len(sizes) - 1:
        return None
    fits = what[-1] < sizes[what[1] + 1] and (what[0] != "weight" or what[2] < sizes[what[1]])
    return what if fits else None


def _card_style(left: float, top: float) -> str:
    card = f".st-key-{keys.DIAGRAM_STACK}>div:nth-child(3)"
    return (f"<style>{card}{{z-index:8;width:{CARD_PX}px !important;margin:{top:.0f}px 0 0 {left:.0f}px}}"
            f".st-key-{keys.EDITOR}{{background:#fff;box-shadow:0 3px 12px rgba(0,0,0,.3);gap:.5rem;"
            "padding:.7rem !important}</style>")


def editor_ui(session, what: tuple, at: tuple[float, float], tiles=None) -> None:
    """The card of the selected weight (its value), or of the selected neuron (its map, its bias, and one of its
    weights in at a time), each value in a box that edits the network; at ``at`` (left, top px)."""
    net = session.exp.network
    with st.container(border=True, key=keys.EDITOR):
        st.markdown(_card_style(*at), unsafe_allow_html=True)
        if what[0] == "weight":
            st.markdown(f"**{describe(net.arch, what).capitalize()}**")
            _number("Value", what, keys.EDIT_VALUE, net, shown=False)
        else:
            _neuron(net, what, tiles)
        c1, c2 = st.columns(2)
        if what[0] == "weight":
            compat.button(c1, "Set to 0", key=keys.EDIT_ZERO, on_click=_set, args=(what, 0.0),
                          help="Cut this connection (training may grow it back)")
        compat.button(c2, "Close", key=keys.EDIT_CLOSE, on_click=_close)


def _neuron(net, what: tuple, tiles) -> None:
    """The neuron's card: its map (larger than its tile), its bias, and one of its weights in at a time."""
    l, j = what[1], what[2]
    kind = [*net.arch.activations, net.arch.output][l]
    picture = ""
    if tiles is not None and j < len(tiles[l + 1]):
        url = charts.png_data_url(tiles[l + 1][j]["index"], charts.PALETTE)
        picture = (f'<span style="float:right;width:60px;height:60px;border:1px solid #8a8a8a;'
                   f'background:url({url}) 0 0/100% 100%"></span>')
    st.markdown(f"{picture}<b>Neuron {describe(net.arch, what)}</b><br>{kind}", unsafe_allow_html=True)
    _number("Bias", ("bias", l, j), keys.EDIT_BIAS, net)
    names = diagramclick.unit_names(net.arch)[l]
    if st.session_state.get(keys.EDIT_FROM) not in range(len(names)):
        st.session_state[keys.EDIT_FROM] = 0
    c1, c2 = st.columns(2)
    with c1:
        i = st.selectbox("Weight from", range(len(names)), format_func=names.__getitem__, key=keys.EDIT_FROM)
    with c2:
        _number("Weight", ("weight", l, i, j), keys.EDIT_VALUE, net)

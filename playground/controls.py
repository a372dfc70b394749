"""The sidebar: one block per group of settings, each widget drawn from its setting's declaration.

Widget values live in st.session_state under the keys of :func:`playground.state.widget_state`;
callbacks change them before the widgets are drawn (Streamlit forbids changing a drawn widget's value).
"""

from __future__ import annotations

import streamlit as st

from nn_core import DATASETS, SETTINGS, TUTORIAL
from nn_core.network import MAX_HIDDEN_LAYERS, MAX_WIDTH

from . import compat
from .state import own_value, widget_key, widget_state, widget_values

GROUPS = {"data": "Data", "network": "Network", "training": "Training"}


def set_widgets(config) -> None:
    """Show ``config`` in every widget (from a callback or before the widgets are drawn)."""
    st.session_state.update(widget_state(config))


# ---------------------------------------------------------------- callbacks
def _tutorial():
    set_widgets(TUTORIAL)


def _regenerate():
    s = SETTINGS["data_seed"]
    key = widget_key(s.name)
    st.session_state[key] = (int(st.session_state[key]) + 1) % (s.kind.high + 1)


def _changed(name: str):
    """After a widget changes: settings that follow it go back to their default (the dataset's own noise)."""
    def callback():
        dataset = st.session_state[widget_key("dataset")]
        for s in SETTINGS.values():
            if s.follows == name:
                st.session_state[widget_key(s.name)] = own_value(s, dataset) if s.default is None else s.default
    return callback


def _add_layer():
    n = int(st.session_state["w_layers"])
    if n < MAX_HIDDEN_LAYERS:
        st.session_state[f"w_width_{n}"] = int(st.session_state.get(f"w_width_{n - 1}", 4)) if n else 4
        st.session_state[f"w_act_{n}"] = st.session_state["w_act_all"]
        st.session_state["w_layers"] = n + 1


def _remove_layer():
    st.session_state["w_layers"] = max(int(st.session_state["w_layers"]) - 1, 0)


# ---------------------------------------------------------------- widgets by kind
def _number(s, values, slider: bool) -> None:
    lo, hi = s.kind.bounds(page=True)
    if s.kind.integer:
        lo, hi = int(lo), int(hi)
    disabled = s.enabled is not None and not s.enabled(values)
    args = dict(key=widget_key(s.name), step=s.kind.step, disabled=disabled, help=s.help or None)
    if slider:
        st.slider(s.label, lo, hi, **args)
    else:
        st.number_input(s.label, lo, hi, format=s.kind.fmt, **args)


def _select(s, values) -> None:
    key = widget_key(s.name)
    options = list(s.options(values)) if s.options else list(s.kind.choices)
    if st.session_state.get(key) not in options:
        st.session_state[key] = options[0]
    st.selectbox(s.label, options, key=key, format_func=s.kind.titles, help=s.help or None,
                 on_change=_changed(s.name))


def _layer_count(s, values) -> None:
    n = int(st.session_state["w_layers"])
    c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    c1.markdown(f"**{n} hidden layer{'s' if n != 1 else ''}**", help=s.help)
    c2.button("", icon=":material/add:", key="add_layer", on_click=_add_layer, disabled=n >= MAX_HIDDEN_LAYERS,
              help="Add a hidden layer")
    c3.button("", icon=":material/remove:", key="remove_layer", on_click=_remove_layer, disabled=n == 0,
              help="Remove the last hidden layer")


def _layer_editor(s, values) -> None:
    """Each layer's width, and one activation for all of them or one per layer."""
    n = int(st.session_state["w_layers"])
    choices = list(s.kind.choices)
    st.toggle("One activation for all layers", key="w_same_act")
    same = st.session_state["w_same_act"]
    if same:
        st.selectbox(s.label, choices, key="w_act_all", help=s.help)
    for i in range(n):
        width = st.columns(1 if same else 2)
        width[0].number_input(f"Layer {i + 1} neurons", 1, MAX_WIDTH, key=f"w_width_{i}", step=1)
        if not same:
            if f"w_act_{i}" not in st.session_state:
                st.session_state[f"w_act_{i}"] = st.session_state["w_act_all"]
            width[1].selectbox(f"Layer {i + 1} activation", choices, key=f"w_act_{i}")


def _pills(s, values) -> None:
    st.pills(s.label, list(s.kind.choices), key=widget_key(s.name), selection_mode="multi", help=s.help or None)


WIDGETS = {
    "number": lambda s, v: _number(s, v, slider=False),
    "slider": lambda s, v: _number(s, v, slider=True),
    "select": _select,
    "pills": _pills,
    "layers": _layer_count,
    "layer_activations": _layer_editor,
}


def settings_ui(group: str) -> None:
    """The widgets of one group of settings, in declaration order; those that do not apply are hidden."""
    st.header(GROUPS[group])
    values = widget_values(st.session_state)
    for s in SETTINGS.values():
        if s.group == group and (s.shown is None or s.shown(values)):
            WIDGETS[s.widget_kind](s, values)
            values = widget_values(st.session_state)  # a select may have moved to an option that fits
    if group == "data":
        st.button("Regenerate", key="regenerate", on_click=_regenerate, help="Draw new points (next data seed).",
                  disabled=DATASETS[values["dataset"]].fixed)


def preset_ui() -> None:
    compat.button(st, "Tutorial preset", key="tutorial", on_click=_tutorial, type="primary",
                  help="The tutorial's network: XOR, 2-3-1 sigmoid, standard normal weights, sse loss, "
                       "gradient descent with lr 0.1, 10,000 epochs.")

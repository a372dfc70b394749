"""The sidebar: one block per group of settings, each widget drawn from its setting's declaration.

Widget values live in st.session_state under the keys of :mod:`playground.keys` (a Config's values:
:func:`playground.widgets.widget_state`); callbacks change them before the widgets are drawn (Streamlit
forbids changing a drawn widget's value).
A shared link may hide parts of the page (playground.share.HIDEABLE): a hidden setting's widget is
not drawn, and its value, kept in st.session_state, still makes the experiment.
"""

from __future__ import annotations

from decimal import Decimal

import streamlit as st

from nn_core import DATASETS, SETTINGS, TUTORIAL
from nn_core.network import MAX_HIDDEN_LAYERS, MAX_WIDTH

from . import compat, keys, owndata, thumbnails
from .keys import ALL_ACTIVATION, LAYERS, SAME_ACTIVATION, activation_key, setting_key, width_key
from .page_config import own_value
from .url import SPEED_DEFAULT, VIEW_DEFAULT, page_query
from .widgets import widget_state, widget_values

GROUPS = {"data": "Data", "network": "Network", "training": "Training"}
SECTIONS = {"presets": "Tutorial preset button", "share": "Share and files (this section)"}  # hideable too
_LAYERS = next(s for s in SETTINGS.values() if s.widget_kind == "layers")


def is_hidden(s, hidden) -> bool:
    """Whether a shared link hides setting ``s``: by its URL key or its whole group."""
    return s.url in hidden or s.group in hidden


def set_widgets(config) -> None:
    """Show ``config`` in every widget (from a callback or before the widgets are drawn)."""
    st.session_state.update(widget_state(config))


# ---------------------------------------------------------------- callbacks
def _tutorial():
    set_widgets(TUTORIAL)


def _regenerate():
    s = SETTINGS["data_seed"]
    key = setting_key(s.name)
    st.session_state[key] = (int(st.session_state[key]) + 1) % (s.kind.high + 1)


def _changed(name: str):
    """After a widget changes: settings that follow it go back to their default (the dataset's own noise)."""
    def callback():
        dataset = st.session_state[setting_key("dataset")]
        for s in SETTINGS.values():
            if s.follows == name:
                st.session_state[setting_key(s.name)] = own_value(s, dataset) if s.default is None else s.default
    return callback


def _add_layer():
    n = int(st.session_state[LAYERS])
    if n < MAX_HIDDEN_LAYERS:
        st.session_state[width_key(n)] = int(st.session_state.get(width_key(n - 1), 4)) if n else 4
        st.session_state[activation_key(n)] = st.session_state[ALL_ACTIVATION]
        st.session_state[LAYERS] = n + 1


def _remove_layer():
    st.session_state[LAYERS] = max(int(st.session_state[LAYERS]) - 1, 0)


def write_url(config) -> None:
    """Put the page in the URL: every setting of ``config``, the view options, the speed, the parts the shared
    link hides and its goal (as chosen in the share section)."""
    state = st.session_state
    st.query_params.from_dict(page_query(config, state.get(keys.VIEW, VIEW_DEFAULT) or (), state.get(keys.HIDE, ()),
                                         state.get(keys.EXPLORE), _run_a_in_link(state.get(keys.SESSION)),
                                         state.get(keys.SPEED) or SPEED_DEFAULT, state.get(keys.GOAL, "")))


def _run_a_in_link(session) -> tuple | None:
    """Run A as a link carries it (its settings and epoch), pinned or being trained again; else None."""
    if session is None:
        return None
    if session.pinned is not None:
        return session.pinned.config, session.pinned.epoch
    return None if session.rebuilding is None else (session.rebuilding.run.config, session.rebuilding.until)


def view_changed():
    """After the main area's view options change: a rerun of the main area's fragment alone does not
    run the page, which writes the URL, so the callback writes it."""
    write_url(st.session_state[keys.SESSION].config)


# ---------------------------------------------------------------- widgets by kind
def _number(s, values, slider: bool) -> None:
    lo, hi = s.kind.bounds(page=True)
    if s.kind.integer:
        lo, hi = int(lo), int(hi)
    disabled = s.enabled is not None and not s.enabled(values)
    args = dict(key=setting_key(s.name), step=s.kind.step, disabled=disabled, help=s.help or None)
    if slider:
        st.slider(s.label, lo, hi, **args)
    else:
        st.number_input(s.label, lo, hi, format=s.kind.fmt, **args)


def decimal(v: float) -> str:
    """A number as a person writes it, without an exponent: 0.00001, 0.003, 10."""
    return format(Decimal(repr(float(v))).normalize(), "f")


def _log_slider(s, values) -> None:
    """A number on a log scale, as TensorFlow Playground sets its learning rate: a slider over the setting's
    stops (0.00001 ... 10), with the value as one more stop if a link or a model file set it between them."""
    key = setting_key(s.name)
    stops = sorted({*s.kind.stops, float(st.session_state[key])})
    st.select_slider(s.label, stops, key=key, format_func=decimal,
                     help=f"{s.help} On a log scale: each stop 3 or 10 times the last (a link or a model file may "
                          "set a value between them).")


def _fit_choice(s, values) -> list[str]:
    """The choices of ``s`` that fit the other settings; its value moves to the first if it does not fit
    (shown or not: a hidden loss follows the dataset a visitor picks)."""
    key = setting_key(s.name)
    options = list(s.options(values)) if s.options else list(s.kind.choices)
    if st.session_state.get(key) not in options:
        st.session_state[key] = options[0]
    return options


def fit_choices() -> None:
    """Every choice that applies moved to an option that fits the other settings, in declaration order, as
    drawing the sidebar would: the page reads the settings before it draws the sidebar."""
    values = widget_values(st.session_state)
    for s in SETTINGS.values():
        if s.widget_kind == "select" and (s.shown is None or s.shown(values)):
            _fit_choice(s, values)
            values = widget_values(st.session_state)


def _picked() -> None:
    """A click on the data picker: that dataset, with the settings that follow it reset as the selectbox does."""
    name = thumbnails.picked(st.session_state.get(keys.PICKER))
    key = setting_key("dataset")
    if name is not None and name != st.session_state.get(key):
        st.session_state[key] = name
        _changed("dataset")()


def _select(s, values) -> None:
    if s.name == "dataset":  # the datasets as pictures to click, as in TensorFlow Playground, above the list
        compat.picker_chart(thumbnails.picker_spec(st.session_state[setting_key("dataset")]), keys.PICKER, _picked,
                            thumbnails.SELECTION)
    st.selectbox(s.label, _fit_choice(s, values), key=setting_key(s.name), format_func=s.kind.titles,
                 help=s.help or None, on_change=_changed(s.name))


def _layer_count(s, values) -> None:
    n = int(st.session_state[LAYERS])
    st.markdown(f"**{n} hidden layer{'s' if n != 1 else ''}**", help=s.help)
    c2, c3 = st.columns(2)
    compat.button(c2, "+ Add layer", key=keys.ADD_LAYER, on_click=_add_layer, disabled=n >= MAX_HIDDEN_LAYERS,
                  help="Add a hidden layer")
    compat.button(c3, "− Remove layer", key=keys.REMOVE_LAYER, on_click=_remove_layer, disabled=n == 0,
                  help="Remove the last hidden layer")


def _layer_editor(s, values, widths: bool = True, activations: bool = True) -> None:
    """Each layer's width (unless a shared link hides the layers), and one activation for all of them or
    one per layer (unless it hides the activations)."""
    n = int(st.session_state[LAYERS])
    choices = list(s.kind.choices)
    same = True
    if activations and n:  # no hidden layer, no activation to choose (its value is kept for when one returns)
        st.toggle("One activation for all layers", key=SAME_ACTIVATION)
        same = st.session_state[SAME_ACTIVATION]
        if same:
            st.selectbox(s.label, choices, key=ALL_ACTIVATION, help=s.help)
    for i in range(n if widths or not same else 0):
        row = st.columns(int(widths) + int(not same))
        if widths:
            row[0].number_input(f"Layer {i + 1} neurons", 1, MAX_WIDTH, key=width_key(i), step=1)
        if not same:
            if activation_key(i) not in st.session_state:
                st.session_state[activation_key(i)] = st.session_state[ALL_ACTIVATION]
            row[-1].selectbox(f"Layer {i + 1} activation", choices, key=activation_key(i))


def _pills(s, values) -> None:
    st.pills(s.label, list(s.kind.choices), key=setting_key(s.name), selection_mode="multi", help=s.help or None)


def _text(s, values) -> None:
    st.text_input(s.label, key=setting_key(s.name), max_chars=s.kind.page_length, help=s.help or None)


WIDGETS = {
    "text": _text,
    "points": owndata.points_ui,
    "number": lambda s, v: _number(s, v, slider=False),
    "slider": lambda s, v: _number(s, v, slider=True),
    "log": _log_slider,
    "select": _select,
    "pills": _pills,
    "layers": _layer_count,
    "layer_activations": _layer_editor,
}


def _drawn(s, group: str, hidden) -> bool:
    """Whether ``s`` has a widget in ``group``'s block; the layer editor draws the widths too."""
    return s.group == group and (not is_hidden(s, hidden) or s.widget_kind == "layer_activations"
                                 and not is_hidden(_LAYERS, hidden))


def settings_ui(group: str, hidden=frozenset()) -> None:
    """The widgets of one group of settings, in declaration order; those that do not apply, and those a
    shared link hides (``hidden``: URL keys and group names), are not drawn."""
    values = widget_values(st.session_state)
    if any(_drawn(s, group, hidden) for s in SETTINGS.values()):
        st.header(GROUPS[group])
    for s in SETTINGS.values():
        if s.group != group or s.shown is not None and not s.shown(values):
            continue
        if s.widget_kind == "layer_activations" and _drawn(s, group, hidden):
            _layer_editor(s, values, widths=not is_hidden(_LAYERS, hidden), activations=not is_hidden(s, hidden))
        elif not is_hidden(s, hidden):
            WIDGETS[s.widget_kind](s, values)
        elif s.widget_kind == "select":
            _fit_choice(s, values)
        values = widget_values(st.session_state)  # a select may have moved to an option that fits
    if group == "data" and not is_hidden(SETTINGS["data_seed"], hidden):  # Regenerate changes the data seed
        st.button("Regenerate", key=keys.REGENERATE, on_click=_regenerate, help="Draw new points (next data seed).",
                  disabled=DATASETS[values["dataset"]].fixed)


def preset_ui(hidden=frozenset()) -> None:
    if "presets" in hidden:
        return
    compat.button(st, "Tutorial preset", key=keys.TUTORIAL, on_click=_tutorial, type="primary",
                  help="The tutorial's network: XOR, 2-3-1 sigmoid, standard normal weights, sse loss, "
                       "gradient descent with lr 0.1, 10,000 epochs.")

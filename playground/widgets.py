"""The experiment in the sidebar's widgets: the widget values that show a Config, and the Config they show.

The widgets keep their values in ``st.session_state`` under the keys of :mod:`playground.keys`: each
setting's under :func:`~playground.keys.setting_key`, and the layer editor's count, widths and activations
under their own. Plain Python over mappings (no Streamlit), so both directions are testable on their own.
"""

from __future__ import annotations

from collections.abc import Mapping

from nn_core import SETTINGS, Config

from .keys import ALL_ACTIVATION, LAYERS, SAME_ACTIVATION, activation_key, setting_key, width_key
from .page_config import explicit


def widget_state(c: Config) -> dict[str, object]:
    """The widget values that show config ``c``."""
    c = explicit(c)
    state: dict[str, object] = {}
    for s in SETTINGS.values():
        v = getattr(c, s.name)
        if s.widget_kind == "layers":
            state[LAYERS] = len(v)
            state.update({width_key(i): w for i, w in enumerate(v)})
        elif s.widget_kind == "layer_activations":
            acts = c.layer_activations or v
            state.update({SAME_ACTIVATION: len(set(acts)) <= 1, ALL_ACTIVATION: acts[0]})
            state.update({activation_key(i): a for i, a in enumerate(acts)})
        else:
            state[setting_key(s.name)] = list(v) if isinstance(v, tuple) else v
    return state


def _widget_value(s, state: Mapping[str, object]):
    if s.widget_kind == "layers":
        return tuple(state.get(width_key(i), 4) for i in range(int(state[LAYERS])))
    if s.widget_kind == "layer_activations":
        if state[SAME_ACTIVATION]:
            return (state[ALL_ACTIVATION],)
        return tuple(state.get(activation_key(i), state[ALL_ACTIVATION]) for i in range(int(state[LAYERS]))) or (
            state[ALL_ACTIVATION],)
    v = state[setting_key(s.name)]
    return tuple(v) if isinstance(v, list) else v


def widget_values(state: Mapping[str, object]) -> dict[str, object]:
    """Every setting's value as the widgets hold it, unchecked (what the widgets' own rules look at)."""
    return {s.name: _widget_value(s, state) for s in SETTINGS.values()}


def config_from_widgets(state: Mapping[str, object]) -> Config:
    """The config the widgets show; ConfigError if a value is refused or the settings do not fit together."""
    values = widget_values(state)
    for s in SETTINGS.values():
        values[s.name] = s.check(values[s.name], page=True)
    return Config(**values).check(page=True)

"""The speed control in the run's row: Slow, Normal or Fast (:data:`playground.url.SPEEDS`), the pace of the
run's redraws (:mod:`playground.tempo`), in the URL as ``speed=`` and hidden by a link's ``hide=speed``."""

from __future__ import annotations

import streamlit as st

from . import keys
from .controls import view_changed
from .tempo import Live
from .url import SPEED_DEFAULT, SPEEDS

TITLES = {"slow": "Slow", "normal": "Normal", "fast": "Fast"}
HELP = ("How fast a run plays. Slow and Normal show the learning over many redraws, however fast the "
        "computer: a redraw stops once the loss has fallen by a little (a smaller step at Slow); where "
        "nothing changes, training goes at full speed. Fast trains as much as it can between redraws.")


def speed_ui(live: Live) -> None:
    """The speed control (unless a shared link hides it), and the speed the run takes from it (the link's, when
    hidden). A click on the chosen speed does not leave the page without one."""
    state = st.session_state
    hidden = state.get(keys.HIDDEN, frozenset())
    if state.get(keys.SPEED) not in SPEEDS:
        state[keys.SPEED] = SPEED_DEFAULT
    if "speed" not in hidden:
        st.pills("Speed", list(SPEEDS), selection_mode="single", key=keys.SPEED, format_func=TITLES.get,
                 label_visibility="collapsed", on_change=_speed_changed, help=HELP)
    live.speed = state[keys.SPEED]


def _speed_changed() -> None:
    if st.session_state.get(keys.SPEED) not in SPEEDS:  # the chosen pill clicked again: it stays chosen
        st.session_state[keys.SPEED] = st.session_state.get(keys.kept_key(keys.SPEED), SPEED_DEFAULT)
    view_changed()  # the URL carries the speed

"""The run's controls above the figures: Train or Pause, Step, +100, Reset, "Until paused", the speed, and the run's
status.

Their callbacks start, pause and reset the visitor's runs (:class:`playground.session.Session`); Step and
+100 train there and then, in the visitor's turn on the server.
"""

from __future__ import annotations

import streamlit as st

from . import compat, keys, speed
from .session import Session

# The parts of the row a teacher's link may hide (``hide=`` in the URL): name -> what it is. The run's status
# always shows.
PARTS = {
    "play": "the Train / Pause button",
    "step": "the Step and +100 buttons",
    "reset": "the Reset button",
    "until": "the “Until paused” switch",
    "speed": "the speed control (the link's speed holds)",
}


# A button's callback runs first thing in the run its click starts, before anything a newer click could
# interrupt; so each click takes effect even when clicks come faster than the page redraws.
def _start_run(s: Session) -> None:
    if not s.running:
        s.start()


def _pause_run(s: Session) -> None:
    s.pause()


def _train_epochs(s: Session, epochs: int) -> None:
    s.advance(epochs)  # it stops a run: the page then shows each step


def _reset_network(s: Session) -> None:
    s.reset()


def _set_continuous(s: Session) -> None:
    s.continuous = bool(st.session_state[keys.CONTINUOUS])


def status(s: Session) -> str:
    """What the run is doing, in a word."""
    if not s.running and s.exp.trainer.divergence is None and s.current_notice and s.notice_status:
        return s.notice_status  # "new data", while the network has not moved on from it
    return ("training…" if s.running else "diverged" if s.exp.trainer.divergence
            else "done" if s.done else "ready" if s.epoch == 0 else "paused")


def buttons(s: Session, hidden=frozenset()) -> None:
    """The row of the run's buttons and its status ("Epoch 120 of 1,000 · paused"); those in ``hidden`` (names of
    :data:`PARTS`) are not drawn."""
    parts = [(width, draw) for name, width, draw in (
        ("play", 1.15, _play), ("step", 0.8, _step), ("step", 0.8, _step100), ("reset", 0.8, _reset),
        ("until", 1.9, _until), ("speed", 2.0, _speed)) if name not in hidden]
    c = st.columns([w for w, _ in parts] + [2.35], vertical_alignment="center")
    for column, (_, draw) in zip(c, parts):
        draw(column, s)
    if "speed" in hidden:
        speed.speed_ui(s.live)  # draws nothing: the run takes the link's speed
    budget = "" if s.continuous else f" of {s.target:,}"
    c[-1].markdown(f'<span class="nnp-status"><b>Epoch {s.epoch:,}</b>{budget} · {status(s)}</span>',
                   unsafe_allow_html=True)


def _play(c, s: Session) -> None:
    if s.running:
        compat.button(c, "❚❚ Pause", key=keys.PAUSE, type="primary", on_click=_pause_run, args=(s,))
    else:
        compat.button(c, "▶ Train", key=keys.TRAIN, type="primary", on_click=_start_run, args=(s,),
                      help="Train until the epoch budget (or until paused), redrawing as it learns")


def _step(c, s: Session) -> None:
    compat.button(c, "Step", key=keys.STEP, help="Train one epoch", on_click=_train_epochs, args=(s, 1))


def _step100(c, s: Session) -> None:
    compat.button(c, "+100", key=keys.STEP100, help="Train 100 epochs", on_click=_train_epochs, args=(s, 100))


def _reset(c, s: Session) -> None:
    compat.button(c, "Reset", key=keys.RESET, help="A fresh network from the seed, epoch 0",
                  on_click=_reset_network, args=(s,))


def _speed(c, s: Session) -> None:
    with c:
        speed.speed_ui(s.live)


def _until(c, s: Session) -> None:
    c.toggle("Until paused", key=keys.CONTINUOUS, on_change=_set_continuous, args=(s,),
             help="Keep training until you pause, as TensorFlow Playground does, instead of stopping at the "
                  "epoch budget")

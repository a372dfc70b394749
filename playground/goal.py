"""The challenge on the page: the goal a teacher's link sets (``goal=``), shown above the figures with the
run's progress toward it and, once it is met, a link to send back; and the share section's field that sets
it for the class's link (playground.challenge holds the rules).

The goal is part of this visit, like the parts a link hides: it comes from the link or the share section,
the page's URL carries it (playground.controls.write_url), and a change of settings keeps it.
"""

from __future__ import annotations

import html
from urllib.parse import urlencode

import streamlit as st

from . import charts, compat, keys
from .challenge import GoalError, Tracker, goal_text, parse_goal, structure
from .copy_link import LINE_HEIGHT, copy_html
from .messages import say
from .session import Session
from .url import page_query

EXAMPLE = "test_acc>=0.95,epochs<=500,neurons<=8"
SEND_BACK = "Copy the link that met the goal"
STYLE = ("<style>.nnp-goal{display:flex;flex-wrap:wrap;gap:.25rem .6rem;align-items:baseline;font-size:.9rem;"
         "margin:.1rem 0 .4rem}.nnp-goal .c{padding:.05rem .45rem;border-radius:.6rem;background:#f0f2f6}"
         ".nnp-goal .c.ok{background:#dff3e4}.nnp-goal .c.met{background:#21824a;color:#fff;font-weight:600}"
         ".nnp-goal .n{opacity:.7;font-size:.8rem}</style>")


# ---------------------------------------------------------------- the share section
def goal_input() -> None:
    """The goal a class's link sets: typed once, read by playground.challenge, shown at once on this page."""
    st.text_input("Goal for the class", key=keys.GOAL_INPUT, on_change=_goal_typed, placeholder=EXAMPLE,
                  help="A challenge the link sets, e.g. test_acc>=0.95,epochs<=500,neurons<=8: reach train_acc "
                       "or test_acc (at least, 0.95 or 95%), or train_loss or test_loss (at most); within "
                       "epochs, neurons, layers or params (at most). Empty: no goal.")
    message = st.session_state.pop(keys.GOAL_MESSAGE, None)
    if message:
        say(*message)


def _goal_typed() -> None:
    raw = st.session_state[keys.GOAL_INPUT].strip()
    try:
        text = goal_text(parse_goal(raw)) if raw else ""
    except GoalError as e:
        st.session_state[keys.GOAL_MESSAGE] = ("error", f"Not a goal: {e}. The link keeps the one it had.")
        return
    st.session_state[keys.GOAL] = st.session_state[keys.GOAL_INPUT] = text
    st.session_state.pop(keys.GOAL_TRACKER, None)


# ---------------------------------------------------------------- the main area
def goal_box(s: Session) -> None:
    """The goal and where the run stands against it (redrawn while training); once met, the link to send back."""
    text = st.session_state.get(keys.GOAL, "")
    if not text:
        return
    tracker = st.session_state.get(keys.GOAL_TRACKER)
    if tracker is None or goal_text(tracker.goal) != text:
        tracker = st.session_state[keys.GOAL_TRACKER] = Tracker(parse_goal(text))
    exp = s.exp
    per = charts.loss_per_point(exp.config.loss_name)
    shape = structure(tuple(exp.config.hidden), exp.network.arch.n_params)
    tracker.update(exp.trainer.history, (len(exp.train), max(len(exp.test), 1)) if per else (1, 1), shape,
                   len(exp.test) > 0, s.config)
    st.markdown(STYLE + _chips(tracker, shape, s.epoch), unsafe_allow_html=True)
    if tracker.problem:
        say("warning", f"As it is set up, this run cannot meet the goal: {tracker.problem}.", lead="**Goal:**")
    if tracker.met is not None:  # the settings that met it, to send back
        link = urlencode(page_query(tracker.met[1], st.session_state.get(keys.VIEW) or (), goal=text))
        compat.html_frame(copy_html(link, SEND_BACK, one_line=True), LINE_HEIGHT)


def _chips(tracker: Tracker, shape: dict, epoch: int) -> str:
    """The goal on one line that wraps: a chip per condition (✓ where it holds) and, once met, when."""
    chips = "".join(f'<span class="c{" ok" if line.ok else ""}">{"✓" if line.ok else "○"} {html.escape(line.words)}'
                    f' <span class="n">{html.escape(line.now)}</span></span>' for line in tracker.lines(shape, epoch))
    if tracker.met is not None:
        chips += f'<span class="c met">Goal met at epoch {tracker.met[0]:,}: well done!</span>'
    return f'<div class="nnp-goal" data-goal="{"met" if tracker.met is not None else "open"}"><b>Goal</b>{chips}</div>'

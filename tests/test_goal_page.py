"""Challenges on the page (issue 19): a teacher's link carries a goal; the page shows it, the learner's progress
toward it and, once met, the link that met it; the share section builds such a link; a bad goal is named."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

from apptest_helpers import no_errors, plain, run_app, session, widget
from nn_core import TUTORIAL
from playground.copy_link import copy_html
from playground.goal import SEND_BACK
from playground.keys import GOAL_INPUT
from playground.url import config_to_query

TUTORIAL_LINK = {**config_to_query(TUTORIAL), "ep": "3000"}


def query(at) -> dict:
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def goal_html(at) -> str | None:
    found = [m.value for m in at.markdown if 'class="nnp-goal"' in m.value]
    return found[0] if found else None


def train(at, times: int):
    for _ in range(times):
        at.button(key="step100").click().run()
    return at


def test_a_link_with_a_goal_shows_it_and_the_progress_until_it_is_met():
    at = run_app({"goal": "test_acc>=95%,epochs<=300,neurons<=12"})  # the default experiment: circles, 6-6
    no_errors(at)
    box = goal_html(at)
    assert 'data-goal="open"' in box and "Test accuracy at least 95%" in box and "Epochs at most 300" in box
    assert "Hidden neurons at most 12" in box and "Goal met" not in box
    assert query(at)["goal"] == "test_acc>=0.95,epochs<=300,neurons<=12"  # the page's link keeps it
    train(at, 1)  # it reaches 95% on its test points within 100 epochs
    no_errors(at)
    box = goal_html(at)
    assert 'data-goal="met"' in box
    first = int(re.search(r"Goal met at epoch ([\d,]+): well done!", box).group(1).replace(",", ""))
    history = session(at).exp.trainer.history
    assert next(r.epoch for r in history if r.test_acc >= 0.95) == first  # the first epoch it held
    frames = [f.proto.srcdoc for f in at.main.get("iframe")]
    sent = [f for f in frames if SEND_BACK in f]
    assert len(sent) == 1
    link = re.search(r"\+ \"(.*?)\"", sent[0]).group(1).encode().decode("unicode_escape")
    back = {k: v[0] for k, v in parse_qs(link).items()}
    assert back["goal"] == "test_acc>=0.95,epochs<=300,neurons<=12" and back["h"] == "6-6" and back["ds"] == "circles"
    assert sent[0] == copy_html(link, SEND_BACK, one_line=True)


def test_a_network_over_the_goals_budget_is_told_so():
    at = run_app({**TUTORIAL_LINK, "h": "8-8", "goal": "train_acc>=1,neurons<=8"})
    no_errors(at)
    warnings = [plain(w.value) for w in at.warning]
    assert any("cannot meet the goal" in w and "16 hidden neurons" in w and "allows 8" in w for w in warnings)
    train(at, 5)
    assert 'data-goal="open"' in goal_html(at)  # never met while the network is over budget


def test_a_bad_goal_in_a_link_is_named_and_the_page_has_none():
    at = run_app({"goal": "test_acc>=2"})
    no_errors(at)
    assert len(at.warning) == 1 and "goal='test_acc>=2'" in plain(at.warning[0].value)
    assert goal_html(at) is None and "goal" not in query(at)


def test_the_share_section_sets_the_goal_of_the_link():
    at = run_app()
    widget(at, "text", GOAL_INPUT).set_value("test acc >= 0.9").run()  # not a metric: named, nothing changes
    assert any("Not a goal" in plain(e.value) for e in at.error) and "goal" not in query(at)
    widget(at, "text", GOAL_INPUT).set_value(" test_acc >= 90% , epochs<=500 ").run()
    no_errors(at)
    assert query(at)["goal"] == "test_acc>=0.9,epochs<=500" and widget(at, "text", GOAL_INPUT).value == (
        "test_acc>=0.9,epochs<=500")
    assert "Test accuracy at least 90%" in goal_html(at)  # this page shows it too
    widget(at, "number", "w_epochs").set_value(500).run()  # a change of settings keeps it
    assert query(at)["goal"] == "test_acc>=0.9,epochs<=500"
    widget(at, "text", GOAL_INPUT).set_value("").run()
    assert "goal" not in query(at) and goal_html(at) is None

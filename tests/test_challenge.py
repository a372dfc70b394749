"""Challenges: a goal read from a link, written back, and a run measured against it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.challenge import MAX_GOAL, GoalError, goal_text, parse_goal, progress, structure


def columns(epochs, train_acc, test_acc=None, train_loss=None, test_loss=None):
    n = len(epochs)
    nan = np.full(n, np.nan)
    return {"epoch": np.asarray(epochs, float), "train_acc": np.asarray(train_acc, float),
            "test_acc": nan if test_acc is None else np.asarray(test_acc, float),
            "train_loss": nan if train_loss is None else np.asarray(train_loss, float),
            "test_loss": nan if test_loss is None else np.asarray(test_loss, float)}


@pytest.mark.parametrize("text,canonical", [
    ("test_acc>=0.95,epochs<=500,neurons<=8", "test_acc>=0.95,epochs<=500,neurons<=8"),
    (" test_acc >= 95% , params<=50 ", "test_acc>=0.95,params<=50"),
    ("test_loss<=0.1", "test_loss<=0.1"),
    ("train_acc>=1,layers<=1", "train_acc>=1,layers<=1"),
])
def test_a_goal_reads_and_writes_back(text, canonical):
    goal = parse_goal(text)
    assert goal_text(goal) == canonical and parse_goal(goal_text(goal)) == goal


@pytest.mark.parametrize("text,words", [
    ("", "something to reach"), ("epochs<=500", "something to reach"), ("test_acc>=1.5", "(0, 1]"),
    ("test_acc<=0.5", "takes >="), ("test_loss>=0.1", "takes <="), ("epochs<=0.5", "whole number"),
    ("epochs<=1000000", "whole number"), ("speed>=3", "not a metric"), ("test_acc>=abc", "not a number"),
    ("test_acc>=0.9,test_acc>=0.8", "named twice"), ("test_acc=0.9", "write a metric"),
    ("x" * (MAX_GOAL + 1), f"at most {MAX_GOAL}"), ("test_loss<=nan", "above 0"), ("test_loss<=-1", "above 0"),
])
def test_a_bad_goal_is_named(text, words):
    with pytest.raises(GoalError, match=words.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        parse_goal(text)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(alphabet="test_acclosepohnurmiay<>=,.0123456789% ", max_size=260))
def test_any_text_is_a_goal_or_a_goal_error(text):
    try:
        goal = parse_goal(text)
    except GoalError as e:
        assert len(str(e)) < 200
        return
    assert parse_goal(goal_text(goal)) == goal


def test_progress_finds_the_first_epoch_every_target_holds_within_the_budget():
    goal = parse_goal("test_acc>=0.9,train_acc>=0.95,epochs<=4")
    run = columns([0, 1, 2, 3, 4, 5], [0.5, 0.96, 0.97, 0.99, 1, 1], [0.5, 0.85, 0.91, 0.92, 0.95, 0.99])
    p = progress(goal, structure((4,), 17), run, has_test=True)
    assert p.met and p.met_at == 2 and not p.problem
    late = progress(parse_goal("test_acc>=0.99,epochs<=4"), structure((4,), 17), run, has_test=True)
    assert not late.met and any(line.words == "Test accuracy at least 99%" and not line.ok for line in late.lines)


def test_a_network_over_budget_or_a_run_without_test_set_cannot_meet_it():
    goal = parse_goal("train_acc>=0.5,neurons<=8,params<=40")
    run = columns([0, 1], [0.4, 1.0])
    over = progress(goal, structure((6, 6), 67), run, has_test=False)
    assert not over.met and "12 hidden neurons" in over.problem and "67 parameters" in over.problem
    fits = progress(goal, structure((4,), 17), run, has_test=False)
    assert fits.met and fits.met_at == 1
    test = progress(parse_goal("test_acc>=0.5"), structure((4,), 17), run, has_test=False)
    assert not test.met and "test ratio" in test.problem


def test_a_loss_target_is_reached_from_above():
    goal = parse_goal("train_loss<=0.1")
    run = columns([0, 1, 2], [0.5, 0.7, 0.9], train_loss=[0.7, 0.2, 0.05])
    p = progress(goal, structure((3,), 13), run, has_test=False)
    assert p.met_at == 2 and p.lines[0].now == "best 0.05"

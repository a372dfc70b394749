"""Challenges: a goal read from a link, written back, and a run measured against it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn_core.training import EpochRecord
from playground.challenge import MAX_GOAL, GoalError, Tracker, goal_text, parse_goal, structure


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


def records(train_acc, test_acc=None, train_loss=None, test_loss=None, start=0):
    n = len(train_acc)
    return [EpochRecord(start + i, 0.5 if train_loss is None else train_loss[i],
                        None if test_loss is None and test_acc is None else (test_loss or [0.5] * n)[i],
                        train_acc[i], None if test_acc is None else test_acc[i], 0.0) for i in range(n)]


SMALL = structure((4,), 17)


def test_the_tracker_finds_the_first_epoch_every_target_holds_within_the_budget():
    t = Tracker(parse_goal("test_acc>=0.9,train_acc>=0.95,epochs<=4"))
    history = records([0.5, 0.96, 0.97, 0.99, 1, 1], [0.5, 0.85, 0.91, 0.92, 0.95, 0.99])
    t.update(history[:2], (1, 1), SMALL, True, "A")
    assert t.met_at is None and t.best == {"test_acc": 0.85, "train_acc": 0.96}
    t.update(history, (1, 1), SMALL, True, "B")  # grown: only the new records are read
    assert t.met_at == 2 and t.met == (2, "B") and not t.problem
    assert [line.ok for line in t.lines(SMALL, 5)] == [True, True, True]  # met within the budget
    late = Tracker(parse_goal("test_acc>=0.99,epochs<=4"))
    late.update(history, (1, 1), SMALL, True, "B")
    assert late.met is None and late.best["test_acc"] == 0.95  # epoch 5's 0.99 is past the budget
    assert [line.ok for line in late.lines(SMALL, 5)] == [False, False]


def test_a_new_run_starts_afresh_and_the_first_success_is_kept():
    t = Tracker(parse_goal("train_acc>=0.9"))
    t.update(records([0.5, 0.95]), (1, 1), SMALL, False, "first")
    again = records([0.4])
    t.update(again, (1, 1), SMALL, False, "second")
    assert t.met_at is None and t.best == {"train_acc": 0.4} and t.met == (1, "first")


def test_a_network_over_budget_or_a_run_without_test_set_cannot_meet_it():
    goal = parse_goal("train_acc>=0.5,neurons<=8,params<=40")
    over = Tracker(goal)
    over.update(records([0.4, 1.0]), (1, 1), structure((6, 6), 67), False, "x")
    assert over.met is None and "12 hidden neurons" in over.problem and "67 parameters" in over.problem
    fits = Tracker(goal)
    fits.update(records([0.4, 1.0]), (1, 1), SMALL, False, "x")
    assert fits.met_at == 1
    test = Tracker(parse_goal("test_acc>=0.5"))
    test.update(records([0.4, 1.0]), (1, 1), SMALL, False, "x")
    assert test.met is None and "test ratio" in test.problem


def test_a_loss_target_is_reached_from_above_per_point():
    t = Tracker(parse_goal("train_loss<=0.1"))
    t.update(records([0.5, 0.7, 0.9], train_loss=[7.0, 2.0, 0.5]), (10, 1), SMALL, False, "x")
    assert t.met_at == 2 and t.lines(SMALL, 2)[0].now == "best 0.05"

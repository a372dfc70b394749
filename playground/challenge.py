"""Challenges: a goal a teacher's link sets (``goal=``), and how far a learner's run is from it.

A goal is a few conditions joined by commas: targets the run must reach, and budgets it must keep::

    test_acc>=0.95,epochs<=500,neurons<=8        reach 95% test accuracy within 500 epochs, 8 neurons at most
    test_loss<=0.1,params<=50

Targets: ``train_acc``, ``test_acc`` (a fraction, or a percentage such as ``95%``) at least a value;
``train_loss``, ``test_loss`` (per point where the page shows it so) at most a value. Budgets, at most:
``epochs`` (the epoch by which the targets must all hold), ``neurons`` (hidden neurons), ``layers``
(hidden layers), ``params`` (weights and biases). A goal has at least one target, each metric once.

Plain Python over nn_core (no Streamlit): :func:`parse_goal` reads the link's text (bounded: at most
:data:`MAX_GOAL` characters, split on commas, never a regular expression over it), :func:`goal_text`
writes it back, and :func:`progress` measures a run against it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nn_core.text import format_number, show

MAX_GOAL = 200  # characters of a goal
TARGETS = {"train_acc": "Training accuracy", "test_acc": "Test accuracy", "train_loss": "Training loss",
           "test_loss": "Test loss"}
BUDGETS = {"epochs": "Epochs", "neurons": "Hidden neurons", "layers": "Hidden layers", "params": "Parameters"}
_BUDGET_MAX = {"epochs": 100_000, "neurons": 8 * 64, "layers": 8, "params": 10**6}
_OPS = (">=", "<=")


class GoalError(ValueError):
    """A goal the page cannot use; the message names the part."""


@dataclass(frozen=True)
class Condition:
    metric: str  # a key of TARGETS or BUDGETS
    value: float  # a fraction for accuracies, a number otherwise; a whole number for budgets

    @property
    def at_least(self) -> bool:
        return self.metric.endswith("_acc")

    def holds(self, v: float) -> bool:
        return v >= self.value if self.at_least else v <= self.value

    def text(self) -> str:
        op = ">=" if self.at_least else "<="
        v = f"{self.value:g}" if self.metric not in BUDGETS else str(int(self.value))
        return f"{self.metric}{op}{v}"

    def words(self) -> str:
        """The condition for a learner: "Test accuracy at least 95%"."""
        name = {**TARGETS, **BUDGETS}[self.metric]
        if self.at_least:
            return f"{name} at least {self.value:.0%}" if self.value * 100 == int(self.value * 100) else (
                f"{name} at least {self.value:.1%}")
        return f"{name} at most {format_number(self.value) if self.metric in BUDGETS else f'{self.value:g}'}"


@dataclass(frozen=True)
class Goal:
    targets: tuple[Condition, ...]
    budgets: tuple[Condition, ...]

    def budget(self, metric: str) -> int | None:
        return next((int(c.value) for c in self.budgets if c.metric == metric), None)


def _condition(part: str) -> Condition:
    op = next((o for o in _OPS if o in part), None)
    if op is None:
        raise GoalError(f"{show(part)}: write a metric, >= or <=, and a number (test_acc>=0.95, epochs<=500)")
    metric, raw = (p.strip() for p in part.split(op, 1))
    if metric not in TARGETS and metric not in BUDGETS:
        raise GoalError(f"{show(metric)}: not a metric; choose from {', '.join([*TARGETS, *BUDGETS])}")
    want = "<=" if metric in BUDGETS or metric.endswith("_loss") else ">="
    if op != want:
        raise GoalError(f"{show(part)}: {metric} takes {want}")
    percent = raw.endswith("%") and metric.endswith("_acc")
    try:
        value = float(raw[:-1] if percent else raw) / (100 if percent else 1)
    except ValueError:
        raise GoalError(f"{show(part)}: {show(raw)} is not a number") from None
    return Condition(metric, _checked_value(metric, value, part))


def _checked_value(metric: str, value: float, part: str) -> float:
    if metric.endswith("_acc") and not 0 < value <= 1:
        raise GoalError(f"{show(part)}: an accuracy lies in (0, 1], or (0%, 100%]")
    if metric.endswith("_loss") and not 0 < value < float("inf"):
        raise GoalError(f"{show(part)}: a loss to reach is a number above 0")
    if metric in BUDGETS and not (value == int(value) and 1 <= value <= _BUDGET_MAX[metric]):
        raise GoalError(f"{show(part)}: {metric} takes a whole number from 1 to {_BUDGET_MAX[metric]:,}")
    return value


def parse_goal(text: str) -> Goal:
    """The goal of a link's ``goal=`` text; GoalError naming the first bad part."""
    text = str(text).strip()
    if len(text) > MAX_GOAL:
        raise GoalError(f"a goal has at most {MAX_GOAL} characters, not {len(text):,}")
    conditions = [_condition(p) for p in text.split(",") if p.strip()]
    metrics = [c.metric for c in conditions]
    twice = next((m for m in metrics if metrics.count(m) > 1), None)
    if twice:
        raise GoalError(f"{twice} is named twice")
    targets = tuple(c for c in conditions if c.metric in TARGETS)
    if not targets:
        raise GoalError(f"a goal needs something to reach: {', '.join(TARGETS)}")
    return Goal(targets, tuple(c for c in conditions if c.metric in BUDGETS))


def goal_text(goal: Goal) -> str:
    """The goal as a link writes it (parse_goal reads it back)."""
    return ",".join(c.text() for c in (*goal.targets, *goal.budgets))


# ---------------------------------------------------------------- progress
@dataclass(frozen=True)
class Line:
    """One condition of the goal as the page shows it: the words, where the run is, whether it holds."""

    words: str
    now: str
    ok: bool


@dataclass(frozen=True)
class Progress:
    lines: tuple[Line, ...]
    met_at: int | None  # the first epoch at which every target held, within the budgets; None if not yet
    problem: str = ""  # why the run cannot meet the goal as it is set up (too many neurons, no test set)

    @property
    def met(self) -> bool:
        return self.met_at is not None


def structure(hidden: tuple[int, ...], n_params: int) -> dict[str, int]:
    """The budgets a network's shape is measured by."""
    return {"neurons": int(sum(hidden)), "layers": len(hidden), "params": int(n_params)}


def progress(goal: Goal, shape: dict[str, int], columns: dict[str, np.ndarray], has_test: bool) -> Progress:
    """How a run stands against ``goal``: ``shape`` from :func:`structure`; ``columns`` the history as the
    page's curves hold it (``epoch``, ``train_loss``, ``test_loss``, ``train_acc``, ``test_acc``; losses
    per point where the page shows them so), ``has_test`` whether there is a test set."""
    lines, problems = [], []
    for c in goal.budgets:
        if c.metric == "epochs":
            continue
        ok = c.holds(shape[c.metric])
        lines.append(Line(c.words(), format_number(shape[c.metric]), ok))
        if not ok:
            problems.append(f"the network has {shape[c.metric]:,} {BUDGETS[c.metric].lower()}, the goal allows "
                            f"{int(c.value):,}")
    if not has_test and any(c.metric.startswith("test_") for c in goal.targets):
        problems.append("the goal is on the test set and this run has none: set a test ratio above 0")
    epochs = np.asarray(columns["epoch"])
    limit = goal.budget("epochs")
    within = epochs <= limit if limit is not None else np.ones(len(epochs), bool)
    every = within.copy()
    for c in goal.targets:
        values = np.asarray(columns[c.metric], dtype=np.float64) if has_test or c.metric.startswith("train_") \
            else np.full(len(epochs), np.nan)
        holds = np.where(np.isnan(values), False, values >= c.value if c.at_least else values <= c.value)
        every &= holds
        best = _best(values[within], c.at_least)
        lines.append(Line(c.words(), "–" if best is None else _shown(c, best), bool((holds & within).any())))
    if limit is not None:
        lines.append(Line(f"{BUDGETS['epochs']} at most {limit:,}", f"{int(epochs[-1]) if len(epochs) else 0:,}",
                          not len(epochs) or epochs[-1] <= limit or bool(every.any())))
    met = int(epochs[np.argmax(every)]) if every.any() and not problems else None
    return Progress(tuple(lines), met, "; ".join(problems))


def _best(values: np.ndarray, at_least: bool) -> float | None:
    values = values[~np.isnan(values)]
    if not len(values):
        return None
    return float(values.max() if at_least else values.min())


def _shown(c: Condition, v: float) -> str:
    return f"best {v:.1%}" if c.at_least else f"best {v:.4g}"

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
writes it back, and a :class:`Tracker` follows a run's history against it.
"""

from __future__ import annotations

from dataclasses import dataclass

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
        return f"{name} at most {format_number(int(self.value)) if self.metric in BUDGETS else f'{self.value:g}'}"


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
def structure(hidden: tuple[int, ...], n_params: int) -> dict[str, int]:
    """The budgets a network's shape is measured by."""
    return {"neurons": int(sum(hidden)), "layers": len(hidden), "params": int(n_params)}


@dataclass(frozen=True)
class Line:
    """One condition of the goal as the page shows it: the words, where the run is, whether it holds."""

    words: str
    now: str
    ok: bool


class Tracker:
    """A goal followed through a run's history as it grows (a redraw reads only the epochs new since the last):
    each target's best so far within the epoch budget, and the first epoch at which every target held with
    the network within its budgets. ``met`` keeps the first success of the visit, (epoch, settings), even
    after the network is reset: the learner's link to send back."""

    def __init__(self, goal: Goal):
        self.goal = goal
        self.met: tuple[int, object] | None = None
        self._restart(None)

    def _restart(self, history) -> None:
        self._history, self._seen = history, 0
        self.best: dict[str, float] = {}
        self.met_at: int | None = None  # in this run

    def update(self, history, per_point: tuple[int, int], shape: dict[str, int], has_test: bool, config) -> None:
        """Read the records of ``history`` (EpochRecords) not read yet; ``per_point``: what the losses are
        divided by as the page shows them (training points, test points; 1 for a loss not summed)."""
        if history is not self._history or len(history) < self._seen:
            self._restart(history)
        self.problem = self._problem(shape, has_test)
        limit = self.goal.budget("epochs")
        for record in history[self._seen:]:
            if limit is not None and record.epoch > limit:
                break
            values = {"train_acc": record.train_acc, "test_acc": record.test_acc,
                      "train_loss": record.train_loss / per_point[0],
                      "test_loss": None if record.test_loss is None else record.test_loss / per_point[1]}
            held = [self._keep_best(c, values[c.metric]) for c in self.goal.targets]
            if all(held) and self.met_at is None and not self.problem:
                self.met_at = record.epoch
                self.met = self.met or (record.epoch, config)
        self._seen = len(history)

    def _keep_best(self, c: Condition, v) -> bool:
        if v is None or v != v:
            return False
        old = self.best.get(c.metric)
        if old is None or (v > old if c.at_least else v < old):
            self.best[c.metric] = float(v)
        return c.holds(v)

    def _problem(self, shape: dict[str, int], has_test: bool) -> str:
        """Why this network or data cannot meet the goal as they are set up, or ""."""
        problems = [f"the network has {shape[c.metric]:,} {BUDGETS[c.metric].lower()}, the goal allows "
                    f"{int(c.value):,}" for c in self.goal.budgets if c.metric != "epochs"
                    and not c.holds(shape[c.metric])]
        if not has_test and any(c.metric.startswith("test_") for c in self.goal.targets):
            problems.append("the goal is on the test set and this run has none: set a test ratio above 0")
        return "; ".join(problems)

    def lines(self, shape: dict[str, int], epoch: int) -> list[Line]:
        """Each condition as the page shows it, at ``epoch``."""
        out = [Line(c.words(), _shown(c, self.best.get(c.metric)), c.metric in self.best and c.holds(
            self.best[c.metric])) for c in self.goal.targets]
        for c in self.goal.budgets:
            now = epoch if c.metric == "epochs" else shape[c.metric]
            ok = self.met_at is not None if c.metric == "epochs" and now > c.value else c.holds(now)
            out.append(Line(c.words(), f"{now:,}", ok))
        return out


def _shown(c: Condition, v: float | None) -> str:
    if v is None:
        return "–"
    return f"best {v:.1%}" if c.at_least else f"best {v:.4g}"

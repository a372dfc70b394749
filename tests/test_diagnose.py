"""Hints for a run that is stuck or climbing: they come for the issue's runs, not for good ones or short ones,
say what to try with the run's own settings, and read a few records of however long a history."""

import numpy as np
import pytest

from nn_core import TUTORIAL, Config, Divergence, EpochRecord, build, diagnose
from nn_core.diagnose import CLIMB, FLAT, SAMPLES, STUCK_MIN, learning_rates
from nn_core.text import format_percent
from playground.page_config import DEFAULT

ISSUE = DEFAULT.replace(activations=("relu",), loss="sse", lr=10.0)  # the page's default, relu + sse + lr 10


def trained(c: Config, epochs: int, every: int = 0):
    """The experiment after ``epochs`` epochs, and the hints a page redrawing every ``every`` epochs saw."""
    exp = build(c)
    tr, seen = exp.trainer, []
    with np.errstate(over="ignore", invalid="ignore"):
        for r in tr.run(epochs):
            if every and r.epoch % every == 0:
                seen.append((r.epoch, hint_of(exp)))
    return exp, seen


def hint_of(exp):
    tr = exp.trainer
    return diagnose(tr.history, exp.config, tr.start_loss, tr.divergence)


def test_issue_example_is_stuck_with_dead_neurons():
    exp, seen = trained(ISSUE, 1000, every=50)
    last = exp.trainer.history[-1]
    hint = hint_of(exp)
    assert hint is not None and hint.kind == "stuck", hint
    assert last.train_acc < 0.6  # the issue: stuck near 48%
    assert f"training accuracy stays at {format_percent(last.train_acc, 0)}" in hint.message
    low, high, _ = learning_rates(ISSUE)
    assert "Dead neurons" in hint.message and f"lower the learning rate (10) to {low:g}–{high:g}" in hint.message
    assert "bce loss" in hint.message  # the sse loss is half the trouble
    # the page sees it once the flat stretch is long enough, and from then on
    stuck = [e for e, h in seen if h is not None and h.kind == "stuck"]
    assert stuck and stuck[0] <= 2 * STUCK_MIN and stuck == list(range(stuck[0], 1001, 50))
    # and the loss really is flat: no two records of the last fifth differ by FLAT
    tail = [r.train_loss for r in exp.trainer.history[-200:]]
    assert max(tail) - min(tail) <= FLAT * max(tail)


@pytest.mark.parametrize("c", [
    DEFAULT.replace(optimizer="momentum", lr=10.0),  # swings up and down, far above the start
    DEFAULT.replace(dataset="bumps", activations=("sigmoid",), optimizer="gd", lr=1.0),  # 0.26 -> 147
], ids=["momentum lr 10", "bumps sigmoid gd lr 1"])
def test_climbing_runs(c):
    exp, seen = trained(c, 300, every=10)
    hint = hint_of(exp)
    start = exp.trainer.start_loss
    assert exp.trainer.divergence is None and hint is not None and hint.kind == "climbing", hint
    assert exp.trainer.history[-1].train_loss > CLIMB * start and "has climbed from" in hint.message
    assert f"learning rate ({c.lr:g})" in hint.message
    # steady: from the first sighting on, every redraw shows it
    first = next(i for i, (_, h) in enumerate(seen) if h is not None)
    assert all(h is not None and h.kind == "climbing" for _, h in seen[first:])


def test_no_hint_for_the_tutorial_at_any_redraw():
    """The tutorial's plateau (about 0.04% over 200 epochs near epoch 1,000) is slow, not stuck."""
    exp, seen = trained(TUTORIAL, TUTORIAL.epochs, every=25)
    assert exp.trainer.history[-1].train_acc == 1.0
    assert [(e, h) for e, h in seen if h is not None] == []


def test_no_hint_for_the_default_experiment():
    exp, seen = trained(DEFAULT, max(DEFAULT.epochs, 2000), every=25)
    assert [(e, h) for e, h in seen if h is not None] == []


def test_no_hint_for_short_runs():
    for epochs in (1, 5, 20):
        exp, _ = trained(ISSUE, epochs)
        assert hint_of(exp) is None
    exp, _ = trained(ISSUE, STUCK_MIN - 1)  # flat from epoch 2 on, but not for long enough to say stuck
    assert hint_of(exp) is None or hint_of(exp).kind != "stuck"


def test_no_hint_for_a_diverged_run():
    c = Config(dataset="plane", samples=100, hidden=(16, 16), activations=("relu",), optimizer="gd", lr=9.0,
               loss="sse", epochs=500)
    exp, _ = trained(c, 500)
    assert exp.trainer.divergence is not None and hint_of(exp) is None
    # the divergence alone silences a history that climbs on its way there
    climbing = [EpochRecord(i + 1, 0.7 * 1.05**i, None, 0.5, None, 0.0) for i in range(100)]
    assert diagnose(climbing, DEFAULT, 0.7).kind == "climbing"
    assert diagnose(climbing, DEFAULT, 0.7, Divergence(101, "exploded", "loss exploded")) is None


@pytest.mark.parametrize("c,needle", [
    (DEFAULT.replace(hidden=(8,) * 5, activations=("sigmoid",), optimizer="gd", lr=0.1), "Vanishing gradients"),
    (DEFAULT.replace(hidden=()), "Too few neurons: with no hidden layer"),
    (DEFAULT.replace(dataset="bumps", hidden=()), "the fitted surface cannot bend"),
    (DEFAULT.replace(dataset="moons", activations=("relu",), optimizer="momentum", lr=0.3, loss="sse"),
     "(sse sums over the 210 points of each step)"),
    (DEFAULT.replace(init="zero"), "Unbroken symmetry: every weight started at 0"),
], ids=["deep sigmoid", "no hidden layer", "regression", "sse with momentum", "zero initialisation"])
def test_stuck_hints_name_the_settings(c, needle):
    exp, _ = trained(c, 1000)
    hint = hint_of(exp)
    assert hint is not None and hint.kind == "stuck" and needle in hint.message, hint
    if c.task == "regression":
        assert "is still" in hint.message and "it started at" in hint.message


def test_learning_rate_ranges_follow_optimizer_and_loss():
    adam, gd = DEFAULT, DEFAULT.replace(optimizer="gd")
    assert learning_rates(adam) == learning_rates(adam.replace(loss="sse"))  # Adam divides the scale away
    low, high, too_high = learning_rates(gd.replace(loss="sse"))  # sse sums over 210 points: smaller steps
    assert all(a < b for a, b in zip((low, high, too_high), learning_rates(gd))) and low < high < too_high
    assert learning_rates(gd.replace(loss="sse", batch_size=4)) == learning_rates(gd)  # 4 points: sse = 4 x mean


class CountingHistory:
    """A long history made up on demand, counting the records read."""

    def __init__(self, n: int, loss):
        self.n, self.loss, self.reads = n, loss, 0

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        i = range(self.n)[i]
        self.reads += 1
        return EpochRecord(i + 1, self.loss(i), None, 0.5, None, i * 1e-4)

    def __iter__(self):
        raise AssertionError("diagnose must not walk the history")


@pytest.mark.parametrize("loss,kind", [(lambda i: 0.7, "stuck"), (lambda i: 0.7 + i * 1e-3, "climbing"),
                                       (lambda i: 0.7 / (1 + i * 1e-3), None)])
def test_a_million_records_are_not_read(loss, kind):
    history = CountingHistory(1_000_000, loss)
    hint = diagnose(history, DEFAULT, 0.7)
    assert (hint and hint.kind) == kind
    assert history.reads <= 2 + 2 * SAMPLES

"""Hints for a run that is stuck or climbing: what is happening, and what to try with these settings.

:func:`diagnose` reads a handful of records near the end of a history (never the whole of it), so a
page can call it at every redraw of a run of a million epochs. Two findings:

- **stuck**: the training loss has not moved by :data:`FLAT` (relative) over the last
  max(:data:`STUCK_MIN`, a fifth of the history) epochs, while training accuracy is below 100%
  (or, for regression, while the loss is still over a tenth of where it started). The threshold
  sits under the slowest stretch of the tutorial's plateau (a 0.04% change over 215 epochs at
  epoch 1,079, before it escapes to 100%), so a slow start is not called stuck; a network whose
  ReLUs have died moves by exactly 0.
- **climbing**: the training loss has risen to over :data:`CLIMB` times where it started and is
  not coming back down: the mean of a few losses over the last max(:data:`CLIMB_MIN`, a tenth of
  the history) epochs is that high. A mean rather than the latest loss, so that a loss that swings
  (momentum with too big a step) does not make the hint come and go at every redraw.

A diverged run (NaN, infinite or exploded loss) has its own message and gets no hint.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from .recipe import recipe
from .text import format_number, format_percent

FLAT = 1e-4  # stuck: the loss changed by less than this fraction over the window
STUCK_MIN = 200  # epochs: the shortest window that can call a run stuck
CLIMB = 2.0  # climbing: the loss is more than this many times its start
CLIMB_MIN = 20  # epochs: the shortest window that can call a run climbing
SAMPLES = 5  # records read across a window
REGRESSION_DONE = 0.1  # a regression whose loss fell under this fraction of its start is not stuck
DEEP_SIGMOID = 3  # this many sigmoid hidden layers and gradients vanish
FEW_NEURONS = 2  # a hidden layer this narrow (or none at all) may be too small

# Learning rates per optimizer for a loss averaged over the batch: (a range that trains the toy
# datasets well, over which a step overshoots). Measured on the default circles, 1,000 epochs.
LEARNING_RATES = {"gd": (0.1, 1.0, 2.0), "momentum": (0.01, 0.1, 0.5), "nesterov": (0.01, 0.1, 0.5),
                  "adam": (0.01, 0.1, 0.5)}


class Hint(NamedTuple):
    kind: str  # "stuck" or "climbing"
    message: str  # one or two sentences: what is happening, and what to try


def diagnose(history: Sequence, config, start_loss: float | None = None, divergence=None) -> Hint | None:
    """A hint if the run in ``history`` (EpochRecords, oldest first) is stuck or climbing, else None.

    ``config``: the Config it trains with; ``start_loss``: the loss before its first epoch
    (``Trainer.start_loss``; the first record's if None); ``divergence``: ``Trainer.divergence``.
    Reads at most a few records, whatever the history's length.
    """
    n = len(history)
    if divergence is not None or n <= CLIMB_MIN:
        return None
    start = history[0].train_loss if start_loss is None else start_loss
    last = history[-1]
    stuck_window = max(STUCK_MIN, n // 5)
    if n > stuck_window and _flat(_samples(history, stuck_window)) and _unfinished(last, start):
        return Hint("stuck", _stuck_message(last, stuck_window, start, config))
    recent = _samples(history, max(CLIMB_MIN, n // 10))
    level = sum(recent) / len(recent)
    if level > CLIMB * start:  # NaN compares False
        return Hint("climbing", _climbing_message(last.epoch, start, level, config))
    return None


def _samples(history: Sequence, window: int) -> list[float]:
    """The training loss at SAMPLES evenly spaced records over the last ``window`` epochs (fewer if shorter)."""
    window = min(window, len(history) - 1)
    return [history[-1 - window * k // (SAMPLES - 1)].train_loss for k in range(SAMPLES)]


def _flat(losses: list[float]) -> bool:
    top = max(losses)
    return top - min(losses) <= FLAT * top  # NaN compares False: not flat


def _unfinished(record, start: float) -> bool:
    if record.train_acc is not None:
        return record.train_acc < 1.0
    return record.train_loss > REGRESSION_DONE * start


# ---------------------------------------------------------------- messages
def _batch_points(c) -> int:
    """Points per step under ``c``: its batch size, or the size of its training set."""
    return recipe(c).batch(c.n_train) or c.n_train


def learning_rates(c) -> tuple[float, float, float]:
    """(low, high, too high): a learning-rate range to try with ``c``'s optimizer and loss, and where
    steps overshoot. The sse loss sums over the batch where the others average, so with a gradient
    step its steps are up to n/4 times as big (n points, p(1 - p) <= 1/4 at a sigmoid output); Adam
    divides the scale away."""
    low, high, too_high = LEARNING_RATES.get(c.optimizer, LEARNING_RATES["gd"])
    if c.loss_name == "sse" and c.optimizer != "adam":
        scale = 4.0 / max(_batch_points(c), 4)
        low, high, too_high = (float(f"{x * scale:.1g}") for x in (low, high, too_high))
    return low, high, too_high


def _lower_lr(c) -> str:
    low, high, _ = learning_rates(c)
    if c.lr <= high:
        return f"lower the learning rate ({c.lr:g}), to {float(f'{c.lr / 10:.1g}'):g} say"
    why = f" (sse sums over the {_batch_points(c)} points of each step)" if c.loss_name == "sse" and \
        c.optimizer != "adam" and high < LEARNING_RATES.get(c.optimizer, LEARNING_RATES["gd"])[1] else ""
    return f"lower the learning rate ({c.lr:g}) to {low:g}–{high:g}{why}"


def _stuck_cause(c, climbed: bool) -> str:
    """The likeliest reason a run with settings ``c`` stopped learning (``climbed``: at a loss above its
    start), and what to try."""
    low, _, too_high = learning_rates(c)
    acts = c.layer_activations
    if c.init == "zero" and c.hidden:
        return ("Unbroken symmetry: every weight started at 0, so the neurons of a layer compute the same thing "
                "and get the same update; they stay copies of each other (with tanh or relu they stay at 0). Pick "
                "another initialisation, such as xavier, to break the symmetry.")
    if c.lr > too_high or climbed:
        return _big_steps(c)
    if acts.count("sigmoid") >= DEEP_SIGMOID:
        return (f"Vanishing gradients: each sigmoid layer shrinks the gradient at least 4-fold, and there are "
                f"{acts.count('sigmoid')}; try tanh or relu, or fewer layers.")
    if not c.hidden or min(c.hidden) <= FEW_NEURONS:
        few = "no hidden layer" if not c.hidden else f"a hidden layer of {min(c.hidden)} neurons"
        shape = "fitted surface" if c.task == "regression" else "boundary"
        return f"Too few neurons: with {few} the {shape} cannot bend enough; try 6–8 neurons in a layer or two."
    if c.lr < low / 10:
        return f"The steps are tiny: raise the learning rate ({c.lr:g}) towards {low:g}."
    if c.task == "regression":
        return "Try more neurons, another learning rate, or another network seed."
    return "It may sit in a poor local minimum: try another learning rate, more neurons, or another network seed."


def _big_steps(c) -> str:
    """Why steps too big for ``c`` stop a run: dead ReLUs, an output saturated under sse, or both."""
    relu = "relu" in c.layer_activations
    saturated = c.loss_name == "sse" and c.output_kind in ("sigmoid", "softmax")
    better_loss = "bce" if c.output_kind == "sigmoid" else "ce"
    if relu and saturated:
        return ("Dead neurons: steps this big pushed the ReLUs below zero and the output to 0 or 1 on every "
                f"point, where neither gets a gradient (sse's vanishes at 0 and 1); {_lower_lr(c)}, or use "
                f"leaky_relu or tanh and the {better_loss} loss.")
    if relu:
        return ("Dead neurons: steps this big pushed the ReLUs below zero on every point, so they output 0 and "
                f"get no gradient; {_lower_lr(c)}, or use leaky_relu or tanh.")
    if saturated:
        return ("A saturated output: steps this big pushed it to 0 or 1 on every point, where the sse loss "
                f"has almost no gradient; {_lower_lr(c)}, or use the {better_loss} loss.")
    return f"The steps are too big: they overshoot and saturate the neurons; {_lower_lr(c)}."


def _stuck_message(last, window: int, start: float, c) -> str:
    if last.train_acc is None:
        where = f"is still {format_number(last.train_loss, 3)} (it started at {format_number(start, 3)})"
    else:
        where = f"training accuracy stays at {format_percent(last.train_acc, 0)}"
    return f"The loss has not moved in {window:,} epochs and {where}. {_stuck_cause(c, last.train_loss > start)}"


def _climbing_message(epoch: int, start: float, level: float, c) -> str:
    _, _, too_high = learning_rates(c)
    said = (f"The loss has climbed from {format_number(start, 3)} to around {format_number(level, 3)} "
            f"by epoch {epoch:,}: the steps overshoot the minimum.")
    if c.optimizer in ("momentum", "nesterov") and c.momentum > 0.9 and c.lr <= too_high:
        return f"{said} Lower the momentum ({c.momentum:g}) to 0.9 or less, or the learning rate ({c.lr:g})."
    return f"{said} {_lower_lr(c).capitalize()}."

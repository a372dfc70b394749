"""The live run's tempo: how much of a run each redraw shows, and the speed control that sets it.

A run is paced by change, not by epochs: each redraw shows the loss fall by at most a share of where the
experiment started (:data:`CHANGE_PER_REDRAW`, by the visitor's speed), and then the slice it trains ends.
A plateau, where nothing changes, passes at full pace; the fall of the loss, where the surface forms, plays
over many redraws (some 25 for a loss that falls to nothing, at the normal speed), wherever in the run it
happens: the tutorial's comes after 2,000 flat epochs, the default experiment's in its first fifty. So the
learner sees the learning on any machine: the redraws it takes are set by the loss, not by the clock.

What counts is the fall of the run's lowest loss so far: a new low at least the share below the last one
ends a redraw. Noise (small batches) then does not end redraw after redraw, and a run cannot be held back
for long: the lowest loss cannot fall by more than where it started, so a run has at most 1 / share redraws
that end early (33 at the normal speed). At "fast" nothing is paced: each redraw trains all its slice.

Plain Python (no Streamlit); the control itself is :mod:`playground.speed`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from . import pacing
from .url import SPEED_DEFAULT, SPEEDS

CHANGE_PER_REDRAW = {"slow": 0.012, "normal": 0.03, "fast": None}  # per speed: the share of the start loss
# by which the run's lowest loss may fall in one redraw (None: no pacing)
assert set(CHANGE_PER_REDRAW) == set(SPEEDS)


class Live:
    """A live run's figures (redraws, epochs trained, and the wall time they took, redraws included) and its
    tempo: at ``speed`` (one of :data:`playground.url.SPEEDS`), a redraw's slice ends once the run's lowest loss
    has fallen by that speed's share of the start loss (:meth:`slice_end`)."""

    def __init__(self):
        self.ticks, self.epochs, self.seconds = 0, 0, 0.0
        self.speed = SPEED_DEFAULT
        self.paced = False  # whether this run's redraws are paced by change
        self.low: float | None = None  # the lowest loss the run has shown
        self._start: float | None = None  # when the run started

    def start(self) -> None:
        """A run starts: its figures from zero, paced by change from its first redraw."""
        self.ticks, self.epochs, self.seconds = 0, 0, 0.0
        self._start = pacing.clock()
        self.paced, self.low = True, None

    def clear(self) -> None:
        """No run: no figures (a reset)."""
        self.ticks, self.epochs, self.seconds, self._start = 0, 0, 0.0, None

    def data_changed(self, running: bool) -> None:
        """New points under the network: a run going on is paced by its fall on them (from where they put the
        loss); a run that was over has no figures to show."""
        self.low = None
        if not running:
            self.clear()

    def pace_off(self) -> None:
        """Go on at full pace (the rest of a Step or +100 click, which asked for so many epochs)."""
        self.paced = False

    def slice_end(self, trainer) -> Callable | None:
        """For the next redraw's slice of ``trainer``'s run: a test of each epoch's record, true once the run's
        lowest loss has fallen by the speed's share of the start loss since the slice began; None when the run
        is not paced."""
        share = CHANGE_PER_REDRAW.get(self.speed)
        if share is None or not self.paced:
            return None
        if self.low is None and trainer.history:
            self.low = trainer.history[-1].train_loss
        goal = None  # the loss that ends this slice, once the start loss is known

        def done(record) -> bool:
            nonlocal goal
            if goal is None:  # the start loss is measured as a run's first epoch begins
                start = trainer.start_loss
                budget = share * start if start is not None and math.isfinite(start) and start > 0 else math.inf
                self.low = start if self.low is None else self.low
                goal = self.low - budget
            loss = record.train_loss
            if loss < self.low:  # (a NaN is not: divergence is the trainer's to stop)
                self.low = loss
            return loss <= goal

        return done

    def count(self, epochs: int) -> None:
        """A redraw that trained ``epochs``."""
        self.ticks += 1
        self.epochs += epochs
        if self._start is not None:
            self.seconds = pacing.clock() - self._start

    @property
    def rate(self) -> float | None:
        """Epochs per second while training live, redraw time included."""
        return self.epochs / self.seconds if self.seconds > 0 else None

    @property
    def redraw_rate(self) -> float | None:
        """Redraws per second while training live."""
        return self.ticks / self.seconds if self.seconds > 0 else None

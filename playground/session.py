"""One visitor's experiment: the built data, network and trainer, and what to keep when settings change.

Plain Python over nn_core (no Streamlit), so the reset-or-keep rules and the
live training are testable on their own. The page keeps one
:class:`Session` in ``st.session_state``.

Live training has no thread: each redraw of the page (a run of its fragment,
on a timer) first trains for a time slice with :meth:`Session.tick`, then
draws. The slice leaves room in each cycle for the drawing, and shrinks when
the server is busy: the CPU is shared by training less per redraw, never by
redrawing less. Redraws of different visitors take turns (:func:`one_at_a_time`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from nn_core import SETTINGS, Config, Network, build
from nn_core.config import retune

CYCLE = 0.25  # seconds from one redraw to the next while training: four a second
INTERVALS = (0.25, 0.5, 1.0, 2.0, 4.0)  # the page's timer, longer when a redraw takes longer than a cycle
TRAIN_SHARE = 0.6  # of a cycle, the most spent training, when nothing else is going on
MIN_SLICE = 0.005  # however busy the server, each redraw trains at least this long
ABANDONED = 30.0  # a running session that has not redrawn for this long (its tab was closed) no longer counts
_training: dict[int, float] = {}  # id of each running session -> when it last trained, across this server
_turn = threading.Lock()


@contextmanager
def one_at_a_time() -> Iterator[None]:
    """One visitor's redraw at a time on this server. Twenty script threads all computing at once would
    share the interpreter's lock with the thread that sends the pages out, and starve it: pages stop
    arriving. A thread waiting here waits without computing, so the sender keeps its share, and the
    visitors are served in turn."""
    with _turn:
        yield


def _sessions_training(me: int, now: float) -> int:
    """How many sessions of this server are running now, this one included (forgetting abandoned ones)."""
    for k in [k for k, t in _training.items() if now - t > ABANDONED]:
        _training.pop(k, None)
    _training[me] = now
    return len(_training)


@dataclass
class Session:
    config: Config
    network: Network | None = None  # start from these weights instead of a fresh initialisation
    running: bool = False
    timer: float | None = None  # the interval the page's timer was last set to (None: no timer)
    interval: float = CYCLE  # the interval the timer should have: longer than a redraw takes
    notice: str = ""  # what the last settings change did, for the page to say
    live_ticks: int = field(default=0, init=False)  # redraws while running live ...
    live_epochs: int = field(default=0, init=False)  # ... epochs trained ...
    live_seconds: float = field(default=0.0, init=False)  # ... and the wall time they took, redraws included
    _live_start: float | None = field(default=None, init=False)
    _overhead: float = field(default=0.05, init=False, repr=False)  # the last run's time besides training
    _trained_seconds: float = field(default=0.0, init=False, repr=False)  # the last tick's training time
    _sessions: int = field(default=1, init=False, repr=False)  # sessions training on the server at the last tick

    def __post_init__(self):
        self.cache: dict = {}  # things drawn from the data (points frame, bounds), kept until it changes
        self.exp = build(self.config, self.network)
        self.network = None
        self.target = self.config.epochs  # train until this epoch

    # ------------------------------------------------------------ settings
    def apply(self, new: Config) -> str:
        """Move to settings ``new``: rebuild when a changed setting is declared to reset the data or the
        network, keep the trained network otherwise.

        Returns (and keeps in ``notice``) a sentence saying which happened, or "" if nothing changed.
        """
        old = self.config
        changed = new.diff(old)
        if not changed:
            return ""
        resets = {SETTINGS[n].resets for n in changed}
        self.config = new
        if resets != {"nothing"}:
            self.reset()
            what = "data and network" if resets >= {"data", "network"} else "data" if "data" in resets else "network"
            self.notice = f"The {what} changed ({', '.join(changed)}): the network was reset to epoch 0."
            return self.notice
        retune(self.exp.trainer, old, new)
        self.exp.config = new
        if new.epochs != old.epochs:
            self.target = new.epochs
        self.notice = f"Changed {', '.join(changed)}: the trained network is kept."
        return self.notice

    def reset(self, network: Network | None = None) -> None:
        """A fresh network from the seed (or ``network``), epoch 0, not running."""
        self.exp = build(self.config, network)
        self.cache = {}
        self.pause()
        self.target = self.config.epochs
        self.live_ticks, self.live_epochs, self.live_seconds, self._live_start = 0, 0, 0.0, None

    # ------------------------------------------------------------ training
    @property
    def epoch(self) -> int:
        return self.exp.trainer.epoch

    @property
    def done(self) -> bool:
        return self.epoch >= self.target

    def train(self, epochs: int, seconds: float | None = None) -> int:
        """Train up to ``epochs`` epochs, stopping after ``seconds``; returns how many ran."""
        tr = self.exp.trainer
        start, n = time.perf_counter(), 0
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported by the trainer
            for _ in tr.run(epochs):
                n += 1
                if seconds is not None and time.perf_counter() - start > seconds:
                    break
        if tr.divergence is not None or self.done:
            self.pause()
        return n

    # ------------------------------------------------------------ live training
    def start(self) -> None:
        """Start running (a finished run goes on for another budget's worth); each redraw then trains a slice."""
        if self.done:
            self.target = self.epoch + self.config.epochs
        self.running = True
        self.live_ticks, self.live_epochs, self.live_seconds = 0, 0, 0.0
        self._live_start = time.perf_counter()

    def slice_seconds(self) -> float:
        """How long the next redraw may train. Alone on the server: what the timer's interval leaves after
        the rest of a run (drawing, mostly), with a fifth of it to spare. With others: a share of one
        cycle, so that a round of every session's turn stays short however many there are."""
        self._sessions = _sessions_training(id(self), time.perf_counter())
        if self._sessions == 1:
            return max(MIN_SLICE, min(self.interval - CYCLE * (1 - TRAIN_SHARE), self.interval / 1.25 - self._overhead))
        return max(MIN_SLICE, CYCLE * TRAIN_SHARE / self._sessions)

    def tick(self) -> int:
        """One redraw's training while running: a time slice; returns the epochs trained."""
        if not self.running:
            return 0
        start = time.perf_counter()
        n = self.train(max(self.target - self.epoch, 0), self.slice_seconds())
        self._trained_seconds = time.perf_counter() - start
        self.live_ticks += 1
        self.live_epochs += n
        if self._live_start is not None:
            self.live_seconds = time.perf_counter() - self._live_start
        return n

    def ran(self, whole: float) -> None:
        """Tell how long a run of the panel took while training, its wait for a turn included.

        The timer's interval becomes the shortest step with a fifth to spare over what a run needs besides
        training, plus some training: a cycle's share with other sessions, the least slice alone (alone,
        a session trains for whatever the interval leaves: :meth:`slice_seconds`). The timer must never
        ask for the next run before this one is done: a fragment run that a newer timer request overtakes
        is dropped, and a page whose every run is overtaken never redraws."""
        self._overhead = max(whole - self._trained_seconds, 0.0)
        train = CYCLE * TRAIN_SHARE / self._sessions if self._sessions > 1 else MIN_SLICE
        need = 1.25 * (self._overhead + max(train, MIN_SLICE))
        fits = [t for t in INTERVALS if t >= need]
        step = fits[0] if fits else INTERVALS[-1]
        if step > self.interval or step < self.interval and need < 0.8 * step:  # going down: some room to spare
            self.interval = step

    def pause(self) -> None:
        self.running = False
        _training.pop(id(self), None)

    @property
    def live_rate(self) -> float | None:
        """Epochs per second while training live, redraw time included."""
        return self.live_epochs / self.live_seconds if self.live_seconds > 0 else None

    @property
    def redraw_rate(self) -> float | None:
        """Redraws per second while training live."""
        return self.live_ticks / self.live_seconds if self.live_seconds > 0 else None

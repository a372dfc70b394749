"""One visitor's experiment: the built data, network and trainer, and what to keep when settings change.

Plain Python over nn_core (no Streamlit), so the reset-or-keep rules and the
live training are testable on their own. The page keeps one
:class:`Session` in ``st.session_state``.

Live training has no thread: each redraw of the page (a run of its fragment,
on a timer) draws, then trains for a time slice with :meth:`Session.tick`.
The slice leaves room in each cycle for the drawing, and shrinks when the
server is busy: the CPU is shared by training less per redraw, never by
redrawing less. Redraws of different visitors take turns (:class:`Turns`).
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from nn_core import SETTINGS, Config, Network, build
from nn_core.config import retune
from nn_core.odds import Odds
from nn_core.timeline import Timeline
from nn_core.training import GradientStats, TrainerState

CYCLE = 0.25  # seconds from one redraw to the next while training: four a second
INTERVALS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)  # the page's timer: longer when a round of redraws is
# (every training session's turn) longer
TRAIN_SHARE = 0.75  # of a cycle, the most spent training, when nothing else is going on
MIN_SLICE = 0.002  # however busy the server, each redraw trains at least this long
SPARE = 1.2  # the timer's interval over the time a round of redraws needs
MARGIN = 0.02  # seconds a session training alone leaves free in each interval, besides its measured redraw
SETTLE = 10.0  # seconds an interval stays before it may go down: each change costs a run of the whole page
RAMP = 1.6  # from epoch 0, a run may be at most RAMP ** (4 t) epochs in at t seconds after Train: the first
# epochs, where the network changes most, play out over seconds (about 15 frames for the first thousand)
RAMP_SECONDS = 6.0  # ... for this long at most (by then the ramp allows 80,000 epochs)
SNAPSHOTS, SNAPSHOT_BYTES = 200, 16_000_000  # the timeline keeps at most this many networks, and this much memory
STEP_SLICE = 0.5  # seconds Step or +100 may train at once, in the visitor's turn; the rest goes on in slices
PINNED_SECONDS = 5.0  # the most a link's run A trains, in slices, to be rebuilt
ABANDONED = 30.0  # a running session that has not redrawn for this long (its tab was closed) no longer counts
clock = time.perf_counter  # the pacing's clock (a test gives it a fake one: no test may depend on speed)
_training: dict[int, float] = {}  # id of each running session -> when it last trained, across this server


class Turns:
    """Whose redraw is next on this server: one at a time, the one that has waited longest since its last.

    Twenty script threads all computing at once would share the interpreter's lock with the thread that
    sends the pages out, and starve it: pages stop arriving. A thread waiting here waits without computing,
    so the sender keeps its share. The turn goes to the waiter whose page was drawn longest ago (a page
    that was never drawn, or that a visitor just clicked, goes first), so every page is redrawn in turn and
    none waits behind the others twice. The server's estimate of one redraw's cost (``draw``) is kept here
    too: it sets how long a round of every training session's redraw takes.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._busy = False
        self._waiting: list[tuple[float, int, threading.Event]] = []
        self._tickets = itertools.count()
        self.draw = 0.03  # seconds a redraw takes besides training (a running average over the server)

    @contextmanager
    def turn(self, since: float) -> Iterator[None]:
        """Hold the turn; ``since``: when this page was last drawn (0: never, or a visitor is waiting)."""
        with self._lock:
            mine = not self._busy
            if mine:
                self._busy = True
            else:
                ready = threading.Event()
                heapq.heappush(self._waiting, (since, next(self._tickets), ready))
        if not mine:
            ready.wait()  # the turn is handed over: _busy stays set
        try:
            yield
        finally:
            with self._lock:
                if self._waiting:
                    heapq.heappop(self._waiting)[2].set()
                else:
                    self._busy = False

    def drew(self, seconds: float) -> None:
        """Count a redraw that took ``seconds`` besides training into the running average."""
        self.draw += 0.05 * (seconds - self.draw)  # slow to move: intervals change only when the load does


turns = Turns()


def _need(sessions: int) -> float:
    """Seconds a round of ``sessions`` training sessions' redraws needs, with room to spare."""
    return SPARE * sessions * (turns.draw + MIN_SLICE)


def _step(need: float, current: float) -> float:
    """The timer's interval for a round that needs ``need`` seconds: the shortest step over it. From
    ``current``, it goes up at once and down only when the round needs under 85% of the lower step."""
    fits = [t for t in INTERVALS if t >= need]
    step = fits[0] if fits else INTERVALS[-1]
    return step if step > current or need < 0.85 * step else current


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
    continuous: bool = False  # train until paused rather than up to the epoch budget
    timer: float | None = None  # the interval the page's timer was last set to (None: no timer)
    interval: float = CYCLE  # the interval the timer should have: longer than a redraw takes
    notice: str = ""  # what the last settings change (or model file) did, for the page to say ...
    notice_epoch: int = 0  # ... while the network is still at this epoch
    live_ticks: int = field(default=0, init=False)  # redraws while running live ...
    live_epochs: int = field(default=0, init=False)  # ... epochs trained ...
    live_seconds: float = field(default=0.0, init=False)  # ... and the wall time they took, redraws included
    _live_start: float | None = field(default=None, init=False)
    drawn: float = field(default=0.0, init=False)  # when the panel was last drawn while running (0: not yet)
    _late: bool = field(default=False, init=False, repr=False)  # the last run took longer than the interval
    _changed: float = field(default=0.0, init=False, repr=False)  # when the interval last changed
    _overhead: float = field(default=0.05, init=False, repr=False)  # a run's whole time besides training (average)
    _trained_seconds: float = field(default=0.0, init=False, repr=False)  # the last tick's training time
    _sessions: int = field(default=1, init=False, repr=False)  # sessions training on the server at the last tick
    _ramp: float | None = field(default=None, init=False, repr=False)  # when a run from epoch 0 started

    def __post_init__(self):
        self.timeline = Timeline(SNAPSHOTS, SNAPSHOT_BYTES)  # the network at log-spaced epochs, to go back to
        self.odds: Odds | None = None  # a convergence-odds run over many seeds, and whether it is going on
        self.odds_running = False
        self._rebuild_seconds = 0.0  # training time run A of a link has had so far
        self.pinned = None  # run A of an A/B comparison (playground.explore.Pinned)
        self.rebuilding: Session | None = None  # run A of a link, being trained again in the page's slices ...
        self.rebuild_epoch = 0  # ... up to this epoch
        self.stop_at: int | None = None  # Step and +100: the epoch a run of them stops at
        self._built(build(self.config, self.network))
        self.network = None
        self.target = self.config.epochs  # train until this epoch

    def _built(self, exp, timeline: bool = True) -> None:
        """Take a newly built experiment: record its gradient statistics, and (``timeline``) start its
        timeline afresh; the session's data cache goes."""
        self.exp = exp
        self.cache: dict = {}  # things drawn from the data (points frame, bounds), kept until it changes
        exp.trainer.gradient_stats = GradientStats()
        if timeline:
            self.timeline.clear()
            self.timeline.offer(exp.trainer.epoch, exp.network.params)

    # ------------------------------------------------------------ settings
    def apply(self, new: Config) -> str:
        """Move to settings ``new``: rebuild when a changed setting is declared to reset the data or the
        network, keep the trained network otherwise.

        Returns (and keeps in ``notice``) a sentence saying which happened, or "" if nothing changed.
        ConfigError if the new settings' experiment cannot be built: then nothing changes.
        """
        old = self.config
        changed = new.diff(old)
        if not changed:
            return ""
        resets = {SETTINGS[n].resets for n in changed}
        if resets == {"points"} and new.architecture() == old.architecture():  # points drawn or removed
            exp = build(new, self.exp.network, self.exp.trainer.state())  # the same network, built first
            self.config = new
            self._built(exp, timeline=False)
            return self.say(f"Your points changed ({new.n_points:,} now): the network goes on training on them.")
        if self.pinned is not None and resets == {"nothing"}:  # run B of an A/B comparison starts afresh
            self.reset(config=new)
            return self.say(f"Changed {', '.join(changed)}: run B starts from epoch 0, as A did.")
        if resets != {"nothing"}:
            self.reset(config=new)
            what = ("data and network" if resets & {"data", "points"} and "network" in resets
                    else "data" if resets & {"data", "points"} else "network")
            return self.say(f"The {what} changed ({', '.join(changed)}): the network was reset to epoch 0.")
        retune(self.exp.trainer, old, new)
        self.config = self.exp.config = new
        if new.epochs != old.epochs:
            self.target = new.epochs
        return self.say(f"Changed {', '.join(changed)}: the trained network is kept.")

    def say(self, notice: str) -> str:
        """Keep ``notice`` for the page to show until the network moves on from this epoch."""
        self.notice, self.notice_epoch = notice, self.epoch
        return notice

    @property
    def current_notice(self) -> str:
        """The last notice while it still holds: nothing has been trained since."""
        return self.notice if self.epoch == self.notice_epoch and not self.running else ""

    def reset(self, network: Network | None = None, state: TrainerState | None = None,
              config: Config | None = None) -> None:
        """A fresh network from the seed, epoch 0, not running; or ``network`` going on from ``state`` (a model
        file's): its epoch, optimizer state and shuffle, with a budget of the settings' epochs more. With
        ``config``, under those settings. Built before anything changes: ConfigError leaves the session as it was."""
        exp = build(config or self.config, network, state)
        self.config = exp.config
        self._built(exp)
        self.pause()
        self.target = self.epoch + self.config.epochs
        self.live_ticks, self.live_epochs, self.live_seconds, self._live_start = 0, 0, 0.0, None

    # ------------------------------------------------------------ training
    @property
    def epoch(self) -> int:
        return self.exp.trainer.epoch

    @property
    def done(self) -> bool:
        if self.stop_at is not None:  # a run of Step or +100 stops there, Until paused or not
            return self.epoch >= self.stop_at
        return not self.continuous and self.epoch >= self.target

    def train(self, epochs: int, seconds: float | None = None) -> int:
        """Train up to ``epochs`` epochs within ``seconds`` (one at least); returns how many ran. An epoch
        that would end past ``seconds`` (at the pace of the last one) is not started: a large network's
        epochs are long, and a slice that overshoots makes the page's timer miss its next tick."""
        tr, timeline, params = self.exp.trainer, self.timeline, self.exp.network.params
        start, n = clock(), 0
        last = start
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported by the trainer
            for record in tr.run(epochs):
                n += 1
                timeline.offer(record.epoch, params)
                now = clock()
                if seconds is not None and 2 * now - last - start > seconds:  # now + (now - last) past the end
                    break
                last = now
        timeline.offer(tr.epoch, params, latest=True)
        if tr.divergence is not None or self.done:
            self.pause()
        return n

    # ------------------------------------------------------------ live training
    def start(self) -> None:
        """Start running (a finished run goes on for another budget's worth); each redraw then trains a slice."""
        self.odds_running, self.stop_at = False, None  # one thing trains at a time
        if self.done:
            self.target = self.epoch + self.config.epochs
        self._ramp = clock() if self.epoch == 0 else None
        self.running = True
        self.live_ticks, self.live_epochs, self.live_seconds = 0, 0, 0.0
        self._live_start = clock()
        self._timer_on()

    def _timer_on(self) -> None:
        """The page's timer is to run: an interval with room for this session besides those training now,
        and its first redraw ahead of the others' (it has not been drawn since the click)."""
        self.drawn = 0.0
        others = sum(1 for k in _training if k != id(self))
        self.interval = _step(_need(others + 1), self.interval)

    def slice_seconds(self) -> float:
        """How long the next redraw may train: what the timer's interval leaves after a round of every
        training session's redraw (with room to spare), shared among them, and never more than
        :data:`TRAIN_SHARE` of a cycle alone. The CPU is shared by training less, never by redrawing less.
        With others, the interval is the one every training session should have now: a session whose
        timer is still longer does not get a longer turn. Alone, the interval is this session's own and
        what a run needs besides training is its own too, measured whole (Streamlit's part included)."""
        n = self._sessions = _sessions_training(id(self), clock())
        if n == 1:
            alone = min(self.interval - CYCLE * (1 - TRAIN_SHARE), self.interval - MARGIN - self._overhead)
            return max(MIN_SLICE, alone)
        interval = min(self.interval, _step(_need(n), 0.0))
        budget = min(interval - CYCLE * (1 - TRAIN_SHARE), interval / SPARE - n * turns.draw)
        return max(MIN_SLICE, budget / n)

    @property
    def busy(self) -> bool:
        """Whether the page's timer runs: while training, or while an odds run goes on."""
        return self.running or self.odds_running or self.rebuilding is not None

    def advance(self, epochs: int) -> int:
        """Step and +100: ``epochs`` more (after those still to go of an earlier click), then stop. What
        :data:`STEP_SLICE` allows trains now, in this visitor's turn; the rest goes on in the page's slices,
        as a run does. Returns the epochs trained now."""
        stop = (self.stop_at if self.stop_at is not None else self.epoch) + epochs
        self.pause()
        self.odds_running = False
        self.stop_at = stop
        self.target = max(self.target, stop)  # past the budget, it moves: "Epoch 1,050 of 1,050", not "of 1,000"
        with turns.turn(0.0):
            n = self.train(stop - self.epoch, STEP_SLICE)
        if self.epoch < stop and self.exp.trainer.divergence is None:
            self.running, self._ramp = True, None
            self._timer_on()
        else:
            self.stop_at = None
        return n

    def rebuild_pinned(self, config: Config, epoch: int) -> None:
        """Run A of a link: ``config`` trained from its seed again up to ``epoch`` (or for
        :data:`PINNED_SECONDS` of training at most), in the page's slices; :meth:`rebuilt` gives it when done."""
        self.rebuilding, self.rebuild_epoch = Session(config), epoch
        self._rebuild_seconds = 0.0
        self._timer_on()

    @property
    def pinned_link(self) -> tuple[Config, int] | None:
        """Run A as a link carries it (its settings and epoch), pinned or being trained again; else None."""
        if self.pinned is not None:
            return self.pinned.config, self.pinned.epoch
        return None if self.rebuilding is None else (self.rebuilding.config, self.rebuild_epoch)

    def rebuilt(self) -> Session | None:
        """Run A of a link once it is trained again (then no longer kept here), else None."""
        a = self.rebuilding
        if a is None or a.epoch < self.rebuild_epoch and a.exp.trainer.divergence is None and \
                self._rebuild_seconds < PINNED_SECONDS:
            return None
        self.rebuilding = None
        if not self.busy:
            _training.pop(id(self), None)
        return a

    def start_odds(self, seeds: int) -> None:
        """Start a convergence-odds run of the current settings from ``seeds`` network seeds (it pauses
        training); each redraw then trains it a slice. ValueError if the page's bounds refuse it."""
        odds = Odds(self.config, seeds, page=True)
        self.pause()
        self.odds, self.odds_running = odds, True
        self._timer_on()

    def stop_odds(self) -> None:
        self.odds_running = False
        _training.pop(id(self), None)

    def tick(self) -> int:
        """One redraw's training while running (or while an odds run or run A of a link trains): a time
        slice; returns the epochs the network trained."""
        if self.rebuilding is not None:
            start = clock()
            a = self.rebuilding
            a.train(self.rebuild_epoch - a.epoch, min(self.slice_seconds(), PINNED_SECONDS - self._rebuild_seconds))
            self._trained_seconds = clock() - start
            self._rebuild_seconds += self._trained_seconds
            return 0
        if self.odds_running:
            start = clock()
            self.odds.run(seconds=self.slice_seconds())
            self._trained_seconds = clock() - start
            if self.odds.done:
                self.stop_odds()
            return 0
        if not self.running:
            return 0
        start = clock()
        n = self.train(self._allowed(start), self.slice_seconds())
        self._trained_seconds = clock() - start
        self.live_ticks += 1
        self.live_epochs += n
        if self._live_start is not None:
            self.live_seconds = clock() - self._live_start
        return n

    def _allowed(self, now: float) -> int:
        """How many epochs the next slice may train: up to the budget (a million at a time until paused),
        and during the first seconds of a run from epoch 0, up to where the ramp has got (one at least)."""
        left = 1_000_000 if self.continuous else max(self.target - self.epoch, 0)
        if self.stop_at is not None:
            left = max(self.stop_at - self.epoch, 0)
        if self._ramp is not None:
            t = now - self._ramp
            if t > RAMP_SECONDS:
                self._ramp = None
            else:
                left = min(left, max(int(RAMP ** (4 * t)) - self.epoch, 1))
        return left

    def ran(self, whole: float, turn: float) -> None:
        """Tell how long a run of the panel took while training: ``whole`` with its wait for a turn, ``turn``
        holding it (training included).

        The timer must never ask for the next run before this one is done: a fragment run that starts
        before the last one's page has been sent out drops that page, and a page whose every run is
        overtaken never redraws. So the interval is the shortest step over what a round of every training
        session's redraw needs (the server's average redraw and the least slice each), with a fifth to
        spare, and over this run's whole time. It goes up at once, and down only with room to spare."""
        self.drawn = clock()
        turns.drew(max(turn - self._trained_seconds, 0.0))
        late, self._late = self._late, whole > self.interval  # once is a hiccup (a dropped frame at worst)
        self._overhead += 0.3 * (max(whole - self._trained_seconds, 0.0) - self._overhead)
        need = _need(self._sessions) if self._sessions > 1 else SPARE * (self._overhead + MIN_SLICE)
        step = _step(max(need, whole if late and self._late else 0.0), self.interval)
        if step > self.interval or step < self.interval and self.drawn - self._changed > SETTLE:
            self.interval, self._changed = step, self.drawn

    def pause(self) -> None:
        self.running, self.stop_at = False, None
        _training.pop(id(self), None)

    @property
    def live_rate(self) -> float | None:
        """Epochs per second while training live, redraw time included."""
        return self.live_epochs / self.live_seconds if self.live_seconds > 0 else None

    @property
    def redraw_rate(self) -> float | None:
        """Redraws per second while training live."""
        return self.live_ticks / self.live_seconds if self.live_seconds > 0 else None

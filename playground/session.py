"""One visitor's experiment: the built data, network and trainer, what to keep when settings change, and its
runs (Train, Step and +100, the odds over many seeds, run A of a link), each trained in time slices.

Plain Python over nn_core (no Streamlit), so the reset-or-keep rules and the live training are testable on
their own. The page keeps one :class:`Session` in ``st.session_state`` (:data:`playground.keys.SESSION`).

How long a slice trains and when the page's timer asks for the next redraw is the server's pacing
(:mod:`playground.pacing`), through the session's :attr:`Session.pace`. Every path that trains goes through
:meth:`Session.train` or :meth:`Session._run_odds`, and each takes the server's turn: a redraw holds it
already, a click (Step, +100) waits for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nn_core import SETTINGS, Config, Network, build
from nn_core.config import Experiment, retune
from nn_core.odds import Odds
from nn_core.timeline import Timeline
from nn_core.training import EpochRecord, GradientStats, TrainerState

from . import pacing, words
from .page_cache import PageCache
from .tempo import Live

SNAPSHOTS, SNAPSHOT_BYTES = 200, 16_000_000  # the timeline keeps at most this many networks, and this much memory
STEP_SLICE = 0.5  # seconds Step or +100 may train at once, in the visitor's turn; the rest goes on in slices
PINNED_SECONDS = 5.0  # the most a link's run A trains, in slices, to be rebuilt


def train_within(exp: Experiment, timeline: Timeline, server: pacing.Server, epochs: int,
                 seconds: float | None, until: Callable[[EpochRecord], bool] | None = None) -> int:
    """Train up to ``epochs`` epochs within ``seconds`` (one at least) in ``server``'s turn, each epoch offered
    to ``timeline``, and no further than the first epoch whose record ``until`` holds true of (the run's
    tempo, :meth:`playground.tempo.Live.slice_end`); returns how many ran. An epoch that would end past
    ``seconds`` (at the pace of the last one) is not started: a large network's epochs are long, and a slice
    that overshoots makes the page's timer miss its next tick."""
    trainer, params, n = exp.trainer, exp.network.params, 0
    with server.turn(0.0), np.errstate(over="ignore", invalid="ignore"):  # divergence is the trainer's to report
        start = last = pacing.clock()
        for record in trainer.run(epochs):
            n += 1
            timeline.offer(record.epoch, params)
            if until is not None and until(record):
                break
            now = pacing.clock()
            if seconds is not None and 2 * now - last - start > seconds:  # now + (now - last) past the end
                break
            last = now
    timeline.offer(trainer.epoch, params, latest=True)
    return n


@dataclass
class Rebuild:
    """Run A of a link, trained again from its seed in the page's slices: up to epoch ``until``, or for
    :data:`PINNED_SECONDS` of training at most."""

    run: Session
    until: int
    seconds: float = 0.0  # the training time it has had so far

    @property
    def done(self) -> bool:
        return (self.run.epoch >= self.until or self.run.exp.trainer.divergence is not None
                or self.seconds >= PINNED_SECONDS)

    def train(self, seconds: float) -> None:
        """A slice of at most ``seconds`` (and of what is left of its time)."""
        start = pacing.clock()
        self.run.train(self.until - self.run.epoch, min(seconds, PINNED_SECONDS - self.seconds))
        self.seconds += pacing.clock() - start


class Session:
    """One visitor's experiment under ``config``, and its runs."""

    def __init__(self, config: Config):
        self.config = config
        self.pace = pacing.Pace()  # this page's timer, on this server
        self.running = False
        self.continuous = False  # train until paused rather than up to the epoch budget
        self.notice, self.notice_epoch, self.notice_status = "", 0, ""  # what the last settings change (or model
        # file) did, for the page to say while the network is still at this epoch, and a word for its status
        self.live = Live()  # the live run's figures and its tempo
        self.timeline = Timeline(SNAPSHOTS, SNAPSHOT_BYTES)  # the network at log-spaced epochs, to go back to
        self.odds: Odds | None = None  # a convergence-odds run over many seeds, and whether it is going on
        self.odds_running = False
        self.pinned = None  # run A of an A/B comparison (playground.explore.Pinned)
        self.rebuilding: Rebuild | None = None  # run A of a link, being trained again in the page's slices
        self.stop_at: int | None = None  # Step and +100: the epoch a run of them stops at
        self._built(build(config))
        self.target = config.epochs  # train until this epoch

    def _built(self, exp, timeline: bool = True) -> None:
        """Take a newly built experiment: record its gradient statistics, and (``timeline``) start its
        timeline afresh; what the page draws from the data is made again (:class:`PageCache`)."""
        self.exp = exp
        self.cache = PageCache.of(exp)
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
            history = self.exp.trainer.history
            exp = build(new, self.exp.network, self.exp.trainer.state())  # the same network, built first
            exp.trainer.history[:0] = history  # the curves carry on: the old points' up to here, then the new
            self.config = new
            self._built(exp, timeline=False)
            self.live.data_changed(self.running)
            return self.say(words.new_data(new.n_points, self.epoch), "new data")
        if resets != {"nothing"} or self.pinned is not None:  # (run B of an A/B comparison starts afresh)
            self.reset(config=new)
            return self.say(words.change_notice(new, changed, resets, self.pinned is not None))
        retune(self.exp.trainer, old, new)
        self.config = self.exp.config = new
        if new.epochs != old.epochs:
            self.target = new.epochs
        return self.say(words.change_notice(new, changed, resets, False))

    def say(self, notice: str, status: str = "") -> str:
        """Keep ``notice`` (and a word for the run's status) for the page to show until the network moves on."""
        self.notice, self.notice_epoch, self.notice_status = notice, self.epoch, status
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
        self.live.clear()

    # ------------------------------------------------------------ training
    @property
    def epoch(self) -> int:
        return self.exp.trainer.epoch

    @property
    def done(self) -> bool:
        if self.stop_at is not None:  # a run of Step or +100 stops there, Until paused or not
            return self.epoch >= self.stop_at
        return not self.continuous and self.epoch >= self.target

    @property
    def busy(self) -> bool:
        """Whether the page's timer runs: while training, while an odds run goes on, or run A of a link trains."""
        return self.running or self.odds_running or self.rebuilding is not None

    def train(self, epochs: int, seconds: float | None = None, until: Callable | None = None) -> int:
        """Train up to ``epochs`` epochs within ``seconds`` (one at least) and ``until`` allows, in the server's
        turn (see :func:`train_within`); returns how many ran. A run that diverges or is done stops."""
        n = train_within(self.exp, self.timeline, self.pace.server, epochs, seconds, until)
        if self.exp.trainer.divergence is not None or self.done:
            self.pause()
        return n

    def start(self) -> None:
        """Train: start running (a finished run goes on for another budget's worth); each redraw then trains
        a slice (:meth:`train_slice`)."""
        self.odds_running, self.stop_at = False, None  # one thing trains at a time
        if self.done:
            self.target = self.epoch + self.config.epochs
        self.running = True
        self.live.start()
        self.pace.start()

    def advance(self, epochs: int) -> int:
        """Step and +100: ``epochs`` more (after those still to go of an earlier click), then stop. What
        :data:`STEP_SLICE` allows trains now, in this visitor's turn; the rest goes on in the page's slices,
        as a run does. Returns the epochs trained now."""
        stop = (self.stop_at if self.stop_at is not None else self.epoch) + epochs
        self.pause()
        self.odds_running = False
        self.stop_at = stop
        self.target = max(self.target, stop)  # past the budget, it moves: "Epoch 1,050 of 1,050", not "of 1,000"
        n = self.train(stop - self.epoch, STEP_SLICE)
        if self.epoch < stop and self.exp.trainer.divergence is None:
            self.running = True
            self.live.pace_off()
            self.pace.start()
        else:
            self.stop_at = None
        return n

    def pause(self) -> None:
        self.running, self.stop_at = False, None
        self.pace.stop()

    def train_slice(self) -> int:
        """One redraw's training while busy (running, or an odds run or run A of a link training): a time
        slice (the pace's); returns the epochs the network trained."""
        if not self.busy:
            return 0
        own, n = self.rebuilding is None and not self.odds_running, 0  # the network's own run, or another's
        with self.pace.slice() as seconds:
            if self.rebuilding is not None:
                self.rebuilding.train(seconds)
            elif self.odds_running:
                self._run_odds(seconds)
            else:
                n = self.train(self._allowed(), seconds, self.live.slice_end(self.exp.trainer))
        if own:
            self.live.count(n)
        return n

    def _allowed(self) -> int:
        """How many epochs the next slice may train: up to the budget (a million at a time until paused), or to
        where a run of Step or +100 stops. How much of that one redraw shows is the run's tempo's."""
        if self.stop_at is not None:
            return max(self.stop_at - self.epoch, 0)
        return 1_000_000 if self.continuous else max(self.target - self.epoch, 0)

    # ------------------------------------------------------------ run A of a link, and the odds
    def rebuild_pinned(self, config: Config, epoch: int) -> None:
        """Run A of a link: ``config`` trained from its seed again up to ``epoch`` (or for
        :data:`PINNED_SECONDS` of training at most), in the page's slices; :meth:`rebuilt` gives it when done."""
        self.rebuilding = Rebuild(Session(config), epoch)
        self.pace.start()

    def rebuilt(self) -> Session | None:
        """Run A of a link once it is trained again (then no longer kept here), else None."""
        if self.rebuilding is None or not self.rebuilding.done:
            return None
        a, self.rebuilding = self.rebuilding.run, None
        if not self.busy:
            self.pace.stop()
        return a

    def start_odds(self, seeds: int) -> None:
        """Start a convergence-odds run of the current settings from ``seeds`` network seeds (it pauses
        training); each redraw then trains it a slice. ValueError if the page's bounds refuse it."""
        odds = Odds(self.config, seeds, page=True)
        self.pause()
        self.odds, self.odds_running = odds, True
        self.pace.start()

    def _run_odds(self, seconds: float) -> None:
        with self.pace.server.turn(0.0):
            self.odds.run(seconds=seconds)
        if self.odds.done:
            self.stop_odds()

    def stop_odds(self) -> None:
        self.odds_running = False
        self.pace.stop()

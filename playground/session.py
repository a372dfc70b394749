"""One visitor's experiment: the built data, network and trainer, and what to keep when settings change.

Plain Python over nn_core (no Streamlit), so the reset-or-keep rules and the
chunked training are testable on their own. The page keeps one
:class:`Session` in ``st.session_state``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from nn_core import Config, Network, build
from nn_core.config import make_trainer
from nn_core.optimizers import make_optimizer

DATA_FIELDS = ("dataset", "samples", "noise", "test_ratio", "data_seed")
NETWORK_FIELDS = ("features", "hidden", "activations", "output", "init", "seed")
OPTIMIZER_FIELDS = ("optimizer", "lr", "momentum", "beta1", "beta2")
REDRAW_CYCLE = 0.24  # seconds from one live redraw to the next: at least four a second
MIN_CHUNK, MAX_CHUNK = 0.03, 0.2  # training time per redraw stays within these
FIRST_CHUNK = 0.3  # the first chunk after Train: a short run (the tutorial's) finishes within it


def _changed(a: Config, b: Config, names) -> list[str]:
    return [n for n in names if getattr(a, n) != getattr(b, n)]


@dataclass
class Session:
    config: Config
    network: Network | None = None  # start from these weights instead of a fresh initialisation
    running: bool = False
    notice: str = ""  # what the last settings change did, for the page to say
    live_ticks: int = field(default=0, init=False)  # redraws while running live ...
    live_epochs: int = field(default=0, init=False)  # ... epochs trained ...
    live_seconds: float = field(default=0.0, init=False)  # ... and the wall time they took, redraws included
    _last_tick: float | None = field(default=None, init=False)  # when the last tick started ...
    _last_end: float | None = field(default=None, init=False)  # ... and ended
    chunk_seconds: float = field(default=0.12, init=False)  # training time per live redraw, adapted

    def __post_init__(self):
        self.cache: dict = {}  # things drawn from the data (points frame, bounds), kept until it changes
        self.exp = build(self.config, self.network)
        self.network = None
        self.target = self.config.epochs  # train until this epoch

    # ------------------------------------------------------------ settings
    def apply(self, new: Config) -> str:
        """Move to settings ``new``: rebuild on data or network changes, keep the network otherwise.

        Returns (and keeps in ``notice``) a sentence saying which happened, or "" if nothing changed.
        """
        old = self.config
        if new == old:
            return ""
        data, net = _changed(old, new, DATA_FIELDS), _changed(old, new, NETWORK_FIELDS)
        if data or net:
            self.config = new
            self.reset()
            what = "data" if data and not net else "network" if net and not data else "data and network"
            self.notice = f"The {what} changed ({', '.join(data + net)}): the network was reset to epoch 0."
            return self.notice
        self._retune(old, new)
        self.config = new
        if new.epochs != old.epochs:
            self.target = new.epochs
        kept = _changed(old, new, OPTIMIZER_FIELDS + ("loss", "batch_size", "l1", "l2", "epochs"))
        self.notice = f"Changed {', '.join(kept)}: the trained network is kept."
        return self.notice

    def _retune(self, old: Config, new: Config) -> None:
        tr = self.exp.trainer
        if new.optimizer != old.optimizer:
            tr.optimizer = make_optimizer(new.optimizer, new.lr, new.momentum, new.beta1, new.beta2)
        else:  # same optimizer: new hyperparameters, same state (momentum, moments)
            for name in ("lr", "momentum", "beta1", "beta2"):
                if hasattr(tr.optimizer, name):
                    setattr(tr.optimizer, name, getattr(new, name))
        tr.set_regularization(new.l1, new.l2)
        tr.set_batch_size(new.batch_size or None)
        if new.loss_name != old.loss_name:
            # A new loss: a new trainer over the same network, carrying the history on.
            fresh = make_trainer(new, self.exp.network, self.exp.train, self.exp.test)
            fresh.optimizer, fresh.history = tr.optimizer, tr.history
            self.exp.trainer = fresh

    def reset(self, network: Network | None = None) -> None:
        """A fresh network from the seed (or ``network``), epoch 0, not running."""
        self.exp = build(self.config, network)
        self.cache = {}
        self.running = False
        self.target = self.config.epochs
        self.live_ticks, self.live_epochs, self.live_seconds, self._last_tick = 0, 0, 0.0, None

    # ------------------------------------------------------------ training
    @property
    def epoch(self) -> int:
        return self.exp.trainer.epoch

    @property
    def done(self) -> bool:
        return self.epoch >= self.target

    def train(self, epochs: int, seconds: float | None = None) -> int:
        """Train up to ``epochs`` epochs (stopping after ``seconds`` if given); returns how many ran."""
        tr = self.exp.trainer
        start, n = time.perf_counter(), 0
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported by the trainer
            for _ in tr.run(epochs):
                n += 1
                if seconds is not None and time.perf_counter() - start > seconds:
                    break
        if tr.divergence is not None:
            self.running = False
        return n

    def tick(self, seconds: float | None = None) -> int:
        """One live redraw's worth of epochs, toward the epoch budget; stops at the budget.

        Without ``seconds``, the chunk adapts: drawing, sending and the
        browser's next request take their share of each redraw cycle, and
        the chunk grows or shrinks until ticks come REDRAW_CYCLE apart, so
        the page redraws four times a second and trains the rest of the time.
        """
        now = time.perf_counter()
        if self._last_tick is not None and now - self._last_tick < 5.0:
            cycle = now - self._last_tick
            self.live_seconds += now - self._last_end  # drawing and waiting since the last chunk
            self.chunk_seconds += 0.5 * (REDRAW_CYCLE - cycle)
            self.chunk_seconds = min(max(self.chunk_seconds, MIN_CHUNK), MAX_CHUNK)
        if seconds is None:
            seconds = self.chunk_seconds
        self._last_tick = now
        n = self.train(max(self.target - self.epoch, 0), seconds)
        self._last_end = time.perf_counter()
        self.live_seconds += self._last_end - now
        self.live_epochs += n
        self.live_ticks += 1
        if self.done:
            self.running = False
        if not self.running:
            self._last_tick = None
        return n

    def start(self) -> int:
        """Start running and train the first chunk; returns the epochs trained (running stays
        True if the budget is not reached yet)."""
        if self.done:  # a finished run goes on for another budget's worth
            self.target = self.epoch + self.config.epochs
        self.running = True
        self._last_tick = None
        return self.tick(FIRST_CHUNK)

    @property
    def live_rate(self) -> float | None:
        """Epochs per second while training live, redraw time included."""
        return self.live_epochs / self.live_seconds if self.live_seconds > 0 else None

    @property
    def redraw_rate(self) -> float | None:
        """Redraws per second while training live."""
        return self.live_ticks / self.live_seconds if self.live_seconds > 0 else None

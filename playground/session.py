"""One visitor's experiment: the built data, network and trainer, and what to keep when settings change.

Plain Python over nn_core (no Streamlit), so the reset-or-keep rules and the
chunked training are testable on their own. The page keeps one
:class:`Session` in ``st.session_state``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np

from nn_core import SETTINGS, Config, Network, build
from nn_core.config import retune

FIRST_CHUNK = 0.3  # the first chunk after Train: a short run (the tutorial's) finishes within it
MAX_BACKGROUND = 1.0  # a background chunk that no redraw collects stops by itself after this long
REDRAW_CYCLE = 0.24  # while running, redraws come at least this far apart: about four a second


@dataclass
class Session:
    config: Config
    network: Network | None = None  # start from these weights instead of a fresh initialisation
    running: bool = False
    timer: bool = False  # whether the page redraws on a timer (set by the page from ``running``)
    notice: str = ""  # what the last settings change did, for the page to say
    live_ticks: int = field(default=0, init=False)  # redraws while running live ...
    live_epochs: int = field(default=0, init=False)  # ... epochs trained ...
    live_seconds: float = field(default=0.0, init=False)  # ... and the wall time they took, redraws included
    _live_start: float | None = field(default=None, init=False)
    _worker: threading.Thread | None = field(default=None, init=False, repr=False)
    _launched: float = field(default=0.0, init=False, repr=False)  # when the background chunk started
    _settled: float = field(default=0.0, init=False, repr=False)  # when the last redraw began
    _draw_seconds: float = field(default=0.05, init=False, repr=False)  # how long a redraw takes
    _stop: threading.Event = field(default_factory=threading.Event, init=False, repr=False)

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
        self.settle()
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
        self.settle()
        self.exp = build(self.config, network)
        self.cache = {}
        self.running = False
        self.target = self.config.epochs
        self.live_ticks, self.live_epochs, self.live_seconds, self._live_start = 0, 0, 0.0, None

    # ------------------------------------------------------------ training
    @property
    def epoch(self) -> int:
        return self.exp.trainer.epoch

    @property
    def done(self) -> bool:
        return self.epoch >= self.target

    def train(self, epochs: int, seconds: float | None = None, stop: threading.Event | None = None) -> int:
        """Train up to ``epochs`` epochs, stopping after ``seconds`` or when ``stop`` is set; returns how many ran."""
        tr = self.exp.trainer
        start, n = time.perf_counter(), 0
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported by the trainer
            for _ in tr.run(epochs):
                n += 1
                if (seconds is not None and time.perf_counter() - start > seconds) or (stop and stop.is_set()):
                    break
        if tr.divergence is not None or self.done:
            self.running = False
        return n

    # ------------------------------------------------------------ live training
    # While running, each redraw of the page (a run of the fragment) first calls settle(), which
    # stops the chunk trained in the background since the last redraw, then draws, then calls
    # launch() to train the next chunk while the page is sent, drawn by the browser and asks for
    # the next redraw. Drawing never overlaps training, and training fills the time in between.

    def start(self) -> int:
        """Start running: trains a first chunk in the foreground, so a short run (the tutorial's)
        is finished when this returns; returns the epochs trained."""
        self.settle()
        if self.done:  # a finished run goes on for another budget's worth
            self.target = self.epoch + self.config.epochs
        self.running = True
        self.live_ticks, self.live_epochs, self.live_seconds = 0, 0, 0.0
        self._live_start = time.perf_counter()
        n = self.train(max(self.target - self.epoch, 0), FIRST_CHUNK)
        self._account(n)
        return n

    def launch(self) -> None:
        """Train in a background thread until the next settle(), the budget, or MAX_BACKGROUND seconds."""
        if not self.running or self._worker is not None:
            return
        self._launched = time.perf_counter()
        self._draw_seconds = self._launched - self._settled if self._settled else self._draw_seconds
        self._stop = threading.Event()
        self._worker = threading.Thread(target=self._background, args=(self._stop,), daemon=True,
                                        name="playground-training")
        self._worker.start()

    def _background(self, stop: threading.Event) -> None:
        self._account(self.train(max(self.target - self.epoch, 0), MAX_BACKGROUND, stop))

    def _account(self, n: int) -> None:
        self.live_epochs += n
        if self._live_start is not None:
            self.live_seconds = time.perf_counter() - self._live_start

    def settle(self, pace: bool = False) -> None:
        """Stop and wait for the background chunk, if any: the state is then safe to read and change.

        With ``pace``, a redraw that comes early first lets the chunk train on until redraws are
        REDRAW_CYCLE apart: redrawing any faster would only take time from training.
        """
        worker = self._worker
        if worker is not None:
            if pace:
                due = self._launched + REDRAW_CYCLE - self._draw_seconds
                worker.join(max(0.0, due - time.perf_counter()))
            self._stop.set()
            worker.join()
            self._worker = None
            self.live_ticks += 1
            self._settled = time.perf_counter()

    def pause(self) -> None:
        self.settle()
        self.running = False

    @property
    def live_rate(self) -> float | None:
        """Epochs per second while training live, redraw time included."""
        return self.live_epochs / self.live_seconds if self.live_seconds > 0 else None

    @property
    def redraw_rate(self) -> float | None:
        """Redraws per second while training live."""
        return self.live_ticks / self.live_seconds if self.live_seconds > 0 else None

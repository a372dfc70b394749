"""The server's pacing of live training: whose page is redrawn next, how long each redraw may train, and how
often each page's timer asks for the next redraw.

Live training has no thread: each redraw of a page (a run of its fragment, on a timer) draws, then trains for
a time slice. The slice leaves room in each cycle for the drawing, and shrinks when the server is busy: the
CPU is shared by training less per redraw, never by redrawing less.

Two objects, plain Python (no Streamlit): the :class:`Server`, one per server process (:data:`SERVER`), what
every page of the server shares, behind one lock: the turn that every redraw and every click that trains
waits for, which pages are training, and the average redraw's cost; and each page's :class:`Pace`, its
timer's interval and what its own runs measured. One visitor's experiment (:mod:`playground.session`) has a
Pace and trains only inside its server's turn.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

CYCLE = 0.25  # seconds from one redraw to the next while training: four a second
INTERVALS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)  # the page's timer: longer when a round of redraws is
# (every training page's turn) longer
TRAIN_SHARE = 0.75  # of a cycle, the most spent training, when nothing else is going on
MIN_SLICE = 0.002  # however busy the server, each redraw trains at least this long
SPARE = 1.2  # the timer's interval over the time a round of redraws needs
MARGIN = 0.02  # seconds a page training alone leaves free in each interval, besides its measured redraw
SETTLE = 10.0  # seconds an interval stays before it may go down: each change costs a run of the whole page
ABANDONED = 30.0  # a training page that has not redrawn for this long (its tab was closed) no longer counts
clock = time.perf_counter  # the pacing's clock (a test gives it a fake one: no test may depend on speed)


class Server:
    """What every page of this server shares, behind one lock: the turn, who is training, a redraw's cost.

    Whose turn is next: one at a time, the one that has waited longest since its last redraw. Twenty script
    threads all computing at once would share the interpreter's lock with the thread that sends the pages
    out, and starve it: pages stop arriving. A thread waiting here waits without computing, so the sender
    keeps its share. The turn goes to the waiter whose page was drawn longest ago (a page that was never
    drawn, or that a visitor just clicked, goes first), so every page is redrawn in turn and none waits
    behind the others twice. The thread holding the turn may take it again (a redraw trains inside its own
    turn). The server's estimate of one redraw's cost besides training sets how long a round of every
    training page's redraw takes.
    """

    def __init__(self, draw: float = 0.03):
        self._lock = threading.Lock()
        self._holder: int | None = None  # the thread holding the turn
        self._waiting: list[tuple[float, int, int, threading.Event]] = []  # (since, ticket, thread, its signal)
        self._tickets = itertools.count()
        self._training: dict[int, float] = {}  # id of each training page's Pace -> when it last trained
        self._draw = draw  # seconds a redraw takes besides training (a running average over the server)

    @contextmanager
    def turn(self, since: float) -> Iterator[None]:
        """Hold the turn; ``since``: when this page was last drawn (0: never, or a visitor is waiting)."""
        me = threading.get_ident()
        with self._lock:
            again, free = self._holder == me, self._holder is None
            if free:
                self._holder = me
            elif not again:
                ready = threading.Event()
                heapq.heappush(self._waiting, (since, next(self._tickets), me, ready))
        if again:  # this thread's own turn: nothing to wait for, nothing to hand over
            yield
            return
        if not free:
            ready.wait()  # the turn is handed over: it is this thread's already
        try:
            yield
        finally:
            self._hand_over()

    def _hand_over(self) -> None:
        with self._lock:
            if self._waiting:
                _, _, self._holder, ready = heapq.heappop(self._waiting)
                ready.set()
            else:
                self._holder = None

    def holds_turn(self) -> bool:
        """Whether the calling thread holds the turn."""
        with self._lock:
            return self._holder == threading.get_ident()

    def turn_taken(self) -> bool:
        """Whether any thread holds the turn."""
        with self._lock:
            return self._holder is not None

    def waiting(self) -> int:
        """How many threads wait for the turn."""
        with self._lock:
            return len(self._waiting)

    def drew(self, seconds: float) -> None:
        """Count a redraw that took ``seconds`` besides training into the running average."""
        with self._lock:
            self._draw += 0.05 * (seconds - self._draw)  # slow to move: intervals change only when the load does

    def draw(self) -> float:
        """Seconds a redraw takes besides training, on average over the server."""
        with self._lock:
            return self._draw

    def round_seconds(self, pages: int) -> float:
        """Seconds a round of ``pages`` training pages' redraws needs, with room to spare."""
        with self._lock:
            return SPARE * pages * (self._draw + MIN_SLICE)

    def training(self, page: int, now: float) -> int:
        """Count ``page`` as training at ``now``; returns how many pages are, this one included (forgetting
        abandoned ones)."""
        with self._lock:
            for k in [k for k, t in self._training.items() if now - t > ABANDONED]:
                del self._training[k]
            self._training[page] = now
            return len(self._training)

    def others_training(self, page: int) -> int:
        """How many pages besides ``page`` are training."""
        with self._lock:
            return sum(1 for k in self._training if k != page)

    def stopped(self, page: int) -> None:
        """``page`` no longer trains."""
        with self._lock:
            self._training.pop(page, None)


SERVER = Server()  # this server process's


def interval_for(need: float, current: float) -> float:
    """The timer's interval for a round that needs ``need`` seconds: the shortest of :data:`INTERVALS` over
    it. From ``current``, it goes up at once and down only when the round needs under 85% of the lower one."""
    fits = [t for t in INTERVALS if t >= need]
    step = fits[0] if fits else INTERVALS[-1]
    return step if step > current or need < 0.85 * step else current


class Pace:
    """One page's timer: the interval it should have, the one it was last set to, and what the page's runs
    measured. ``server``: the server it shares (this process's unless given)."""

    def __init__(self, server: Server | None = None):
        self.server = server if server is not None else SERVER
        self.timer: float | None = None  # the interval the page's timer was last set to (None: no timer)
        self.interval = CYCLE  # the interval the timer should have: longer than a redraw takes
        self.drawn = 0.0  # when the page was last drawn while training (0: not yet)
        self.late = False  # the last run took longer than the interval
        self.changed = 0.0  # when the interval last changed
        self.overhead = 0.05  # a run's whole time besides training (average)
        self.trained = 0.0  # seconds the last slice trained
        self.pages = 1  # pages training on the server at the last slice, this one included

    def start(self) -> None:
        """The page's timer is to run: an interval with room for this page besides those training now, and
        its first redraw ahead of the others' (it has not been drawn since the click)."""
        self.drawn = 0.0
        self.interval = interval_for(self.server.round_seconds(self.server.others_training(id(self)) + 1),
                                     self.interval)

    def stop(self) -> None:
        """This page no longer trains."""
        self.server.stopped(id(self))

    def set_timer(self, on: bool) -> float | None:
        """The interval the page's timer runs at from this run (None: no timer while nothing trains)."""
        self.timer = self.interval if on else None
        return self.timer

    def timer_stale(self, busy: bool) -> bool:
        """Whether the timer must be set again: a run started or ended, or it needs another interval."""
        return busy != bool(self.timer) or bool(self.timer) and self.timer != self.interval

    def slice_seconds(self) -> float:
        """How long the next redraw may train: what the timer's interval leaves after a round of every
        training page's redraw (with room to spare), shared among them, and never more than
        :data:`TRAIN_SHARE` of a cycle alone. The CPU is shared by training less, never by redrawing less.
        With others, the interval is the one every training page should have now: a page whose timer is
        still longer does not get a longer turn. Alone, the interval is this page's own and what a run
        needs besides training is its own too, measured whole (Streamlit's part included)."""
        n = self.pages = self.server.training(id(self), clock())
        if n == 1:
            alone = min(self.interval - CYCLE * (1 - TRAIN_SHARE), self.interval - MARGIN - self.overhead)
            return max(MIN_SLICE, alone)
        interval = min(self.interval, interval_for(self.server.round_seconds(n), 0.0))
        budget = min(interval - CYCLE * (1 - TRAIN_SHARE), interval / SPARE - n * self.server.draw())
        return max(MIN_SLICE, budget / n)

    @contextmanager
    def slice(self) -> Iterator[float]:
        """One redraw's training: yields how long it may train (:meth:`slice_seconds`), and keeps how long it
        did (besides training, a run's time is the drawing)."""
        start = clock()
        yield self.slice_seconds()
        self.trained = clock() - start

    @contextmanager
    def redraw(self, training: bool) -> Iterator[None]:
        """One run of the page's panel in the server's turn (while ``training``, its place is by when the page
        was last drawn; otherwise a visitor is waiting, and goes first); with the timer on, the run is
        measured for the next interval (:meth:`ran`)."""
        called = clock()
        with self.server.turn(self.drawn if training else 0.0):
            turn = clock()
            yield
            if self.timer:
                now = clock()
                self.ran(now - called, now - turn)

    def ran(self, whole: float, turn: float) -> None:
        """Tell how long a run of the panel took while training: ``whole`` with its wait for a turn, ``turn``
        holding it (training included).

        The timer must never ask for the next run before this one is done: a fragment run that starts
        before the last one's page has been sent out drops that page, and a page whose every run is
        overtaken never redraws. So the interval is the shortest step over what a round of every training
        page's redraw needs (the server's average redraw and the least slice each), with a fifth to
        spare, and over this run's whole time. It goes up at once, and down only with room to spare."""
        self.drawn = clock()
        self.server.drew(max(turn - self.trained, 0.0))
        late, self.late = self.late, whole > self.interval  # once is a hiccup (a dropped frame at worst)
        self.overhead += 0.3 * (max(whole - self.trained, 0.0) - self.overhead)
        need = self.server.round_seconds(self.pages) if self.pages > 1 else SPARE * (self.overhead + MIN_SLICE)
        step = interval_for(max(need, whole if late and self.late else 0.0), self.interval)
        if step > self.interval or step < self.interval and self.drawn - self.changed > SETTLE:
            self.interval, self.changed = step, self.drawn

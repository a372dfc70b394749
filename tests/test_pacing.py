"""The server's pacing (playground.pacing): turns, slices and the timer's interval, and the turn every path
that trains takes. Without a server, and on a fake clock where a slice's length matters: no test here
depends on the machine's speed."""

import sys
import threading
import time

import pytest

from nn_core.odds import Odds
from nn_core.training import Trainer
from playground import pacing
from playground.page_config import DEFAULT
from playground.session import Session

THREADS = pytest.mark.skipif(sys.platform == "emscripten", reason="emscripten (Pyodide) has no threads to start")


class FakeClock:
    """The pacing's clock, advancing ``step`` seconds at every reading: slices hold the same epochs on any machine."""

    def __init__(self, step: float):
        self.now, self.step = 1000.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


@pytest.fixture
def server(monkeypatch):
    """A server of this test's own: no page of another test counts as training on it."""
    fresh = pacing.Server()
    monkeypatch.setattr(pacing, "SERVER", fresh)
    return fresh


def test_slices_leave_room_for_drawing_and_shrink_when_the_server_is_busy(server, monkeypatch):
    cycle, share, spare = pacing.CYCLE, pacing.TRAIN_SHARE, pacing.SPARE
    p = pacing.Pace()
    assert p.server is server
    p.overhead = 0.02  # alone: what its own runs need besides training
    assert p.slice_seconds() == pytest.approx(cycle * share)  # quick to draw: the most a cycle gives
    p.overhead = 0.1
    assert p.slice_seconds() == pytest.approx(cycle - pacing.MARGIN - 0.1)  # room for the drawing, a margin
    p.overhead = cycle
    assert p.slice_seconds() == pacing.MIN_SLICE
    monkeypatch.setattr(server, "_draw", 0.02)  # with others: the server's average redraw
    others = [pacing.Pace() for _ in range(3)]
    for o in others:
        o.slice_seconds()  # each counts as training on this server now
    assert p.slice_seconds() == pytest.approx((cycle / spare - 4 * 0.02) / 4)  # a round of four in one cycle
    p.interval = 4.0  # a page whose timer is still long (the load just dropped) gets no longer a turn
    assert p.slice_seconds() == pytest.approx((cycle / spare - 4 * 0.02) / 4)
    for o in others:
        o.stop()
    assert server.others_training(id(p)) == 0


def test_the_timer_never_asks_before_a_round_of_redraws_is_done(server, monkeypatch):
    from playground.pacing import SETTLE, SPARE, interval_for

    assert interval_for(0.2, 0.25) == 0.25 and interval_for(0.3, 0.25) == 0.5 and interval_for(9.0, 0.25) == 4.0
    assert interval_for(0.2, 1.0) == 0.25  # down to the shortest that fits with room to spare ...
    assert interval_for(0.24, 0.5) == 0.5  # ... and not without
    p = pacing.Pace()
    assert p.interval == 0.25
    monkeypatch.setattr(server, "_draw", 0.04)
    p.pages, p.trained = 20, 0.01
    p.ran(0.3, 0.05)  # twenty pages drawing for 40 ms each: a round takes more than a second
    assert p.interval == 1.25 and SPARE * 20 * 0.04 > 0.95
    monkeypatch.setattr(server, "_draw", 0.02)
    p.ran(0.3, 0.03)  # the redraws got quicker, but the interval just changed: it stays a while
    assert p.interval == 1.25
    p.changed -= SETTLE
    p.ran(0.3, 0.03)
    assert p.interval == 0.75
    p.ran(2.0, 0.03)  # a run took longer than the interval: once is a hiccup ...
    assert p.interval == 0.75
    p.ran(2.0, 0.03)  # ... twice is not: the timer waits longer than a run
    assert p.interval == 2.0
    p.pages, p.overhead, p.trained, p.interval = 1, 0.0, 0.0, 0.25
    p.ran(0.1, 0.1)  # alone and quick: the shortest interval
    assert p.interval == 0.25
    p.ran(2.0, 0.03)  # alone, what its runs need besides training (their average) sets the interval
    assert p.interval == 0.75


def test_the_timer_is_set_again_when_a_run_starts_or_ends_or_its_interval_moves():
    p = pacing.Pace(pacing.Server())
    assert p.set_timer(False) is None and not p.timer_stale(False) and p.timer_stale(True)  # a run started
    assert p.set_timer(True) == p.interval and not p.timer_stale(True) and p.timer_stale(False)  # ... ended
    p.interval = 1.0
    assert p.timer_stale(True)  # it needs another interval


@THREADS
def test_redraws_take_turns_oldest_first():
    server, order = pacing.Server(), []

    def redraw(since):
        with server.turn(since):
            order.append(since)

    with server.turn(0.0):  # somebody is drawing: the others queue
        threads = [threading.Thread(target=redraw, args=(since,)) for since in (3.0, 1.0, 2.0, 0.0)]
        for t in threads:
            t.start()
        while server.waiting() < len(threads):
            time.sleep(0.001)
    for t in threads:
        t.join(5)
    assert order == [0.0, 1.0, 2.0, 3.0]  # a page never drawn first, then the one drawn longest ago
    with server.turn(5.0):  # free again: taken at once
        pass
    assert not server.turn_taken()


@THREADS
def test_a_redraw_trains_in_its_own_turn_without_waiting_for_itself():
    server, inside = pacing.Server(), []

    def redraw():
        with server.turn(1.0):
            with server.turn(0.0):  # the slice it trains takes the turn it holds
                inside.append(server.holds_turn())
            inside.append(server.holds_turn())  # and still holds it after

    t = threading.Thread(target=redraw)
    t.start()
    t.join(30)  # a hang guard only: a turn that waited for itself would never end
    assert not t.is_alive() and inside == [True, True] and not server.turn_taken()


def test_every_path_that_trains_takes_the_servers_turn(server, monkeypatch):
    """Train (a redraw's slice), Step and +100 (a click), run A of a link and the odds: the engine trains
    only while the thread holds the server's turn."""
    monkeypatch.setattr(pacing, "clock", FakeClock(0.001))
    seen: list[tuple[str, bool]] = []
    path = ["?"]
    trainer_run, odds_run = Trainer.run, Odds.run

    def run(self, *args, **kwargs):
        for record in trainer_run(self, *args, **kwargs):
            seen.append((path[0], server.holds_turn()))
            yield record

    def run_odds(self, *args, **kwargs):
        seen.append((path[0], server.holds_turn()))
        return odds_run(self, *args, **kwargs)

    monkeypatch.setattr(Trainer, "run", run)
    monkeypatch.setattr(Odds, "run", run_odds)
    s = Session(DEFAULT.replace(samples=60, epochs=10))
    path[0] = "train"
    s.start()
    while s.running:
        s.train_slice()
    path[0] = "step"
    s.advance(1)
    path[0] = "+100"
    s.advance(100)
    while s.running:
        s.train_slice()
    path[0] = "run A"
    s.rebuild_pinned(s.config.replace(lr=0.3), 20)
    while s.rebuilt() is None:
        s.train_slice()
    path[0] = "odds"
    s.start_odds(3)
    s.train_slice()
    assert {p for p, _ in seen} == {"train", "step", "+100", "run A", "odds"}
    assert all(held for _, held in seen), [p for p, held in seen if not held]
    assert not server.turn_taken()

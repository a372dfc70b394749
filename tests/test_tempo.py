"""The run's tempo (playground.tempo): a run is paced by how much its loss falls per redraw, not by epochs or
seconds. On a fake clock: the redraws counted here are the page's own, on any machine."""

import numpy as np
import pytest

from nn_core import TUTORIAL
from playground import pacing, tempo
from playground.page_config import DEFAULT
from playground.session import Session
from playground.url import SPEEDS, page_from_query, page_query, speed_from_query
from test_pacing import FakeClock

TUTORIAL_PAGE = TUTORIAL.replace(noise=0.0)  # as the preset button sets it


@pytest.fixture
def server(monkeypatch):
    fresh = pacing.Server()
    monkeypatch.setattr(pacing, "SERVER", fresh)
    return fresh


def redraws(config, speed: str, every: list | None = None) -> tuple[np.ndarray, float]:
    """Train ``config`` as the page does at ``speed`` (one slice per redraw); returns the training loss after each
    redraw and the loss the run started from (and puts every epoch's in ``every``)."""
    s = Session(config)
    s.live.speed = speed
    s.start()
    losses = []
    while s.running:
        s.train_slice()
        losses.append(s.exp.trainer.history[-1].train_loss)
    if every is not None:
        every.extend(r.train_loss for r in s.exp.trainer.history)
    return np.array(losses), s.exp.trainer.start_loss


def fall_redraws(losses: np.ndarray, start: float) -> int:
    """How many redraws the loss takes from 90% to 10% of its fall (from the start to where the run ends)."""
    end = losses[-1]
    first = np.argmax(losses <= end + 0.9 * (start - end))
    last = np.argmax(losses <= end + 0.1 * (start - end))
    return int(last - first)


@pytest.mark.parametrize("config", [DEFAULT, TUTORIAL_PAGE], ids=["default", "tutorial"])
@pytest.mark.parametrize("epoch_seconds", [1e-7, 1e-3], ids=["fast machine", "slow machine"])
def test_the_fall_of_the_loss_plays_over_many_redraws(server, monkeypatch, config, epoch_seconds):
    """Issue 19: the tutorial's learning showed in three frames (epochs 3,336, 5,380, 10,000) after seconds of a
    flat plateau. Paced by change, the fall from 90% to 10% of the loss takes at least 10 redraws at the normal
    speed, more at slow, wherever in the run it comes; a machine so fast that a slice could hold the whole run
    (a clock that hardly moves) changes nothing, a slow one only adds redraws."""
    monkeypatch.setattr(pacing, "clock", FakeClock(epoch_seconds))
    counts = {speed: fall_redraws(*redraws(config, speed)) for speed in SPEEDS}
    assert counts["normal"] >= 10 and counts["slow"] > counts["normal"], counts
    if epoch_seconds < 1e-6:
        assert counts["fast"] <= 1, counts  # fast: a slice trains all it may, here the whole run


def test_a_plateau_passes_at_full_pace_and_the_redraws_that_end_early_are_few(server, monkeypatch):
    """The tutorial's first 2,000 epochs hardly move the loss: they pass in a few redraws. A run whose loss is
    noisy (mini-batches of 16) is not held back by its noise: only a new low ends a redraw early, and the
    lowest loss cannot fall further than where it started, so at most 1 / share redraws end early."""
    monkeypatch.setattr(pacing, "clock", FakeClock(1e-7))
    losses, start = redraws(TUTORIAL_PAGE, "normal")
    plateau = np.argmax(losses <= 0.9 * start)
    assert plateau <= 5, losses[:10]
    share = tempo.CHANGE_PER_REDRAW["normal"]
    noisy = DEFAULT.replace(dataset="spiral", samples=600, hidden=(16, 16), batch_size=16, epochs=1500)
    every = []
    losses, start = redraws(noisy, "normal", every)
    assert (np.diff(every) > share * start).sum() > 20  # the loss jumps up by more than a redraw's share, often
    assert len(losses) <= 1 / share + 2, len(losses)


def test_step_and_plus_100_are_not_paced(server, monkeypatch):
    monkeypatch.setattr(pacing, "clock", FakeClock(1e-7))
    s = Session(DEFAULT)
    s.advance(100)  # +100 trains its epochs as fast as it can: the visitor asked for them
    assert s.epoch == 100 and not s.running


def test_the_speed_in_the_url():
    warnings = []
    assert speed_from_query({}, warnings) == "normal" and warnings == []
    assert speed_from_query({"speed": " Slow"}, warnings) == "slow" and warnings == []
    assert speed_from_query({"speed": "warp"}, warnings) == "normal"
    assert warnings == ["speed='warp': must be slow, normal or fast; using normal"]
    q = page_query(DEFAULT, [], speed="fast")
    assert q["speed"] == "fast" and page_from_query(q, [])[3] == []
    assert page_query(DEFAULT, [])["speed"] == "normal"


def test_new_points_while_training_are_paced_from_where_they_put_the_loss(server, monkeypatch):
    """Points drawn while a run goes on: the loss jumps up on them, and their learning is paced from there (the
    run's lowest loss so far, on the old points, would otherwise let it pass at full pace)."""
    from nn_core.userdata import add_point

    monkeypatch.setattr(pacing, "clock", FakeClock(1e-4))  # a slice holds some 2,000 epochs at most
    s = Session(DEFAULT.replace(dataset="custom", test_ratio=0.0))
    s.continuous = True  # Until paused
    s.start()
    while s.epoch < 300:
        s.train_slice()
    text = s.config.points
    for x in (-0.9, -0.6, -0.3, 0.3, 0.6, 0.9):  # a row of class 1 across the class 0 points' side
        text = add_point(text, x, -0.6, 1)
    s.apply(s.config.replace(points=text))
    assert s.running and s.live.rate is not None  # the run goes on, its figures kept
    start = s.exp.trainer.history[-1].train_loss
    assert start > 5 * s.exp.trainer.history[-2].train_loss  # the new points are far from fitted
    epochs, losses = [], []
    while s.running and len(losses) < 40:
        epochs.append(s.train_slice())
        losses.append(s.exp.trainer.history[-1].train_loss)
    fall = next(i for i, loss in enumerate(losses) if loss < 0.1 * start)  # redraws to fall 90% on them
    assert epochs[0] <= 3 and fall >= 3 and max(epochs[:fall + 1]) < 20, (epochs[:fall + 1], losses[:fall + 1])

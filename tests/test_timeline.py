"""Timeline: parameter snapshots at log-spaced epochs, bounded however long and however sliced the run."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn_core import TUTORIAL, Config, build
from nn_core.timeline import MAX_LEVEL, LogSpaced, Timeline, grid_floor, grid_next, grid_point


def grid(level: int, last: int) -> list[int]:
    """Level ``level``'s grid points up to ``last``, by brute force from the definition."""
    points = {0} | {grid_point(n) for n in range(0, 64 * last.bit_length() + 1, 1 << level) if grid_point(n) <= last}
    return sorted(points)


def marked(epoch: int) -> np.ndarray:
    """Parameters that say which epoch they are from."""
    return np.array([epoch, -epoch, 0.5], dtype=np.float64)


# ---------------------------------------------------------------- the grids
@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**12), st.integers(0, 10))
def test_grid_floor_and_next_bracket_every_epoch(epoch, level):
    lo, hi = grid_floor(epoch, level), grid_next(epoch, level)
    assert lo <= epoch < hi
    assert grid_floor(hi, level) == hi and grid_next(lo - 1, level) == lo  # both are grid points
    assert grid_floor(hi - 1, level) == lo  # and nothing lies between them
    assert grid_floor(lo, level + 1) == lo or grid_floor(lo, level + 1) < lo  # a coarser grid is a subset
    coarse = grid_floor(epoch, level + 1)
    assert grid_floor(coarse, level) == coarse


def test_grids_by_brute_force():
    for level in range(6):
        points = [0]
        while points[-1] < 5000:
            points.append(grid_next(points[-1], level))
        assert points[:-1] == grid(level, 5000)[:len(points) - 1] and grid(level, 5000)[-1] < points[-1]
    assert grid(0, 90) == list(range(91))  # every epoch while they are close
    assert grid(6, 10**4) == [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192]


# ---------------------------------------------------------------- bounds and spacing
def test_a_million_epochs_keep_at_most_200_log_spaced():
    tl = Timeline(200)
    p = marked(0)
    for e in range(1_000_001):
        tl.offer(e, p)
    epochs = tl.epochs
    assert len(tl) == len(epochs) <= 200 and epochs.dtype == np.int64
    level = tl._kept.level
    assert list(epochs) == grid(level, 1_000_000)  # exactly the thinned grid
    assert list(epochs[:10]) == list(range(10)) and epochs[-1] > 800_000
    ratios = epochs[20:][1:] / epochs[20:][:-1]
    assert ratios.max() < 1.5 * ratios.min()  # evenly spaced on a log axis
    assert len(epochs) > 100  # thinned by halves: never far below the bound


def test_100k_epochs_in_1000_slices_with_the_latest_each_time():
    whole, sliced = Timeline(200), Timeline(200)
    for e in range(100_001):
        whole.offer(e, marked(e))
    sliced.offer(0, marked(0))
    for s in range(1000):
        for e in range(100 * s + 1, 100 * s + 101):
            sliced.offer(e, marked(e))
        last = 100 * s + 100
        sliced.offer(last, marked(last), latest=True)
        assert len(sliced) <= 200 and sliced.epochs[-1] == last
        assert np.array_equal(sliced.at(last), marked(last))
    assert list(sliced.epochs) == sorted(set(whole.epochs) | {100_000})


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 5000), min_size=1, max_size=30), st.integers(4, 60))
def test_slicing_does_not_change_what_is_kept(slices, limit):
    """A run offered in slices, each ended by its latest epoch, keeps the grid a single run keeps, plus the end."""
    whole, sliced = Timeline(limit), Timeline(limit)
    end = sum(slices)
    for e in range(end + 1):
        whole.offer(e, marked(e))
    sliced.offer(0, marked(0))
    last = 0
    for k in slices:
        for e in range(last + 1, last + k + 1):
            sliced.offer(e, marked(e))
        last += k
        sliced.offer(last, marked(last), latest=True)
        assert len(sliced) <= limit
    assert list(sliced.epochs) == sorted(set(whole.epochs) | {end})
    for epoch in sliced.epochs:
        assert np.array_equal(sliced.at(epoch), marked(epoch))


def test_declining_costs_one_compare():
    """Most epochs are declined before the parameters are looked at."""
    tl = Timeline(10)
    tl.offer(0, marked(0))
    for e in range(1, 5000):
        tl.offer(e, "not even an array" if e < tl._next else marked(e))
    assert len(tl) <= 10


def test_max_bytes_lowers_the_bound():
    tl = Timeline(200, max_bytes=20 * 8 * 1000)  # room for 20 snapshots of 1,000 parameters
    for e in range(100_000):
        tl.offer(e, np.zeros(1000))
    assert len(tl) <= 20


# ---------------------------------------------------------------- the snapshots are the network's
def test_at_returns_the_parameters_of_that_epoch():
    c = Config(dataset="moons", samples=60, hidden=(5, 3), activations=("tanh",), optimizer="adam", lr=0.03,
               batch_size=16, epochs=3000)
    exp = build(c)
    tl = Timeline(30)
    tl.offer(0, exp.network.params)
    for _ in range(30):  # thirty slices, as the page trains
        for record in exp.trainer.run(100):
            tl.offer(record.epoch, exp.network.params)
        tl.offer(exp.trainer.epoch, exp.network.params, latest=True)
    kept = list(tl.epochs)
    assert len(kept) <= 30 and kept[0] == 0 and kept[-1] == 3000
    for epoch in (kept[0], kept[3], kept[len(kept) // 2], kept[-2], kept[-1]):
        fresh = build(c)
        fresh.trainer.fit(epoch)
        assert np.array_equal(tl.at(epoch), fresh.network.params)
    between = kept[-2] + 1
    assert between not in kept and tl.nearest(between) == kept[-2]
    assert np.array_equal(tl.at(between), tl.at(kept[-2]))
    drawn = tl.network_at(kept[-2], exp.network)
    fresh = build(c)
    fresh.trainer.fit(kept[-2])
    assert drawn is not exp.network and np.array_equal(drawn.predict(exp.data.X), fresh.network.predict(exp.data.X))


def test_snapshots_are_copies():
    tl = Timeline(10)
    p = marked(0)
    tl.offer(0, p)
    p[:] = 7.0
    got = tl.at(0)
    got[:] = 9.0
    assert np.array_equal(tl.at(0), marked(0))


# ---------------------------------------------------------------- the latest, going back, resets
def test_the_latest_stays_until_a_later_one_replaces_it():
    tl = Timeline(10)
    for e in range(200):
        tl.offer(e, marked(e))
    on_grid = list(tl.epochs)
    assert 199 not in on_grid
    assert tl.offer(199, marked(199), latest=True) and list(tl.epochs) == on_grid + [199]
    tl.offer(200, marked(200))  # declined by the grid: the latest stays
    assert list(tl.epochs) == on_grid + [199]
    tl.offer(201, marked(201), latest=True)  # replaces it
    assert list(tl.epochs) == on_grid + [201] and len(tl) <= 10
    nxt = tl._kept.next_epoch
    for e in range(202, nxt + 1):
        tl.offer(e, marked(e))
    assert tl.epochs[-1] == nxt and 201 not in tl.epochs and len(tl) <= 10  # a grid point replaces it too


def test_going_back_drops_the_later_snapshots():
    tl = Timeline(50)
    for e in range(100):
        tl.offer(e, marked(e))
    tl.offer(40, marked(-40))  # another network at epoch 40 (training went back)
    assert tl.epochs[-1] == 40 and np.array_equal(tl.at(99), marked(-40))
    for e in range(41, 60):
        tl.offer(e, marked(e))
    assert np.array_equal(tl.at(59), marked(max(e for e in tl.epochs if e <= 59)))
    tl.truncate(10)
    assert tl.epochs[-1] == 10 and tl._next == 11
    tl.offer(10, marked(10), latest=True)
    assert list(tl.epochs) == list(range(11))


def test_clear_for_a_reset_or_a_loaded_model():
    tl = Timeline(50)
    for e in range(100):
        tl.offer(e, marked(e))
    tl.clear()
    assert len(tl) == 0 and tl.epochs.shape == (0,)
    with pytest.raises(ValueError, match="none is kept"):
        tl.at(5)
    tl.offer(5000, marked(5000))  # a model file's network at its epoch
    assert list(tl.epochs) == [5000]
    with pytest.raises(ValueError, match="the first is 5000"):
        tl.at(4999)
    with pytest.raises(ValueError, match="flat vector"):
        tl.offer(5001, np.zeros(7), latest=True)
    tl.clear()
    tl.offer(0, np.zeros(7))  # a network of another size after a reset
    assert tl.at(0).shape == (7,)


def test_bad_arguments():
    with pytest.raises(ValueError):
        Timeline(3)
    with pytest.raises(ValueError):
        LogSpaced(2)
    with pytest.raises(ValueError, match="epochs start at 0"):
        Timeline().offer(-1, marked(0), latest=True)
    with pytest.raises(ValueError, match="flat vector"):
        Timeline().offer(0, np.zeros((2, 2)))
    tl = Timeline()
    tl.offer(0, np.zeros(4))
    with pytest.raises(ValueError, match="the snapshots have 4 parameters"):
        tl.network_at(0, build(TUTORIAL).network)


def test_levels_stop_before_the_grid_overflows():
    kept = LogSpaced(3)
    for e in (*range(20), 10**12, 10**12 + 1):
        kept.add(e, None)
    assert len(kept.epochs) <= 3 and kept.level <= MAX_LEVEL and kept.next_epoch > 10**12

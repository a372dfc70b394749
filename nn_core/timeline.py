"""Snapshots of a network's parameters at log-spaced epochs, for scrubbing back through a run.

Early epochs change a network most, so snapshots are spaced on a log scale:
epochs 0, 1, 2, 3, ... while they are close, then ever further apart. Their
number stays bounded whatever the run's length, by thinning: when there are
too many, every other grid point goes (:class:`LogSpaced`).

The log grids. Level ``j``'s grid holds 0 and ``floor(2 ** (n / 64))`` for
every ``n`` that is a multiple of ``2 ** j``: at level 0 every whole number up
to about 90, then 64 points per doubling of the epoch; each level up has half
as many. Each level's grid is part of the one below, so thinning keeps, for
each grid point ``g`` of the new level, the first item kept at or after ``g``
and before the next grid point. Which epochs are kept therefore depends only
on which epochs were offered, not on how a run was sliced.
"""

from __future__ import annotations

import math
from bisect import bisect_right

import numpy as np

from .checks import is_whole
from .network import Network

PER_DOUBLING = 64  # points per doubling of the epoch on level 0's grid
MAX_LEVEL = 12  # 2 ** (4096 / 64) = 2 ** 64 epochs between grid points: beyond any run


def grid_point(n: int) -> int:
    """The ``n``-th point of the log grid, ``floor(2 ** (n / 64))`` (1 at n = 0)."""
    return int(2.0 ** (n / PER_DOUBLING))


def grid_next(epoch: int, level: int) -> int:
    """The smallest point of level ``level``'s grid after ``epoch``."""
    if epoch < 0:
        return 0
    s = 1 << level
    n = int(PER_DOUBLING * math.log2(epoch + 1)) // s * s  # a guess, put right by the loops
    while grid_point(n) <= epoch:
        n += s
    while n >= s and grid_point(n - s) > epoch:
        n -= s
    return grid_point(n)


def grid_floor(epoch: int, level: int) -> int:
    """The largest point of level ``level``'s grid at or before ``epoch`` (>= 0)."""
    if epoch < 1:
        return 0
    s = 1 << level
    n = int(PER_DOUBLING * math.log2(epoch)) // s * s
    while grid_point(n + s) <= epoch:
        n += s
    while n >= s and grid_point(n) > epoch:
        n -= s
    return grid_point(n)


class LogSpaced:
    """Items kept at log-spaced epochs, at most ``limit`` of them, oldest first.

    ``epochs`` (list of int, increasing) and ``items`` (a list beside it) are
    read-only to callers. ``next_epoch`` is the first epoch the grid wants after
    the last kept one: a caller can decline the epochs before it with one integer
    compare, without making the item.
    """

    def __init__(self, limit: int):
        if not is_whole(limit, 3):
            raise ValueError(f"keep at least 3 points, not {limit!r}")
        self.limit = limit
        self.clear()

    def clear(self) -> None:
        """Forget every item and go back to the densest grid."""
        self.level, self.epochs, self.items, self.next_epoch = 0, [], [], 0

    def add(self, epoch: int, item) -> bool:
        """Keep ``item`` for ``epoch`` if the grid wants it; True if kept. An epoch at or before the last kept
        one first drops the items from ``epoch`` on (training went back); too many items thin the grid."""
        epoch = int(epoch)
        if self.epochs and epoch <= self.epochs[-1]:
            self.truncate(epoch - 1)
        if epoch < self.next_epoch:
            return False
        self.epochs.append(epoch)
        self.items.append(item)
        while len(self.epochs) > self.limit and self.level < MAX_LEVEL:
            self.level += 1
            firsts = [i for i, e in enumerate(self.epochs) if i == 0
                      or grid_floor(e, self.level) != grid_floor(self.epochs[i - 1], self.level)]
            self.epochs = [self.epochs[i] for i in firsts]
            self.items = [self.items[i] for i in firsts]
        self.next_epoch = grid_next(self.epochs[-1], self.level)
        return True

    def truncate(self, epoch: int) -> None:
        """Drop the items after ``epoch`` (the grid keeps its level)."""
        keep = bisect_right(self.epochs, epoch)
        del self.epochs[keep:], self.items[keep:]
        self.next_epoch = grid_next(self.epochs[-1], self.level) if self.epochs else 0


class Timeline:
    """Copies of a network's flat parameter vector (n_params,) at log-spaced epochs, at most ``max_snapshots``.

    Feed it every epoch of a run (``offer`` declines most with an integer compare)::

        timeline.offer(0, net.params)                 # the start
        for record in trainer.run(k):                 # each slice of the run
            timeline.offer(record.epoch, net.params)
        timeline.offer(trainer.epoch, net.params, latest=True)  # so the newest network is in too

    Kept: epoch 0, 1, 2, 3, ... then log-spaced (see the module), plus the
    newest epoch offered with ``latest=True`` until a later one replaces it.
    ``max_bytes`` (optional) lowers the bound for a large network: 200
    snapshots of the largest (8 layers of 64) take 47 MB.

    Going back. Training restarts (Reset): :meth:`clear`, then offer epoch 0.
    A model is loaded: :meth:`clear`, then offer the model's epoch (the epochs
    before it are not known). Offering an epoch at or before the newest kept
    one drops the snapshots from that epoch on, as does :meth:`truncate`. A
    diverged epoch is never yielded by ``Trainer.run``, so it never arrives.
    """

    def __init__(self, max_snapshots: int = 200, max_bytes: int | None = None):
        if not is_whole(max_snapshots, 4):
            raise ValueError(f"keep at least 4 snapshots, not {max_snapshots!r}")
        self.max_snapshots, self.max_bytes = max_snapshots, max_bytes
        self._kept = LogSpaced(max_snapshots - 1)  # one place left for the latest
        self.clear()

    def clear(self) -> None:
        """Forget every snapshot (a new network, or one loaded from a file)."""
        self._kept.clear()
        self._latest: tuple[int, np.ndarray] | None = None  # off the grid, newest of all
        self._newest, self._next = -1, 0  # the newest kept epoch; the first one the grid wants

    def offer(self, epoch: int, params: np.ndarray, latest: bool = False) -> bool:
        """Keep a copy of ``params`` (n_params,) for ``epoch`` if the grid wants it, or if ``latest``;
        True if kept. Cheap when it declines, as it does on most epochs."""
        if self._newest < epoch < self._next and not latest:
            return False
        params = np.array(params, dtype=np.float64)  # a copy
        if params.ndim != 1 or (self._newest >= 0 and params.shape != self._shape()):
            raise ValueError(f"params must be a flat vector like the ones kept, not shape {params.shape}")
        epoch = int(epoch)
        if epoch < 0:
            raise ValueError(f"epochs start at 0, not {epoch}")
        if epoch <= self._newest:
            self.truncate(epoch - 1)
        if not self._kept.epochs and self.max_bytes is not None:
            self._kept.limit = max(3, min(self.max_snapshots, self.max_bytes // max(params.nbytes, 1)) - 1)
        if epoch >= self._kept.next_epoch:
            self._latest = None
            self._kept.add(epoch, params)
        else:
            self._latest = (epoch, params)
        self._newest, self._next = epoch, self._kept.next_epoch
        return True

    def truncate(self, epoch: int) -> None:
        """Drop the snapshots after ``epoch`` (training went back to it)."""
        self._kept.truncate(epoch)
        if self._latest is not None and self._latest[0] > epoch:
            self._latest = None
        self._newest = self._latest[0] if self._latest else self._kept.epochs[-1] if self._kept.epochs else -1
        self._next = self._kept.next_epoch

    def _shape(self) -> tuple[int, ...]:
        return (self._latest[1] if self._latest else self._kept.items[-1]).shape

    def _all(self) -> tuple[list[int], list[np.ndarray]]:
        if self._latest is None:
            return self._kept.epochs, self._kept.items
        return [*self._kept.epochs, self._latest[0]], [*self._kept.items, self._latest[1]]

    def __len__(self) -> int:
        return len(self._kept.epochs) + (self._latest is not None)

    @property
    def epochs(self) -> np.ndarray:
        """The kept epochs (m,) int64, increasing."""
        return np.array(self._all()[0], dtype=np.int64)

    def _index(self, epoch: int) -> int:
        epochs = self._all()[0]
        i = bisect_right(epochs, epoch) - 1
        if i < 0:
            first = f"the first is {epochs[0]}" if epochs else "none is kept"
            raise ValueError(f"no snapshot at or before epoch {epoch} ({first})")
        return i

    def nearest(self, epoch: int) -> int:
        """The kept epoch nearest at or before ``epoch``; ValueError if none is."""
        return self._all()[0][self._index(epoch)]

    def at(self, epoch: int) -> np.ndarray:
        """A copy of the parameters (n_params,) kept at :meth:`nearest` ``(epoch)``; ValueError if none is."""
        return self._all()[1][self._index(epoch)].copy()

    def network_at(self, epoch: int, network: Network) -> Network:
        """A new network of ``network``'s architecture with the parameters of :meth:`at` ``(epoch)``,
        for drawing; ``network`` itself is left alone. ValueError if the sizes differ."""
        params = self.at(epoch)
        if params.shape != network.params.shape:
            raise ValueError(f"the snapshots have {params.size} parameters, the network {network.params.size}")
        copy = Network(network.arch)
        copy.params[...] = params
        return copy

"""The network evaluated over a grid of the plane, for decision surfaces and per-neuron maps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network

MAX_RESOLUTION = 400


@dataclass(frozen=True)
class Grid:
    """Outputs over a res x res grid: ``xs`` (res,) and ``ys`` (res,) are the axes; point (i, j) is (xs[j], ys[i]).

    ``outputs`` is (res, res, n_outputs); ``hidden`` holds, per hidden layer,
    (res, res, width) activations, or is empty if they were not asked for.
    """

    xs: np.ndarray
    ys: np.ndarray
    outputs: np.ndarray
    hidden: tuple[np.ndarray, ...] = ()


def grid_points(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Points (xs[j], ys[i]) for every i, j, (len(ys) * len(xs), 2), row by row.

    Written into one preallocated array by broadcasting: meshgrid plus
    column_stack makes three temporaries and took longer than half the network.
    """
    pts = np.empty((len(ys), len(xs), 2))
    pts[:, :, 0] = xs
    pts[:, :, 1] = ys[:, None]
    return pts.reshape(-1, 2)


def data_bounds(X: np.ndarray, margin: float = 0.15) -> tuple[float, float, float, float]:
    """(x_min, x_max, y_min, y_max) around points X (n, 2), widened by ``margin`` of the span on each side."""
    X = np.asarray(X, dtype=np.float64)
    if len(X) == 0:
        return (-1.0, 1.0, -1.0, 1.0)
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = np.maximum(hi - lo, 1e-9)
    lo, hi = lo - margin * span, hi + margin * span
    return (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))


def evaluate_grid(network: Network, bounds, resolution: int = 100, hidden: bool = False) -> Grid:
    """The network over a ``resolution`` x ``resolution`` grid spanning ``bounds`` = (x0, x1, y0, y1)."""
    resolution = int(resolution)
    if not 2 <= resolution <= MAX_RESOLUTION:
        raise ValueError(f"the grid resolution must lie in [2, {MAX_RESOLUTION}], not {resolution}")
    x0, x1, y0, y1 = (float(b) for b in bounds)
    if not all(np.isfinite([x0, x1, y0, y1])) or x0 >= x1 or y0 >= y1:
        raise ValueError(f"bad grid bounds {bounds}")
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    result = network.predict(grid_points(xs, ys), hidden=hidden)
    shape = (resolution, resolution, -1)
    if hidden:
        out, hiddens = result
        return Grid(xs, ys, out.reshape(shape), tuple(h.reshape(shape) for h in hiddens))
    return Grid(xs, ys, result.reshape(shape))

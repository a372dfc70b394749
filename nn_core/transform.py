"""The plane as one layer of a network sees it (ConvNetJS's "transformed" view).

A layer maps each point of the plane to its neurons' values. Drawn in that
space, the data points and a grid of straight lines of the plane show how the
layer bends, folds and stretches the plane so that the classes come apart.

The view is two-dimensional: a layer of 2 neurons is drawn as it is; a layer
of 1 neuron against 0; a wider layer by its first two principal components,
fitted on the data points' values in that layer.

Layers are numbered as the diagram shows them: 0 is the input layer (the
features the network sees, ``x1`` and ``x2`` unless others are chosen),
1 to ``len(hidden)`` the hidden layers, and ``len(hidden) + 1`` the output.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .checks import is_whole
from .features import feature_matrix
from .grid import data_bounds
from .network import Network

N_LINES = 13  # lines of each direction
LINE_POINTS = 60  # points along each line: the bent lines look smooth
MAX_LINES, MAX_LINE_POINTS = 101, 1000


@dataclass(frozen=True)
class Transformed:
    """The data points and the plane's grid lines in a layer's space, with what the two axes are.

    ``points`` (n, 2): the data points. ``lines`` (2 * n_lines, m, 2): first the
    vertical lines of the plane, line ``i`` at x = ``xs[i]`` with y going up from
    the bottom bound, then the horizontal ones, at y = ``ys[i]``, left to right.
    ``axes``: the names of the two axes, e.g. ``("h1.1", "h1.2")`` (a layer's
    neurons, named as in the diagram), ``("PC1 (62% of variance)", ...)``, or
    ``("h2.1", "0 (one neuron)")``. ``method``: "neurons" or "pca".
    With "pca": ``mean`` (k,) and ``components`` (k, 2) map a layer value v (k,)
    to ``(v - mean) @ components``; ``explained`` (2,) is each component's
    share of the variance. With "neurons" they are None.
    """

    layer: int
    points: np.ndarray
    lines: np.ndarray
    xs: np.ndarray
    ys: np.ndarray
    axes: tuple[str, str]
    method: str
    mean: np.ndarray | None = None
    components: np.ndarray | None = None
    explained: np.ndarray | None = None


def layer_names(network: Network, layer: int) -> list[str]:
    """The names of layer ``layer``'s neurons as the diagram shows them: features, h{layer}.{j}, output or class c."""
    arch = network.arch
    if layer == 0:
        return list(arch.features)
    if layer <= len(arch.hidden):
        return [f"h{layer}.{j + 1}" for j in range(arch.hidden[layer - 1])]
    return ["output"] if arch.n_outputs == 1 else [f"class {c}" for c in range(arch.n_outputs)]


def layer_values(network: Network, layer: int, X: np.ndarray) -> np.ndarray:
    """The values of layer ``layer``'s neurons (n, width) at raw points X (n, 2)."""
    n_layers = len(network.arch.hidden) + 2
    if not is_whole(layer, 0, n_layers - 1):
        raise ValueError(f"the layer must be a whole number from 0 (inputs) to {n_layers - 1} (output), not {layer!r}")
    F = feature_matrix(X, network.arch.features)
    if layer == 0:
        return F
    out, hidden = network.outputs(F, hidden=True)
    return hidden[layer - 1] if layer <= len(hidden) else out


def plane_lines(bounds, n_lines: int = N_LINES, points: int = LINE_POINTS):
    """(xs (n_lines,), ys (n_lines,), lines (2 * n_lines, points, 2)): a grid of straight lines over ``bounds``
    = (x0, x1, y0, y1), vertical ones first, each sampled at ``points`` evenly spaced points, ends included."""
    for name, v, top in (("lines", n_lines, MAX_LINES), ("points per line", points, MAX_LINE_POINTS)):
        if not is_whole(v, 2, top):
            raise ValueError(f"{name} must be a whole number from 2 to {top}, not {v!r}")
    x0, x1, y0, y1 = (float(b) for b in bounds)
    if not all(np.isfinite([x0, x1, y0, y1])) or x0 >= x1 or y0 >= y1:
        raise ValueError(f"bad bounds {bounds}")
    xs, ys = np.linspace(x0, x1, n_lines), np.linspace(y0, y1, n_lines)
    lines = np.empty((2 * n_lines, points, 2))
    lines[:n_lines, :, 0], lines[:n_lines, :, 1] = xs[:, None], np.linspace(y0, y1, points)
    lines[n_lines:, :, 0], lines[n_lines:, :, 1] = np.linspace(x0, x1, points), ys[:, None]
    return xs, ys, lines


def principal_axes(values: np.ndarray, reference: np.ndarray | None = None):
    """(mean (k,), components (k, 2), explained (2,)): the first two principal components of ``values`` (n, k),
    n >= 2 and k >= 2, from the SVD of the centred values, and their shares of the variance (0 if there is none).

    Signs, so that the picture does not flip between frames: with ``reference`` (k, 2), the components of an
    earlier frame, each component points the way its reference does (a non-negative dot product); without (or
    with one of another shape), each component's largest entry in absolute value is positive (the first such
    entry on a tie). Components of (nearly) equal variance may still swap or turn between frames.
    """
    values = np.asarray(values, dtype=np.float64)
    mean = values.mean(axis=0)
    _, s, vt = np.linalg.svd(values - mean, full_matrices=False)
    components = vt[:2].T.copy()
    if reference is not None and np.shape(reference) == components.shape:
        components *= np.where(np.einsum("ij,ij->j", components, reference) < 0, -1.0, 1.0)
    else:  # an orthonormal column's largest entry is not 0
        components *= np.sign(components[np.abs(components).argmax(axis=0), [0, 1]])
    variance = s[:2] * s[:2]
    total = float(np.sum(s * s))
    return mean, components, variance / total if total > 0 else variance


def transformed_space(network: Network, layer: int, X: np.ndarray, bounds=None, n_lines: int = N_LINES,
                      points_per_line: int = LINE_POINTS, reference: np.ndarray | None = None) -> Transformed:
    """The data points X (n, 2) and a grid of lines over ``bounds`` (x0, x1, y0, y1; by default around X, as
    :func:`nn_core.grid.data_bounds` makes them) as layer ``layer`` of ``network`` sees them.

    A layer of 2 neurons gives their values; 1 neuron, its value against 0; more, the first two principal
    components fitted on the data points' values in that layer (on the lines' values if there are fewer than
    2 points), signed as :func:`principal_axes` says (pass the last frame's ``components`` as ``reference``).
    """
    X = np.asarray(X, dtype=np.float64).reshape(-1, 2)
    xs, ys, lines = plane_lines(data_bounds(X) if bounds is None else bounds, n_lines, points_per_line)
    values = layer_values(network, layer, np.concatenate([X, lines.reshape(-1, 2)]))
    names, n = layer_names(network, layer), len(X)
    if values.shape[1] <= 2:
        plane = np.zeros((len(values), 2))
        plane[:, :values.shape[1]] = values
        axes = (names[0], names[1] if len(names) == 2 else "0 (one feature)" if layer == 0 else "0 (one neuron)")
        return Transformed(layer, plane[:n], plane[n:].reshape(lines.shape), xs, ys, axes, "neurons")
    mean, components, explained = principal_axes(values[:n] if n >= 2 else values[n:], reference)
    plane = (values - mean) @ components
    axes = tuple(f"PC{i + 1} ({100 * explained[i]:.0f}% of variance)" for i in (0, 1))
    return Transformed(layer, plane[:n], plane[n:].reshape(lines.shape), xs, ys, axes, "pca", mean, components,
                       explained)

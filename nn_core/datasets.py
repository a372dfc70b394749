"""Toy 2-D datasets, registered by name, each drawn from a seeded Generator.

Every generator returns float64 points ``X`` (n, 2) and labels ``y`` (n,):
int64 class indices for classification, float64 values for regression.
``noise`` is the standard deviation of Gaussian noise in the data's own units.

Two datasets are made from a setting's text (their ``source``): ``formula`` draws points on [-1, 1]^2
and labels them by a formula of x1 and x2 (:mod:`nn_core.formula`), and ``custom`` holds the points a
person drew or loaded (:mod:`nn_core.userdata`); their task and classes depend on that text
(:func:`data_kind`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np

from .formula import DEFAULT_FORMULA, FormulaError, check_formula, parse
from .userdata import DEFAULT_POINTS, MAX_POINTS, PointsError, parse_points

MAX_SAMPLES = 5000
MAX_NOISE = 2.0
LABEL_DTYPE = np.int64  # explicit: NumPy's default integer is 32-bit on wasm32 (Pyodide)


@dataclass(frozen=True)
class Task:
    """What a dataset asks of a network: the output layers that fit it, the automatic one first."""

    name: str
    outputs: tuple[str, ...]


TASKS: dict[str, Task] = {
    t.name: t
    for t in (
        Task("binary", ("sigmoid", "softmax")),
        Task("multiclass", ("softmax",)),
        Task("regression", ("linear",)),
    )
}


@dataclass(frozen=True)
class Dataset:
    """Points X (n, 2), labels y (n,), and what they mean."""

    name: str
    X: np.ndarray
    y: np.ndarray
    task: str  # "binary", "multiclass" or "regression"
    n_classes: int  # 0 for regression

    def __len__(self) -> int:
        return len(self.X)

    def subset(self, idx) -> Dataset:
        return replace(self, X=self.X[idx], y=self.y[idx])


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset: ``make(n, noise, rng)`` (and the source's text, if it has one) -> (X, y)."""

    name: str
    title: str
    make: Callable[..., tuple[np.ndarray, np.ndarray]]
    task: str  # for a dataset made from a setting, the task of that setting's default
    n_classes: int
    noise: float  # default noise
    fixed: bool = False  # an exact truth table: sample count and noise do not apply, and it has no test set
    source: str = ""  # the setting the data is made from ("formula", "points"), if any
    kind: Callable[[str], tuple[str, int]] | None = None  # (task, n_classes) of the source's text

    @property
    def drawn(self) -> bool:
        """Whether the points are drawn from the data seed, so that the sample count and the noise apply."""
        return not self.fixed and self.source != "points"


def _truth_table(fn):
    def make(n, noise, rng):
        X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
        return X, np.array([fn(a, b) for a, b in X.astype(LABEL_DTYPE)], dtype=LABEL_DTYPE)

    return make


def _noisy_gate(fn):
    # Points scattered around the four corners, labelled by the corner they come from.
    def make(n, noise, rng):
        corners = rng.integers(0, 2, size=(n, 2), dtype=LABEL_DTYPE)
        X = corners + noise * rng.standard_normal((n, 2))
        return X, np.array([fn(a, b) for a, b in corners], dtype=LABEL_DTYPE)

    return make


def _balanced_labels(n, k, rng):
    """n labels, as equal in count across k classes as n allows, in random order."""
    return rng.permutation(np.arange(n, dtype=LABEL_DTYPE) % k)


def _circles(n, noise, rng):
    # Outer ring of radius 1 (class 0) around an inner ring of radius 0.5 (class 1), as sklearn's make_circles.
    y = _balanced_labels(n, 2, rng)
    t = rng.uniform(0, 2 * np.pi, n)
    r = np.where(y == 1, 0.5, 1.0)
    X = np.column_stack([r * np.cos(t), r * np.sin(t)]) + noise * rng.standard_normal((n, 2))
    return X, y


def _moons(n, noise, rng):
    # Two interleaving half circles, as sklearn's make_moons, centred on the origin.
    y = _balanced_labels(n, 2, rng)
    t = rng.uniform(0, np.pi, n)
    X = np.where(
        (y == 0)[:, None],
        np.column_stack([np.cos(t), np.sin(t)]),
        np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)]),
    )
    X = X - [0.5, 0.25] + noise * rng.standard_normal((n, 2))
    return X, y


def _blobs(centres):
    centres = np.asarray(centres, dtype=np.float64)

    def make(n, noise, rng):
        y = _balanced_labels(n, len(centres), rng)
        return centres[y] + noise * rng.standard_normal((n, 2)), y

    return make


def _spiral(k, turns):
    # k interleaved arms: the radius grows from 0 to 1 while the angle turns ``turns`` times round.
    def make(n, noise, rng):
        y = _balanced_labels(n, k, rng)
        t = rng.uniform(0, 1, n)
        angle = turns * 2 * np.pi * t + 2 * np.pi * y / k
        X = np.column_stack([t * np.cos(angle), t * np.sin(angle)])
        return X + noise * rng.standard_normal((n, 2)), y

    return make


def _checkerboard(n, noise, rng):
    # A 4 x 4 board of half-unit cells on [-1, 1]^2; a cell's colour is the parity of its column
    # plus its row. Each point takes a colour, then a random cell of that colour, then a spot in it.
    y = _balanced_labels(n, 2, rng)
    col = rng.integers(0, 4, n, dtype=LABEL_DTYPE)
    row = 2 * rng.integers(0, 2, n, dtype=LABEL_DTYPE) + (y - col) % 2
    X = -1.0 + 0.5 * (np.column_stack([col, row]) + rng.uniform(0, 1, (n, 2)))
    return X + noise * rng.standard_normal((n, 2)), y


def _plane(n, noise, rng):
    X = rng.uniform(-1, 1, (n, 2))
    return X, (X[:, 0] + X[:, 1]) / 2 + noise * rng.standard_normal(n)


def _bumps(n, noise, rng):
    # Sum of Gaussian bumps, two up and two down, on the square [-1, 1]^2.
    X = rng.uniform(-1, 1, (n, 2))
    centres = np.array([[-0.5, -0.5], [0.5, 0.5], [-0.5, 0.5], [0.5, -0.5]])
    signs = np.array([1.0, 1.0, -1.0, -1.0])
    d2 = ((X[:, None, :] - centres[None]) ** 2).sum(axis=2)
    return X, np.exp(-d2 / 0.18) @ signs + noise * rng.standard_normal(n)


def _formula(n, noise, rng, text):
    # Uniform on the square, labelled by the formula; noise moves a comparison's points (as the other
    # classification sets') and is added to any other formula's values (as plane's and bumps').
    f = check_formula(text)
    X = rng.uniform(-1, 1, (n, 2))
    y = f.labels(X)
    if f.classes:
        return X + noise * rng.standard_normal((n, 2)), y
    return X, y + noise * rng.standard_normal(n)


def _custom(n, noise, rng, text):
    points = parse_points(text, MAX_POINTS)
    return points.X.copy(), points.y.copy()


def _formula_kind(text: str) -> tuple[str, int]:
    f = parse(text)
    return f.task, f.n_classes


def _points_kind(text: str) -> tuple[str, int]:
    points = parse_points(text, MAX_POINTS)
    return points.task, points.n_classes


SOURCE_DEFAULTS = {"formula": DEFAULT_FORMULA, "points": DEFAULT_POINTS}
"""Each source setting's default, the text a dataset made from it has when none is given."""

_XOR, _AND, _OR = (lambda a, b: a ^ b), (lambda a, b: a & b), (lambda a, b: a | b)

DATASETS: dict[str, DatasetSpec] = {
    s.name: s
    for s in (
        DatasetSpec("xor", "XOR (4 points)", _truth_table(_XOR), "binary", 2, 0.0, fixed=True),
        DatasetSpec("and", "AND (4 points)", _truth_table(_AND), "binary", 2, 0.0, fixed=True),
        DatasetSpec("or", "OR (4 points)", _truth_table(_OR), "binary", 2, 0.0, fixed=True),
        DatasetSpec("noisy-xor", "XOR cloud", _noisy_gate(_XOR), "binary", 2, 0.15),
        DatasetSpec("noisy-and", "AND cloud", _noisy_gate(_AND), "binary", 2, 0.15),
        DatasetSpec("noisy-or", "OR cloud", _noisy_gate(_OR), "binary", 2, 0.15),
        DatasetSpec("circles", "Circles", _circles, "binary", 2, 0.1),
        DatasetSpec("moons", "Moons", _moons, "binary", 2, 0.1),
        DatasetSpec("blobs", "Gaussian blobs", _blobs([[-0.5, -0.5], [0.5, 0.5]]), "binary", 2, 0.3),
        DatasetSpec("spiral", "Spiral", _spiral(2, 1.25), "binary", 2, 0.03),
        DatasetSpec("checkerboard", "Checkerboard", _checkerboard, "binary", 2, 0.0),
        DatasetSpec("spiral3", "Spiral, 3 classes", _spiral(3, 1.0), "multiclass", 3, 0.03),
        DatasetSpec("blobs3", "Blobs, 3 classes", _blobs([[0.0, 0.6], [-0.52, -0.3], [0.52, -0.3]]),
                    "multiclass", 3, 0.25),
        DatasetSpec("plane", "Plane (regression)", _plane, "regression", 0, 0.05),
        DatasetSpec("bumps", "Gaussian bumps (regression)", _bumps, "regression", 0, 0.05),
        DatasetSpec("formula", "Formula", _formula, *_formula_kind(DEFAULT_FORMULA), 0.0, source="formula",
                    kind=_formula_kind),
        DatasetSpec("custom", "Your data", _custom, *_points_kind(DEFAULT_POINTS), 0.0, source="points",
                    kind=_points_kind),
    )
}


def data_kind(values: Mapping) -> tuple[str, int]:
    """(task, n_classes) of the data that settings ``values`` (a Config's, by name) make: the dataset's
    own, or what its source's text makes (a comparison: two classes). A text that cannot be read counts as
    the source's default (the settings' checks refuse it)."""
    spec = DATASETS[values["dataset"]]
    if not spec.source:
        return spec.task, spec.n_classes
    try:
        return spec.kind(values[spec.source])
    except (FormulaError, PointsError, TypeError):
        return spec.task, spec.n_classes


def make_dataset(name: str, n_samples: int = 200, noise: float | None = None, seed=0, *,
                 formula: str | None = None, points: str | None = None) -> Dataset:
    """Draw ``n_samples`` points of dataset ``name`` (``noise`` None: the dataset's default).

    The 4-point truth tables ignore ``n_samples`` and ``noise``, and ``custom`` holds ``points`` (a points
    text, :mod:`nn_core.userdata`); ``formula`` labels the formula dataset. None: the setting's default.
    A formula or points text that is refused raises FormulaError or PointsError (ValueErrors). The
    sizes a visitor may ask for are bounded by the settings (:mod:`nn_core.settings`).
    """
    spec = DATASETS.get(name)
    if spec is None:
        raise ValueError(f"unknown dataset {name!r}; choose from {', '.join(DATASETS)}")
    noise = spec.noise if noise is None else float(noise)
    extra = ()
    if spec.source:
        text = {"formula": formula, "points": points}[spec.source]
        extra = (SOURCE_DEFAULTS[spec.source] if text is None else text,)
    X, y = spec.make(int(n_samples), noise, np.random.default_rng(seed), *extra)
    task, n_classes = spec.kind(extra[0]) if spec.source else (spec.task, spec.n_classes)
    y = y.astype(np.float64 if task == "regression" else LABEL_DTYPE, copy=False)
    return Dataset(name, np.ascontiguousarray(X, dtype=np.float64), y, task, n_classes)


def split_sizes(n: int, test_ratio: float) -> tuple[int, int]:
    """(training points, test points) of ``n`` points split with ``test_ratio``: the ratio's share, rounded,
    goes to test, and both parts keep at least one point when there are two or more."""
    if not 0.0 <= test_ratio < 1.0:
        raise ValueError(f"the test ratio must lie in [0, 1), not {test_ratio}")
    n_test = int(round(n * test_ratio))
    if test_ratio > 0 and n >= 2:
        n_test = min(max(n_test, 1), n - 1)
    return n - n_test, n_test


def split_indices(n: int, test_ratio: float = 0.5, seed=0) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, test) of ``n`` points, each sorted: a seeded shuffle sends ``test_ratio`` of them
    to test. Both parts keep at least one point when there are two or more."""
    n_test = n - split_sizes(n, test_ratio)[0]
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def train_test_split(data: Dataset, test_ratio: float = 0.5, seed=0) -> tuple[Dataset, Dataset]:
    """Split into (train, test) by a seeded shuffle (:func:`split_indices`); ``test_ratio`` of the points
    go to test. Both parts keep at least one point when the data has two or more.
    """
    train, test = split_indices(len(data), test_ratio, seed)
    return data.subset(train), data.subset(test)

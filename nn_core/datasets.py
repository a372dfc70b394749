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
from dataclasses import dataclass, field, replace

import numpy as np

from .formula import DEFAULT_FORMULA, FormulaError, check_formula, parse
from .reference import blobs, bumps, checkerboard, circles, moons, noisy_gate, plane, spiral, truth_table
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
    """A dataset: ``make(n, noise, rng, **params)`` -> (X, y), a piece of :mod:`nn_core.reference` (an exported
    script calls the same); a truth table's ``make(**params)``; a dataset made from a setting's text (its
    ``source``) ``make(n, noise, rng, text)``."""

    name: str
    title: str
    make: Callable[..., tuple[np.ndarray, np.ndarray]]
    task: str  # for a dataset made from a setting, the task of that setting's default
    n_classes: int
    noise: float  # default noise
    fixed: bool = False  # an exact truth table: sample count and noise do not apply, and it has no test set
    source: str = ""  # the setting the data is made from ("formula", "points"), if any
    kind: Callable[[str], tuple[str, int]] | None = None  # (task, n_classes) of the source's text
    params: Mapping = field(default_factory=dict)  # make's own arguments: a blob's centres, a gate

    @property
    def drawn(self) -> bool:
        """Whether the points are drawn from the data seed, so that the sample count and the noise apply."""
        return not self.fixed and self.source != "points"


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

_XOR, _AND, _OR = {"gate": np.bitwise_xor}, {"gate": np.bitwise_and}, {"gate": np.bitwise_or}
_TWO_BLOBS = {"centres": [[-0.5, -0.5], [0.5, 0.5]]}
_THREE_BLOBS = {"centres": [[0.0, 0.6], [-0.52, -0.3], [0.52, -0.3]]}

DATASETS: dict[str, DatasetSpec] = {
    s.name: s
    for s in (
        DatasetSpec("xor", "XOR (4 points)", truth_table, "binary", 2, 0.0, fixed=True, params=_XOR),
        DatasetSpec("and", "AND (4 points)", truth_table, "binary", 2, 0.0, fixed=True, params=_AND),
        DatasetSpec("or", "OR (4 points)", truth_table, "binary", 2, 0.0, fixed=True, params=_OR),
        DatasetSpec("noisy-xor", "XOR cloud", noisy_gate, "binary", 2, 0.15, params=_XOR),
        DatasetSpec("noisy-and", "AND cloud", noisy_gate, "binary", 2, 0.15, params=_AND),
        DatasetSpec("noisy-or", "OR cloud", noisy_gate, "binary", 2, 0.15, params=_OR),
        DatasetSpec("circles", "Circles", circles, "binary", 2, 0.1),
        DatasetSpec("moons", "Moons", moons, "binary", 2, 0.1),
        DatasetSpec("blobs", "Gaussian blobs", blobs, "binary", 2, 0.3, params=_TWO_BLOBS),
        DatasetSpec("spiral", "Spiral", spiral, "binary", 2, 0.03, params={"arms": 2, "turns": 1.25}),
        DatasetSpec("checkerboard", "Checkerboard", checkerboard, "binary", 2, 0.0),
        DatasetSpec("spiral3", "Spiral, 3 classes", spiral, "multiclass", 3, 0.03, params={"arms": 3, "turns": 1.0}),
        DatasetSpec("blobs3", "Blobs, 3 classes", blobs, "multiclass", 3, 0.25, params=_THREE_BLOBS),
        DatasetSpec("plane", "Plane (regression)", plane, "regression", 0, 0.05),
        DatasetSpec("bumps", "Gaussian bumps (regression)", bumps, "regression", 0, 0.05),
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
    if spec.fixed:
        X, y = spec.make(**spec.params)
    else:
        X, y = spec.make(int(n_samples), noise, np.random.default_rng(seed), *extra, **spec.params)
    task, n_classes = spec.kind(extra[0]) if spec.source else (spec.task, spec.n_classes)
    y = y.astype(np.float64 if task == "regression" else LABEL_DTYPE, copy=False)
    if not (np.isfinite(X).all() and np.isfinite(y).all()):  # what a person's text makes, checked as it is made
        raise ValueError(f"the {name} data holds a value that is not a finite number")
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

"""Input feature maps: the network sees chosen functions of the raw point (x1, x2)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from . import reference
from .text import show

FEATURES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": reference.x1,
    "x2": reference.x2,
    "x1^2": reference.x1_squared,
    "x2^2": reference.x2_squared,
    "x1*x2": reference.x1_times_x2,
    "sin(x1)": reference.sin_x1,
    "sin(x2)": reference.sin_x2,
}
"""Each feature's column as a function of the columns x1 and x2: a piece of :mod:`nn_core.reference`, which an
exported script copies."""
DEFAULT_FEATURES = ("x1", "x2")


def check_features(names: Sequence[str]) -> tuple[str, ...]:
    """The names as a tuple; ValueError if empty, repeated or unknown."""
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise ValueError("input features must be a list of names")
    names = tuple(names)
    if not names:
        raise ValueError("choose at least one input feature")
    unknown = [n for n in names if not isinstance(n, str) or n not in FEATURES]
    if unknown:
        raise ValueError(f"unknown feature {show(unknown[0])}; choose from {', '.join(FEATURES)}")
    if len(set(names)) != len(names):
        raise ValueError("each input feature may be chosen once")
    return names


def feature_matrix(X: np.ndarray, names: Sequence[str] = DEFAULT_FEATURES) -> np.ndarray:
    """Map raw points X (n, 2) to the chosen features, (n, len(names)) float64."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2), not {X.shape}")
    names = check_features(names)
    if names == DEFAULT_FEATURES:
        return X
    return reference.features(X, [FEATURES[n] for n in names])

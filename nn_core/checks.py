"""Whole numbers and numbers as the engine takes them: one family of checks, used by every module.

A whole number is a Python int or a NumPy integer, never a bool (True is 1 to Python, but not a count
anyone meant); a number is one of those or a float, Python's or NumPy's. What passes is handed on as a
plain Python int or float (:func:`plain`): NumPy's default integer is 32-bit under Pyodide, and a NumPy
scalar that reaches a model file, a URL or an exported script is written as ``np.int8(64)``.
"""

from __future__ import annotations

import math

import numpy as np

_WHOLE = (int, np.integer)
_NUMBER = (int, float, np.integer, np.floating)


def is_whole(v, low=None, high=None) -> bool:
    """Whether ``v`` is a whole number (not a bool) in [low, high] (a bound None is open)."""
    return (isinstance(v, _WHOLE) and not isinstance(v, bool) and (low is None or v >= low)
            and (high is None or v <= high))


def is_number(v, low=None, high=None) -> bool:
    """Whether ``v`` is a number (not a bool) in [low, high] (a bound None is open; NaN is in no range)."""
    return (isinstance(v, _NUMBER) and not isinstance(v, bool) and (low is None or v >= low)
            and (high is None or v <= high))


def is_finite(v) -> bool:
    """Whether ``v`` is a finite number (an int of any size is; one too large for a float is not)."""
    if not is_number(v):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:
        return False


def plain(v):
    """``v`` with NumPy scalars (numbers, bools, strings) made Python's, in a tuple or list too (as a tuple);
    ``v`` itself when it holds none."""
    if isinstance(v, (tuple, list)):
        items = tuple(plain(x) for x in v)
        return v if isinstance(v, tuple) and all(a is b for a, b in zip(items, v)) else items
    if isinstance(v, np.generic):
        return v.item()  # np.int8 to int, np.float32 to float, np.str_ to str, np.bool_ to bool
    return v

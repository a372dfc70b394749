"""Optimizers. Each owns its state and updates the parameter vector in place.

``step(params, grad)`` changes ``params`` (and may scribble on ``grad``) but
never rebinds either, so views of the parameters (the network's layers) stay
valid. Hyperparameters are plain attributes named in ``hyperparameters``, as
the settings are (:mod:`nn_core.settings`): changing one between steps is
allowed and keeps the state, as a playground needs. Their ranges are checked
where settings come in, not here.

The state itself is named too: ``slots`` are the arrays kept between steps
(each None before the first step, else laid out like the parameters) and
``counts`` the whole numbers (Adam's step count). ``state()`` copies them out
and ``restore(state, n_params)`` checks and copies them back in, so a model
file can carry them and training continues bit for bit.
"""

from __future__ import annotations

import math

import numpy as np

from .checks import is_whole


class GD:
    """Plain gradient descent: p -= lr * g."""

    name = "gd"
    title = "gradient descent"
    hyperparameters: tuple[str, ...] = ("lr",)

    def __init__(self, lr: float = 0.1):
        self._lr = np.array(0.0)
        self.lr = lr

    # lr reads and writes like a plain attribute; setting it also refreshes the
    # 0-d array the step multiplies by, so the step itself neither converts a
    # Python float nor copies lr in (each a third of a tiny step's time).
    @property
    def lr(self) -> float:
        return self._lr_value

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr_value = value
        self._lr[...] = value

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        np.multiply(grad, self._lr, grad)
        np.subtract(params, grad, params)

    def reset(self) -> None:
        """Forget any state (momentum, moments)."""

    slots: tuple[str, ...] = ()
    counts: tuple[str, ...] = ()
    state_title = ""  # what its state is called in a sentence ("Adam's moments"); "" if it has none

    def state(self) -> dict:
        """The state as plain values: each slot a copy (or None), each count an int."""
        return {**{k: None if getattr(self, k) is None else getattr(self, k).copy() for k in self.slots},
                **{k: int(getattr(self, k)) for k in self.counts}}

    def restore(self, state: dict, n_params: int) -> None:
        """Take ``state`` (as :meth:`state` gives it) for a network of ``n_params`` parameters;
        ValueError naming the first problem, and then the optimizer is unchanged."""
        if set(state) != {*self.slots, *self.counts}:
            want = ", ".join((*self.slots, *self.counts)) or "nothing"
            raise ValueError(f"{self.title} keeps {want}, not {', '.join(map(str, state)) or 'nothing'}")
        arrays = {k: None if state[k] is None else _vector(state[k], n_params, k) for k in self.slots}
        counts = {k: _count(state[k], k) for k in self.counts}
        self._check_state({**arrays, **counts})
        for k, v in {**arrays, **counts}.items():
            setattr(self, k, v)

    def _check_state(self, state: dict) -> None:
        """ValueError if the values of a state, each valid alone, do not fit together."""


def _vector(v, n: int, name: str) -> np.ndarray:
    try:
        a = np.array(v, dtype=np.float64)  # a copy, laid out as zeros_like(params) would be
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} must be a list of numbers") from None
    if a.shape != (n,):
        raise ValueError(f"{name} must hold {n} numbers, one per parameter, not shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must hold finite numbers")
    return a


def _count(v, name: str) -> int:
    if not is_whole(v, 0, MAX_COUNT):
        raise ValueError(f"{name} must be a whole number in [0, {MAX_COUNT:.0e}]")
    return int(v)  # a Python int: NumPy's default integer is 32-bit on wasm32 (Pyodide)


MAX_COUNT = 10**16  # steps: a million epochs of 5,000 one-point batches is 5e9


class Momentum(GD):
    """SGD with momentum: v = mu v - lr g; p += v.

    Nesterov: p += mu v - lr g with the new v, the usual reformulation of the
    look-ahead gradient (Sutskever et al. 2013) that needs no second evaluation.
    """

    name = "momentum"
    title = "momentum"
    hyperparameters = ("lr", "momentum")

    def __init__(self, lr: float = 0.1, momentum: float = 0.9, nesterov: bool = False):
        super().__init__(lr)
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocity = None

    def step(self, params, grad):
        if self.velocity is None:
            self.velocity = np.zeros_like(params)
        v = self.velocity
        v *= self.momentum
        v -= self.lr * grad
        if self.nesterov:
            params += self.momentum * v - self.lr * grad
        else:
            params += v

    def reset(self):
        self.velocity = None

    slots = ("velocity",)
    state_title = "the momentum's velocity"


class Nesterov(Momentum):
    name = "nesterov"
    title = "Nesterov momentum"

    def __init__(self, lr: float = 0.1, momentum: float = 0.9):
        super().__init__(lr, momentum, nesterov=True)


class Adam(GD):
    """Adam (Kingma & Ba 2015) with bias-corrected moment estimates."""

    name = "adam"
    title = "Adam"
    hyperparameters = ("lr", "beta1", "beta2", "eps")

    def __init__(self, lr: float = 0.01, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(lr)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.reset()

    def reset(self):
        self.t = 0
        self.m = self.v = None

    slots, counts = ("m", "v"), ("t",)
    state_title = "Adam's moments"

    def _check_state(self, state):
        if (state["m"] is None) != (state["t"] == 0) or (state["v"] is None) != (state["t"] == 0):
            raise ValueError("m and v must be null exactly when t is 0 (no step taken)")
        if state["v"] is not None and np.any(state["v"] < 0):
            raise ValueError("v, a mean of squares, cannot be negative")

    def step(self, params, grad):
        if self.m is None:
            self.m, self.v = np.zeros_like(params), np.zeros_like(params)
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        m, v = self.m, self.v
        m *= b1
        m += (1.0 - b1) * grad
        v *= b2
        grad *= grad
        grad *= 1.0 - b2
        v += grad
        # Fold both bias corrections into the step size rather than into m and v.
        lr_t = self.lr * math.sqrt(1.0 - b2**self.t) / (1.0 - b1**self.t)
        denom = np.sqrt(v)
        denom += self.eps * math.sqrt(1.0 - b2**self.t)
        np.divide(m, denom, grad)
        grad *= lr_t
        params -= grad


OPTIMIZERS = {c.name: c for c in (GD, Momentum, Nesterov, Adam)}


def make_optimizer(name: str, **hyperparameters):
    """An optimizer by registry name; it takes the hyperparameters it uses and ignores the others."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(OPTIMIZERS)}")
    cls = OPTIMIZERS[name]
    return cls(**{h: hyperparameters[h] for h in cls.hyperparameters if h in hyperparameters})

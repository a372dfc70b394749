"""Optimizers. Each owns its state and updates the parameter vector in place.

``step(params, grad)`` changes ``params`` (and may scribble on ``grad``) but
never rebinds either, so views of the parameters (the network's layers) stay
valid. Hyperparameters are plain attributes named in ``hyperparameters``, as
the settings are (:mod:`nn_core.settings`): changing one between steps is
allowed and keeps the state, as a playground needs. Their ranges are checked
where settings come in, not here.
"""

from __future__ import annotations

import math

import numpy as np


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

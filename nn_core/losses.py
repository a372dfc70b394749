"""Output layers and losses.

Shapes: ``z`` is the output layer's pre-activation and ``p`` its output, both
(n_samples, n_outputs); ``y`` is the target in the same shape (0/1 for a
sigmoid output, one-hot for softmax, values for linear).

Every loss gives its value and ``delta``, the gradient of the loss with
respect to ``z``. The cross-entropies are computed from ``z`` (log-sum-exp
form), so a logit of +/-1e4 gives the exact loss rather than log(0).

The outputs and the deltas also take many runs stacked on a last axis,
(n_samples, n_outputs, runs), as :mod:`nn_core.odds` trains them: every rule
reduces over the first two axes only. ``per_run`` gives each run's loss.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import sigmoid


# ---------------------------------------------------------------- outputs
def softmax(z, out=None):
    """Row-wise softmax, shifted by the row maximum so exp never overflows."""
    out = np.subtract(z, z.max(axis=1, keepdims=True), out)
    np.exp(out, out)
    out /= out.sum(axis=1, keepdims=True)
    return out


def _sigmoid_backprop(p, g, out=None):
    # g p (1 - p), written so that ``out`` may be ``g`` itself.
    out = np.multiply(g, p, out)
    out -= out * p
    return out


def _softmax_backprop(p, g, out=None):
    # Jacobian-vector product of softmax: dz_i = p_i * (g_i - sum_j g_j p_j).
    s = np.einsum("ij...,ij...->i...", g, p)[:, None]
    out = np.subtract(g, s, out)
    return np.multiply(out, p, out)


def _identity(z, out=None):
    if out is None:
        return z.copy()
    np.copyto(out, z)
    return out


def _linear_backprop(p, g, out=None):
    return _identity(g, out)


@dataclass(frozen=True)
class Output:
    """An output layer kind: ``value(z, out)`` and ``backprop(p, g, out)`` = dL/dz from g = dL/dp.

    ``loss`` is the loss that goes with it when none is chosen: the cross-entropy
    that cancels the output's derivative, or mean squared error for values.
    """

    name: str
    value: Callable[..., np.ndarray]
    backprop: Callable[..., np.ndarray]
    loss: str


OUTPUTS: dict[str, Output] = {
    o.name: o
    for o in (
        Output("sigmoid", sigmoid, _sigmoid_backprop, "bce"),
        Output("softmax", softmax, _softmax_backprop, "ce"),
        Output("linear", _identity, _linear_backprop, "mse"),
    )
}


# ---------------------------------------------------------------- losses
def _softplus(z):
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


@dataclass(frozen=True)
class Loss:
    """``value(p, y, z)`` -> float and ``delta(p, y, z, output, out)`` -> dL/dz, shape of z;
    ``per_run(p, y, z)`` -> each run's value (runs,) for runs stacked on a last axis, and
    ``per_run_and_delta(p, y, z, output, out)`` both at once."""

    name: str
    description: str
    outputs: tuple[str, ...]  # the output kinds this loss is defined for
    value: Callable[..., float]
    delta: Callable[..., np.ndarray]
    value_and_delta: Callable[..., tuple[float, np.ndarray]] | None = None
    summed: bool = False  # a sum over the points, not a mean: divide by their number to compare splits
    per_run: Callable[..., np.ndarray] | None = None
    per_run_and_delta: Callable[..., tuple[np.ndarray, np.ndarray]] | None = None
    title: str = ""  # its name in plain words, for a learner ("cross-entropy")

    def __post_init__(self):
        if self.value_and_delta is None:
            def both(p, y, z, output, out=None):
                return self.value(p, y, z), self.delta(p, y, z, output, out)

            object.__setattr__(self, "value_and_delta", both)
        if self.per_run_and_delta is None:
            def both_per_run(p, y, z, output, out=None):
                return self.per_run(p, y, z), self.delta(p, y, z, output, out)

            object.__setattr__(self, "per_run_and_delta", both_per_run)


def sse(p, y, z=None):
    """Sum of squared errors, halved: 1/2 sum (y - p)^2 over the whole batch, not averaged."""
    e = (p - y).ravel()
    return 0.5 * float(e.dot(e))


def sse_delta(p, y, z, output, out=None):
    e = np.subtract(p, y, out)
    return output.backprop(p, e, e)


def sse_value_and_delta(p, y, z, output, out=None):
    # The training loop wants both at every epoch: share the error p - y.
    e = np.subtract(p, y, out)
    flat = e.reshape(-1)
    return 0.5 * float(flat.dot(flat)), output.backprop(p, e, e)


def _squares_per_run(p, y):
    e = p - y
    return np.einsum("ijk,ijk->k", e, e)


def sse_per_run(p, y, z=None):
    return 0.5 * _squares_per_run(p, y)


def sse_per_run_and_delta(p, y, z, output, out=None):
    e = np.subtract(p, y, out)
    values = np.einsum("ijk,ijk->k", e, e)
    values *= 0.5
    return values, output.backprop(p, e, e)


def mse(p, y, z=None):
    """Mean over samples and outputs of (y - p)^2."""
    e = (p - y).ravel()
    return float(e.dot(e)) / e.size


def mse_per_run(p, y, z=None):
    return _squares_per_run(p, y) / (p.shape[0] * p.shape[1])


def mse_delta(p, y, z, output, out=None):
    e = np.subtract(p, y, out)
    e *= 2.0 / (e.shape[0] * e.shape[1])  # per run when runs are stacked
    return output.backprop(p, e, e)


def _bce_terms(y, z):
    return _softplus(z) - y * z


def binary_cross_entropy(p, y, z):
    """Mean over samples of -[y log p + (1-y) log(1-p)], from the logit z: softplus(z) - y z."""
    return float(np.sum(_bce_terms(y, z))) / len(z)


def bce_per_run(p, y, z):
    return _bce_terms(y, z).sum(axis=(0, 1)) / len(z)


def _ce_terms(y, z):
    # logsumexp(z) - y.z per sample (and run), shifted by the row maximum
    m = z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    return lse - np.einsum("ij...,ij...->i...", y, z)


def softmax_cross_entropy(p, y, z):
    """Mean over samples of -sum_k y_k log p_k, from the logits: logsumexp(z) - y.z."""
    return float(np.sum(_ce_terms(y, z))) / len(z)


def ce_per_run(p, y, z):
    return _ce_terms(y, z).sum(axis=0) / len(z)


def cross_entropy_delta(p, y, z, output, out=None):
    # With a sigmoid output and binary cross-entropy, or softmax with its
    # cross-entropy, the output derivative cancels the loss derivative and
    # dL/dz is simply (p - y), averaged: no division by p(1-p) that could blow up.
    out = np.subtract(p, y, out)
    out *= 1.0 / len(p)
    return out


LOSSES: dict[str, Loss] = {
    l.name: l
    for l in (
        Loss("sse", "1/2 sum of squared errors over the batch (the tutorial's)", ("sigmoid", "softmax", "linear"),
             sse, sse_delta, sse_value_and_delta, summed=True, per_run=sse_per_run,
             per_run_and_delta=sse_per_run_and_delta, title="squared error"),
        Loss("mse", "mean squared error", ("sigmoid", "softmax", "linear"), mse, mse_delta, per_run=mse_per_run,
             title="mean squared error"),
        Loss("bce", "binary cross-entropy (sigmoid output)", ("sigmoid",), binary_cross_entropy, cross_entropy_delta,
             per_run=bce_per_run, title="cross-entropy"),
        Loss("ce", "softmax cross-entropy (softmax output)", ("softmax",), softmax_cross_entropy, cross_entropy_delta,
             per_run=ce_per_run, title="cross-entropy"),
    )
}


def get_loss(name: str) -> Loss:
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}; choose from {', '.join(LOSSES)}") from None


def get_output(name: str) -> Output:
    try:
        return OUTPUTS[name]
    except KeyError:
        raise ValueError(f"unknown output {name!r}; choose from {', '.join(OUTPUTS)}") from None


def check_pairing(loss: str, output: str) -> None:
    """ValueError if ``loss`` is not defined for an ``output`` layer."""
    allowed = get_loss(loss).outputs
    get_output(output)
    if output not in allowed:
        raise ValueError(f"loss {loss!r} needs a {' or '.join(allowed)} output, not {output!r}")

"""Hidden-layer activations as (value, derivative) pairs.

``value(z, out)`` computes a = f(z); ``derivative(z, a, out)`` computes f'(z)
and is given both the pre-activation ``z`` and the activation ``a``: sigmoid
and tanh read their derivative off ``a`` (one multiply), while GELU and SiLU
need ``z``. Both take an optional ``out`` array so the training loop runs
without allocating, and neither writes to its inputs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# 0-d arrays rather than Python floats: NumPy converts a Python scalar on every
# call, and on the tiny arrays of the tutorial that conversion is a third of
# the cost of the operation.
HALF = np.array(0.5)
ONE = np.array(1.0)
ZERO = np.array(0.0)
# The ufuncs of the tutorial's hot path, bound once: looking up ``np.multiply``
# at every call is a noticeable part of an operation on four rows.
_add, _multiply, _subtract, _tanh = np.add, np.multiply, np.subtract, np.tanh
LEAKY_SLOPE = 0.01
ELU_ALPHA = 1.0
SIGMOID_TANH_UP_TO = 64  # values up to which sigmoid takes the fewest calls rather than the cheapest function
GELU_C = np.sqrt(2.0 / np.pi)
GELU_K = 0.044715
# Beyond |z| = 10 the tanh inside GELU is exactly +-1 in float64; clipping there keeps z**3 from overflowing.
GELU_CLIP = 10.0
GELU_MIN = -0.1700407506  # GELU's (tanh form) least value, at z = -0.7525
SILU_MIN = -0.2784645428  # SiLU's least value, at z = -1.2785 (where z = -1 - e^z)


@dataclass(frozen=True)
class Activation:
    """``value(z, out)`` computes f(z); ``derivative(z, a, out)`` computes f'(z), given a = f(z) as well.
    ``bounds``: (lowest, highest) value f takes over all z (its infimum and supremum; +-inf where it has
    none): a picture of a neuron drawn on that scale shows a saturated or constant neuron as flat."""

    name: str
    value: Callable[..., np.ndarray]
    derivative: Callable[..., np.ndarray]
    bounds: tuple[float, float] = (-math.inf, math.inf)

    @property
    def bounded(self) -> bool:
        """Whether f stays between two finite values (sigmoid, tanh), so a fixed scale holds every output."""
        return math.isfinite(self.bounds[0]) and math.isfinite(self.bounds[1])


def _into(out, values):
    """``values`` itself, or copied into ``out`` when one is given."""
    if out is None:
        return values
    np.copyto(out, values)
    return out


def sigmoid(z, out=None):
    # 1/(1+exp(-z)) overflows exp for z < -709 and warns; the identity
    # sigmoid(z) = (1 + tanh(z/2)) / 2 has no overflow anywhere, in four calls: the fewest, which is
    # what counts on the tutorial's few values. On many values (stacked runs, nn_core.odds) the function
    # itself is the cost, and tanh takes up to three times as long as exp: there 1/(1 + exp(-z)) serves,
    # its overflow to infinity (and so to exactly 0) silenced.
    if z.size <= SIGMOID_TANH_UP_TO:
        out = _multiply(z, HALF, out)
        _tanh(out, out)
        _multiply(out, HALF, out)
        return _add(out, HALF, out)
    out = np.negative(z, out)
    with np.errstate(over="ignore"):
        np.exp(out, out)
    _add(out, ONE, out)
    return np.divide(ONE, out, out)


def sigmoid_derivative(z, a, out=None):
    out = _subtract(ONE, a, out)
    return _multiply(out, a, out)


def tanh(z, out=None):
    return _tanh(z, out)


def tanh_derivative(z, a, out=None):
    out = _multiply(a, a, out)
    return _subtract(ONE, out, out)


def relu(z, out=None):
    return np.maximum(z, ZERO, out=out)


def relu_derivative(z, a, out=None):
    return np.greater(z, ZERO, out, casting="unsafe")


def leaky_relu(z, out=None):
    # max(z, slope*z) is z for z > 0 and slope*z below, for 0 < slope < 1.
    return np.maximum(z, np.multiply(z, LEAKY_SLOPE), out=out)


def leaky_relu_derivative(z, a, out=None):
    return _into(out, np.where(z > 0, 1.0, LEAKY_SLOPE))


def elu(z, out=None):
    neg = np.expm1(np.minimum(z, 0.0)) * ELU_ALPHA  # minimum() keeps expm1 from overflowing
    return _into(out, np.where(z > 0, z, neg))


def elu_derivative(z, a, out=None):
    # For z <= 0, a = alpha*(e^z - 1), so f'(z) = alpha*e^z = a + alpha.
    return _into(out, np.where(z > 0, 1.0, a + ELU_ALPHA))


def softplus(z, out=None):
    # log(1 + e^z) = max(z, 0) + log1p(e^-|z|): no overflow for large |z|.
    return _into(out, np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z))))


def softplus_derivative(z, a, out=None):
    return sigmoid(z, out)


def _gelu_tanh(z):
    zc = np.clip(z, -GELU_CLIP, GELU_CLIP)
    return zc, np.tanh(GELU_C * (zc + GELU_K * zc * zc * zc))


def gelu(z, out=None):
    """GELU in its tanh form (Hendrycks & Gimpel 2016; PyTorch's ``approximate="tanh"``):
    z/2 (1 + tanh(c (z + k z^3))) with c = sqrt(2/pi), k = 0.044715."""
    _, t = _gelu_tanh(z)
    return _into(out, 0.5 * z * (1.0 + t))


def gelu_derivative(z, a, out=None):
    # d/dz [z/2 (1 + t)] = (1 + t)/2 + z/2 (1 - t^2) c (1 + 3k z^2); past the clip t = +-1 and the second term is 0.
    zc, t = _gelu_tanh(z)
    return _into(out, 0.5 * (1.0 + t) + 0.5 * zc * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * GELU_K * zc * zc))


def silu(z, out=None):
    """SiLU (swish): z sigmoid(z)."""
    return _into(out, z * sigmoid(z))


def silu_derivative(z, a, out=None):
    # d/dz [z s] = s + z s (1 - s) = s + a (1 - s), with s = sigmoid(z).
    s = sigmoid(z)
    return _into(out, s + a * (1.0 - s))


def linear(z, out=None):
    return _into(out, z) if out is not None else z.copy()


def linear_derivative(z, a, out=None):
    return np.ones_like(z) if out is None else _into(out, ONE)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", sigmoid, sigmoid_derivative, (0.0, 1.0)),
        Activation("tanh", tanh, tanh_derivative, (-1.0, 1.0)),
        Activation("relu", relu, relu_derivative, (0.0, math.inf)),
        Activation("leaky_relu", leaky_relu, leaky_relu_derivative),
        Activation("elu", elu, elu_derivative, (-ELU_ALPHA, math.inf)),
        Activation("softplus", softplus, softplus_derivative, (0.0, math.inf)),
        Activation("gelu", gelu, gelu_derivative, (GELU_MIN, math.inf)),
        Activation("silu", silu, silu_derivative, (SILU_MIN, math.inf)),
        Activation("linear", linear, linear_derivative),
    )
}

"""Hidden-layer activations as (value, derivative) pairs.

Every derivative is written in terms of the activation's *output* ``a`` rather
than its input ``z``: the backward pass then needs only the activations it
already keeps, not the pre-activations too. Both functions take an optional
``out`` array so the training loop can run without allocating.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Activation:
    """``value(z, out)`` computes f(z); ``derivative(a, out)`` computes f'(z) from a = f(z)."""

    name: str
    value: Callable[..., np.ndarray]
    derivative: Callable[..., np.ndarray]


def sigmoid(z, out=None):
    # 1/(1+exp(-z)) overflows exp for z < -709 and warns; the identity
    # sigmoid(z) = (1 + tanh(z/2)) / 2 has no overflow anywhere and costs the same.
    out = _multiply(z, HALF, out)
    _tanh(out, out)
    _multiply(out, HALF, out)
    return _add(out, HALF, out)


def sigmoid_derivative(a, out=None):
    out = _subtract(ONE, a, out)
    return _multiply(out, a, out)


def tanh(z, out=None):
    return _tanh(z, out)


def tanh_derivative(a, out=None):
    out = _multiply(a, a, out)
    return _subtract(ONE, out, out)


def relu(z, out=None):
    return np.maximum(z, ZERO, out=out)


def relu_derivative(a, out=None):
    return np.greater(a, ZERO, out, casting="unsafe")


def leaky_relu(z, out=None):
    # max(z, slope*z) is z for z > 0 and slope*z below, for 0 < slope < 1.
    return np.maximum(z, np.multiply(z, LEAKY_SLOPE), out=out)


def leaky_relu_derivative(a, out=None):
    # a > 0 exactly when z > 0, so the output tells the branch.
    return np.where(a > 0, 1.0, LEAKY_SLOPE) if out is None else _copy_into(out, np.where(a > 0, 1.0, LEAKY_SLOPE))


def elu(z, out=None):
    neg = np.expm1(np.minimum(z, 0.0)) * ELU_ALPHA  # minimum() keeps expm1 from overflowing
    return np.where(z > 0, z, neg) if out is None else _copy_into(out, np.where(z > 0, z, neg))


def elu_derivative(a, out=None):
    # For z <= 0, a = alpha*(e^z - 1), so f'(z) = alpha*e^z = a + alpha.
    d = np.where(a > 0, 1.0, a + ELU_ALPHA)
    return d if out is None else _copy_into(out, d)


def softplus(z, out=None):
    # log(1 + e^z) = max(z, 0) + log1p(e^-|z|): no overflow for large |z|.
    v = np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))
    return v if out is None else _copy_into(out, v)


def softplus_derivative(a, out=None):
    # f'(z) = sigmoid(z) = 1 - e^-a, since a = log(1 + e^z).
    d = -np.expm1(-a)
    return d if out is None else _copy_into(out, d)


def linear(z, out=None):
    return z.copy() if out is None else _copy_into(out, z)


def linear_derivative(a, out=None):
    return np.ones_like(a) if out is None else _copy_into(out, ONE)


def _copy_into(out, values):
    np.copyto(out, values)
    return out


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", sigmoid, sigmoid_derivative),
        Activation("tanh", tanh, tanh_derivative),
        Activation("relu", relu, relu_derivative),
        Activation("leaky_relu", leaky_relu, leaky_relu_derivative),
        Activation("elu", elu, elu_derivative),
        Activation("softplus", softplus, softplus_derivative),
        Activation("linear", linear, linear_derivative),
    )
}


def get_activation(name: str) -> Activation:
    """The registered activation called ``name``; ValueError naming the choices otherwise."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; choose from {', '.join(ACTIVATIONS)}") from None

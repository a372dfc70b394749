"""Extreme inputs: no overflow warnings, no NaN (warnings are errors in this suite)."""

import warnings

import numpy as np
import pytest

from nn_core import ACTIVATIONS, Architecture, Network
from nn_core.losses import LOSSES, OUTPUTS

EXTREME = np.array([[-1e4], [-800.0], [-30.0], [0.0], [30.0], [800.0], [1e4]])


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activations_finite_at_extremes(name):
    act = ACTIVATIONS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = act.value(EXTREME)
        d = act.derivative(EXTREME, a)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(d))


def test_sigmoid_saturates_exactly():
    a = ACTIVATIONS["sigmoid"].value(EXTREME)[:, 0]
    assert a[0] == 0.0 and a[-1] == 1.0 and a[3] == 0.5


@pytest.mark.parametrize("loss", list(LOSSES))
def test_losses_finite_for_logits_of_1e4(loss):
    spec = LOSSES[loss]
    for out in spec.outputs:
        k = 3 if out == "softmax" else 1
        z = np.tile(np.array([[-1e4], [1e4], [0.0], [1e4]]), (1, k))
        z[:, 0] *= -1
        output = OUTPUTS[out]
        p = output.value(z)
        y = np.eye(k)[[0, 1, 0, 1]] if k > 1 else np.array([[1.0], [0.0], [1.0], [1.0]])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            v = spec.value(p, y, z)
            d = spec.delta(p, y, z, output)
        assert np.isfinite(v) and np.all(np.isfinite(d))


def test_cross_entropy_is_exact_for_huge_logits():
    # A confidently wrong logit of 1e4 costs 1e4 (averaged over the batch), not log(0).
    z = np.array([[1e4]])
    p = OUTPUTS["sigmoid"].value(z)
    assert LOSSES["bce"].value(p, np.array([[0.0]]), z) == pytest.approx(1e4)
    z3 = np.array([[1e4, 0.0, -1e4]])
    p3 = OUTPUTS["softmax"].value(z3)
    assert LOSSES["ce"].value(p3, np.array([[0.0, 0.0, 1.0]]), z3) == pytest.approx(2e4)


def test_network_on_huge_inputs():
    net = Network.create(Architecture((8, 8), "relu", "softmax", 3), "he", 0)
    X = np.array([[1e4, -1e4], [-1e4, 1e4], [1e4, 1e4]])
    out = net.predict(X)
    assert np.all(np.isfinite(out)) and np.allclose(out.sum(axis=1), 1.0)

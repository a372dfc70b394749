"""Backpropagation against central differences in float64, on the packed parameter vector."""

import zlib

import numpy as np
import pytest

from nn_core import ACTIVATIONS, Architecture, Network
from nn_core.losses import LOSSES


def rel_error(a, b):
    """Relative error of two gradient vectors, norm-wise: exact zeros (dead ReLUs) cannot inflate it."""
    return np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), 1e-12)


def numeric_grad(net, F, y, loss, l1, l2, h=1e-4):
    """Central differences, five-point stencil: error O(h^4) from truncation, O(eps/h) from rounding."""
    grad = np.zeros_like(net.params)

    def at(i, x):
        net.params[i] = x
        return net.loss_and_grad(F, y, loss, l1, l2)[0]

    for i in range(net.params.size):
        old = net.params[i]
        grad[i] = (-at(i, old + 2 * h) + 8 * at(i, old + h) - 8 * at(i, old - h) + at(i, old - 2 * h)) / (12 * h)
        net.params[i] = old
    return grad


def make_case(output, act, seed, n=7):
    """A random network and batch whose weights and hidden pre-activations all keep clear of 0,
    where |w| and ReLU, leaky ReLU and ELU have kinks that finite differences would straddle."""
    for attempt in range(100):
        case = _random_case(output, act, seed + attempt, n)
        if _clear_of_kinks(*case[:2]):
            return case
    raise AssertionError("no kink-free case found")


KINKED = {"relu", "leaky_relu", "elu"}  # activations whose derivative jumps (or bends sharply) at z = 0


def _clear_of_kinks(net, F, margin=0.02):
    # |w| of the L1 penalty has its kink at w = 0 too
    if np.min(np.abs(net.params[net.weight_mask == 1])) < margin:
        return False
    h = F
    for l in range(net.n_layers - 1):
        z = h @ net.weights(l) + net.biases(l)
        if net.activations[l].name in KINKED and np.min(np.abs(z)) < margin:
            return False
        h = net.activations[l].value(z)
    return True


def _random_case(output, act, seed, n):
    rng = np.random.default_rng(seed)
    n_out = 3 if output == "softmax" else 1
    net = Network.create(Architecture((5, 4), act, output, n_out, ("x1", "x2", "x1*x2")), "xavier", rng)
    net.params += 0.1 * rng.standard_normal(net.params.size)  # non-zero biases too
    F = rng.standard_normal((n, 3))
    if output == "softmax":
        y = rng.integers(0, 3, n)
    elif output == "sigmoid":
        y = rng.integers(0, 2, n)
    else:
        y = rng.standard_normal(n)
    return net, F, y


CASES = [(loss, out) for loss, spec in LOSSES.items() for out in spec.outputs]


@pytest.mark.parametrize("act", list(ACTIVATIONS))
@pytest.mark.parametrize("loss,output", CASES)
@pytest.mark.parametrize("l1,l2", [(0.0, 0.0), (0.01, 0.02)])
def test_backprop_matches_central_differences(act, loss, output, l1, l2):
    net, F, y = make_case(output, act, seed=zlib.crc32(f"{act}{loss}{output}".encode()))
    value, grad = net.loss_and_grad(F, y, loss, l1, l2)
    assert np.isfinite(value)
    num = numeric_grad(net, F, y, loss, l1, l2)
    assert rel_error(grad, num) < 1e-6
    assert np.allclose(grad, num, rtol=1e-5, atol=1e-9)


def test_no_hidden_layer_gradient():
    net, F, y = make_case("sigmoid", "tanh", 3)
    net = Network.create(Architecture((), (), "sigmoid", 1, ("x1", "x2", "x1*x2")), "xavier", 1)
    value, grad = net.loss_and_grad(F, y, "bce", 0.01, 0.01)
    assert rel_error(grad, numeric_grad(net, F, y, "bce", 0.01, 0.01)) < 1e-6


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_derivative(name):
    """Each derivative, given z and a = f(z), matches df/dz numerically."""
    act = ACTIVATIONS[name]
    z = np.linspace(-4, 4, 81) + 0.0123  # keep clear of the kink at 0
    h = 1e-6
    num = (act.value(z + h) - act.value(z - h)) / (2 * h)
    assert np.allclose(act.derivative(z, act.value(z)), num, rtol=1e-6, atol=1e-8)


def test_activation_in_place_matches_fresh():
    z = np.random.default_rng(0).standard_normal((5, 4)) * 3
    before = z.copy()
    for act in ACTIVATIONS.values():
        fresh = act.value(z)
        assert np.array_equal(z, before), f"{act.name} changed its input"
        out = np.empty_like(z)
        assert act.value(z, out) is out and np.array_equal(out, fresh), act.name
        buf = z.copy()
        assert np.array_equal(act.value(buf, buf), fresh), act.name


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_bounds_are_its_range(name):
    """Each activation's declared bounds hold its every value, and are reached (approached, for an asymptote):
    the page draws a neuron on them, so a bound too wide would make a saturated neuron look pale."""
    act = ACTIVATIONS[name]
    lo, hi = act.bounds
    z = np.concatenate([np.linspace(-1e4, 1e4, 200_001), np.linspace(-3, 3, 600_001)])
    a = act.value(z)
    assert a.min() >= lo - 1e-12 and a.max() <= hi + 1e-12
    for bound, reached in ((lo, a.min()), (hi, a.max())):
        if np.isfinite(bound):
            assert reached == pytest.approx(bound, abs=1e-7)
        else:
            assert abs(reached) > 50  # no bound: it keeps going
    assert act.bounded == (np.isfinite(lo) and np.isfinite(hi))
    assert [n for n, a in ACTIVATIONS.items() if a.bounded] == ["sigmoid", "tanh"]

"""Optimizer updates against values worked out by hand."""

import numpy as np
import pytest

from nn_core.optimizers import GD, Adam, Momentum, Nesterov, make_optimizer

G1 = np.array([0.5, -1.0])
G2 = np.array([1.0, 0.5])


def steps(opt, grads):
    p = np.array([1.0, 2.0])
    view = p[:]  # a view must stay valid: updates are in place
    for g in grads:
        opt.step(p, g.copy())
    assert np.shares_memory(view, p)
    return p


def test_gd():
    assert np.allclose(steps(GD(0.1), [G1]), [0.95, 2.1])
    assert np.allclose(steps(GD(0.1), [G1, G2]), [0.85, 2.05])


def test_momentum():
    # v1 = -0.1 g1 = (-0.05, 0.1); p1 = (0.95, 2.1)
    # v2 = 0.9 v1 - 0.1 g2 = (-0.145, 0.04); p2 = (0.805, 2.14)
    assert np.allclose(steps(Momentum(0.1, 0.9), [G1, G2]), [0.805, 2.14])


def test_nesterov():
    # p += mu v_new - lr g: step 1: v = (-0.05, 0.1), p += (-0.095, 0.19) -> (0.905, 2.19)
    assert np.allclose(steps(Nesterov(0.1, 0.9), [G1]), [0.905, 2.19])
    # step 2: v = (-0.145, 0.04); p += 0.9 v - 0.1 g2 = (-0.2305, -0.014) -> (0.6745, 2.176)
    assert np.allclose(steps(Nesterov(0.1, 0.9), [G1, G2]), [0.6745, 2.176])


def test_adam():
    # step 1: m_hat = g1, v_hat = g1^2, so the step is lr * sign(g1) (up to eps)
    assert np.allclose(steps(Adam(0.1), [G1]), [0.9, 2.1], atol=1e-7)
    # step 2: m = 0.09 g1 + 0.1 g2 = (0.145, -0.04); m_hat = m / 0.19
    #         v = 0.000999 g1^2 + 0.001 g2^2 = (0.00124975, 0.00124900); v_hat = v / 0.001999
    m_hat = np.array([0.145, -0.04]) / 0.19
    v_hat = np.array([0.00124975, 0.001249]) / 0.001999
    p1 = np.array([1.0, 2.0]) - 0.1 * G1 / (np.abs(G1) + 1e-8)
    expect = p1 - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)
    assert np.allclose(steps(Adam(0.1), [G1, G2]), expect, rtol=0, atol=1e-12)


def test_changing_lr_keeps_state():
    opt = Momentum(0.1, 0.9)
    p = np.zeros(2)
    opt.step(p, G1.copy())
    opt.lr = 0.2
    opt.step(p, G2.copy())
    v = 0.9 * (-0.1 * G1) - 0.2 * G2
    assert np.allclose(p, -0.1 * G1 + v)


def test_make_optimizer_takes_the_hyperparameters_it_uses():
    opt = make_optimizer("adam", lr=0.2, beta1=0.5, beta2=0.6, eps=1e-3, momentum=0.7)
    assert (opt.lr, opt.beta1, opt.beta2, opt.eps) == (0.2, 0.5, 0.6, 1e-3) and not hasattr(opt, "momentum")
    opt = make_optimizer("nesterov", lr=0.2, momentum=0.7, beta1=0.5)
    assert isinstance(opt, Nesterov) and (opt.lr, opt.momentum) == (0.2, 0.7) and opt.nesterov
    with pytest.raises(ValueError, match="unknown optimizer"):
        make_optimizer("sgdx", lr=0.1)


def test_adam_eps_is_used():
    a, b = Adam(0.1, eps=1e-8), Adam(0.1, eps=1e-2)
    p, q = np.zeros(2), np.zeros(2)
    a.step(p, G1.copy())
    b.step(q, G1.copy())
    assert not np.allclose(p, q)
    # the first step of Adam is lr * g / (|g| + eps) per coordinate
    assert np.allclose(q, -0.1 * G1 / (np.abs(G1) + 1e-2), rtol=1e-12)

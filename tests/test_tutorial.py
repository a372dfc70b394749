"""The tutorial preset reproduces the tutorial's maths exactly."""

import math

import numpy as np
import pytest

from nn_core import TUTORIAL, Architecture, Network, build, make_dataset
from nn_core.optimizers import GD
from nn_core.training import Trainer
from tutorial_transcription import tutorial_transcription


def test_preset_matches_the_tutorial():
    c = TUTORIAL
    assert (c.dataset, c.hidden, c.activations, c.output, c.init) == ("xor", (3,), ("sigmoid",), "sigmoid", "normal")
    assert (c.loss, c.optimizer, c.lr, c.epochs, c.batch_size) == ("sse", "gd", 0.1, 10_000, 0)
    exp = build(c)
    assert exp.network.arch.sizes == [2, 3, 1]
    assert len(exp.train) == 4 and len(exp.test) == 0
    assert np.all(exp.network.biases(0) == 0) and np.all(exp.network.biases(1) == 0)


def test_preset_equals_transcription_after_10000_epochs():
    exp = build(TUTORIAL)
    (W1, b1), (W2, b2) = exp.network.get_params()
    tW1, tb1, tW2, tb2, t_out = tutorial_transcription(W1.copy(), b1[None].copy(), W2.copy(), b2[None].copy(), 10_000)
    exp.trainer.fit(10_000)
    (W1, b1), (W2, b2) = exp.network.get_params()
    for ours, theirs in ((W1, tW1), (b1, tb1[0]), (W2, tW2), (b2, tb2[0])):
        assert np.max(np.abs(ours - theirs)) < 1e-10
    assert np.max(np.abs(exp.network.predict(exp.data.X) - t_out)) < 1e-10
    # and it learned XOR, as the tutorial promises
    assert np.array_equal(exp.network.predict_labels(exp.data.X), [0, 1, 1, 0])


def test_one_step_worked_by_hand():
    """2-1-1 sigmoid net, one point x = (1, 0), target 1, sse, lr 0.5, worked out with scalars."""
    net = Network(Architecture((1,), "sigmoid", "sigmoid"))
    net.set_params([(np.array([[0.5], [-0.5]]), np.array([0.1])), (np.array([[1.0]]), np.array([-0.2]))])
    data = make_dataset("xor").subset([2])  # the point (1, 0), label 1
    Trainer(net, data, None, "sse", GD(0.5)).fit(1)

    s = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    h = s(0.5 * 1 + -0.5 * 0 + 0.1)
    o = s(1.0 * h - 0.2)
    d_o = (o - 1) * o * (1 - o)  # d(1/2 (o - y)^2)/dz_out
    d_h = d_o * 1.0 * h * (1 - h)
    expect = [
        (np.array([[0.5 - 0.5 * d_h * 1], [-0.5 - 0.5 * d_h * 0]]), np.array([0.1 - 0.5 * d_h])),
        (np.array([[1.0 - 0.5 * d_o * h]]), np.array([-0.2 - 0.5 * d_o])),
    ]
    for (w, b), (ew, eb) in zip(net.get_params(), expect):
        assert np.allclose(w, ew, rtol=0, atol=1e-15) and np.allclose(b, eb, rtol=0, atol=1e-15)
    # the recorded loss is 1/2 (y - o)^2 of the updated network
    o_new = net.predict(data.X)[0, 0]
    assert o_new > o  # the step moved the output toward the target


def test_recorded_loss_is_half_sum_of_squares():
    exp = build(TUTORIAL.replace(epochs=3))
    exp.trainer.fit(3)
    out = exp.network.predict(exp.data.X)[:, 0]
    assert exp.trainer.history[-1].train_loss == pytest.approx(0.5 * np.sum((exp.data.y - out) ** 2), rel=1e-12)

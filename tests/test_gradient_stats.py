"""Gradient statistics (Trainer.gradient_stats): per weight layer, ||dJ/dW|| and ||update|| / ||W|| over the epochs."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import configs

from nn_core import TUTORIAL, Config, build, feature_matrix
from nn_core.config import VANISHING, VANISHING_RELU
from nn_core.timeline import grid_next
from nn_core.training import GradientStats, Trainer


def weight_norms(net, flat):
    return np.array([np.linalg.norm(v[:-1]) for v in net.grad_views(flat)])


def tracked_run(c: Config, epochs: int, max_points: int = 300):
    """(experiment, params before each epoch: {epoch: flat params the epoch started from}, params after the run)."""
    exp = build(c)
    exp.trainer.gradient_stats = GradientStats(max_points)
    before = {1: exp.network.params.copy()}
    with np.errstate(over="ignore", invalid="ignore"):
        for record in exp.trainer.run(epochs):
            before[record.epoch + 1] = exp.network.params.copy()
    return exp, before


def full_gradient(exp, params):
    """The training objective's gradient over the whole training set at ``params``, as Network.loss_and_grad has it."""
    net, tr = exp.network, exp.trainer
    saved = net.params.copy()
    net.params[:] = params
    _, grad = net.loss_and_grad(feature_matrix(exp.train.X, net.arch.features), exp.train.y, tr.loss, tr.l1, tr.l2)
    net.params[:] = saved
    return grad


CASES = [
    Config(dataset="moons", samples=60, hidden=(5, 4), activations=("tanh",), optimizer="gd", lr=0.3, batch_size=0),
    Config(dataset="circles", samples=50, hidden=(6,), activations=("relu",), optimizer="adam", lr=0.02,
           batch_size=0, l1=0.01, l2=0.02),
    Config(dataset="blobs3", samples=45, hidden=(4, 4), activations=("sigmoid",), optimizer="momentum", lr=0.2,
           batch_size=0, l2=0.01),
    Config(dataset="plane", samples=40, hidden=(3,), activations=("elu",), optimizer="nesterov", lr=0.01,
           batch_size=0),
    Config(dataset="moons", samples=70, hidden=(5,), activations=("tanh",), optimizer="adam", lr=0.02, batch_size=16,
           l2=0.01),
    Config(dataset="blobs3", samples=45, hidden=(4, 3), activations=("relu", "tanh"), optimizer="gd", lr=0.1,
           batch_size=7, l1=0.01),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: f"{c.dataset}-{c.optimizer}-bs{c.batch_size}")
def test_grad_norms_are_the_full_batch_gradient_at_the_epochs_start(c):
    """Full batch: the step's gradient; mini-batches: the whole training set's at the parameters the epoch starts
    from. Both are Network.loss_and_grad's (penalties included), weights only."""
    exp, before = tracked_run(c, 60)
    r = exp.trainer.gradient_stats.record()
    assert list(r.epochs) == list(range(1, 61)) and r.grad_norm.shape == (60, exp.network.n_layers)
    for k, epoch in enumerate(r.epochs):
        want = weight_norms(exp.network, full_gradient(exp, before[epoch]))
        np.testing.assert_allclose(r.grad_norm[k], want, rtol=1e-10, atol=1e-300)


@pytest.mark.parametrize("c", CASES, ids=lambda c: f"{c.dataset}-{c.optimizer}-bs{c.batch_size}")
def test_update_ratio_is_the_epochs_actual_change(c):
    exp, before = tracked_run(c, 40)
    r = exp.trainer.gradient_stats.record()
    net = exp.network
    for k, epoch in enumerate(r.epochs):
        change = weight_norms(net, before[epoch + 1] - before[epoch])
        np.testing.assert_allclose(r.update_ratio[k], change / weight_norms(net, before[epoch]), rtol=1e-12)
    assert np.all(r.update_ratio > 0)


def test_plain_gd_full_batch_update_is_lr_times_gradient():
    """Worked by hand: with p -= lr g, ||dW|| / ||W|| = lr ||g_W|| / ||W||."""
    c = CASES[0]
    exp, before = tracked_run(c, 10)
    r = exp.trainer.gradient_stats.record()
    for k, epoch in enumerate(r.epochs):
        np.testing.assert_allclose(r.update_ratio[k], c.lr * r.grad_norm[k] / weight_norms(exp.network, before[epoch]),
                                   rtol=1e-12)


@pytest.mark.parametrize("c", CASES, ids=lambda c: f"{c.dataset}-{c.optimizer}-bs{c.batch_size}")
def test_recording_leaves_training_unchanged(c):
    plain, tracked = build(c), build(c)
    tracked.trainer.gradient_stats = GradientStats(20)
    plain.trainer.fit(50)
    tracked.trainer.fit(50)
    assert np.array_equal(plain.network.params, tracked.network.params)
    strip = lambda h: [r[:5] for r in h]  # noqa: E731  (all but the seconds)
    assert strip(plain.trainer.history) == strip(tracked.trainer.history)
    assert len(tracked.trainer.gradient_stats) > 0


def test_off_by_default_nothing_is_recorded_or_measured(monkeypatch):
    """The default run never takes the recording path: its only cost is one integer compare per epoch."""
    def refuse(*args):
        raise AssertionError("recorded an epoch without gradient statistics")

    monkeypatch.setattr(Trainer, "_recorded_epoch", refuse)
    for batch in (0, 8):
        exp = build(TUTORIAL.replace(batch_size=batch))
        exp.trainer.fit(200)
        assert exp.trainer.gradient_stats is None and exp.trainer.epoch == 200
    on = build(TUTORIAL)
    on.trainer.gradient_stats = GradientStats()
    with pytest.raises(AssertionError, match="recorded an epoch"):
        on.trainer.fit(1)


def test_turning_it_off_stops_recording():
    exp = build(TUTORIAL)
    stats = exp.trainer.gradient_stats = GradientStats()
    exp.trainer.fit(5)
    exp.trainer.gradient_stats = None
    exp.trainer.fit(5)
    assert list(stats.record().epochs) == [1, 2, 3, 4, 5]


def test_long_runs_are_bounded_and_log_spaced():
    exp = build(TUTORIAL)
    exp.trainer.gradient_stats = GradientStats(40)
    exp.trainer.fit(20_000)
    r = exp.trainer.gradient_stats.record()
    assert 20 <= len(r.epochs) <= 40 and r.grad_norm.shape == r.update_ratio.shape == (len(r.epochs), 2)
    assert r.epochs[0] == 1 and np.all(np.diff(r.epochs) > 0) and r.epochs[-1] > 10_000
    # log-spaced: consecutive epochs are about the same ratio apart, however far into the run
    ratios = r.epochs[5:][1:] / r.epochs[5:][:-1]
    assert ratios.max() < 1.6 * ratios.min()
    # each one is where the thinned grid puts it: the next grid point after the one before
    level = exp.trainer.gradient_stats._kept.level
    assert all(grid_next(a, level) == b for a, b in zip(r.epochs, r.epochs[1:]))


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.lists(st.integers(1, 400), min_size=1, max_size=12), st.sampled_from([0, 3]))
def test_sliced_runs_record_what_one_run_does(slices, batch):
    c = TUTORIAL.replace(batch_size=batch)
    whole, sliced = build(c), build(c)
    whole.trainer.gradient_stats, sliced.trainer.gradient_stats = GradientStats(30), GradientStats(30)
    whole.trainer.fit(sum(slices))
    for k in slices:
        sliced.trainer.fit(k)
        assert len(sliced.trainer.gradient_stats) <= 30
    a, b = whole.trainer.gradient_stats.record(), sliced.trainer.gradient_stats.record()
    assert all(np.array_equal(x, y) for x, y in zip(a, b))


def test_divergence_keeps_only_finite_epochs():
    exp = build(Config(dataset="plane", samples=100, hidden=(16, 16), activations=("relu",), optimizer="gd",
                       lr=9.0, loss="sse", epochs=500))
    exp.trainer.gradient_stats = GradientStats()
    exp.trainer.fit(500)
    d = exp.trainer.divergence
    r = exp.trainer.gradient_stats.record()
    assert d is not None and list(r.epochs) == list(range(1, d.epoch))
    assert np.all(np.isfinite(r.grad_norm)) and np.all(np.isfinite(r.update_ratio))
    exp.trainer.optimizer.lr = 1e-4  # going on records the redone epoch once
    exp.trainer.fit(3)
    assert list(exp.trainer.gradient_stats.record().epochs) == list(range(1, d.epoch + 3))


def test_restore_starts_the_record_afresh():
    exp = build(TUTORIAL)
    exp.trainer.gradient_stats = GradientStats()
    exp.trainer.fit(30)
    state = exp.trainer.state()
    exp.trainer.restore(state)
    assert len(exp.trainer.gradient_stats) == 0
    exp.trainer.fit(2)
    assert list(exp.trainer.gradient_stats.record().epochs) == [31, 32]


def test_going_back_drops_later_epochs():
    stats = GradientStats(10)
    for e in range(1, 8):
        assert stats.add(e, [e, 1.0], [0.1, 0.2]) == e + 1
    stats.add(4, [40.0, 1.0], [0.0, 0.0])
    r = stats.record()
    assert list(r.epochs) == [1, 2, 3, 4] and r.grad_norm[-1, 0] == 40.0
    stats.truncate(2)
    assert list(stats.record().epochs) == [1, 2] and stats.next_epoch == 3
    stats.clear()
    empty = stats.record()
    assert empty.epochs.shape == (0,) and empty.grad_norm.shape == (0, 0) and empty.epochs.dtype == np.int64


def test_a_layer_of_zero_weights():
    from nn_core.training import update_ratios

    after = [np.array([[0.5, 0.0], [1.0, 1.0]]), np.array([[0.0], [2.0]]), np.array([[3.0, 4.0], [0.0, 0.0]])]
    before = [np.array([[0.0, 0.0], [9.0, 9.0]]), np.array([[0.0], [0.0]]), np.array([[0.0, 8.0], [1.0, 1.0]])]
    assert list(update_ratios(after, before)) == [np.inf, 0.0, 5.0 / 8.0]  # biases (last rows) left out


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_random_experiments_record_cleanly(c):
    """Any architecture, loss, optimizer and batch size: recording changes nothing and warns of nothing."""
    plain, tracked = build(c), build(c)
    tracked.trainer.gradient_stats = GradientStats(5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plain.trainer.fit(c.epochs)
        tracked.trainer.fit(c.epochs)
    assert np.array_equal(plain.network.params, tracked.network.params, equal_nan=True)
    r = tracked.trainer.gradient_stats.record()
    assert len(r.epochs) <= 5 and r.grad_norm.shape[1:] in ((0,), (tracked.network.n_layers,))
    assert list(r.epochs) == [e for e in r.epochs if e < (tracked.trainer.divergence or (c.epochs + 1,))[0]]


# ---------------------------------------------------------------- the vanishing-gradient preset
def first_epochs_norms(c: Config, epochs: int):
    exp = build(c)
    exp.trainer.gradient_stats = GradientStats()
    exp.trainer.fit(epochs)
    return exp, exp.trainer.gradient_stats.record()


def test_vanishing_preset_first_layers_get_almost_no_gradient():
    exp, r = first_epochs_norms(VANISHING, 1000)
    g = r.grad_norm[0]  # epoch 1
    assert len(g) == 9 and g[0] < 1e-3 * g[-1]
    assert np.all(np.diff(np.log10(g[:7])) > 0)  # shrinking layer by layer towards the input
    last = exp.trainer.history[-1]
    assert last.train_loss > 0.69 and last.test_acc < 0.6  # stuck at chance, log 2


def test_its_relu_twin_learns_with_gradients_of_one_size():
    assert VANISHING_RELU.diff(VANISHING) == ["activations"]
    exp, r = first_epochs_norms(VANISHING_RELU, 1000)
    g = r.grad_norm[0]
    assert g.max() < 20 * g.min()
    assert exp.trainer.history[-1].test_acc >= 0.95

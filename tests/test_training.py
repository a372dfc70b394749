import warnings

import numpy as np
import pytest

from nn_core import Config, build, make_dataset
from nn_core.network import Architecture, Network
from nn_core.training import Trainer


def losses(history):
    return [(r.epoch, r.train_loss, r.test_loss, r.train_acc, r.test_acc) for r in history]


@pytest.mark.parametrize("opt", ["gd", "momentum", "nesterov", "adam"])
def test_same_seed_same_history(opt):
    c = Config(dataset="moons", samples=120, optimizer=opt, lr=0.05, batch_size=16, l2=0.001, epochs=20)
    a, b = build(c), build(c)
    a.trainer.fit(20)
    b.trainer.fit(20)
    assert losses(a.trainer.history) == losses(b.trainer.history)  # bit for bit
    assert np.array_equal(a.network.params, b.network.params)
    other = build(c.replace(seed=1))
    other.trainer.fit(20)
    assert losses(other.trainer.history) != losses(a.trainer.history)


@pytest.mark.parametrize("batch", [0, 16])
def test_resumable(batch):
    c = Config(dataset="circles", samples=100, batch_size=batch, epochs=10)
    whole, parts = build(c), build(c)
    whole.trainer.fit(10)
    parts.trainer.fit(3)
    parts.trainer.fit(7)
    assert losses(whole.trainer.history) == losses(parts.trainer.history)
    assert [r.epoch for r in parts.trainer.history] == list(range(1, 11))


@pytest.mark.parametrize("opt", ["gd", "momentum", "nesterov", "adam"])
def test_state_and_restore_go_on_exactly(opt):
    """A fresh trainer restored from another's state() trains on exactly as the other does."""
    c = Config(dataset="moons", samples=120, optimizer=opt, lr=0.05, batch_size=16, l1=0.001, l2=0.001, epochs=20)
    whole, part = build(c), build(c)
    whole.trainer.fit(20)
    part.trainer.fit(8)
    net = Network(part.network.arch)
    net.params[:] = part.network.params
    state = part.trainer.state()
    again = build(c, net, state)
    assert again.trainer.epoch == 8 and again.trainer.start_loss == part.trainer.start_loss
    again.trainer.fit(12)
    assert losses(again.trainer.history) == losses(whole.trainer.history[7:])
    assert np.array_equal(again.network.params, whole.network.params)
    if opt != "gd":  # the state is a copy: training on did not touch it
        assert not np.array_equal(state.slots["m" if opt == "adam" else "velocity"],
                                  again.trainer.optimizer.state()["m" if opt == "adam" else "velocity"])


def test_records_stream_and_measure_the_network():
    exp = build(Config(dataset="blobs3", samples=90, epochs=5))
    records = list(exp.trainer.run(5))
    assert [r.epoch for r in records] == [1, 2, 3, 4, 5] and records == exp.trainer.history
    last = records[-1]
    assert last.seconds > 0 and all(b.seconds >= a.seconds for a, b in zip(records, records[1:]))
    loss, acc = exp.trainer.evaluate(exp.test)
    assert (loss, acc) == (last.test_loss, last.test_acc)
    assert acc == np.mean(exp.network.predict_labels(exp.test.X) == exp.test.y)


def test_regression_records_have_no_accuracy():
    exp = build(Config(dataset="plane", samples=60, epochs=3))
    r = exp.trainer.fit(3).history[-1]
    assert r.train_acc is None and r.test_acc is None and r.test_loss is not None


def test_divergence_stops_and_keeps_last_finite_weights():
    exp = build(Config(dataset="plane", samples=100, hidden=(16, 16), activations=("relu",), optimizer="gd",
                       lr=9.0, loss="sse", epochs=500))
    snapshots = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in exp.trainer.run(500):
            snapshots.append(exp.network.params.copy())
    d = exp.trainer.divergence
    assert d is not None and d.epoch == len(snapshots) + 1 < 500
    assert "lower learning rate" in d.message and f"epoch {d.epoch}" in d.message
    assert np.all(np.isfinite(exp.network.params))
    assert np.array_equal(exp.network.params, snapshots[-1] if snapshots else exp.network.params)
    # lowering the learning rate and going on works from the kept weights
    exp.trainer.optimizer.lr = 1e-4
    assert len(list(exp.trainer.run(5))) == 5 and exp.trainer.divergence is None


def test_l2_shrinks_weights():
    base = Config(dataset="circles", samples=100, epochs=200)
    plain, reg = build(base), build(base.replace(l2=0.05))
    plain.trainer.fit(200)
    reg.trainer.fit(200)
    w = lambda e: np.abs(e.network.params * e.network.weight_mask).sum()  # noqa: E731
    assert w(reg) < w(plain)


def test_l1_makes_weights_sparse():
    base = Config(dataset="blobs", samples=100, hidden=(8,), optimizer="gd", lr=0.1, epochs=400)
    plain, reg = build(base), build(base.replace(l1=0.02))
    plain.trainer.fit(400)
    reg.trainer.fit(400)
    small = lambda e: np.sum(np.abs(e.network.params[e.network.weight_mask == 1]) < 0.01)  # noqa: E731
    assert small(reg) > small(plain)


def test_changing_settings_keeps_the_network():
    exp = build(Config(dataset="moons", samples=100, epochs=5))
    exp.trainer.fit(5)
    before = exp.network.params.copy()
    exp.trainer.optimizer.lr = 0.001
    exp.trainer.set_regularization(0.0, 0.01)
    exp.trainer.set_batch_size(10)
    assert np.array_equal(exp.network.params, before)
    exp.trainer.fit(2)
    assert exp.trainer.epoch == 7


def test_external_parameter_change_is_noticed():
    c = Config(dataset="moons", samples=60, optimizer="gd", lr=0.5)
    exp = build(c)
    exp.trainer.fit(1)
    new = np.random.default_rng(3).normal(size=exp.network.params.size)
    exp.network.params[:] = new
    exp.trainer.parameters_changed()
    exp.trainer.fit(2)
    # the same two steps from a fresh trainer over those parameters: the cached gradient was not reused
    fresh = build(c)
    fresh.network.params[:] = new
    fresh.trainer.fit(2)
    assert np.array_equal(exp.network.params, fresh.network.params)


def test_loss_change_measures_the_new_loss():
    exp = build(Config(dataset="moons", samples=60, loss="mse", optimizer="gd"))
    exp.trainer.fit(2)
    exp.trainer.set_loss("bce")
    exp.trainer.fit(1)
    twin = build(Config(dataset="moons", samples=60, loss="bce", optimizer="gd"))
    twin.network.params[:] = exp.network.params
    assert exp.trainer.history[-1].train_loss == twin.trainer.evaluate(twin.train)[0]


def test_bad_trainer_settings():
    net = Network.create(Architecture((3,), "tanh", "sigmoid"), "xavier", 0)
    data = make_dataset("xor")
    with pytest.raises(ValueError, match="needs a softmax"):
        Trainer(net, data, loss="ce")
    with pytest.raises(ValueError):
        Trainer(net, data.subset(slice(0, 0)))
    with pytest.raises(ValueError, match="needs a softmax"):
        Trainer(net, data).set_loss("ce")


# ---------------------------------------------------------------- learning works
def test_circles_learns():
    exp = build(Config(dataset="circles", samples=400, noise=0.1, hidden=(8,), activations=("tanh",),
                       optimizer="adam", lr=0.03, epochs=300))
    r = exp.trainer.fit(300).history[-1]
    assert r.test_acc >= 0.95


def test_moons_learns():
    exp = build(Config(dataset="moons", samples=400, noise=0.1, hidden=(8, 8), activations=("tanh",),
                       optimizer="adam", lr=0.03, epochs=300))
    r = exp.trainer.fit(300).history[-1]
    assert r.test_acc >= 0.95


def test_three_class_spiral_learns():
    exp = build(Config(dataset="spiral3", samples=600, hidden=(32, 32), activations=("tanh",), optimizer="adam",
                       lr=0.01, batch_size=32, epochs=300))
    r = exp.trainer.fit(300).history[-1]
    assert r.test_acc >= 0.90


def test_regression_learns():
    exp = build(Config(dataset="bumps", samples=400, hidden=(16, 16), epochs=400))
    r = exp.trainer.fit(400).history[-1]
    assert r.test_loss < 0.1 * np.var(exp.test.y)


def test_zero_initialisation_never_breaks_the_symmetry():
    """Zero weights: with sigmoid neurons (0.5 everywhere) the output's weights learn, but every neuron of a
    layer gets the same update and they stay copies of each other; with tanh they output 0 and only the
    output's bias learns. The lesson the scheme is offered for: random weights break the symmetry."""
    c = Config(dataset="moons", samples=60, hidden=(4, 3), activations=("sigmoid",), init="zero", optimizer="gd",
               lr=0.5, epochs=50)
    exp = build(c)
    assert not exp.network.params.any()
    list(exp.trainer.run(50))
    net = exp.network
    assert np.abs(net.weights(2)).max() > 0  # it learnt something ...
    for l in range(net.n_layers):  # ... and every neuron of a layer is its neighbours' copy
        w, b = net.weights(l), net.biases(l)
        assert np.array_equal(w, np.repeat(w[:, :1], w.shape[1], axis=1)) and np.all(b == b[0]), l
    tanh = build(c.replace(activations=("tanh",)))
    list(tanh.trainer.run(50))
    assert not tanh.network.params[:-1].any() and tanh.network.params[-1] != 0  # the output's bias alone

"""URL state and the per-visitor session, without a server."""

import time

import numpy as np
import pytest

from nn_core import TUTORIAL, Config, ConfigError, build, dumps, loads
from playground.session import Session
from playground.state import (
    DEFAULT,
    KEYS,
    config_for_model,
    config_from_query,
    config_from_widgets,
    config_to_query,
    widget_state,
)

EXAMPLES = [
    DEFAULT,
    TUTORIAL.replace(noise=0.0),
    Config(dataset="spiral3", samples=500, noise=0.07, test_ratio=0.25, data_seed=9, features=("x1", "x2", "sin(x1)"),
           hidden=(12, 7, 3), activations=("relu", "tanh", "elu"), init="he", seed=42, loss="mse",
           optimizer="nesterov", lr=0.0125, momentum=0.8, batch_size=16, l1=0.001, l2=0.002, epochs=2500),
    Config(dataset="bumps", noise=0.05, hidden=(), activations=("tanh",), optimizer="adam", beta1=0.8, beta2=0.99),
]


@pytest.mark.parametrize("c", EXAMPLES)
def test_url_round_trip(c):
    q = config_to_query(c)
    assert set(q) == set(KEYS) and all(isinstance(v, str) for v in q.values())
    back, warnings = config_from_query(q)
    assert warnings == [] and back == c


@pytest.mark.parametrize("c", EXAMPLES)
def test_widget_round_trip(c):
    assert config_from_widgets(widget_state(c)) == c


def test_shared_url_rebuilds_the_same_data_and_network():
    c = EXAMPLES[2]
    a = build(c)
    b = build(config_from_query(config_to_query(c))[0])
    assert np.array_equal(a.data.X, b.data.X) and np.array_equal(a.test.X, b.test.X)
    assert np.array_equal(a.network.params, b.network.params)


@pytest.mark.parametrize("params,needle", [
    ({"ds": "mnist"}, "not a known dataset"),
    ({"n": "lots"}, "not a number"),
    ({"n": "1e9"}, "clamped to 2000"),
    ({"lr": "-3"}, "must be positive"),
    ({"lr": "nan"}, "not a finite number"),
    ({"ep": "2.5"}, "rounded"),
    ({"h": "8-x"}, "not a list of layer widths"),
    ({"h": "300"}, "clamped"),
    ({"h": "-".join(["4"] * 12)}, "at most 8 hidden layers"),
    ({"a": "swish"}, "unknown activation"),
    ({"f": "x9"}, "names no known feature"),
    ({"ds": "spiral3", "o": "sigmoid"}, "automatic output"),
    ({"h": "4-4", "a": "relu-tanh-elu"}, "3 activations for 2 layers"),
    ({"opt": "sgd9"}, "not a known optimizer"),
])
def test_bad_url_values_are_replaced_with_a_warning(params, needle):
    c, warnings = config_from_query(params)
    c.check()
    assert any(needle in w for w in warnings), warnings


def test_unknown_keys_ignored_and_lists_take_last():
    c, warnings = config_from_query({"zzz": "1", "utm_source": "mail", "ds": ["xor", "moons"]})
    assert warnings == [] and c.dataset == "moons"


def test_config_for_model_takes_architecture_and_valid_settings():
    exp = build(EXAMPLES[2])
    net, training = loads(dumps(exp.network, {**EXAMPLES[2].to_dict(), "lr": "fast"}))
    c = config_for_model(net, training, DEFAULT)
    assert c.architecture() == net.arch and c.dataset == "spiral3" and c.lr == DEFAULT.lr  # a bad one -> base
    net, training = loads(dumps(exp.network, EXAMPLES[2].to_dict()))
    assert config_for_model(net, training, DEFAULT) == EXAMPLES[2]
    with pytest.raises(ConfigError):  # a 3-class model cannot train on a regression set
        config_for_model(net, {"dataset": "plane"}, DEFAULT.replace(dataset="plane"))


# ---------------------------------------------------------------- session
def test_session_keeps_network_on_training_changes():
    s = Session(DEFAULT.replace(samples=100))
    s.train(5)
    params = s.exp.network.params.copy()
    note = s.apply(s.config.replace(lr=0.001, optimizer="momentum", l2=0.01, batch_size=10, epochs=50))
    assert "kept" in note and s.epoch == 5 and np.array_equal(s.exp.network.params, params)
    assert s.exp.trainer.optimizer.lr == 0.001 and s.exp.trainer.l2 == 0.01 and s.exp.trainer.batch_size == 10
    s.train(2)
    assert s.epoch == 7
    note = s.apply(s.config.replace(loss="mse"))
    assert "kept" in note and s.epoch == 7 and s.exp.trainer.loss.name == "mse"


@pytest.mark.parametrize("change", [dict(dataset="moons"), dict(samples=120), dict(noise=0.3), dict(data_seed=3),
                                    dict(test_ratio=0.5), dict(hidden=(3,)), dict(activations=("relu",)),
                                    dict(init="he"), dict(seed=5), dict(features=("x1", "x2", "x1^2"))])
def test_session_resets_on_data_or_network_changes(change):
    s = Session(DEFAULT.replace(samples=100))
    s.train(5)
    note = s.apply(s.config.replace(**change))
    assert "reset" in note and s.epoch == 0 and not s.running
    assert s.apply(s.config) == ""


def test_live_ticks_stop_at_the_budget_and_continue():
    s = Session(DEFAULT.replace(samples=60, epochs=30))
    s.start()  # a short run: done within the first chunk
    assert s.epoch == 30 and s.done and not s.running
    s.start()  # another budget's worth
    assert s.target == 60 and s.epoch == 60 and not s.running
    s.apply(s.config.replace(epochs=1_000_000))
    s.start()
    assert s.running and 60 < s.epoch < 1_000_000  # the first chunk ends on time, not at the budget
    s.apply(s.config.replace(epochs=s.epoch + 3000))
    assert s.running
    ticks = 0
    while s.running:  # the page's cycle: settle, draw, launch
        s.settle()
        ticks += 1
        assert s.exp.trainer.epoch == s.epoch  # nothing trains while the page draws
        s.launch()
        time.sleep(0.01)
    s.settle()
    assert s.epoch == s.target and ticks > 1 and s.live_rate > 0 and s.redraw_rate > 0


def test_pause_stops_the_background_chunk_at_once():
    s = Session(DEFAULT.replace(samples=300, epochs=1_000_000))
    s.start()
    s.launch()
    time.sleep(0.1)
    t = time.perf_counter()
    s.pause()
    assert time.perf_counter() - t < 0.2 and not s.running
    e = s.epoch
    time.sleep(0.1)
    assert s.epoch == e


def test_divergence_stops_a_live_run():
    s = Session(Config(dataset="plane", noise=0.05, hidden=(16, 16), activations=("relu",), optimizer="gd", lr=9.0,
                       loss="sse", epochs=500))
    s.start()
    while s.running:
        s.launch()
        time.sleep(0.05)
        s.settle()
    assert s.exp.trainer.divergence is not None and s.epoch < 500
    assert np.all(np.isfinite(s.exp.network.params))

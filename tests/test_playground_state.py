"""URL state and the per-visitor session, without a server."""

import threading
from decimal import Decimal, InvalidOperation

import numpy as np
import pytest

from nn_core import DATASETS, SETTINGS, TUTORIAL, Config, ConfigError, ModelFileError, build, dumps, loads
from nn_core.settings import BY_URL, Names, Number, Widths
from playground import pacing
from playground.messages import escape_markdown, markdown
from playground.model_file import config_for_model
from playground.page_config import DEFAULT, explicit
from playground.session import Session
from playground.url import (
    HIDE_KEY,
    MAX_WARNINGS,
    VIEW_DEFAULT,
    VIEW_OPTIONS,
    config_from_query,
    config_to_query,
    page_from_query,
    page_query,
    warning_lines,
)
from playground.widgets import config_from_widgets, widget_state
from test_pacing import FakeClock

EXAMPLES = [
    DEFAULT,
    TUTORIAL.replace(noise=0.0),
    Config(dataset="spiral3", samples=500, noise=0.07, test_ratio=0.25, data_seed=9, features=("x1", "x2", "sin(x1)"),
           hidden=(12, 7, 3), activations=("relu", "tanh", "elu"), init="he", seed=42, loss="mse",
           optimizer="nesterov", lr=0.0125, momentum=0.8, batch_size=16, l1=0.001, l2=0.002, epochs=2500),
    Config(dataset="bumps", noise=0.05, hidden=(), activations=("tanh",), optimizer="adam", beta1=0.8, beta2=0.99,
           eps=1e-6, lr=0.0123456789012345),
    Config(dataset="checkerboard", noise=0.0, hidden=(8, 8), activations=("gelu", "silu"), seed=4294967295),
]


@pytest.mark.parametrize("c", [Config(dataset="formula", formula="sin(3*x1) + x2"),
                               Config(dataset="custom", points="v;.1,.2,-3;.5,-.5,2")])
def test_a_dataset_made_from_text_carries_it_in_the_link(c):
    q = config_to_query(c)
    assert ("fx" in q) == (c.dataset == "formula") and ("pts" in q) == (c.dataset == "custom")
    back, warnings = config_from_query(q)
    assert warnings == [] and back == explicit(c)


@pytest.mark.parametrize("c", EXAMPLES)
def test_url_round_trip(c):
    q = config_to_query(c)
    sources = {"fx", "pts"}  # the formula and the points travel only with the dataset made from them
    assert set(q) == {s.url for s in SETTINGS.values()} - sources and all(isinstance(v, str) for v in q.values())
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
    ({"ds": "mnist"}, "ds='mnist': cannot be 'mnist'; choose from xor,"),
    ({"n": "lots"}, "n='lots': must be a number, not 'lots'; using 300"),
    ({"n": "1e9"}, "n='1e9': must lie in [4, 2,000], not 1000000000; changed to 2000"),
    ({"lr": "-3"}, "lr='-3': must lie in [1e-06, 10], not -3.0; changed to 1e-06"),
    ({"lr": "9e-07"}, "lr='9e-07': must lie in [1e-06, 10], not 9e-07; changed to 1e-06"),
    ({"lr": "nan"}, "lr='nan': must be a finite number, not 'nan'; using 0.03"),
    ({"ep": "2.5"}, "ep='2.5': must be a whole number, not 2.5; changed to 2"),
    ({"h": "8-x"}, "h='8-x': must be layer widths such as 8-8, or none"),
    ({"h": "-1"}, "h='-1': must be layer widths such as 8-8, or none, not '-1'; using 6-6"),
    ({"h": "300"}, "h='300': a hidden layer has 1 to 64 neurons, not 300; changed to 64"),
    ({"h": "-".join(["4"] * 12)}, "at most 8 hidden layers, not 12; changed to 4-4-4-4-4-4-4-4"),
    ({"a": "swish"}, "a='swish': unknown activation 'swish'"),
    ({"f": "x9"}, "f='x9': unknown feature 'x9'"),
    ({"ds": "spiral3", "o": "sigmoid"}, "o='sigmoid': cannot be 'sigmoid' here; choose from auto, softmax; using auto"),
    ({"ds": "spiral3", "l": "bce"}, "l='bce': cannot be 'bce' here; choose from auto, sse, mse, ce; using auto"),
    ({"h": "4-4", "a": "relu-tanh-elu"}, "one per hidden layer (2), not 3; using tanh"),
    ({"opt": "sgd9"}, "opt='sgd9': cannot be 'sgd9'"),
    ({"s": "9" * 400}, "not a 400-digit number; changed to 4294967295"),
    ({"eps": "0"}, "eps='0': must lie in [1e-12, 1], not 0.0; changed to 1e-12"),
    # values the page used to change silently
    ({"h": ""}, "h='': no value; using 6-6"),
    ({"s": "1e-400"}, "s='1e-400': must be a whole number, not '1e-400'; changed to 0"),
    ({"dseed": "4294967295.0000001"}, "must be a whole number, not '4294967295.0000001'; changed to 4294967295"),
    ({"nz": "1e-400"}, "nz='1e-400': is too close to 0 for a float, not '1e-400'; changed to 0.0"),
])
def test_bad_url_values_are_replaced_with_a_warning(params, needle):
    c, warnings = config_from_query(params)
    c.check(page=True)
    assert any(needle in w for w in warnings), warnings


def test_long_url_values_are_cut():
    c, warnings = config_from_query({"nz": "x" * 20_000, "ds": "y" * 20_000})
    assert c.dataset == DEFAULT.dataset and len(warnings) == 2
    assert all(len(w) < 300 and "x" * 41 not in w and "y" * 41 not in w for w in warnings), warnings


# Values a hand-edited or damaged link may carry, for every key.
JUNK = ["", " ", "-1", "-0", "0", "1", "+3", "007", "-5", "2.5", "1e2", "1e-400", "-1e-400", "1e-320", "1e400",
        "-1e400", "nan", "inf", "9" * 30, "9" * 5000, "-" + "9" * 400, "4294967295.0000001", "12.000000000000001",
        "0x10", "1_0", "x", "x" * 20_000, "-", ",", "none", "0-0", "8-", "-8", "8--8", "8-8-8-8-8-8-8-8-8", "tanh-",
        "relu-tanh", "x1,", "x1,x1", "X1", "TANH", " adam ", "auto", "é", "\x00", "[1]", "None", "true"]


def _same_value(s, raw: str, text: str) -> bool:
    """Whether ``text`` (how the page writes the value it kept) says what ``raw`` (the link's) said."""
    raw = raw.strip()
    if isinstance(s.kind, Number):
        try:
            exact = Decimal(raw)
        except InvalidOperation:
            return False
        # a fraction like 0.1 has no exact float: the nearest one is the same value; 1e-400 -> 0 is not
        return exact == Decimal(text) or not s.kind.integer and float(raw) == float(text) and (exact == 0) == (
            float(text) == 0)
    if isinstance(s.kind, Names):  # an empty part between separators is no value
        parts = [p.strip() for p in raw.split(s.kind.sep) if p.strip()]
        return s.kind.sep.join(s.kind.codes.get(p, p) for p in parts) == text
    if isinstance(s.kind, Widths):  # 0 is the same as none, 007 as 7
        return text == "none" if raw in ("0", "none") else [w.lstrip("0") for w in raw.split("-")] == text.split("-")
    return raw == text


@pytest.mark.parametrize("key", list(BY_URL))
def test_every_changed_url_value_is_named(key):
    """Fuzz every key with negative, huge, empty, rounded and garbage values: the page keeps the value as
    written, or a warning names the key and says what it used instead."""
    s = BY_URL[key]
    made = [d for d, spec in DATASETS.items() if spec.source == s.name]  # a formula or points: with its dataset
    dataset = {"ds": made[0]} if made else {}
    for raw in JUNK:
        c, warnings = config_from_query({**dataset, key: raw})
        c.check(page=True)
        kept = config_to_query(c)[key]
        named = [w for w in warnings if w.startswith(f"{key}=")]
        assert named or _same_value(s, raw, kept), f"{key}={raw[:40]!r} became {kept!r} without a word"
        assert all(len(w) < 300 and "x" * 41 not in w and "9" * 41 not in w for w in warnings), warnings
        if named:
            assert kept in named[0], (named, kept)  # and says what the page uses instead


def test_negative_zero_is_written_as_zero():
    c, warnings = config_from_query({"nz": "-0.0", "l2": "-0"})
    assert warnings == [] and config_to_query(c)["nz"] == "0.0" and config_to_query(c)["l2"] == "0.0"


# ---------------------------------------------------------------- view options and hidden parts
PARTS = ["presets", "data", *[s.url for s in SETTINGS.values()], "network", "share", "surface", "files"]


def test_view_keys_are_their_own():
    assert set(VIEW_OPTIONS.values()).isdisjoint(BY_URL) and HIDE_KEY not in BY_URL
    assert HIDE_KEY not in VIEW_OPTIONS.values() and len(set(VIEW_OPTIONS.values())) == len(VIEW_OPTIONS)


@pytest.mark.parametrize("view", [[], ["Log scale"], ["Discretize output", "Show test data", "Log scale"],
                                  list(VIEW_DEFAULT)])
@pytest.mark.parametrize("hide", [[], ["lr"], ["presets", "ds", "network", "files"]])
def test_page_query_round_trip(view, hide):
    c = EXAMPLES[2]
    q = page_query(c, view, hide)
    assert {k: q[k] for k in config_to_query(c)} == config_to_query(c)
    assert [q[k] for k in VIEW_OPTIONS.values()] == ["1" if o in view else "0" for o in VIEW_OPTIONS]
    assert (HIDE_KEY in q) == bool(hide)
    back, back_view, back_hide, warnings = page_from_query(q, PARTS)
    assert (back, back_view, back_hide, warnings) == (c, [o for o in VIEW_OPTIONS if o in view], hide, [])


def test_view_options_from_the_url():
    assert page_from_query({}, PARTS)[1] == list(VIEW_DEFAULT)  # no key: the page's default
    _, view, _, warnings = page_from_query({"log": "1", "disc": "true", "test": "0"}, PARTS)
    assert view == ["Discretize output", "Log scale"] and warnings == []
    _, view, _, warnings = page_from_query({"log": "maybe", "test": "x" * 20_000}, PARTS)
    assert view == list(VIEW_DEFAULT)
    assert warnings[0].startswith("test='xxx") and "x" * 41 not in warnings[0] and warnings[0].endswith("using 1")
    assert warnings[1] == "log='maybe': must be 1 (on) or 0 (off); using 0"


def test_hide_names_settings_by_key_or_name_and_names_the_unknown():
    _, _, hide, warnings = page_from_query({"hide": " files,lr,dataset,,lr,network,zz,LR"}, PARTS)
    assert hide == sorted({"ds", "network", "lr", "files"}, key=PARTS.index)  # URL keys, in the page's order, once
    assert warnings == ["hide='zz': no part of the page has that name; ignored",
                        "hide='LR': no part of the page has that name; ignored"]
    _, _, hide, warnings = page_from_query({"hide": ",".join(["y" * 20_000] * 3)}, PARTS)
    assert hide == [] and len(warnings) == 3 and all("y" * 41 not in w and len(w) < 120 for w in warnings)


def test_warnings_are_capped_and_escaped():
    _, _, _, warnings = page_from_query({"hide": ",".join(f"bad{i}" for i in range(3000)), "h": "-1"}, PARTS)
    assert len(warnings) == 3001
    text = markdown("Some of the link's settings were ignored or changed:", items=warning_lines(warnings))
    lines = text.splitlines()
    assert len(lines) == 1 + MAX_WARNINGS + 1 and lines[-1] == "- and 2,996 more"
    assert lines[1].startswith("- h='-1'\\: must be layer widths")  # the value in the link, named first
    assert warning_lines(warnings[:MAX_WARNINGS])[-1] != "and 0 more"
    link = escape_markdown("ds='![x](http://e.co/a.png)' <b> $x$ :red[y] `z` **w**")
    assert link == ("ds='\\!\\[x\\]\\(http\\://e.co/a.png\\)' \\<b\\> \\$x\\$ \\:red\\[y\\] \\`z\\` "
                    "\\*\\*w\\*\\*")


def test_unknown_keys_ignored_and_lists_take_the_first():
    c, warnings = config_from_query({"zzz": "1", "utm_source": "mail", "ds": ["xor", "moons"]})
    assert warnings == [] and c.dataset == "xor"


def test_config_for_model_takes_architecture_and_settings():
    exp = build(EXAMPLES[2])
    net, training = loads(dumps(exp.network, EXAMPLES[2].to_dict()))
    c, changed = config_for_model(net, training, DEFAULT)
    assert c == EXAMPLES[2] and changed == []
    with pytest.raises(ModelFileError, match="training: lr must be a number"):  # a bad setting: the file is refused
        loads(dumps(exp.network, {**EXAMPLES[2].to_dict(), "lr": "fast"}))
    with pytest.raises(ConfigError):  # a 3-class model cannot train on a regression set
        config_for_model(net, {"dataset": "plane"}, DEFAULT.replace(dataset="plane"))


def test_config_for_model_moves_settings_into_the_page_and_says_so():
    c = EXAMPLES[2].replace(samples=5000, epochs=1_000_000)
    net, training = loads(dumps(build(EXAMPLES[2]).network, c.to_dict()))
    got, changed = config_for_model(net, training, DEFAULT)
    assert (got.samples, got.epochs) == (2000, 100_000)
    assert changed == ["samples must lie in [4, 2,000], not 5000; changed to 2000",
                       "epoch budget must lie in [1, 100,000], not 1000000; changed to 100000"]


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
    assert "starts again from epoch 0" in note and s.epoch == 0 and not s.running
    assert s.apply(s.config) == ""


def test_live_ticks_stop_at_the_budget_and_continue(monkeypatch):
    monkeypatch.setattr(pacing, "clock", FakeClock(0.001))  # an epoch reads the clock once: 1 ms each
    s = Session(DEFAULT.replace(samples=60, epochs=30))
    s.start()
    assert s.running and s.epoch == 0  # Train only starts the run: each redraw trains a slice
    while s.running:
        s.train_slice()
    assert s.epoch == 30 and s.done and s.live.ticks >= 1
    s.start()  # another budget's worth
    assert s.target == 60
    while s.running:
        s.train_slice()
    assert s.epoch == 60
    s.apply(s.config.replace(epochs=1_000_000))
    s.start()
    slice_epochs = s.train_slice()
    assert s.running and 0 < slice_epochs < 1000 and s.epoch == 60 + slice_epochs  # a slice, not the budget
    s.apply(s.config.replace(epochs=s.epoch + 3000))
    ticks = 0
    while s.running:
        s.train_slice()
        ticks += 1
    assert s.epoch == s.target and ticks > 1 and s.live.rate > 0 and s.live.redraw_rate > 0


def test_live_training_starts_no_thread():
    s = Session(DEFAULT.replace(samples=300, epochs=1_000_000))
    before = threading.active_count()
    s.start()
    for _ in range(3):
        s.train_slice()
    assert threading.active_count() == before


def test_pause_stops_training_at_once():
    s = Session(DEFAULT.replace(samples=300, epochs=1_000_000))
    s.start()
    s.train_slice()
    s.pause()
    e = s.epoch
    assert s.train_slice() == 0 and s.epoch == e and not s.running


def test_divergence_stops_a_live_run():
    s = Session(Config(dataset="plane", noise=0.05, hidden=(16, 16), activations=("relu",), optimizer="gd", lr=9.0,
                       loss="sse", epochs=500))
    s.start()
    while s.running:
        s.train_slice()
    assert s.exp.trainer.divergence is not None and s.epoch < 500
    assert np.all(np.isfinite(s.exp.network.params))

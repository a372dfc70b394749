"""Every declared setting, walked through every door and every use.

For each setting of nn_core.SETTINGS, a value other than its default goes in
by the URL, the widgets, a command-line flag and a model file, and must come
out as the same Config; the engine must act on it (the built experiment
differs); and the page's session must reset or keep the trained network as
the declaration says, and then train differently.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nn_core import DATASETS, OPTIMIZERS, SETTINGS, Config, build, config_from, dumps, loads
from nn_core.cli import config_from_args, parser
from nn_core.settings import Choice, Names, Number, Text, Widths
from nn_core.userdata import add_point
from playground.model_file import config_for_model
from playground.page_config import DEFAULT, explicit
from playground.session import Session
from playground.url import config_from_query, config_to_query
from playground.widgets import config_from_widgets, widget_state

BASE = Config(dataset="circles", samples=40, test_ratio=0.25, hidden=(3,), epochs=3)


def base_for(s, base: Config = BASE) -> Config | None:
    """A base where setting ``s`` applies (an optimizer that uses it, a dataset made from it); None if there
    is none."""
    if s.shown is None or s.shown(base.values()):
        return base
    candidates = [base.replace(optimizer=o) for o in OPTIMIZERS] + [base.replace(dataset=d) for d in DATASETS]
    return next((c for c in candidates if s.shown(c.values())), None)


def implied(s) -> dict:
    """The dataset a flag for setting ``s`` picks when --dataset is not given: the one made from ``s``."""
    return dict(("dataset", n) for n, d in DATASETS.items() if d.source == s.name)


def other_value(s, base: Config):
    """A valid value of ``s`` other than the one ``base`` holds, that fits the other settings."""
    current = getattr(base, s.name)
    k = s.kind
    if isinstance(k, Number):
        lo, hi = k.bounds(page=True)
        if current is None:
            v = (lo + hi) / 4
        elif current == 0:
            v = k.step
        else:
            v = current * 2 if current * 2 <= hi else current / 2
        return int(v) if k.integer else float(v)
    if isinstance(k, Choice):
        # an option that changes what the engine does ("auto" and the choice it stands for do not);
        # none at all fails the walk, as a setting the engine ignores should
        options = s.options(base.values()) if s.options else k.choices
        return next(c for c in options if c != current and _fits(base.replace(**{s.name: c}))
                    and not same(fingerprint(base), fingerprint(base.replace(**{s.name: c}))))
    if isinstance(k, Names):
        extra = next(c for c in k.choices if c not in current)
        return (*current, extra) if s.name == "features" else (extra,)
    if isinstance(k, Text):  # a formula of its own; the points with one more
        return add_point(current, 0.1, 0.2, 1) if s.name == "points" else {"formula": "x1 + x2**2 > 0.25"}[s.name]
    assert isinstance(k, Widths)
    return (*current, 2)


def _fits(c: Config) -> bool:
    try:
        c.check(page=True)
        return True
    except ValueError:
        return False


def cases():
    for s in SETTINGS.values():
        base = base_for(s)
        changed = base and base.replace(**{s.name: other_value(s, base)})
        yield pytest.param(s, base, changed, id=s.name)


@pytest.fixture(autouse=True)
def _applies(request):
    """A setting that applies nowhere (an optimizer hyperparameter no optimizer uses) fails every step."""
    base = request.node.callspec.params.get("base", BASE) if hasattr(request.node, "callspec") else BASE
    assert base is not None, f"{request.node.callspec.id}: no base where the setting applies"


def fingerprint(c: Config) -> list[np.ndarray]:
    """What the engine makes of ``c``: the data, its split, the first outputs, and the weights after training."""
    exp = build(c)
    first = exp.network.predict(exp.train.X)
    exp.trainer.fit(c.epochs)
    return [exp.data.X, exp.data.y, exp.train.X, exp.test.X, first, exp.network.params,
            np.array([r.train_loss for r in exp.trainer.history])]


def same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return all(x.shape == y.shape and np.array_equal(x, y) for x, y in zip(a, b))


def test_every_setting_is_declared_completely():
    urls = [s.url for s in SETTINGS.values()]
    flags = [s.flag for s in SETTINGS.values()]
    assert len(set(urls)) == len(urls) and len(set(flags)) == len(flags)
    assert list(SETTINGS) == [f for f in Config.__dataclass_fields__]
    for s in SETTINGS.values():
        assert s.group in ("data", "network", "training") and s.resets in ("data", "points", "network", "nothing")
        assert s.label and s.flag.startswith("--") and s.url
        assert getattr(Config(), s.name) == s.default
        s.check(s.default)  # the default is a valid value


def test_the_walk_covers_every_setting():
    assert [p.id for p in cases()] == list(SETTINGS)


@pytest.mark.parametrize("s,base,changed", list(cases()))
def test_url_round_trip(s, base, changed):
    q = config_to_query(changed)
    assert q[s.url] == s.text(getattr(changed, s.name))
    assert config_from_query(q) == (explicit(changed), [])
    alone, warnings = config_from_query({s.url: q[s.url]}, explicit(base))  # this key alone carries it
    assert warnings == [] and alone == explicit(changed)


@pytest.mark.parametrize("s,base,changed", list(cases()))
def test_widgets_round_trip(s, base, changed):
    assert config_from_widgets(widget_state(changed)) == explicit(changed)


@pytest.mark.parametrize("s,base,changed", list(cases()))
def test_command_line_flag(s, base, changed):
    v = getattr(changed, s.name)
    words = [str(x) for x in v] if isinstance(v, tuple) else [s.text(v)]
    expect = Config().replace(**{s.name: v}, **implied(s))
    assert config_from_args(parser().parse_args(["train", s.flag, *words])) == expect


@pytest.mark.parametrize("s,base,changed", list(cases()))
def test_model_file(s, base, changed):
    exp = build(changed)
    net, training = loads(dumps(exp.network, changed.to_dict()))
    assert config_from(training) == changed  # the engine's reading
    assert config_for_model(net, training, DEFAULT) == (explicit(changed), [])  # the page's


@pytest.mark.parametrize("s,base,changed", list(cases()))
def test_the_engine_acts_on_it(s, base, changed):
    assert not same(fingerprint(base), fingerprint(changed))


@pytest.mark.parametrize("s,base,changed", list(cases()))
def test_session_resets_or_keeps_as_declared(s, base, changed):
    session = Session(base)
    session.train(2)
    params = session.exp.network.params.copy()
    note = session.apply(changed)
    if s.resets == "points" and changed.architecture() == base.architecture():  # the network goes on, on them
        assert "goes on from epoch 2" in note and session.epoch == 2
        assert np.array_equal(session.exp.network.params, params) and len(session.exp.data) == changed.n_points
        return
    if s.resets != "nothing":
        assert "starts again from epoch 0" in note and session.epoch == 0
        assert np.array_equal(session.exp.network.params, build(changed).network.params)
        return
    assert "kept" in note and session.epoch == 2 and np.array_equal(session.exp.network.params, params)
    if s.name == "epochs":
        assert session.target == changed.epochs
        return
    session.train(2)
    unchanged = Session(base)
    unchanged.train(4)
    assert not np.array_equal(session.exp.network.params, unchanged.exp.network.params), "the change was not used"


def test_the_docs_list_every_key_and_flag():
    readme = (Path(__file__).resolve().parents[1] / "docs" / "settings.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| `")]
    for s in SETTINGS.values():
        assert any(line.startswith(f"| `{s.url}` | `{s.flag}` |") for line in rows), s.name


def numpy_config() -> Config:
    """A config whose every numeric setting holds a NumPy scalar (np.int8, np.int64, np.uint32, np.float32),
    the hidden widths np.int8 too."""
    return Config(dataset="moons", samples=np.int16(40), noise=np.float32(0.25), test_ratio=np.float32(0.25),
                  data_seed=np.int64(3), hidden=(np.int8(64), np.int8(3)), seed=np.uint32(7), lr=np.float32(0.05),
                  optimizer="adam", beta1=np.float32(0.8), beta2=np.float64(0.99), eps=np.float32(1e-7),
                  momentum=np.float32(0.5), batch_size=np.int8(8), l1=np.float32(0.001), l2=np.float16(0.01),
                  epochs=np.int64(4))


def test_every_numeric_setting_of_numpy_scalars_is_checked_into_plain_numbers():
    c = numpy_config()
    numeric = [s for s in SETTINGS.values() if isinstance(s.kind, (Number, Widths))]
    assert all(isinstance(getattr(c, s.name), (np.generic, tuple)) for s in numeric)  # the case is as meant
    for s in numeric:  # every door's check hands on plain values
        v = s.check(getattr(c, s.name))
        assert type(v) in (int, float) or all(type(w) is int for w in v), s.name
    checked = c.check()
    assert checked == c and checked is not c
    for s in numeric:
        v = getattr(checked, s.name)
        assert type(v) in (int, float) or all(type(w) is int for w in v), s.name
    assert checked.hidden == (64, 3) and type(checked.lr) is float and checked.lr == float(np.float32(0.05))
    assert Config().check() == Config() and TUTORIAL_PLAIN.check() is TUTORIAL_PLAIN  # plain values: itself
    assert build(c).config == checked  # what build() trains


TUTORIAL_PLAIN = Config(dataset="xor", hidden=(3,))

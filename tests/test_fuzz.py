"""Fuzzing the three doors: command-line flags, model files and URLs, with huge integers, NaN and infinities,
very long strings and mis-shaped files. No traceback, no crash, every refusal short."""

from __future__ import annotations

import copy
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nn_core import SETTINGS, Config, ConfigError, ModelFileError, build, dumps, loads
from nn_core.cli import run
from playground.url import config_from_query

MAX_MESSAGE = 300  # characters: a refusal names what is wrong and quotes at most 40 of the bad value

JUNK_TEXT = ["0", "1", "2", "-1", "0.5", "2.5", "nan", "inf", "-inf", "1e400", "-1e400", "1e-320", "9" * 400,
             "-" + "9" * 400, "9" * 5000, "", " ", "x" * 100_000, "none", "8-8", "4-", "-", ",", "x1,x2", "tanh",
             "relu-tanh", "adam", "\x00", "é" * 50, "[1]", "{}", "None"]
junk_text = st.one_of(st.sampled_from(JUNK_TEXT), st.text(max_size=30))
JUNK_VALUES = [None, True, False, 0, -1, 10**400, -(10**400), 4.0, 1e308, -1e308, 0.5, "", "x" * 100_000, "nan",
               [], {}, [1, [2]], [[[[1]]]], {"a": 1}, "sigmoid", [0.5] * 3]
junk_value = st.one_of(st.sampled_from(JUNK_VALUES), st.floats(allow_nan=True, allow_infinity=True),
                       st.integers(), st.text(max_size=20))
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def short_lines(text: str) -> bool:
    return all(len(line) <= MAX_MESSAGE for line in text.splitlines())


@st.composite
def command_lines(draw):
    flags = draw(st.lists(st.sampled_from([s for s in SETTINGS.values() if s.name != "epochs"]), max_size=4))
    argv = ["train", "--quiet", "--epochs", draw(st.sampled_from(["1", "2", "0", "-3", "1e400", "9" * 400, "x"]))]
    for s in flags:
        argv += [s.flag, *draw(st.lists(junk_text, min_size=1, max_size=3))]
    return argv


@FUZZ
@given(command_lines())
def test_command_line(argv):
    out, err = io.StringIO(), io.StringIO()
    code = run(argv, out, err)
    assert code in (0, 1, 2)
    assert "Traceback" not in err.getvalue() and short_lines(err.getvalue()), err.getvalue()[:500]
    if code == 2:
        assert len(err.getvalue().strip().splitlines()) == 1


GOOD = json.loads(dumps(build(Config(dataset="blobs3", samples=40, hidden=(3, 2))).network,
                        Config(dataset="blobs3", samples=40, hidden=(3, 2)).to_dict()))


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


PATHS = [p for p in _paths(GOOD) if p]


@st.composite
def model_files(draw):
    doc = copy.deepcopy(GOOD)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        parent = doc
        try:
            for key in path[:-1]:
                parent = parent[key]
            if draw(st.booleans()) and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = draw(junk_value)
        except (KeyError, IndexError, TypeError):
            pass  # an earlier change removed or replaced this part
    return json.dumps(doc, allow_nan=True)


@FUZZ
@given(model_files())
def test_model_loader(text):
    try:
        net, training = loads(text)
    except ModelFileError as e:
        assert len(str(e)) <= MAX_MESSAGE, str(e)[:500]
        return
    assert net.params.size == net.arch.n_params


@FUZZ
@given(st.dictionaries(st.sampled_from([s.url for s in SETTINGS.values()] + ["zz", ""]),
                       st.one_of(junk_text, st.lists(junk_text, max_size=3)), max_size=8))
def test_url(params):
    c, warnings = config_from_query(params)
    c.check(page=True)
    assert all(len(w) <= MAX_MESSAGE for w in warnings), warnings


@FUZZ
@given(st.dictionaries(st.sampled_from(list(SETTINGS)), junk_value, min_size=1, max_size=4))
def test_engine_config(values):
    """Junk in any setting: check() refuses it with a short ConfigError, or the config builds."""
    c = Config(**values)
    try:
        c.check()
    except ConfigError as e:
        assert len(str(e)) <= MAX_MESSAGE, str(e)[:500]
        return
    if c.samples * max(c.epochs, 1) <= 10**6:
        build(c)

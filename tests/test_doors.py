"""Every door a person's text comes in by, tried as an attacker would (issue 17): the exact cases found, and a
fuzz test for each door (formula text, CSV bytes, points text, a link's pin=, model-file bytes) that asserts
only the project's own errors, each within a bound on its parse's CPU time.

The bounds are CPU seconds of this process (``time.process_time``, which other load on the machine does not
inflate), set a hundred times and more over what a linear parse takes: they catch a parse whose cost grows
faster than its input (40 s for the 120 kB file below before the fix), not a slow machine."""

from __future__ import annotations

import io
import os
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nn_core import Config, ConfigError, ModelFileError, build, dumps, parse_model, read_model
from nn_core.cli import run
from nn_core.formula import FormulaError, check_formula
from nn_core.userdata import PAGE_FILE_BYTES, PAGE_POINTS, DataFileError, PointsError, parse_points, read_csv
from playground.model_file import config_for_model
from playground.page_config import DEFAULT
from playground.url import PINNED_KEY, pinned_from_query

INPUT_CPU = 0.5  # CPU seconds one fuzzed input's parse may take (a few kB: milliseconds when linear)
FUZZ = settings(max_examples=120, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Formulas that hold on the 65 x 65 grid the checks use but not at the points a dataset draws.
GRID_ONLY = ["exp(1000*sin(32*pi*x1))", "log(sin(32*pi*x1)+1e-6) < 20*x2", "exp(710*abs(sin(32*pi*x1)))"]


def cpu(f, *args):
    """(what f(*args) returned or raised, the CPU seconds it took)."""
    start = time.process_time()
    try:
        out = f(*args)
    except Exception as e:  # noqa: BLE001 (the caller asserts which)
        out = e
    return out, time.process_time() - start


def cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = run([str(a) for a in argv], out, err)
    return code, out.getvalue(), err.getvalue()


def one_line_refusal(code, out, err, *words):
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert all(w in err for w in words), err


# ---------------------------------------------------------------- 1. a model file that froze the server
def escaped_quotes(n: int) -> bytes:
    """A string of n escaped quotes that is never closed: quadratic for a regular expression over strings."""
    return b'"' + b'\\"' * n


def test_an_unclosed_string_of_escaped_quotes_is_refused_at_once():
    refusal, seconds = cpu(parse_model, escaped_quotes(60_000))  # 120 kB: 40 s of a held interpreter before
    assert isinstance(refusal, ModelFileError) and "not valid JSON" in str(refusal)
    assert seconds < 1.0, f"{seconds:.2f} CPU s for 120 kB"
    bigger, seconds = cpu(parse_model, escaped_quotes(2_400_000))  # 4.8 MB, near the page's 5 MB upload limit
    assert isinstance(bigger, ModelFileError) and seconds < 5.0, f"{seconds:.2f} CPU s for 4.8 MB"


def test_the_same_through_the_command_line(tmp_path):
    path = tmp_path / "q.json"
    path.write_bytes(escaped_quotes(60_000))
    (code, _, err), seconds = cpu(cli, "train", "--init", path)
    one_line_refusal(code, "", err, "not valid JSON")
    assert seconds < 1.0


def nesting_by_hand(data: bytes) -> tuple[int, bool]:
    """How deep a JSON text's brackets nest, read one character at a time as the parser does; and whether it
    read to the end (it stops at a backslash outside a string, where the parser stops too)."""
    depth = deepest = 0
    inside = escaped = False
    for ch in data.decode("latin-1"):
        if inside:
            escaped, inside = (False, True) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            inside = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
        elif ch == "\\":
            return deepest, False
    return deepest, True


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(['"', "\\", "[", "]", "{", "}", "a", ","]), max_size=60), st.integers(1, 7))
def test_the_nesting_count_is_the_parsers_across_chunks(chars, chunk):
    from nn_core import modelio

    data = "".join(chars).encode()
    expected, whole = nesting_by_hand(data)
    saved, modelio._CHUNK = modelio._CHUNK, chunk  # chunks of a few bytes: every carry across a boundary
    try:
        counted = modelio._nesting(data)
    finally:
        modelio._CHUNK = saved
    assert counted == expected if whole else counted >= expected


# ---------------------------------------------------------------- 2. a formula fine on the grid, not at the points
@pytest.mark.parametrize("text", GRID_ONLY)
def test_a_formula_undefined_at_the_points_drawn_is_refused_by_check(text):
    check_formula(text)  # the grid alone lets it through ...
    with pytest.raises(ConfigError, match="formula"):  # ... the data it makes does not
        Config(dataset="formula", formula=text).check()


@pytest.mark.parametrize("text", GRID_ONLY)
def test_every_door_refuses_it(text, tmp_path):
    one_line_refusal(*cli("train", "--dataset", "formula", "--formula", text, "--epochs", "1"), "--formula")
    warnings = []
    pinned = pinned_from_query({PINNED_KEY: f"ds=formula&fx={text}&at=10"}, DEFAULT, warnings)
    assert pinned[0].formula != text and any(w.startswith("pin.fx=") for w in warnings), warnings
    pinned[0].check(page=True)
    # a model file: the loader checks each setting alone, the page's door the data they make
    exp = build(DEFAULT)
    training = {**DEFAULT.to_dict(), "dataset": "formula", "formula": text}
    model = parse_model(dumps(exp.network, training))
    config, changes = config_for_model(model.network, model.training, DEFAULT)
    assert config.formula != text and any("fx=" in c for c in changes), changes
    build(config)


# ---------------------------------------------------------------- 3. a CSV whose centre overflows
def test_a_csv_near_the_largest_float_is_moved_into_the_plane():
    data = read_csv(b"1e308,0,0\n1.7e308,1,1\n")
    assert np.array_equal(data.points.X, [[-1.0, 0.0], [1.0, 0.0]])
    with pytest.raises(DataFileError, match="span more than a float"):
        read_csv(b"-1.7e308,0,0\n1.7e308,1,1\n")


def test_the_same_through_the_command_line_trains(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"1e308,0,0\n1.7e308,1,1\n")
    code, out, err = cli("train", "--data", path, "--epochs", "3", "--quiet")
    assert code == 0 and "Traceback" not in err, err


# ---------------------------------------------------------------- 4. a file without end
@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="this platform has no /dev/zero")
@pytest.mark.parametrize("flag", ["--init", "--resume"])
def test_an_endless_file_is_read_no_further_than_the_limit(flag):
    refusal, seconds = cpu(read_model, "/dev/zero")
    assert isinstance(refusal, ModelFileError) and "larger than 8 MB" in str(refusal) and seconds < 1.0
    one_line_refusal(*cli("train", flag, "/dev/zero", "--epochs", "1"), "larger than 8 MB")


# ---------------------------------------------------------------- 6. a byte-order mark
def test_a_model_file_with_a_byte_order_mark_loads(tmp_path):
    exp = build(DEFAULT)
    text = dumps(exp.network, DEFAULT.to_dict(), exp.trainer.state())
    for data in ("\ufeff" + text, b"\xef\xbb\xbf" + text.encode()):
        assert np.array_equal(parse_model(data).network.params, exp.network.params)
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert cli("train", "--init", path, "--epochs", "1", "--quiet")[0] == 0


# ---------------------------------------------------------------- fuzzing each door
def texts(alphabet: str, max_size: int):
    return st.one_of(st.text(alphabet=alphabet, max_size=max_size), st.text(max_size=max_size // 4))


@FUZZ
@given(texts("x12 +-*/%()<>=.,!&|^~ab09eEpiscnotlgqrhmf", 240))
def test_formula_text(text):
    found, seconds = cpu(Config(dataset="formula", formula=text).check)
    assert seconds < INPUT_CPU, f"{seconds:.2f} CPU s for {text!r}"
    if isinstance(found, Exception):
        assert isinstance(found, (ConfigError, FormulaError)), repr(found)
    else:
        build(found)


@FUZZ
@given(st.one_of(st.binary(max_size=3000),
                 texts("0123456789.,;\t\n\r -+eEinfa\"'x1\ufeff", 3000).map(lambda t: t.encode("utf-8", "replace"))))
def test_csv_bytes(data):
    found, seconds = cpu(lambda: read_csv(data, max_rows=PAGE_POINTS, max_bytes=PAGE_FILE_BYTES))
    assert seconds < INPUT_CPU, f"{seconds:.2f} CPU s for {data[:80]!r}"
    if isinstance(found, Exception):
        assert isinstance(found, DataFileError), repr(found)
        return
    try:
        Config(dataset="custom", points=found.text).check()
    except ConfigError:
        return  # one class, say: the page says so
    build(Config(dataset="custom", points=found.text, epochs=1))


@FUZZ
@given(texts("cv;,.0123456789-e", 2000))
def test_points_text(text):
    found, seconds = cpu(parse_points, text, PAGE_POINTS)
    assert seconds < INPUT_CPU, f"{seconds:.2f} CPU s for {text[:80]!r}"
    if isinstance(found, Exception):
        assert isinstance(found, PointsError), repr(found)
        return
    try:
        config = Config(dataset="custom", points=text).check()
    except ConfigError:
        return
    build(config)


PIN_KEYS = ["ds", "fx", "pts", "h", "a", "lr", "n", "nz", "at", "opt", "bs", "zz", ""]


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PIN_KEYS), texts("=&%0123456789.-x1*<>()abcdefghsinexp;,", 60)),
                max_size=8).map(lambda pairs: "&".join(f"{k}={v}" for k, v in pairs)), st.text(max_size=200))
def test_pin_text(text, junk):
    for pin in (text, junk):
        warnings = []
        found, seconds = cpu(pinned_from_query, {PINNED_KEY: pin}, DEFAULT, warnings)
        assert seconds < INPUT_CPU and not isinstance(found, Exception), repr(found)
        config, epoch = found
        config.check(page=True)  # what the page then trains again as run A
        assert 0 <= epoch <= 100_000


GOOD_MODEL = dumps(build(Config(dataset="blobs3", samples=40, hidden=(3, 2))).network,
                   Config(dataset="blobs3", samples=40, hidden=(3, 2)).to_dict()).encode()


@st.composite
def model_bytes(draw):
    """A model file with some bytes changed, inserted or cut, often the ones that matter to a JSON parser."""
    data = bytearray(GOOD_MODEL)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        piece = draw(st.one_of(st.sampled_from([b'"', b"\\", b"[", b"]", b"{", b"}", b'\\"', b"\xef\xbb\xbf",
                                                b"NaN", b"1e999", b"\xff"]), st.binary(max_size=4)))
        kind = draw(st.sampled_from(["insert", "replace", "cut"]))
        if kind == "insert":
            data[at:at] = piece * draw(st.integers(1, 50))
        elif kind == "replace":
            data[at:at + len(piece)] = piece
        else:
            del data[at:at + draw(st.integers(1, 200))]
    return bytes(data)


@FUZZ
@given(st.one_of(model_bytes(), st.binary(max_size=2000)))
def test_model_file_bytes(data):
    found, seconds = cpu(parse_model, data)
    assert seconds < INPUT_CPU, f"{seconds:.2f} CPU s for {data[:80]!r}"
    assert not isinstance(found, Exception) or isinstance(found, ModelFileError), repr(found)


def test_the_fuzzed_model_files_reach_past_the_json():
    """The model-file strategy is not all syntax errors: some of its files parse and fail later, some load."""
    outcomes = set()

    @settings(max_examples=200, deadline=None, derandomize=True)
    @given(model_bytes())
    def look(data):
        try:
            parse_model(data)
            outcomes.add("loaded")
        except ModelFileError as e:
            outcomes.add("json" if "JSON" in str(e) or "UTF-8" in str(e) else "model")

    look()
    assert outcomes == {"json", "model", "loaded"}, outcomes


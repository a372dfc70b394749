"""The formula dataset's parser: what it reads, what it computes, and everything it refuses.

Values are checked against NumPy written out by hand in the test, not against the module's own walk."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn_core import Config, ConfigError, build, make_dataset
from nn_core.formula import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_NODES,
    MAX_POWER,
    Formula,
    FormulaError,
    check_formula,
    parse,
)

ROOT = Path(__file__).resolve().parents[1]
X = np.random.default_rng(7).uniform(-1, 1, (500, 2))
x1, x2 = X[:, 0], X[:, 1]

# ---------------------------------------------------------------- what it reads
EXAMPLES = [  # (text, task, the values by hand)
    ("x1*x2 > 0", "binary", x1 * x2 > 0),
    ("sin(3*x1) + x2", "regression", np.sin(3 * x1) + x2),
    ("x1**2 + x2**2 < 0.5", "binary", x1 ** 2 + x2 ** 2 < 0.5),
    ("-0.5 < x1 < 0.5", "binary", (-0.5 < x1) & (x1 < 0.5)),
    ("x1 > 0 and not x2 > 0", "binary", (x1 > 0) & ~(x2 > 0)),
    ("x1 > 0.5 or x2 < -0.5 and x1 < 0", "binary", (x1 > 0.5) | ((x2 < -0.5) & (x1 < 0))),
    ("(x1 > 0) + (x2 > 0)", "regression", (x1 > 0).astype(float) + (x2 > 0).astype(float)),
    ("2*pi*x1 - e", "regression", 2 * np.pi * x1 - np.e),
    ("-x1**2", "regression", -(x1 ** 2)),
    ("x1 ** -2 > 4", "binary", x1 ** -2.0 > 4),
    ("x1 ** (1/2) > 0.3 if False else abs(x1) ** 0.5 > 0.3", None, None),  # refused below: if-else
    ("min(x1, x2) > 0 or abs(x1) < .1", "binary", (np.minimum(x1, x2) > 0) | (np.abs(x1) < 0.1)),
    ("max(x1, x2) - hypot(x1, x2)", "regression", np.maximum(x1, x2) - np.hypot(x1, x2)),
    ("atan2(x2, x1) > 1", "binary", np.arctan2(x2, x1) > 1),
    ("x1 % 0.5 < 0.25", "binary", x1 % 0.5 < 0.25),
    ("floor(4*x1) + sign(x2) * sqrt(abs(x2))", "regression", np.floor(4 * x1) + np.sign(x2) * np.sqrt(np.abs(x2))),
    ("exp(x1) * cos(x2) / (2 + tanh(x1 * x2))", "regression", np.exp(x1) * np.cos(x2) / (2 + np.tanh(x1 * x2))),
    ("log(x1 + 2) != tan(x2)", "binary", np.log(x1 + 2) != np.tan(x2)),
    ("x2 > 1/x1", "binary", x2 > 1 / x1),
    ("1e-3 * x1 == 0.001 * x1", "binary", 1e-3 * x1 == 0.001 * x1),
]


@pytest.mark.parametrize("text,task,want", [e for e in EXAMPLES if e[1]], ids=lambda v: v if isinstance(v, str) else "")
def test_the_examples_compute_what_numpy_computes(text, task, want):
    f = parse(text)
    assert isinstance(f, Formula) and f.task == task and f.text == text
    got = f.evaluate(X)
    assert got.shape == (len(X),) and got.dtype == np.float64
    np.testing.assert_allclose(got, want.astype(np.float64), rtol=1e-12, atol=1e-12)
    labels = f.labels(X)
    if task == "binary":
        assert labels.dtype == np.int64 and set(np.unique(labels)) <= {0, 1} and f.n_classes == 2
        assert np.array_equal(labels, want.astype(np.int64))
    else:
        assert labels.dtype == np.float64 and f.n_classes == 0


def test_blanks_around_and_inside_are_fine():
    assert parse("  x1 *x2>0 ").text == "x1 *x2>0"
    assert np.array_equal(parse("  x1 *x2>0 ").evaluate(X), parse("x1*x2 > 0").evaluate(X))


def test_constant_parts_are_worked_out_once_as_numpy_would():
    f = parse("x1 * (2 * 3) + 2 ** 3 + pi")
    assert f.code() == f"((x1 * 6.0) + 8.0) + {np.pi!r}"  # every operation in parentheses: read as computed
    assert parse("9**9 * x1").code() == "387420489.0 * x1"  # a float, never a Python integer
    assert parse("x1 ** (1/2)").code() == "x1 ** 0.5"


def test_evaluate_wants_points_of_two_columns():
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        parse("x1 > 0").evaluate(np.zeros((3, 3)))
    assert parse("x1 > 0").evaluate(np.zeros((0, 2))).shape == (0,)


def test_a_formula_without_x1_or_x2_evaluates_everywhere_but_check_refuses_it():
    assert np.array_equal(parse("3").evaluate(X[:4]), [3.0] * 4)
    with pytest.raises(FormulaError, match="neither x1 nor x2"):
        check_formula("2 * pi")
    with pytest.raises(FormulaError, match="neither x1 nor x2"):
        check_formula("1 < 2")


# ---------------------------------------------------------------- what it refuses
REFUSED = [  # (text, a piece of the message)
    ("__import__('os')", "__import__('os'): only these functions: sin, cos"),
    ("__import__('os').system('ls')", "attribute access is not allowed"),
    ("x1.__class__", "x1.__class__: attribute access is not allowed"),
    ("x1.__class__.__bases__[0].__subclasses__()", "attribute access is not allowed"),
    ("lambda: 1", "lambda: 1: lambda is not allowed"),
    ("(lambda: x1)()", "only these functions"),
    ("x1 ** 99999", "x1 ** 99999: the exponent 99999 is too large"),
    ("9**9**9", "9**9**9: the exponent 9**9 is too large"),
    ("10**10**10 > x1", "the exponent 10**10 is too large"),
    (f"x1 ** {MAX_POWER + 1}", "too large"),
    (f"x1 ** -{MAX_POWER + 1}", "too large"),
    ("2 ** x1", "the exponent x1 depends on x1 or x2"),
    ("x1 ** x2", "depends on x1 or x2"),
    ("sin(" * (MAX_DEPTH + 1) + "x1" + ")" * (MAX_DEPTH + 1), f"nests deeper than {MAX_DEPTH}"),
    ("-" * (MAX_DEPTH + 5) + "x1", f"nests deeper than {MAX_DEPTH}"),
    ("1<" * (MAX_NODES - 1) + "x1", f"more than {MAX_NODES} parts"),
    ("x1+" * 70 + "x1", f"longer than {MAX_LENGTH} characters"),
    ("(" * 150 + "x1" + ")" * 150, f"longer than {MAX_LENGTH} characters"),
    ("y > 0", "y: unknown name"),
    ("X1 > 0", "X1: unknown name"),
    ("os", "os: unknown name"),
    ("'a' > x1", "'a': a string is not allowed"),
    ("b'a'", "a string is not allowed"),
    ("x1[0]", "x1[0]: indexing is not allowed"),
    ("x1[0:1]", "indexing is not allowed"),
    ("[x for x in x1]", "a comprehension is not allowed"),
    ("sum(x for x in x1)", "only these functions"),
    ("{x: 1 for x in x1}", "a comprehension is not allowed"),
    ("f'{x1}'", "an f-string is not allowed"),
    ("(y := x1)", "assignment (:=) is not allowed"),
    ("sin(x=x1)", "keyword and starred arguments are not allowed"),
    ("sin(*x1)", "keyword and starred arguments are not allowed"),
    ("max(**x1)", "keyword and starred arguments are not allowed"),
    ("min(x1)", "min takes 2 arguments"),
    ("sin(x1, x2)", "sin takes 1 argument"),
    ("np.sin(x1)", "attribute access is not allowed"),
    ("eval('1')", "only these functions"),
    ("exec('1')", "only these functions"),
    ("open('/etc/passwd')", "only these functions"),
    ("x1^2", "^ is not a power here: write x1**2"),
    ("x1 > 0 & x2 > 0", "& is not allowed: join comparisons with and"),
    ("x1 > 0 | x2 > 0", "| is not allowed"),
    ("x1 // 2", "// is not allowed"),
    ("~x1", "~ is not allowed"),
    ("x1 @ x2", "this operator is not allowed"),
    ("x1 << 2", "this operator is not allowed"),
    ("x1 in x2", "in is not allowed"),
    ("x1 is x2", "is is not allowed"),
    ("x1 and x2", "and takes comparisons"),
    ("not x1", "not takes comparisons"),
    ("x1 if x2 > 0 else x2", "if ... else is not allowed"),
    ("(x1, x2)", "a tuple is not allowed"),
    ("[x1]", "a list is not allowed"),
    ("{x1}", "a set is not allowed"),
    ("{1: x1}", "a dict is not allowed"),
    ("True", "True is not allowed"),
    ("None > x1", "None is not allowed"),
    ("1j * x1", "a complex number is not allowed"),
    ("1e400 * x1", "numbers must lie within"),
    ("10000000 * x1", "numbers must lie within"),
    ("1" * 150 + " * x1", "numbers must lie within"),
    ("...", "Ellipsis is not allowed"),
    ("1/0 + x1", "1/0 is infinite"),
    ("(-8) ** (1/3) * x1", "is not a number"),
    ("import os", "not a formula"),
    ("x1 = 1", "not a formula"),
    ("x1 > 0; x2", "not a formula"),
    ("x1 +", "not a formula"),
    ("", "the formula is empty"),
    ("   ", "the formula is empty"),
    ("x1 > 0 # '''", "a comment"),
    ("(x1 >\n 0)", "a line break"),
    ("x1\x00", "a line break or control character"),
    ("x1 \\\n > 0", "a backslash"),
    ("await x1", "await is not allowed"),
    ("(yield x1)", "yield is not allowed"),
]


@pytest.mark.parametrize("text,needle", REFUSED, ids=[t[:30] for t, _ in REFUSED])
def test_refusals_name_the_part(text, needle):
    with pytest.raises(FormulaError) as e:
        parse(text)
    assert needle in str(e.value)
    assert len(str(e.value)) < 300


def test_the_if_else_example_is_refused():
    with pytest.raises(FormulaError, match="if ... else"):
        parse(next(t for t, task, _ in EXAMPLES if task is None))


def test_limits_are_inclusive():
    assert parse("sin(" * (MAX_DEPTH - 1) + "x1" + ")" * (MAX_DEPTH - 1))  # MAX_DEPTH deep, the name included
    assert parse("1<" * (MAX_NODES - 2) + "x1")  # MAX_NODES parts, the comparison included
    assert parse("x1 >" + " " * (MAX_LENGTH - 5) + "0")  # MAX_LENGTH characters
    assert parse(f"x1 ** {MAX_POWER}") and parse(f"x1 ** -{MAX_POWER}")
    assert parse("1000000 * x1")


def test_not_text():
    for bad in (None, 3, b"x1 > 0", ["x1"]):
        with pytest.raises(FormulaError, match="a formula is text"):
            parse(bad)


# ---------------------------------------------------------------- over the square
@pytest.mark.parametrize("text,needle", [
    ("x1 > 5", "false everywhere on the square"),
    ("x1 < 5", "true everywhere on the square"),
    ("x1**2 >= 0", "true everywhere"),
    ("log(x1)", "log(x1) is not a number at (x1, x2) = (-1, -1)"),
    ("sqrt(x1) > 0.5", "sqrt(x1) is not a number at (x1, x2) = (-1, -1), so it cannot be compared"),
    ("1/x1", "1/x1 is infinite at (x1, x2) = (0, -1)"),
    ("x1 ** -2", "infinite at (x1, x2) = (0, -1)"),
    ("exp(1000 * x1)", "infinite at"),
    ("0 * (1/x1) > 0", "not a number at (x1, x2) = (0, -1)"),
])
def test_the_square_refuses_what_cannot_label_it(text, needle):
    parse(text)  # the text itself is allowed
    with pytest.raises(FormulaError) as e:
        check_formula(text)
    assert needle in str(e.value)


def test_no_numpy_warning_escapes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for text in ("log(x1)", "1/x1", "exp(1000 * x1)", "sqrt(x1) > 0", "x2 > 1/x1", "(-8) ** (1/3) * x1"):
            try:
                check_formula(text)
            except FormulaError:
                pass


SYMBOLS = st.sampled_from(["x1", "x2", "pi", "e", "1", "0.5", "3", "1e3", "+", "-", "*", "/", "**", "%", "<", ">",
                           "==", "!=", "<=", " and ", " or ", "not ", "(", ")", ",", *FUNCTIONS, "sin(", "min(",
                           "^", ".", "[", "]", "'", "lambda", ":", "=", "__import__", "9**9**9"])


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.text(max_size=80), st.lists(SYMBOLS, max_size=30).map("".join)))
def test_random_text_raises_nothing_but_formula_error(text):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            f = check_formula(text)
        except FormulaError:
            return
        labels = f.labels(X)  # what check_formula accepts labels the square
        assert labels.shape == (len(X),)


# ---------------------------------------------------------------- the dataset
def test_the_formula_dataset_labels_points_by_the_formula():
    d = make_dataset("formula", 400, noise=0.0, seed=2, formula="x1**2 + x2**2 < 0.5")
    assert d.task == "binary" and d.n_classes == 2 and d.y.dtype == np.int64
    assert np.all(np.abs(d.X) <= 1)
    assert np.array_equal(d.y, (d.X[:, 0] ** 2 + d.X[:, 1] ** 2 < 0.5).astype(np.int64))
    noisy = make_dataset("formula", 400, noise=0.2, seed=2, formula="x1**2 + x2**2 < 0.5")
    assert np.array_equal(noisy.y, d.y) and not np.allclose(noisy.X, d.X)  # the noise moves the points


def test_a_regression_formula_gets_its_noise_on_the_values():
    d = make_dataset("formula", 300, noise=0.0, seed=4, formula="sin(3*x1) + x2")
    assert d.task == "regression" and d.n_classes == 0 and d.y.dtype == np.float64
    np.testing.assert_allclose(d.y, np.sin(3 * d.X[:, 0]) + d.X[:, 1], rtol=1e-12)
    noisy = make_dataset("formula", 300, noise=0.1, seed=4, formula="sin(3*x1) + x2")
    assert np.array_equal(noisy.X, d.X) and 0.05 < np.std(noisy.y - d.y) < 0.2


def test_config_task_and_output_follow_the_formula():
    c = Config(dataset="formula", formula="sin(3*x1) + x2")
    assert (c.task, c.n_classes, c.output_kind, c.loss_name) == ("regression", 0, "linear", "mse")
    c = c.replace(formula="x1 > x2")
    assert (c.task, c.n_classes, c.output_kind, c.loss_name) == ("binary", 2, "sigmoid", "bce")
    exp = build(c.replace(epochs=200, samples=200))
    exp.trainer.fit(200)
    assert exp.trainer.history[-1].train_acc > 0.9  # a line: easy


def test_config_refuses_a_bad_formula_naming_the_setting():
    for bad in ("x1 > 5", "x1.__class__", "lambda: 1"):
        with pytest.raises(ConfigError, match="^formula: "):
            Config(dataset="formula", formula=bad).check()
    Config(dataset="circles", formula="x1 > 0").check()  # another dataset's formula is still checked...
    with pytest.raises(ConfigError, match="formula"):
        Config(dataset="circles", formula="__import__('os')").check()  # ...so that no door lets one in


# ---------------------------------------------------------------- as NumPy code, and never as Python
@pytest.mark.skipif(sys.platform == "emscripten", reason="emscripten (Pyodide) has no processes to start")
def test_the_code_computes_what_evaluate_computes_bit_for_bit(tmp_path):
    texts = [t for t, task, _ in EXAMPLES if task] + ["3 + 0 * x1"]
    program = ["import json, sys", "import numpy as np", "X = np.array(json.load(sys.stdin))",
               "x1, x2 = X[:, 0], X[:, 1]", "out = []"]
    program += [f"out.append(np.asarray({parse(t).code()}, dtype=np.float64).tolist())" for t in texts]
    program.append("print(json.dumps(out))")
    script = tmp_path / "codes.py"
    script.write_text("\n".join(program) + "\n", encoding="utf-8")
    run = subprocess.run([sys.executable, str(script)], input=json.dumps(X.tolist()), capture_output=True,
                         text=True, check=True)
    for text, got in zip(texts, json.loads(run.stdout)):
        assert np.array_equal(np.array(got), parse(text).evaluate(X)), text


def test_the_engine_never_evaluates_text_or_pickles():
    """No eval, exec, compile, __import__ or pickle anywhere in the engine."""
    for path in sorted((ROOT / "nn_core").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                assert node.id not in ("eval", "exec", "compile", "__import__"), (path.name, node.id)
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not any(n.split(".")[0] in ("pickle", "marshal", "shelve", "dill") for n in names), path.name

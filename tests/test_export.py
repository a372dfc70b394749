"""The exported script: NumPy only, only its experiment's pieces, and the engine's final losses to 1e-9.

The scripts run in processes of their own (at the lowest priority). What keeps the script's pieces in
step with the engine: every registry name has a piece, the pieces agree with the engine's functions
at extreme values, and a matrix of experiments using every piece ends where the engine does.
"""

import ast
import inspect
import io
import math
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nn_core import (
    ACTIVATIONS,
    DATASETS,
    FEATURES,
    LOSSES,
    OPTIMIZERS,
    OUTPUTS,
    TUTORIAL,
    Config,
    build,
    export,
    feature_matrix,
    make_dataset,
    make_optimizer,
    reference,
    train_test_split,
)
from nn_core.cli import config_from_args, parser, run
from nn_core.datasets import SOURCE_DEFAULTS
from nn_core.formula import check_formula
from nn_core.network import INIT_SCHEMES, Architecture, Network, add_penalty_grad
from nn_core.recipe import Recipe
from nn_core.settings import loss_options, output_options
from nn_core.userdata import parse_points

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(sys.platform == "emscripten", reason="emscripten (Pyodide) has no processes to start")


# ---------------------------------------------------------------- the matrix
def _pairings(task: str) -> list[tuple[str, str]]:
    """Every (output, loss) a dataset of ``task`` can train with."""
    dataset = next(name for name, spec in DATASETS.items() if spec.task == task)
    values = Config(dataset=dataset).values()
    return [(o, l) for o in output_options(values)[1:]
            for l in loss_options({**values, "output": o})[1:]]


def matrix() -> list[Config]:
    """Every dataset, with the other choices cycling so that every piece is used at least once."""
    acts, opts, inits = list(ACTIVATIONS), list(OPTIMIZERS), list(INIT_SCHEMES)
    feature_sets = [("x1", "x2"), tuple(FEATURES), ("x1^2", "x2^2", "x1*x2"), ("sin(x1)", "sin(x2)", "x1")]
    lr = {"gd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adam": 0.02}
    counts = {}
    cases = []
    for i, (name, spec) in enumerate(DATASETS.items()):
        pairs = _pairings(spec.task)
        k = counts[spec.task] = counts.get(spec.task, -1) + 1
        output, loss = pairs[k % len(pairs)]
        act = acts[i % len(acts)]
        two = i % 3 == 2  # every third case: two hidden layers, each its own activation
        opt = opts[i % len(opts)]
        cases.append(Config(
            dataset=name, samples=41 + i, test_ratio=(0.0, 0.3, 0.25)[i % 3], data_seed=i, seed=2 * i + 1,
            features=feature_sets[i % len(feature_sets)], hidden=(5, 4) if two else (6,),
            activations=(act, acts[(i + 4) % len(acts)]) if two else (act,), output=output, loss=loss,
            init=inits[i % len(inits)], optimizer=opt, lr=lr[opt] / (10 if loss == "sse" else 1), momentum=0.8,
            beta1=0.85, beta2=0.99, eps=1e-7,
            batch_size=(0, 8, 7, 1000, 0)[i % 5], l1=(0.0, 0.001, 0.0, 0.002)[(i // 2) % 4],
            l2=(0.0, 0.0, 0.01, 0.005)[(i // 2) % 4], epochs=12 + i,
        ))
    cases += [
        Config(),  # the default experiment, its 300 epochs
        TUTORIAL.replace(epochs=500),
        Config(dataset="blobs", hidden=(), samples=50, noise=0.5, epochs=20),  # no hidden layer
        Config(dataset="moons", samples=64, test_ratio=0.25, batch_size=16, epochs=15),  # 48 points: 3 batches
        Config(dataset="blobs3", samples=45, epochs=10),  # softmax and its cross-entropy on three classes
        Config(dataset="spiral3", samples=60, epochs=0),  # no epoch: the start
    ]
    return cases


MATRIX = matrix()


def case_id(c: Config) -> str:
    return "-".join([c.dataset, *c.layer_activations, c.output_kind, c.loss_name, c.optimizer, f"e{c.epochs}"])


def test_the_matrix_uses_every_piece():
    kinds = {
        "dataset": ({c.dataset for c in MATRIX}, set(DATASETS)),
        "activation": ({a for c in MATRIX for a in c.layer_activations}, set(ACTIVATIONS)),
        "output/loss": ({(DATASETS[c.dataset].task, c.output_kind, c.loss_name) for c in MATRIX},
                        {(t, o, l) for t in ("binary", "multiclass", "regression") for o, l in _pairings(t)}),
        "optimizer": ({c.optimizer for c in MATRIX}, set(OPTIMIZERS)),
        "init": ({c.init for c in MATRIX}, set(INIT_SCHEMES)),
        "feature": ({f for c in MATRIX for f in c.features}, set(FEATURES)),
        "batches": ({_batches(c) for c in MATRIX}, {"full", "ragged", "even", "larger than the training set"}),
        "penalty": ({(c.l1 > 0, c.l2 > 0) for c in MATRIX}, {(a, b) for a in (False, True) for b in (False, True)}),
        "test set": ({c.test_ratio > 0 and not DATASETS[c.dataset].fixed for c in MATRIX}, {True, False}),
        "hidden layers": ({len(c.hidden) for c in MATRIX}, {0, 1, 2}),
    }
    for kind, (used, every) in kinds.items():
        assert used == every, f"the matrix misses a {kind}: {every - used}"
    assert len({c.layer_activations for c in MATRIX if len(set(c.layer_activations)) > 1}) >= 3


def _batches(c: Config) -> str:
    n = len(build(c).train)
    if not c.batch_size:
        return "full"
    if c.batch_size >= n:
        return "larger than the training set"
    return "even" if n % c.batch_size == 0 else "ragged"


# ---------------------------------------------------------------- running a script
def run_script(text: str, tmp_path) -> subprocess.CompletedProcess:
    path = tmp_path / "run.py"
    path.write_text(text, encoding="utf-8")
    return subprocess.run(["nice", "-n", "19", sys.executable, str(path)], capture_output=True, text=True,
                          cwd=tmp_path, stdin=subprocess.DEVNULL, timeout=120)


def results(stdout: str) -> dict:
    """The script's closing lines, ``name: value``, as numbers: accuracies as (hits, points)."""
    found = {}
    for line in stdout.splitlines():
        name, _, value = line.partition(": ")
        if name == "epochs":
            found[name] = int(value)
        elif name in ("train loss", "test loss"):
            found[name] = float(value)
        elif name in ("train accuracy", "test accuracy"):
            hits, points = re.fullmatch(r"\d+\.\d% \((\d+) of (\d+) points\)", value).groups()
            found[name] = (int(hits), int(points))
    return found


def engine_results(c: Config) -> dict:
    """What the engine ends at, in the script's terms: the last epoch's record (the start without one)."""
    exp = build(c)
    tr = exp.trainer.fit(c.epochs)
    if tr.history:
        r = tr.history[-1]
        epoch, train_loss, train_acc, test_loss, test_acc = r.epoch, r.train_loss, r.train_acc, r.test_loss, r.test_acc
    else:
        epoch, (train_loss, train_acc) = 0, tr.evaluate(exp.train)
        test_loss, test_acc = tr.evaluate(exp.test) if len(exp.test) else (None, None)
    found = {"epochs": epoch, "train loss": train_loss}
    if len(exp.test):
        found["test loss"] = test_loss
    for part, acc, data in (("train", train_acc, exp.train), ("test", test_acc, exp.test)):
        if acc is not None and len(data):
            found[f"{part} accuracy"] = (round(acc * len(data)), len(data))
    return found, tr.divergence


def assert_same(got: dict, want: dict) -> None:
    assert got.keys() == want.keys()
    for name, value in want.items():
        if isinstance(value, float):
            assert math.isclose(got[name], value, rel_tol=1e-9, abs_tol=0.0), (name, got[name], value)
        else:
            assert got[name] == value, name


@pytest.mark.parametrize("c", MATRIX, ids=case_id)
def test_the_script_ends_at_the_engines_losses(c, tmp_path):
    p = run_script(export.script(c), tmp_path)
    assert p.returncode == 0 and p.stderr == "", p.stderr
    want, divergence = engine_results(c)
    assert divergence is None
    assert_same(results(p.stdout), want)


@pytest.mark.parametrize("c", [
    Config(samples=400, hidden=(16, 16), batch_size=8, lr=0.05, epochs=60),
    Config(samples=400, hidden=(16, 16), batch_size=70, lr=0.1, epochs=100),  # 70 values a sigmoid: nn_core's exp form
], ids=["batches-of-8", "batches-of-70"])
def test_a_chaotic_run_ends_where_the_engines_does(c, tmp_path):
    """In these runs a difference in the last bit grows past 1e-9 (with X @ W + b and db = dZ.sum(0) in place of
    the bias trick, the first script ended 18% away): the script's sums must be the engine's, in its order."""
    nudged = build(c)
    nudged.network.params[0] = np.nextafter(nudged.network.params[0], np.inf)
    nudged.trainer.parameters_changed()
    nudged_loss = nudged.trainer.fit(c.epochs).history[-1].train_loss
    want, _ = engine_results(c)
    assert not math.isclose(nudged_loss, want["train loss"], rel_tol=1e-8)  # chaotic indeed
    p = run_script(export.script(c), tmp_path)
    assert p.returncode == 0
    assert_same(results(p.stdout), want)


@pytest.mark.parametrize("c, epoch, reason", [
    (Config(dataset="plane", samples=60, hidden=(8,), activations=("relu",), optimizer="gd", lr=0.08, loss="sse",
            epochs=200), 7, "exploded"),
    (Config(dataset="plane", samples=60, hidden=(8,), activations=("linear",), optimizer="gd", lr=5.0, loss="sse",
            batch_size=7, epochs=100), 1, "nan"),
])
def test_a_diverging_script_stops_where_the_engine_does(c, epoch, reason, tmp_path):
    p = run_script(export.script(c), tmp_path)
    want, divergence = engine_results(c)
    assert (divergence.epoch, divergence.reason) == (epoch, reason)  # the case still diverges as meant
    assert p.returncode == 1
    assert p.stderr.startswith(f"training stopped: the loss reached {'nan' if reason == 'nan' else ''}")
    assert f"at epoch {epoch}: try a lower learning rate (the results are those of epoch {epoch - 1})" in p.stderr
    assert_same(results(p.stdout), want)


# ---------------------------------------------------------------- what a script holds
def imports(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
    return names


@pytest.mark.parametrize("c", MATRIX, ids=case_id)
def test_the_script_imports_numpy_only(c):
    text = export.script(c)
    assert text.isascii()
    tree = ast.parse(text)
    assert imports(tree) == {"numpy"}
    assert not any(isinstance(n, ast.Name) and n.id in ("eval", "exec", "__import__") for n in ast.walk(tree))


def defined(text: str) -> set[str]:
    return {n.name for n in ast.parse(text).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}


def test_the_script_holds_only_its_experiments_pieces():
    names = defined(export.script(Config()))  # circles, tanh, sigmoid output and bce, adam, full batch
    assert {"circles", "balanced_labels", "split", "tanh", "tanh_derivative", "sigmoid", "sigmoid_targets", "bce",
            "cross_entropy_delta", "xavier_init", "Network", "with_ones", "Adam", "full_batch", "train",
            "sigmoid_accuracy", "main"} <= names
    others = {*ACTIVATIONS, *(f"{a}_derivative" for a in ACTIVATIONS), "GradientDescent", "Momentum", "Nesterov",
              "features", "Penalty", "sigmoid_backward", "MiniBatches", "moons", "normal_init", "he_init", "sse",
              "softmax", "softmax_targets", "x1", "x2"} - {"tanh", "tanh_derivative", "sigmoid"}
    assert not names & others
    text = export.script(Config(dataset="spiral3", test_ratio=0.0, features=("x1", "x1*x2"), hidden=(4, 4),
                                activations=("relu", "silu"), loss="mse", optimizer="gd", batch_size=10, l2=0.1))
    names = defined(text)
    assert {"features", "x1", "x1_times_x2", "relu", "relu_derivative", "silu", "silu_derivative", "sigmoid",
            "softmax", "softmax_backward", "mse", "mse_delta", "Penalty", "GradientDescent", "MiniBatches",
            "softmax_accuracy", "spiral", "balanced_labels"} <= names
    assert not names & {"split", "tanh", "sigmoid_derivative", "Adam", "Momentum", "full_batch", "x2"}
    assert "L1 = " not in text and "L2 = 0.1" in text and "BATCH_SIZE = 10" in text
    regression = export.script(Config(dataset="plane", hidden=(), batch_size=5000))  # a batch beyond the data: full
    names = defined(regression)
    assert not names & {"sigmoid_accuracy", "softmax_accuracy", "sigmoid", "tanh", "MiniBatches", "balanced_labels"}
    assert {"plane", "linear", "linear_targets", "mse", "mse_delta", "linear_backward", "full_batch"} <= names
    assert "BATCH_SIZE" not in regression and "hidden = []" in regression


def header_command(text: str) -> list[str]:
    doc = ast.get_docstring(ast.parse(text))
    block = doc.split("final losses of\n\n", 1)[1].split("\n\n", 1)[0]
    return shlex.split(block.replace("\\\n", " "))


@pytest.mark.parametrize("c", MATRIX, ids=case_id)
def test_the_header_names_the_experiment_and_its_command(c):
    text = export.script(c)
    words = header_command(text)
    assert words[:4] == ["python", "-m", "nn_core", "train"]
    assert config_from_args(parser().parse_args(words[3:])) == c
    assert shlex.join(words) == export.train_command(c)
    doc = ast.get_docstring(ast.parse(text))
    table = dict(line.split(None, 1) for line in doc.split("The experiment:\n\n", 1)[1].splitlines())
    assert table["dataset"].startswith(f"{c.dataset}, ") and table["epochs"] == str(c.epochs)
    assert table["optimizer"].startswith(c.optimizer) and c.loss_name in table["loss"]
    assert all(len(line) <= 120 for line in text.splitlines())


# ---------------------------------------------------------------- the pieces against the engine's
Z = [-1000.0, -750.0, -40.0, -10.5, -3.0, -0.7, -1e-9, 0.0, 1e-9, 0.3, 2.0, 9.99, 25.0, 700.0, 1000.0]


def test_every_registry_name_has_a_piece():
    for name in ACTIVATIONS:
        assert export.piece(name) and export.piece(f"{name}_derivative"), name
    for name, loss in LOSSES.items():
        assert export.piece(name) and export.piece(loss.delta.__name__), name
    for name in OUTPUTS:
        assert export.piece(name) and export.piece(f"{name}_backward") and export.piece(f"{name}_targets"), name
    assert {n for n in OUTPUTS if hasattr(reference, f"{n}_accuracy")} == {"sigmoid", "softmax"}
    for name in INIT_SCHEMES:
        assert export.piece(f"{name}_init")
    for name, cls in OPTIMIZERS.items():  # its constructor takes the layers and the optimizer's hyperparameters
        assert list(inspect.signature(export.optimizer_piece(name)).parameters) == ["params", *cls.hyperparameters]
    for name, spec in DATASETS.items():  # the engine draws them with the reference's own pieces
        assert spec.source or export.piece(spec.make.__name__) is spec.make, name
    assert all(export.piece(f.__name__) is f for f in FEATURES.values())
    with pytest.raises(KeyError):
        export.piece("_no_such_piece")


def test_activations_agree_with_the_engine():
    z = np.array(Z)
    for name, act in ACTIVATIONS.items():
        f, df = export.piece(name), export.piece(f"{name}_derivative")
        a = act.value(z.copy())
        np.testing.assert_allclose(f(z.copy()), a, rtol=1e-13, atol=0, err_msg=name)  # no warning either
        np.testing.assert_allclose(df(z.copy(), f(z.copy())), np.asarray(act.derivative(z.copy(), a.copy()),
                                   dtype=np.float64), rtol=1e-13, atol=0, err_msg=name)


def test_sigmoid_is_the_engines_bit_for_bit():
    """The sigmoid feeds every step of a sigmoid output, so it must be the engine's to the last bit, at every size."""
    rng = np.random.default_rng(9)
    arrays = [np.array([Z]), *(rng.normal(0, 30, shape) for shape in [(64, 1), (65, 1), (8, 8), (13, 5), (300, 3)])]
    arrays[-1][:2] = [[-1000.0, 800.0, -710.0], [710.0, 0.0, -745.5]]
    for a in arrays:
        assert np.array_equal(reference.sigmoid(a.copy()), ACTIVATIONS["sigmoid"].value(a.copy())), a.shape


def test_outputs_and_losses_agree_with_the_engine():
    rng = np.random.default_rng(5)
    for o, l in sorted({(o, l) for t in ("binary", "multiclass", "regression") for o, l in _pairings(t)}):
        k = 3 if o == "softmax" else 1
        z = rng.normal(0, 1, (6, k)) * np.array([1.0, 5.0, 40.0, 800.0, 0.01, 1.0])[:, None]  # logits up to 1e3
        y = np.eye(k)[rng.integers(0, k, 6)] if o == "softmax" else rng.integers(0, 2, (6, 1)).astype(float)
        output, loss, delta = export.piece(o), export.piece(l), export.piece(LOSSES[l].delta.__name__)
        p = OUTPUTS[o].value(z.copy())
        got = [output(z), loss(z, output(z), y), delta(z, output(z), y, export.piece(f"{o}_backward"))]
        want = [p, LOSSES[l].value(p, y, z), LOSSES[l].delta(p, y, z, OUTPUTS[o])]
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=0, err_msg=(o, l))


SPLITS = [(4, 0.9), (5, 0.1), (2, 0.5), (41, 0.25), (300, 0.3), (7, 0.5)]


def test_data_pieces_are_the_engines_bit_for_bit():
    """The datasets made from a setting's text (a formula, points) are the script's own pieces; the others are
    the engine's too. The split, the features, the targets and the initial weights are the engine's."""
    rng = np.random.default_rng(3)
    for text in ("x1*x2 > 0", "sin(3*x1) + x2", "x1**2 + x2**2 < 0.5", "-x1", "exp(x1) - 2 * abs(x2)"):
        want = make_dataset("formula", 37, 0.05, 3, formula=text)
        f = check_formula(text)
        scope = {"np": np}
        exec(f"def formula(x1, x2):\n    return {f.code()}\n", scope)  # the code of a checked formula
        make = reference.formula_classes if f.classes else reference.formula_values
        X, y = make(37, 0.05, np.random.default_rng(3), scope["formula"])
        assert np.array_equal(X, want.X) and np.array_equal(y, want.y) and y.dtype == want.y.dtype, text
    for text in (SOURCE_DEFAULTS["points"], "c;-.6,-.5,0;.5,.6,1;.1,.2,2", "v;1,2,3.5;-1,0.25,-2e3"):
        want = make_dataset("custom", points=text)
        X, y = (reference.points_classes if text.startswith("c") else reference.points_values)(parse_points(text).text)
        assert np.array_equal(X, want.X) and np.array_equal(y, want.y) and y.dtype == want.y.dtype, text
    for n, r in SPLITS:
        data = make_dataset("circles", n, 0.1, 0)
        train, test = reference.split(n, r, np.random.default_rng(4))
        want = train_test_split(data, r, 4)
        assert np.array_equal(data.X[train], want[0].X) and np.array_equal(data.X[test], want[1].X), (n, r)
    points = rng.normal(size=(5, 2))
    assert np.array_equal(reference.features(points, list(FEATURES.values())), feature_matrix(points, tuple(FEATURES)))
    for s in INIT_SCHEMES:
        net = Network.create(Architecture((5,), "tanh", "softmax", 2, ("x1", "x2", "x1^2")), s, 6)
        want = [np.vstack([w, b]) for w, b in net.get_params()]  # the biases as a last row
        got = export.piece(f"{s}_init")([3, 5, 2], np.random.default_rng(6))
        assert len(got) == len(want) and all(map(np.array_equal, got, want)), s
    y, labels = rng.normal(size=7), rng.integers(0, 3, 7)
    for o, yy, k in (("sigmoid", labels % 2, 1), ("softmax", labels, 3), ("linear", y, 1)):
        want = Recipe(o, k, OUTPUTS[o].loss, "gd").targets(yy)
        assert np.array_equal(export.piece(f"{o}_targets")(yy, k), want) and want.dtype == np.float64, o


def test_optimizers_step_as_the_engines():
    rng = np.random.default_rng(8)
    params, grads = rng.normal(size=(2, 4)), rng.normal(size=(5, 2, 4))  # two arrays of 4 parameters, 5 steps
    settings = {"lr": 0.05, "momentum": 0.7, "beta1": 0.8, "beta2": 0.95, "eps": 1e-6}
    for name, cls in OPTIMIZERS.items():
        layers = [row.copy() for row in params]
        piece = export.optimizer_piece(name)(layers, *(settings[h] for h in cls.hyperparameters))
        optimizer, flat = make_optimizer(name, **settings), params.reshape(-1).copy()
        for g in grads:
            piece.step(layers, [row.copy() for row in g])
            optimizer.step(flat, g.reshape(-1).copy())
        assert np.array_equal(np.array(layers).reshape(-1), flat), name


def test_penalties_are_the_engines_bit_for_bit():
    rng = np.random.default_rng(2)
    net = Network.create(Architecture((4,), "tanh", "sigmoid"), "xavier", 1)
    net.params[[0, 5]] = 0.0  # the gradient of |w| at 0 is 0
    grad = rng.normal(size=net.params.size)
    for l1, l2 in ((0.01, 0.0), (0.0, 0.2), (0.003, 0.05)):
        want = grad.copy()
        add_penalty_grad(want, net.params, net.weight_mask, l1, l2)
        got = [g.copy() for g in net.grad_views(grad)]
        reference.Penalty(l1, l2)([layer.copy() for layer in net.grad_views(net.params)], got)
        assert np.array_equal(np.concatenate([g.ravel() for g in got]), want), (l1, l2)


# ---------------------------------------------------------------- the command line
def cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


FLAGS = ["--dataset", "moons", "--samples", "80", "--features", "x1", "x2", "x1*x2", "--hidden", "4",
         "--activation", "elu", "--optimizer", "momentum", "--batch-size", "16", "--l2", "0.001", "--epochs", "9"]


def test_the_command_writes_or_prints_the_script(tmp_path):
    want = export.script(Config(dataset="moons", samples=80, features=("x1", "x2", "x1*x2"), hidden=(4,),
                                activations=("elu",), optimizer="momentum", batch_size=16, l2=0.001, epochs=9))
    path = tmp_path / "run.py"
    code, out, err = cli("export-script", *FLAGS, "--out", str(path))
    assert (code, err) == (0, "") and out == f"wrote {path}\n"
    assert path.read_text(encoding="utf-8") == want
    code, out, err = cli("export-script", *FLAGS)
    assert (code, err, out) == (0, "", want)
    assert header_command(want)[4:] == FLAGS


def test_the_module_prints_a_script_that_runs(tmp_path):
    p = subprocess.run(["nice", "-n", "19", sys.executable, "-m", "nn_core", "export-script", *FLAGS],
                       capture_output=True, text=True, cwd=ROOT,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0 and p.stderr == ""
    ran = run_script(p.stdout, tmp_path)
    assert ran.returncode == 0 and results(ran.stdout)["epochs"] == 9


@pytest.mark.parametrize("argv,needle", [
    (["--lr", "abc"], "--lr must be a number, not 'abc'"),
    (["--dataset", "spiral3", "--loss", "bce"], "--loss cannot be 'bce' here"),
    (["--hidden", "8", "8", "--activation", "relu", "tanh", "relu"], "one per hidden layer"),
    (["--save", "m.json"], "unrecognized arguments: --save"),
    (["--resume", "m.json"], "unrecognized arguments: --resume"),
    (["--out"], "expected one argument"),
    (["--out", "/nonexistent-dir/run.py"], "cannot write /nonexistent-dir/run.py: No such file or directory"),
])
def test_bad_arguments_one_line_exit_2(argv, needle, tmp_path):
    code, out, err = cli("export-script", *argv)
    assert code == 2 and out == ""
    assert needle in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_directory_is_no_script(tmp_path):
    code, _, err = cli("export-script", "--out", str(tmp_path))
    assert code == 2 and err.startswith("python -m nn_core: error: cannot write ") and len(err.splitlines()) == 1


def test_the_function_takes_a_checked_config():
    with pytest.raises(TypeError, match="nn_core.Config"):
        export.script({"dataset": "xor"})
    with pytest.raises(ValueError, match="lr"):
        export.script(Config(lr=-1.0))


def test_a_config_of_numpy_scalars_exports_a_script_that_runs(tmp_path):
    """Config(hidden=(np.int8(64),) * 2) passed check() but its script said np.int8(64) and crashed: the checked
    config holds plain numbers, and its script ends where the engine does."""
    from test_settings import numpy_config

    c = numpy_config()
    text = export.script(c)
    assert not re.search(r"np\.u?(int|float)\d+\(", text) and "HIDDEN = [64, 3]" in text  # no np.int8(64)
    p = run_script(text, tmp_path)
    assert p.returncode == 0 and p.stderr == "", p.stderr
    want, _ = engine_results(c.check())
    assert_same(results(p.stdout), want)

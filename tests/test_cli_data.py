"""The command line on a person's data: --data FILE.csv and --formula, good and bad."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from nn_core import Config, build, read_model
from nn_core.cli import run
from nn_core.userdata import MAX_POINTS, read_csv

ROOT = Path(__file__).resolve().parents[1]
NO_PROCESSES = pytest.mark.skipif(sys.platform == "emscripten", reason="emscripten (Pyodide) has no processes")
ROWS = ["x1,x2,label"] + [f"{100 + 3 * i},{(i * 37) % 50},{1 if (i * 37) % 50 > 25 else -1}" for i in range(60)]


def cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = run([str(a) for a in argv], out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def data_file(tmp_path) -> Path:
    path = tmp_path / "points.csv"
    path.write_text("\n".join(ROWS) + "\n", encoding="utf-8")
    return path


def test_train_on_a_csv_file(data_file):
    code, out, err = cli("train", "--data", data_file, "--hidden", "4", "--epochs", "30", "--quiet")
    assert code == 0, err
    data = read_csv(data_file.read_bytes())
    for note in data.notes:  # each once, named by the file
        assert out.count(note) == 1 and f"{data_file}: {note}" in out
    assert "The classes -1, 1 are relabelled 0, 1." in out and "scaled by 1/88.5" in out
    assert "custom: 42 training and 18 test points; network 2-4-1" in out
    exp = build(Config(dataset="custom", points=data.text, hidden=(4,), epochs=30))
    exp.trainer.fit(30)
    assert f"train loss {exp.trainer.history[-1].train_loss:.6g}" in out


def test_the_model_file_keeps_the_points_and_resumes_on_them(data_file, tmp_path):
    model = tmp_path / "m.json"
    assert cli("train", "--data", data_file, "--epochs", "10", "--quiet", "--save", model)[0] == 0
    training = read_model(model).training
    assert training["dataset"] == "custom" and training["points"] == read_csv(data_file.read_bytes()).text
    code, out, err = cli("train", "--resume", model, "--epochs", "10", "--quiet")
    assert code == 0 and "resuming" in out and "custom: 42 training and 18 test points" in out, err


@pytest.mark.parametrize("contents,needle", [
    ("x1,x2,label\n1,2,0\n3,abc,1\n", "row 3, column 2 (x2): 'abc' is not a number"),
    ("", "the file is empty"),
    ("1,2,1\n3,4,1\n", "one class only"),
    ("1,2,0\n3;4;1\n", "row 2 has semicolons but row 1 is separated by commas"),
    ("1,2,0\n3,4,nan\n", "row 2, column 3 (label or value): NaN"),
])
def test_a_bad_file_ends_with_one_line_and_status_2(tmp_path, contents, needle):
    path = tmp_path / "bad.csv"
    path.write_text(contents, encoding="utf-8")
    code, out, err = cli("train", "--data", path, "--epochs", "5")
    assert code == 2 and out == ""
    assert err == f"python -m nn_core: error: {path}: {err.split(': ', 3)[-1]}" and needle in err
    assert err.count("\n") == 1


def test_a_binary_or_missing_file(tmp_path):
    path = tmp_path / "picture.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    code, out, err = cli("train", "--data", path)
    assert code == 2 and "a binary file, not CSV text: row 3 holds a NUL byte" in err and err.count("\n") == 1
    code, _, err = cli("train", "--data", tmp_path / "nope.csv")
    assert code == 2 and "cannot read" in err and "nope.csv" in err


def test_the_command_line_takes_up_to_100000_rows(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("".join(f"{i % 97},{i % 89},{i % 2}\n" for i in range(MAX_POINTS + 1)), encoding="utf-8")
    code, _, err = cli("train", "--data", path, "--epochs", "1", "--quiet")
    assert code == 2 and f"row {MAX_POINTS + 1}: more than 100,000 rows of data" in err


def test_data_and_its_dataset(data_file):
    code, _, err = cli("train", "--data", data_file, "--points", "c;0,0,0;1,1,1")
    assert code == 2 and "give --data or --points, not both" in err
    code, _, err = cli("train", "--data", data_file, "--dataset", "circles")
    assert code == 2 and "--data goes with --dataset custom, not circles" in err
    assert cli("train", "--data", data_file, "--dataset", "custom", "--epochs", "1", "--quiet")[0] == 0


def test_points_on_the_command_line():
    code, out, err = cli("train", "--points", "v;0,0,1;1,1,2;.5,.5,1.5;0,1,1", "--epochs", "3", "--quiet",
                         "--test-ratio", "0")
    assert code == 0 and "custom: 4 training and 0 test points" in out and "-> linear" in out, err
    code, _, err = cli("train", "--points", "c;0,0,0;1,1,0")
    assert code == 2 and err == "python -m nn_core: error: --points: add points of two classes at least\n"
    code, _, err = cli("train", "--points", "c;0,0,25")
    assert code == 2 and "--points: point 1: '0,0,25': a class must be a whole number from 0 to 19" in err


@pytest.mark.parametrize("formula,task,output", [("x1*x2 > 0", "binary", "sigmoid"),
                                                  ("sin(3*x1) + x2", "regression", "linear"),
                                                  ("x1**2 + x2**2 < 0.5", "binary", "sigmoid")])
def test_train_on_a_formula(formula, task, output):
    code, out, err = cli("train", "--formula", formula, "--samples", "100", "--epochs", "20", "--quiet")
    assert code == 0, err
    assert f"formula {formula}: 70 training and 30 test points" in out and f"-> {output})" in out
    exp = build(Config(dataset="formula", formula=formula, samples=100, epochs=20))
    exp.trainer.fit(20)
    assert exp.config.task == task and f"train loss {exp.trainer.history[-1].train_loss:.6g}" in out


@pytest.mark.parametrize("formula,needle", [
    ("__import__('os').system('echo hi')", "--formula: __import__('os').system('echo hi'): attribute access"),
    ("x1.__class__", "--formula: x1.__class__: attribute access is not allowed"),
    ("lambda: 1", "--formula: lambda: 1: lambda is not allowed"),
    ("9**9**9", "the exponent 9**9 is too large"),
    ("x1 > 5", "false everywhere on the square"),
    ("sqrt(x1) > 0.5", "is not a number at (x1, x2) = (-1, -1)"),
])
def test_a_bad_formula_ends_with_one_line_and_status_2(formula, needle):
    code, out, err = cli("train", "--formula", formula, "--epochs", "5")
    assert code == 2 and out == "" and needle in err and err.count("\n") == 1 and err.startswith("python -m")


def test_a_formula_goes_with_its_dataset():
    code, _, err = cli("train", "--formula", "x1 > 0", "--dataset", "moons")
    assert code == 2 and "--formula goes with --dataset formula, not moons" in err
    assert cli("train", "--formula", "x1 > 0", "--dataset", "formula", "--epochs", "1", "--quiet")[0] == 0


@NO_PROCESSES
def test_odds_and_export_script_take_the_data_and_keep_stdout_to_themselves(data_file, tmp_path):
    code, out, err = cli("odds", "--data", data_file, "--seeds", "3", "--epochs", "5", "--json")
    assert code == 0 and json.loads(out)["config"]["dataset"] == "custom" and "relabelled" in err
    code, out, err = cli("export-script", "--data", data_file, "--epochs", "5")
    assert code == 0 and out.startswith('r"""Your data') and "relabelled" in err and "relabelled" not in out
    script = tmp_path / "run.py"
    script.write_text(out, encoding="utf-8")
    ran = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    exp = build(Config(dataset="custom", points=read_csv(data_file.read_bytes()).text, epochs=5))
    exp.trainer.fit(5)
    assert f"train loss: {exp.trainer.history[-1].train_loss!r}" in ran.stdout


def test_help_names_the_new_flags(capsys):
    code, _, _ = cli("train", "--help")
    out = capsys.readouterr().out  # argparse prints the help itself
    assert code == 0
    assert "--data FILE.csv" in out and "--formula TEXT" in out and "--points TEXT" in out


@NO_PROCESSES
def test_a_real_process(data_file):
    p = subprocess.run([sys.executable, "-m", "nn_core", "train", "--data", str(data_file), "--epochs", "5",
                        "--quiet"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 0 and "custom: 42 training" in p.stdout, p.stderr
    p = subprocess.run([sys.executable, "-m", "nn_core", "train", "--formula", "x1.__class__"], capture_output=True,
                       text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 2 and "attribute access is not allowed" in p.stderr and p.stdout == ""

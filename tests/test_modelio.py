import copy
import json

import numpy as np
import pytest

from nn_core import TUTORIAL, Architecture, Config, ModelFileError, Network, build, dumps, load_model, loads, save_model
from nn_core.modelio import model_to_dict


def trained():
    exp = build(Config(dataset="blobs3", samples=60, hidden=(5, 4), activations=("relu", "tanh"),
                       features=("x1", "x2", "sin(x1)"), epochs=5))
    exp.trainer.fit(5)
    return exp


def test_round_trip(tmp_path):
    exp = trained()
    path = tmp_path / "m.json"
    save_model(path, exp.network, {**exp.config.to_dict(), "epochs_trained": 5})
    net, training = load_model(path)
    assert net.arch == exp.network.arch
    assert np.array_equal(net.params, exp.network.params)  # JSON floats round-trip exactly
    assert np.array_equal(net.predict(exp.data.X), exp.network.predict(exp.data.X))
    assert training["epochs_trained"] == 5 and Config(**{k: training[k] for k in ("dataset", "lr")}).lr == 0.03


def test_documented_layout():
    exp = build(TUTORIAL)
    doc = json.loads(dumps(exp.network))
    assert doc["format"] == "nn_core.model" and doc["version"] == 1
    assert doc["architecture"] == {"features": ["x1", "x2"], "hidden": [3], "activations": ["sigmoid"],
                                   "output": "sigmoid", "n_outputs": 1}
    (W1, b1), (W2, b2) = exp.network.get_params()
    assert doc["layers"][0] == {"activation": "sigmoid", "weights": W1.tolist(), "biases": b1.tolist()}
    assert np.array(doc["layers"][0]["weights"]).shape == (2, 3)  # n_in x n_out
    assert np.array(doc["layers"][1]["weights"]).shape == (3, 1)


def good_doc():
    return model_to_dict(trained().network, {"lr": 0.1})


def broken(change):
    doc = copy.deepcopy(good_doc())
    change(doc)
    return json.dumps(doc)


BREAKAGES = {
    "not an object": lambda d: d.clear() or d.update({"format": None}),
    "wrong format": lambda d: d.update(format="keras"),
    "future version": lambda d: d.update(version=2),
    "version as text": lambda d: d.update(version="1"),
    "missing layers": lambda d: d.pop("layers"),
    "missing architecture": lambda d: d.pop("architecture"),
    "too wide": lambda d: d["architecture"].update(hidden=[65, 4]),
    "too deep": lambda d: d["architecture"].update(hidden=[2] * 9, activations=["tanh"] * 9),
    "fractional width": lambda d: d["architecture"].update(hidden=[5.5, 4]),
    "unknown activation": lambda d: d["architecture"].update(activations=["swish", "tanh"]),
    "unknown feature": lambda d: d["architecture"].update(features=["x1", "x2", "cos(x1)"]),
    "unknown output": lambda d: d["architecture"].update(output="tanh"),
    "layer count": lambda d: d["layers"].pop(),
    "row count": lambda d: d["layers"][0]["weights"].pop(),
    "ragged rows": lambda d: d["layers"][1]["weights"][0].pop(),
    "bias count": lambda d: d["layers"][2]["biases"].append(0.0),
    "string weight": lambda d: d["layers"][0]["weights"][0].__setitem__(0, "0.5"),
    "bool weight": lambda d: d["layers"][0]["biases"].__setitem__(0, True),
    "activation mismatch": lambda d: d["layers"][0].update(activation="tanh"),
    "training not object": lambda d: d.update(training=[1]),
    "layer not object": lambda d: d["layers"].__setitem__(0, [1, 2]),
}


@pytest.mark.parametrize("name", list(BREAKAGES))
def test_malformed_files_raise_clear_errors(name):
    text = broken(BREAKAGES[name]) if name != "not an object" else "[1, 2, 3]"
    with pytest.raises(ModelFileError) as e:
        loads(text)
    assert str(e.value)  # a message, not a bare exception


@pytest.mark.parametrize("text", ["", "{", '{"format": "nn_core.model", "version": 1, "arch', "\x00\x01",
                                  '{"format": "nn_core.model", "version": 1, "architecture": NaN}', "[" * 100000])
def test_truncated_or_garbage(text):
    with pytest.raises(ModelFileError):
        loads(text)


def test_non_finite_and_binary():
    doc = good_doc()
    first = doc["layers"][0]["weights"][0][0]
    text = json.dumps(doc).replace(repr(first), "Infinity", 1)
    assert "Infinity" in text
    with pytest.raises(ModelFileError, match="not a number JSON allows"):
        loads(text)
    with pytest.raises(ModelFileError, match="UTF-8"):
        loads(b"\xff\xfe\x00")
    with pytest.raises(ModelFileError, match="larger"):
        loads(b" " * 5_000_000)


def test_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match="cannot read"):
        load_model(tmp_path / "nope.json")


def test_set_params_validates():
    net = Network(Architecture((3,), "tanh", "sigmoid"))
    with pytest.raises(ValueError):
        net.set_params([(np.zeros((2, 3)), np.zeros(3))])
    with pytest.raises(ValueError):
        net.set_params([(np.zeros((2, 3)), np.zeros(3)), (np.zeros((3, 2)), np.zeros(1))])
    with pytest.raises(ValueError):
        net.set_params([(np.full((2, 3), np.nan), np.zeros(3)), (np.zeros((3, 1)), np.zeros(1))])

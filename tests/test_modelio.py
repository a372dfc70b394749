import copy
import json

import numpy as np
import pytest

from nn_core import TUTORIAL, Architecture, Config, ModelFileError, Network, build, dumps, load_model, loads, save_model
from nn_core.datasets import make_dataset
from nn_core.features import FEATURES
from nn_core.modelio import MAX_FILE_BYTES, model_to_dict, parse_model
from nn_core.optimizers import Adam
from nn_core.training import Trainer
from nn_core.userdata import MAX_POINTS, parse_points


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
    assert doc["format"] == "nn_core.model" and doc["version"] == 2 and "state" not in doc
    assert doc["architecture"] == {"features": ["x1", "x2"], "hidden": [3], "activations": ["sigmoid"],
                                   "output": "sigmoid", "n_outputs": 1}
    (W1, b1), (W2, b2) = exp.network.get_params()
    assert doc["layers"][0] == {"activation": "sigmoid", "weights": W1.tolist(), "biases": b1.tolist()}
    assert np.array(doc["layers"][0]["weights"]).shape == (2, 3)  # n_in x n_out
    assert np.array(doc["layers"][1]["weights"]).shape == (3, 1)


def good_doc():
    return model_to_dict(trained().network, {"lr": 0.1, "seed": 1, "samples": 60})


def broken(change):
    doc = copy.deepcopy(good_doc())
    change(doc)
    return json.dumps(doc)


# each way to break a file, and what the message must say
BREAKAGES = {
    "not an object": (lambda d: None, "the top level must be a JSON object"),
    "wrong format": (lambda d: d.update(format="keras"), "'format' must be 'nn_core.model'"),
    "future version": (lambda d: d.update(version=3), "version 3 is not supported (this reads versions 1, 2)"),
    "version as text": (lambda d: d.update(version="1"), "'version' must be a whole number"),
    "missing layers": (lambda d: d.pop("layers"), "missing 'layers'"),
    "missing architecture": (lambda d: d.pop("architecture"), "missing 'architecture'"),
    "too wide": (lambda d: d["architecture"].update(hidden=[65, 4]), "1 to 64 neurons, not 65"),
    "too deep": (lambda d: d["architecture"].update(hidden=[2] * 9, activations=["tanh"] * 9),
                 "at most 8 hidden layers, not 9"),
    "fractional width": (lambda d: d["architecture"].update(hidden=[5.5, 4]), "1 to 64 neurons, not 5.5"),
    "unknown activation": (lambda d: d["architecture"].update(activations=["swish", "tanh"]),
                           "unknown activation 'swish'"),
    "unknown feature": (lambda d: d["architecture"].update(features=["x1", "x2", "cos(x1)"]),
                        "unknown feature 'cos(x1)'"),
    "unknown output": (lambda d: d["architecture"].update(output="tanh"), "unknown output 'tanh'"),
    "layer count": (lambda d: d["layers"].pop(), "3 weight layers but the file holds 2"),
    "row count": (lambda d: d["layers"][0]["weights"].pop(), "layer 1 weights: expected 3 rows of 5 numbers"),
    "ragged rows": (lambda d: d["layers"][1]["weights"][0].pop(), "layer 2 weights: expected a list of 4 numbers"),
    "bias count": (lambda d: d["layers"][2]["biases"].append(0.0), "layer 3 biases: expected a list of 3 numbers"),
    "string weight": (lambda d: d["layers"][0]["weights"][0].__setitem__(0, "0.5"), "found '0.5'"),
    "bool weight": (lambda d: d["layers"][0]["biases"].__setitem__(0, True), "found True"),
    "huge weight": (lambda d: d["layers"][0]["weights"][0].__setitem__(0, 10**400), "found a 401-digit number"),
    "huge bias": (lambda d: d["layers"][1]["biases"].__setitem__(0, -(10**400)), "layer 2 biases: every entry"),
    "list among biases": (lambda d: d["layers"][0]["biases"].__setitem__(1, [1, 2]), "found [1, 2]"),
    "biases as a matrix": (lambda d: d["layers"][2]["biases"].__setitem__(slice(None), [[1, 2, 3]]),
                           "layer 3 biases: expected a list of 3 numbers"),
    "activation mismatch": (lambda d: d["layers"][0].update(activation="tanh"), "does not match the architecture"),
    "training not object": (lambda d: d.update(training=[1]), "'training' must be an object"),
    "layer not object": (lambda d: d["layers"].__setitem__(0, [1, 2]), "layer 1: must be an object"),
    "huge lr": (lambda d: d["training"].update(lr=10**400), "training: lr must lie in (0, 10], not a 401-digit"),
    "huge seed": (lambda d: d["training"].update(seed=10**400), "training: seed must lie in [0, 4,294,967,295]"),
    "huge samples": (lambda d: d["training"].update(samples=10**400), "training: samples must lie in [4, 5,000]"),
    "float seed": (lambda d: d["training"].update(seed=4.0), "training: seed must be a whole number, not 4.0"),
    "unknown dataset": (lambda d: d["training"].update(dataset="mnist"), "training: dataset cannot be 'mnist'"),
    "long optimizer": (lambda d: d["training"].update(optimizer="x" * 100_000), "optimizer cannot be 'xxxxx"),
    "bad epochs trained": (lambda d: d["training"].update(epochs_trained=-1), "epochs_trained must be"),
}


@pytest.mark.parametrize("name", list(BREAKAGES))
def test_malformed_files_raise_clear_errors(name):
    change, needle = BREAKAGES[name]
    text = broken(change) if name != "not an object" else "[1, 2, 3]"
    with pytest.raises(ModelFileError) as e:
        loads(text)
    assert needle in str(e.value) and len(str(e.value)) < 200, str(e.value)


@pytest.mark.parametrize("text", ["", "{", '{"format": "nn_core.model", "version": 1, "arch', "\x00\x01",
                                  '{"format": "nn_core.model", "version": 1, "architecture": NaN}', "[" * 100000,
                                  '{"a": ' * 50_000, '{"version": ' + "9" * 5000 + "}"])
def test_truncated_or_garbage(text):
    with pytest.raises(ModelFileError) as e:
        loads(text)
    assert len(str(e.value)) < 200


def test_deep_nesting_is_refused_before_parsing(monkeypatch):
    def no_parse(*args, **kwargs):
        raise AssertionError("parsed")

    monkeypatch.setattr("nn_core.modelio.json.loads", no_parse)
    with pytest.raises(ModelFileError, match="nest more than 16 deep"):
        loads("[" * 100_000)
    with pytest.raises(ModelFileError, match="nest more than"):
        loads('{"a": "[[[[", "b": ' + "[" * 40 + "]" * 40 + "}")


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
        loads(b" " * (MAX_FILE_BYTES + 1))


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


def test_documented_layout_of_the_state():
    exp = build(Config(dataset="moons", samples=40, hidden=(3,), optimizer="adam", batch_size=8, epochs=3))
    exp.trainer.fit(3)
    doc = json.loads(dumps(exp.network, exp.config.to_dict(), exp.trainer.state()))
    st = doc["state"]
    assert sorted(st) == ["epoch", "loss", "optimizer", "seconds", "shuffle", "start_loss"]
    assert st["epoch"] == doc["training"]["epochs_trained"] == 3 and st["loss"] == "bce"
    assert sorted(st["optimizer"]) == ["m", "name", "t", "v"] and st["optimizer"]["name"] == "adam"
    assert st["optimizer"]["t"] == 3 * 4  # 32 training points in batches of 8
    assert len(st["optimizer"]["m"]) == len(st["optimizer"]["v"]) == exp.network.arch.n_params
    assert st["shuffle"]["bit_generator"] == "PCG64" and sorted(st["shuffle"]["state"]) == ["inc", "state"]


def test_largest_model_with_adam_state_fits():
    """8 hidden layers of 64 over every feature, 20 outputs, Adam's moments: every number written at its
    longest (-d.ddddddddddddddddde-100) still fits in MAX_FILE_BYTES, with the custom dataset's most points,
    each written at its longest too, and loads back exactly."""
    arch = Architecture((64,) * 8, "tanh", "softmax", 20, tuple(FEATURES))
    net = Network.create(arch, "xavier", 0)
    data = make_dataset("spiral3", 30)
    trainer = Trainer(net, data, loss="ce", optimizer=Adam(0.01), batch_size=10)
    trainer.fit(2)
    state = trainer.state()
    rng = np.random.default_rng(1)
    longest = lambda: -(1 + rng.random(arch.n_params)) * 1e-100  # noqa: E731
    state.slots["m"][:], state.slots["v"][:], net.params[:] = longest(), -longest(), longest()
    points = "v" + ";-9.999,-9.999,-1.235e-100" * MAX_POINTS
    assert parse_points(points).text == points and len(parse_points(points)) == MAX_POINTS
    text = dumps(net, {"epochs_trained": 2, "dataset": "custom", "points": points}, state)
    assert 0.5 * MAX_FILE_BYTES < len(text.encode()) < MAX_FILE_BYTES
    model = parse_model(text)
    assert model.training["points"] == points
    assert np.array_equal(model.network.params, net.params)
    assert all(np.array_equal(model.state.slots[k], state.slots[k]) for k in ("m", "v"))

"""Model files: a network and its training settings as JSON, never pickle.

Format (version 1)::

    {
      "format": "nn_core.model",
      "version": 1,
      "architecture": {"features": ["x1", "x2"], "hidden": [3], "activations": ["sigmoid"],
                       "output": "sigmoid", "n_outputs": 1},
      "layers": [
        {"activation": "sigmoid", "weights": [[...], [...]], "biases": [...]},   # n_in x n_out, n_out
        {"activation": "sigmoid", "weights": [[...], [...], [...]], "biases": [...]}
      ],
      "training": {"dataset": "xor", "loss": "sse", "optimizer": "gd", "lr": 0.1, ..., "epochs_trained": 10000}
    }

The last layer's activation is the output kind. Loading checks everything and
raises :class:`ModelFileError` with a message naming what is wrong.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from .network import Architecture, Network
from .settings import SETTINGS, SettingError
from .text import printable, shorten, show

FORMAT = "nn_core.model"
VERSION = 1
MAX_FILE_BYTES = 4_000_000
MAX_NESTING = 16  # a model file nests 5 deep (file, layers, layer, weights, row)
MAX_EPOCHS_TRAINED = 10**12


class ModelFileError(ValueError):
    """A model file that is not valid JSON or not a valid model; the message says where."""


def model_to_dict(network: Network, training: dict | None = None) -> dict:
    """The JSON-ready dictionary for ``network`` (and optional training settings)."""
    a = network.arch
    acts = [*a.activations, a.output]
    return {
        "format": FORMAT,
        "version": VERSION,
        "architecture": {
            "features": list(a.features),
            "hidden": list(a.hidden),
            "activations": list(a.activations),
            "output": a.output,
            "n_outputs": a.n_outputs,
        },
        "layers": [
            {"activation": act, "weights": w.tolist(), "biases": b.tolist()}
            for act, (w, b) in zip(acts, network.get_params())
        ],
        "training": dict(training or {}),
    }


def dumps(network: Network, training: dict | None = None) -> str:
    return json.dumps(model_to_dict(network, training), indent=1)


def save_model(path, network: Network, training: dict | None = None) -> None:
    Path(path).write_text(dumps(network, training) + "\n", encoding="utf-8")


def _reject_constant(name):
    raise ModelFileError(f"the file holds {name}, which is not a number JSON allows")


def _nesting(text: str) -> int:
    """How deeply the JSON's lists and objects nest, counted before parsing: a parser that
    recurses would overflow the stack on 100,000 brackets (and under Pyodide, crash)."""
    code = _STRINGS.sub("", text).encode("utf-8", "replace")
    b = np.frombuffer(code, dtype=np.uint8)
    steps = np.isin(b, _OPEN).astype(np.int64) - np.isin(b, _CLOSE).astype(np.int64)
    return int(np.cumsum(steps).max()) if steps.size else 0


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_OPEN, _CLOSE = np.frombuffer(b"[{", dtype=np.uint8), np.frombuffer(b"]}", dtype=np.uint8)


def loads(text: str | bytes) -> tuple[Network, dict]:
    """(network, training settings) from a model file's text; ModelFileError if anything is off.

    The file is checked whole: its architecture, every weight and bias, and every
    setting in ``training`` by its declaration (:mod:`nn_core.settings`).
    """
    if len(text) > MAX_FILE_BYTES:
        raise ModelFileError(f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ModelFileError("the file is not UTF-8 text") from None
    if _nesting(text) > MAX_NESTING:
        raise ModelFileError(f"not a model file: lists and objects nest more than {MAX_NESTING} deep")
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        raise ModelFileError(f"not valid JSON (truncated?): {e.msg} at line {e.lineno} column {e.colno}") from None
    except ValueError as e:  # e.g. an integer of more than 4,300 digits
        raise ModelFileError(f"not a model file: {shorten(str(e), 80)}") from None
    except RecursionError:
        raise ModelFileError("not a model file: nested too deeply") from None
    return from_dict(doc)


def load_model(path) -> tuple[Network, dict]:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise ModelFileError(f"cannot read {printable(shorten(str(path), 80))}: {e.strerror}") from None
    return loads(data)


def _get(d: dict, key: str, kind, where: str) -> Any:
    if key not in d:
        raise ModelFileError(f"{where}: missing {key!r}")
    v = d[key]
    if kind is int:
        ok = isinstance(v, int) and not isinstance(v, bool)
    else:
        ok = isinstance(v, kind)
    if not ok:
        raise ModelFileError(f"{where}: {key!r} must be {_KIND_NAMES.get(kind, kind)}")
    return v


_KIND_NAMES = {dict: "an object", list: "a list", str: "a string", int: "a whole number"}


def _number(x, where: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ModelFileError(f"{where}: every entry must be a number, found {show(x)}")
    try:
        v = float(x)
    except OverflowError:
        v = math.inf
    if not math.isfinite(v):
        raise ModelFileError(f"{where}: every entry must be a finite number, found {show(x)}")
    return v


def _vector(v, n: int, where: str) -> list[float]:
    if not isinstance(v, list) or len(v) != n:
        raise ModelFileError(f"{where}: expected a list of {n} numbers")
    return [_number(x, where) for x in v]


def _matrix(v, rows: int, cols: int, where: str) -> np.ndarray:
    if not isinstance(v, list) or len(v) != rows:
        raise ModelFileError(f"{where}: expected {rows} rows of {cols} numbers")
    return np.array([_vector(r, cols, where) for r in v], dtype=np.float64).reshape(rows, cols)


def _architecture(doc: dict) -> Architecture:
    a = _get(doc, "architecture", dict, "model")
    try:
        return Architecture(
            hidden=_get(a, "hidden", list, "architecture"),
            activations=_get(a, "activations", list, "architecture"),
            output=_get(a, "output", str, "architecture"),
            n_outputs=_get(a, "n_outputs", int, "architecture"),
            features=_get(a, "features", list, "architecture"),
        )
    except ValueError as e:
        raise ModelFileError(f"architecture: {e}") from None


def _parameters(doc: dict, arch: Architecture) -> list[tuple[np.ndarray, np.ndarray]]:
    layers = _get(doc, "layers", list, "model")
    sizes = arch.sizes
    if len(layers) != len(sizes) - 1:
        raise ModelFileError(f"the architecture has {len(sizes) - 1} weight layers but the file holds {len(layers)}")
    params = []
    for i, (layer, act, n_in, n_out) in enumerate(zip(layers, [*arch.activations, arch.output], sizes, sizes[1:])):
        where = f"layer {i + 1}"
        if not isinstance(layer, dict):
            raise ModelFileError(f"{where}: must be an object")
        if _get(layer, "activation", str, where) != act:
            raise ModelFileError(f"{where}: activation {show(layer['activation'])} does not match the "
                                 f"architecture ({act!r})")
        w = _matrix(_get(layer, "weights", list, where), n_in, n_out, f"{where} weights")
        b = np.array(_vector(_get(layer, "biases", list, where), n_out, f"{where} biases"), dtype=np.float64)
        params.append((w, b))
    return params


def _training(doc: dict) -> dict:
    """The training section, each setting in it checked by its declaration."""
    training = doc.get("training", {})
    if not isinstance(training, dict):
        raise ModelFileError("model: 'training' must be an object")
    checked = dict(training)
    try:
        for name, v in training.items():
            if name in SETTINGS:
                checked[name] = SETTINGS[name].check(v)
    except SettingError as e:
        raise ModelFileError(f"training: {e}") from None
    trained = training.get("epochs_trained", 0)
    if isinstance(trained, bool) or not isinstance(trained, int) or not 0 <= trained <= MAX_EPOCHS_TRAINED:
        raise ModelFileError(f"training: epochs_trained must be a whole number >= 0, not {show(trained)}")
    return checked


def from_dict(doc: Any) -> tuple[Network, dict]:
    """Validate a parsed model file and build its network."""
    if not isinstance(doc, dict):
        raise ModelFileError("not a model file: the top level must be a JSON object")
    if doc.get("format") != FORMAT:
        raise ModelFileError(f"not a model file: 'format' must be {FORMAT!r}")
    version = _get(doc, "version", int, "model")
    if version != VERSION:
        raise ModelFileError(f"model file version {show(version)} is not supported (this is version {VERSION})")
    arch = _architecture(doc)
    params = _parameters(doc, arch)
    training = _training(doc)
    net = Network(arch)
    net.set_params(params)
    return net, training

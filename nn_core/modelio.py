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
from pathlib import Path
from typing import Any

import numpy as np

from .network import Architecture, Network

FORMAT = "nn_core.model"
VERSION = 1
MAX_FILE_BYTES = 4_000_000


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


def loads(text: str | bytes) -> tuple[Network, dict]:
    """(network, training settings) from a model file's text; ModelFileError if anything is off."""
    if isinstance(text, bytes):
        if len(text) > MAX_FILE_BYTES:
            raise ModelFileError(f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ModelFileError("the file is not UTF-8 text") from None
    if len(text) > MAX_FILE_BYTES:
        raise ModelFileError(f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB")
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        raise ModelFileError(f"not valid JSON (truncated?): {e.msg} at line {e.lineno} column {e.colno}") from None
    except RecursionError:
        raise ModelFileError("not a model file: nested too deeply") from None
    return from_dict(doc)


def load_model(path) -> tuple[Network, dict]:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise ModelFileError(f"cannot read {path}: {e.strerror}") from None
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


def _matrix(v, rows: int, cols: int, where: str) -> np.ndarray:
    if not isinstance(v, list) or len(v) != rows:
        raise ModelFileError(f"{where}: expected {rows} rows of {cols} numbers")
    for r in v:
        if not isinstance(r, list) or len(r) != cols:
            raise ModelFileError(f"{where}: expected {rows} rows of {cols} numbers")
    return _numbers(v, where)


def _numbers(v, where: str) -> np.ndarray:
    flat = [x for r in v for x in r] if v and isinstance(v[0], list) else v
    for x in flat:
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
            raise ModelFileError(f"{where}: every entry must be a finite number, found {x!r}")
    return np.array(v, dtype=np.float64)


def from_dict(doc: Any) -> tuple[Network, dict]:
    """Validate a parsed model file and build its network."""
    if not isinstance(doc, dict):
        raise ModelFileError("not a model file: the top level must be a JSON object")
    if doc.get("format") != FORMAT:
        raise ModelFileError(f"not a model file: 'format' must be {FORMAT!r}")
    version = _get(doc, "version", int, "model")
    if version != VERSION:
        raise ModelFileError(f"model file version {version} is not supported (this is version {VERSION})")
    a = _get(doc, "architecture", dict, "model")
    try:
        arch = Architecture(
            hidden=tuple(_get(a, "hidden", list, "architecture")),
            activations=tuple(_get(a, "activations", list, "architecture")),
            output=_get(a, "output", str, "architecture"),
            n_outputs=_get(a, "n_outputs", int, "architecture"),
            features=tuple(_get(a, "features", list, "architecture")),
        )
    except ModelFileError:
        raise
    except (TypeError, ValueError) as e:
        raise ModelFileError(f"architecture: {e}") from None
    layers = _get(doc, "layers", list, "model")
    sizes = arch.sizes
    if len(layers) != len(sizes) - 1:
        raise ModelFileError(f"the architecture has {len(sizes) - 1} weight layers but the file holds {len(layers)}")
    acts = [*arch.activations, arch.output]
    params = []
    for i, (layer, act, n_in, n_out) in enumerate(zip(layers, acts, sizes[:-1], sizes[1:])):
        where = f"layer {i + 1}"
        if not isinstance(layer, dict):
            raise ModelFileError(f"{where}: must be an object")
        if _get(layer, "activation", str, where) != act:
            raise ModelFileError(
                f"{where}: activation {layer['activation']!r} does not match the architecture ({act!r})"
            )
        w = _matrix(_get(layer, "weights", list, where), n_in, n_out, f"{where} weights")
        b = _get(layer, "biases", list, where)
        if len(b) != n_out:
            raise ModelFileError(f"{where} biases: expected {n_out} numbers, found {len(b)}")
        params.append((w, _numbers(b, f"{where} biases")))
    training = doc.get("training", {})
    if not isinstance(training, dict):
        raise ModelFileError("model: 'training' must be an object")
    net = Network(arch)
    net.set_params(params)
    return net, training

"""Model files: a network, its training settings and its trainer's state as JSON, never pickle.

Format (version 2)::

    {
      "format": "nn_core.model",
      "version": 2,
      "architecture": {"features": ["x1", "x2"], "hidden": [3], "activations": ["sigmoid"],
                       "output": "sigmoid", "n_outputs": 1},
      "layers": [
        {"activation": "sigmoid", "weights": [[...], [...]], "biases": [...]},   # n_in x n_out, n_out
        {"activation": "sigmoid", "weights": [[...], [...], [...]], "biases": [...]}
      ],
      "training": {"dataset": "xor", "loss": "sse", "optimizer": "gd", "lr": 0.1, ..., "epochs_trained": 10000},
      "state": {                                   # optional: without it, training goes on afresh
        "epoch": 10000, "seconds": 0.21, "start_loss": 0.53, "loss": "sse",
        "optimizer": {"name": "adam", "t": 10000, "m": [...], "v": [...]},   # or null; arrays laid out
        "shuffle": {"bit_generator": "PCG64", "state": {"state": ..., "inc": ...},   # like the flat
                    "has_uint32": 0, "uinteger": 0}                                 # parameter vector
      }
    }

The last layer's activation is the output kind. ``state`` is what
:meth:`nn_core.Trainer.state` gives: with it, training goes on bit for bit as
if it had never stopped (floats are written by repr, which reads back exactly,
and so are the shuffle's 128-bit integers). Version 1 files, which have no
state, still load: their optimizer and shuffle start afresh
(:meth:`ModelFile.afresh` says so in a sentence). Loading checks everything and
raises :class:`ModelFileError` with a message naming what is wrong.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .checks import is_finite, is_number, is_whole
from .network import Architecture, Network
from .optimizers import OPTIMIZERS
from .recipe import recipe
from .settings import SETTINGS, SettingError
from .text import printable, shorten, show
from .training import MAX_EPOCHS_TRAINED, TrainerState

FORMAT = "nn_core.model"
VERSION = 2
VERSIONS = (1, 2)  # the versions this reads
# the largest network (8 layers of 64, 20 outputs) with Adam's state takes 2.7 MB at most, and the custom
# dataset's points (a setting, so the file carries them) 2.5 MB at most (100,000 points)
MAX_FILE_BYTES = 8_000_000
MAX_NESTING = 16  # a model file nests 5 deep (file, layers, layer, weights, row)


class ModelFileError(ValueError):
    """A model file that is not valid JSON or not a valid model; the message says where."""


class ModelFile(NamedTuple):
    """A model file's contents: the network, the training settings (each checked), the trainer's state."""

    network: Network
    training: dict
    state: TrainerState  # a version 1 file's, or one saved without it: its epoch count alone
    version: int

    def afresh(self, config=None) -> str:
        """A sentence naming what does not go on where it stopped when training resumes from this file
        with ``config`` (the file's own settings if None), or "" when everything does."""
        if config is not None:  # what its recipe trains with
            r = recipe(config)
            optimizer, batches = r.optimizer, r.batch(config.n_train)
        else:
            optimizer, batches = self.training.get("optimizer"), self.training.get("batch_size")
        cls, st, parts = OPTIMIZERS.get(optimizer), self.state, []
        if cls is not None and cls.state_title and st.optimizer != optimizer:
            why = "no optimizer state" if st.optimizer is None else f"{OPTIMIZERS[st.optimizer].title}'s state"
            parts.append(f"{cls.state_title} start{'' if cls.state_title.endswith('s') else 's'} afresh: "
                         f"the file has {why}")
        if st.shuffle is None and batches:
            parts.append("the mini-batch shuffle starts afresh from the seed: the file has no shuffle state")
        text = "; ".join(parts)
        return f"{text[:1].upper()}{text[1:]}." if text else ""


def model_to_dict(network: Network, training: dict | None = None, state: TrainerState | None = None) -> dict:
    """The JSON-ready dictionary for ``network``, optional training settings and trainer state."""
    a = network.arch
    acts = [*a.activations, a.output]
    doc = {
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
    if state is not None:
        doc["training"]["epochs_trained"] = state.epoch
        doc["state"] = _state_to_dict(state)
    return doc


def _state_to_dict(st: TrainerState) -> dict:
    optimizer = None
    if st.optimizer is not None:
        optimizer = {"name": st.optimizer, **{k: v.tolist() if isinstance(v, np.ndarray) else v
                                              for k, v in st.slots.items()}}
    return {"epoch": st.epoch, "seconds": float(st.seconds), "start_loss": st.start_loss, "loss": st.loss,
            "optimizer": optimizer, "shuffle": st.shuffle}


def dumps(network: Network, training: dict | None = None, state: TrainerState | None = None) -> str:
    """The model file's text; with ``state`` (``Trainer.state()``), training can go on from it exactly."""
    return json.dumps(model_to_dict(network, training, state), indent=1)


def save_model(path, network: Network, training: dict | None = None, state: TrainerState | None = None) -> None:
    Path(path).write_text(dumps(network, training, state) + "\n", encoding="utf-8")


def _reject_constant(name):
    raise ModelFileError(f"the file holds {name}, which is not a number JSON allows")


def _nesting(data: bytes) -> int:
    """How deeply the JSON's lists and objects nest, counted before parsing: a parser that recurses
    would overflow the stack on 100,000 brackets (and under Pyodide, crash).

    Linear in time and bounded in memory whatever the bytes hold: NumPy calls over chunks of
    :data:`_CHUNK` bytes, carrying from one to the next whether a string is open, the depth, and
    whether a backslash is pending. (A regular expression over the strings took quadratic time on an
    unclosed string of escaped quotes: 40 s for 120 kB.) A quote opens or closes a string unless an odd
    run of backslashes comes just before it; a bracket counts outside strings only. That is JSON's own
    rule up to the first syntax error, and the parser stops there, so it never nests deeper than this."""
    depth = deepest = 0
    inside, pending = False, False  # in a string; the last chunk ended in an odd run of backslashes
    for start in range(0, len(data), _CHUNK):
        chunk = np.frombuffer(b"\\" * pending + data[start:start + _CHUNK], dtype=np.uint8)
        quotes, pending = _real_quotes(chunk)
        brackets = np.flatnonzero(np.isin(chunk, _BRACKETS))
        brackets = brackets[(np.searchsorted(quotes, brackets) + inside) % 2 == 0]  # those outside strings
        inside ^= bool(len(quotes) % 2)
        if brackets.size:
            levels = depth + np.cumsum(np.where(np.isin(chunk[brackets], _OPEN), 1, -1))
            deepest, depth = max(deepest, int(levels.max())), int(levels[-1])
    return deepest


def _real_quotes(b: np.ndarray) -> tuple[np.ndarray, bool]:
    """The positions of the quotes in ``b`` that no backslash escapes, and whether ``b`` ends in an odd
    run of backslashes (which escapes the next chunk's first byte)."""
    quotes, slash = np.flatnonzero(b == _QUOTE), b == _BACKSLASH
    starts = np.flatnonzero(slash & ~np.insert(slash[:-1], 0, False))  # each run of backslashes: its first ...
    ends = np.flatnonzero(slash & ~np.append(slash[1:], False))  # ... and last byte
    odd_end = bool(ends.size and ends[-1] == len(b) - 1 and (ends[-1] - starts[-1]) % 2 == 0)
    if not (quotes.size and starts.size):
        return quotes, odd_end
    run = np.searchsorted(starts, quotes) - 1  # the last run that starts before each quote
    before = (run >= 0) & (ends[run] == quotes - 1)
    escaped = before & ((quotes - starts[run]) % 2 == 1)
    return quotes[~escaped], odd_end


_CHUNK = 1 << 20  # bytes a step of the nesting count takes: its arrays stay within some 30 MB
_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_OPEN, _BRACKETS = np.frombuffer(b"[{", dtype=np.uint8), np.frombuffer(b"[]{}", dtype=np.uint8)
_BOM = "\ufeff"  # a byte-order mark some editors write first: not part of the JSON


def parse_model(text: str | bytes) -> ModelFile:
    """The network, training settings and trainer state of a model file's text; ModelFileError if
    anything is off.

    The file is checked whole: its architecture, every weight and bias, every setting in
    ``training`` by its declaration (:mod:`nn_core.settings`), and every part of the state.
    """
    if len(text) > MAX_FILE_BYTES:
        raise ModelFileError(f"the file is larger than {MAX_FILE_BYTES / 1_000_000:g} MB")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ModelFileError("the file is not UTF-8 text") from None
    text = text.removeprefix(_BOM)
    if _nesting(text.encode("utf-8", "surrogatepass")) > MAX_NESTING:
        raise ModelFileError(f"not a model file: lists and objects nest more than {MAX_NESTING} deep")
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        raise ModelFileError(f"not valid JSON (truncated?): {e.msg} (line {e.lineno}, column {e.colno})") from None
    except ValueError as e:  # e.g. an integer of more than 4,300 digits
        raise ModelFileError(f"not a model file: {shorten(str(e), 80)}") from None
    except RecursionError:
        raise ModelFileError("not a model file: nested too deeply") from None
    return from_dict(doc)


def read_model(path) -> ModelFile:
    """:func:`parse_model` of the file at ``path``."""
    try:
        with open(path, "rb") as f:  # at most one byte past the limit: /dev/zero is refused, not read whole
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise ModelFileError(f"cannot read {printable(shorten(str(path), 80))}: {e.strerror}") from None
    return parse_model(data)


def loads(text: str | bytes) -> tuple[Network, dict]:
    """(network, training settings) of a model file's text, checked whole (the state too)."""
    return parse_model(text)[:2]


def load_model(path) -> tuple[Network, dict]:
    """(network, training settings) of the model file at ``path``, checked whole."""
    return read_model(path)[:2]


def _get(d: dict, key: str, kind, where: str) -> Any:
    if key not in d:
        raise ModelFileError(f"{where}: missing {key!r}")
    v = d[key]
    ok = is_whole(v) if kind is int else isinstance(v, kind)
    if not ok:
        raise ModelFileError(f"{where}: {key!r} must be {_KIND_NAMES.get(kind, kind)}")
    return v


_KIND_NAMES = {dict: "an object", list: "a list", str: "a string", int: "a whole number"}


def _number(x, where: str) -> float:
    if not is_number(x):
        raise ModelFileError(f"{where}: every entry must be a number, found {show(x)}")
    if not is_finite(x):
        raise ModelFileError(f"{where}: every entry must be a finite number, found {show(x)}")
    return float(x)


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
    if not is_whole(trained, 0, MAX_EPOCHS_TRAINED):
        raise ModelFileError(f"training: epochs_trained must be a whole number >= 0, not {show(trained)}")
    return checked


def _optimizer_state(v, n_params: int) -> tuple[str | None, dict | None]:
    """(name, slots) of the state's optimizer part, each slot checked by the optimizer itself."""
    if v is None:
        return None, None
    if not isinstance(v, dict):
        raise ModelFileError("state: 'optimizer' must be an object or null")
    name = _get(v, "name", str, "state optimizer")
    if name not in OPTIMIZERS:
        raise ModelFileError(f"state: unknown optimizer {show(name)}")
    opt = OPTIMIZERS[name]()
    slots = {k: x for k, x in v.items() if k != "name"}
    for k in opt.slots:
        if isinstance(slots.get(k), list):
            slots[k] = _vector(slots[k], n_params, f"state optimizer {k}")
    try:
        opt.restore(slots, n_params)
    except ValueError as e:
        raise ModelFileError(f"state optimizer: {e}") from None
    return name, opt.state()


_STATE_KEYS = ("epoch", "seconds", "start_loss", "loss", "optimizer", "shuffle")


def _state(doc: dict, training: dict, n_params: int) -> TrainerState:
    """The trainer's state: the file's, or (version 1, or saved without it) its epoch count alone."""
    if "state" not in doc:
        return TrainerState(training.get("epochs_trained", 0))
    st = _get(doc, "state", dict, "model")
    if set(st) != set(_STATE_KEYS):
        raise ModelFileError(f"state: must hold exactly {', '.join(_STATE_KEYS)}")
    name, slots = _optimizer_state(st["optimizer"], n_params)
    try:
        state = TrainerState(st["epoch"], st["seconds"], st["start_loss"], st["loss"], name, slots,
                             st["shuffle"]).check()
    except ValueError as e:
        raise ModelFileError(f"state: {e}") from None
    if training.get("epochs_trained", state.epoch) != state.epoch:
        raise ModelFileError(f"state: epoch {state.epoch} is not the {training['epochs_trained']} epochs trained")
    if name is not None and training.get("optimizer", name) != name:
        raise ModelFileError(f"state: the optimizer state is {name}'s but the training settings name "
                             f"{training['optimizer']}")
    return state


def from_dict(doc: Any) -> ModelFile:
    """Validate a parsed model file and build its network."""
    if not isinstance(doc, dict):
        raise ModelFileError("not a model file: the top level must be a JSON object")
    if doc.get("format") != FORMAT:
        raise ModelFileError(f"not a model file: 'format' must be {FORMAT!r}")
    version = _get(doc, "version", int, "model")
    if version not in VERSIONS:
        raise ModelFileError(f"model file version {show(version)} is not supported (this reads versions "
                             f"{', '.join(map(str, VERSIONS))})")
    if version == 1 and "state" in doc:
        raise ModelFileError("a version 1 model file has no 'state'")
    arch = _architecture(doc)
    params = _parameters(doc, arch)
    training = _training(doc)
    state = _state(doc, training, arch.n_params)
    net = Network(arch)
    net.set_params(params)
    return ModelFile(net, training, state, version)

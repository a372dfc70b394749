"""The experiment in the URL: short query keys <-> nn_core.Config.

Every setting and both seeds go into the query string, so a shared link
rebuilds the same data and the same initial network. Values from a URL are
untrusted: unknown keys are ignored, and a bad value is replaced by the
default (or clamped into range) with a warning that names it. Parsing never
raises.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace

from nn_core import ACTIVATIONS, DATASETS, Config, ConfigError
from nn_core.config import CHOICES, LIMITS
from nn_core.network import MAX_HIDDEN_LAYERS, MAX_WIDTH

# The page bounds the work one visitor can ask for more tightly than the engine.
APP_LIMITS = {**LIMITS, "samples": (4, 2000, True), "epochs": (1, 100_000, True)}
DEFAULT = Config(dataset="circles", samples=300, noise=DATASETS["circles"].noise, hidden=(6, 6),
                 activations=("tanh",), epochs=1000)

# Feature names in nn_core use ^, * and (), which URLs escape; the URL uses short codes.
FEATURE_CODES = {"x1": "x1", "x2": "x2", "x1^2": "x1sq", "x2^2": "x2sq", "x1*x2": "x1x2",
                 "sin(x1)": "sin1", "sin(x2)": "sin2"}
CODE_FEATURES = {v: k for k, v in FEATURE_CODES.items()}

# short key -> Config field. Documented in the README.
KEYS = {
    "ds": "dataset", "n": "samples", "nz": "noise", "tr": "test_ratio", "dseed": "data_seed",
    "f": "features", "h": "hidden", "a": "activations", "o": "output", "i": "init", "s": "seed",
    "l": "loss", "opt": "optimizer", "lr": "lr", "m": "momentum", "b1": "beta1", "b2": "beta2",
    "bs": "batch_size", "l1": "l1", "l2": "l2", "ep": "epochs",
}
FIELD_KEYS = {v: k for k, v in KEYS.items()}


def _fmt_number(v) -> str:
    return str(int(v)) if isinstance(v, int) else f"{v:.6g}"


def config_to_query(c: Config) -> dict[str, str]:
    """Every setting of ``c`` as short query keys and plain strings."""
    q = {}
    for key, name in KEYS.items():
        v = getattr(c, name)
        if name == "features":
            q[key] = ",".join(FEATURE_CODES[f] for f in v)
        elif name == "hidden":
            q[key] = "-".join(map(str, v)) if v else "none"
        elif name == "activations":
            q[key] = "-".join(v)
        elif name == "noise":
            q[key] = _fmt_number(DATASETS[c.dataset].noise if v is None else v)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            q[key] = _fmt_number(v)
        else:
            q[key] = str(v)
    return q


def _first(v):
    if isinstance(v, (list, tuple)):
        return v[-1] if v else ""
    return v


def _parse_number(name: str, raw: str, default, warnings: list[str]):
    lo, hi, integer = APP_LIMITS[name]
    key = FIELD_KEYS[name]
    try:
        v = float(raw)
    except ValueError:
        warnings.append(f"{key}={raw!r} is not a number: using {name} = {_fmt_number(default)}")
        return default
    if not math.isfinite(v):
        warnings.append(f"{key}={raw!r} is not a finite number: using {name} = {_fmt_number(default)}")
        return default
    if integer and not v.is_integer():
        v = round(v)
        warnings.append(f"{key}={raw!r} is not a whole number: rounded to {int(v)}")
    if name == "lr" and v <= 0:
        warnings.append(f"{key}={raw!r} must be positive: using {name} = {_fmt_number(default)}")
        return default
    if v < lo or v > hi:
        clamped = min(max(v, lo), hi)
        warnings.append(f"{key}={raw!r} is out of range [{_fmt_number(lo)}, {_fmt_number(hi)}]: "
                        f"clamped to {_fmt_number(int(clamped) if integer else clamped)}")
        v = clamped
    return int(v) if integer else float(v)


def _parse_list(name: str, raw: str, default, warnings: list[str]):
    key = FIELD_KEYS[name]
    parts = [p for p in raw.replace(",", "-").split("-") if p] if name != "features" else \
        [p for p in raw.split(",") if p]
    if name == "features":
        feats = []
        for p in parts:
            if p not in CODE_FEATURES:
                warnings.append(f"{key}: unknown feature {p!r} ignored")
            elif CODE_FEATURES[p] not in feats:
                feats.append(CODE_FEATURES[p])
        if not feats:
            warnings.append(f"{key}={raw!r} names no known feature: using {', '.join(default)}")
            return default
        return tuple(feats)
    if name == "hidden":
        if raw in ("none", "0", ""):
            return ()
        widths = []
        for p in parts:
            try:
                w = int(p)
            except ValueError:
                warnings.append(f"{key}={raw!r} is not a list of layer widths: using {'-'.join(map(str, default))}")
                return default
            if not 1 <= w <= MAX_WIDTH:
                warnings.append(f"{key}: width {w} is out of range [1, {MAX_WIDTH}]: clamped")
                w = min(max(w, 1), MAX_WIDTH)
            widths.append(w)
        if len(widths) > MAX_HIDDEN_LAYERS:
            warnings.append(f"{key}: at most {MAX_HIDDEN_LAYERS} hidden layers: kept the first {MAX_HIDDEN_LAYERS}")
            widths = widths[:MAX_HIDDEN_LAYERS]
        return tuple(widths)
    # activations
    acts = []
    for p in parts:
        if p in ACTIVATIONS:
            acts.append(p)
        else:
            warnings.append(f"{key}: unknown activation {p!r}: using tanh")
            acts.append("tanh")
    return tuple(acts) or default


def config_from_query(params: Mapping[str, object], base: Config = DEFAULT) -> tuple[Config, list[str]]:
    """(config, warnings) from query parameters; anything missing comes from ``base``. Never raises."""
    warnings: list[str] = []
    values = {}
    for key, name in KEYS.items():
        if key not in params:
            continue
        raw = str(_first(params[key])).strip()
        default = getattr(base, name)
        if name in CHOICES:
            if raw in CHOICES[name]:
                values[name] = raw
            else:
                warnings.append(f"{key}={raw!r} is not a known {name}: using {default}")
        elif name in ("features", "hidden", "activations"):
            values[name] = _parse_list(name, raw, default, warnings)
        else:
            if name == "noise" and default is None:
                default = DATASETS[values.get("dataset", base.dataset)].noise
            values[name] = _parse_number(name, raw, default, warnings)
    c = replace(base, **values)
    if c.noise is None or ("dataset" in values and "noise" not in values):
        c = replace(c, noise=DATASETS[c.dataset].noise)  # explicit, as the noise slider shows it
    return _make_consistent(c, warnings), warnings


def _make_consistent(c: Config, warnings: list[str]) -> Config:
    """Repair settings that are each valid but do not fit together, saying what changed."""
    if c.hidden and len(c.activations) not in (1, len(c.hidden)):
        warnings.append(f"a: {len(c.activations)} activations for {len(c.hidden)} layers: "
                        f"using {c.activations[0]} for all")
        c = replace(c, activations=c.activations[:1])
    if not c.activations:
        c = replace(c, activations=("tanh",))
    try:
        c.check()
    except ValueError as e:
        # output or loss that the dataset cannot use: fall back to the automatic choice
        warnings.append(f"{e}: using the automatic output and loss for {c.dataset}")
        c = replace(c, output="auto", loss="auto")
        try:
            c.check()
        except ValueError as e2:  # pragma: no cover - every remaining field was range-checked above
            warnings.append(f"{e2}: using the default settings")
            c = DEFAULT
    return c


# ---------------------------------------------------------------- widgets
# The page's widgets keep their values in st.session_state under these keys.
# Per-layer widgets are "w_width_0", "w_act_0", ... for each hidden layer.
REG_KINDS = ("none", "L1", "L2", "L1+L2")
DEFAULT_REG_RATE = 0.003


def widget_state(c: Config) -> dict[str, object]:
    """The widget values that show config ``c``."""
    reg = "L1+L2" if c.l1 and c.l2 else "L1" if c.l1 else "L2" if c.l2 else "none"
    acts = c.layer_activations
    state = {
        "w_dataset": c.dataset, "w_samples": int(c.samples),
        "w_noise": float(DATASETS[c.dataset].noise if c.noise is None else c.noise),
        "w_test_ratio": float(c.test_ratio), "w_data_seed": int(c.data_seed), "w_features": list(c.features),
        "w_layers": len(c.hidden), "w_same_act": len(set(acts)) <= 1,
        "w_act_all": acts[0] if acts else c.activations[0], "w_output": c.output, "w_init": c.init,
        "w_seed": int(c.seed), "w_loss": c.loss, "w_optimizer": c.optimizer, "w_lr": float(c.lr),
        "w_momentum": float(c.momentum), "w_beta1": float(c.beta1), "w_beta2": float(c.beta2),
        "w_batch": int(c.batch_size), "w_reg": reg, "w_l1": float(c.l1 or DEFAULT_REG_RATE),
        "w_l2": float(c.l2 or DEFAULT_REG_RATE),
        "w_epochs": int(c.epochs),
    }
    for i, (w, a) in enumerate(zip(c.hidden, acts)):
        state[f"w_width_{i}"] = int(w)
        state[f"w_act_{i}"] = a
    return state


def config_from_widgets(state: Mapping[str, object]) -> Config:
    """The config the widgets show (raises ConfigError if they do not fit together)."""
    n_layers = int(state["w_layers"])
    hidden = tuple(int(state.get(f"w_width_{i}", 4)) for i in range(n_layers))
    if state["w_same_act"]:
        acts = (str(state["w_act_all"]),)
    else:
        acts = tuple(str(state.get(f"w_act_{i}", state["w_act_all"])) for i in range(n_layers)) or ("tanh",)
    reg = state["w_reg"]
    features = tuple(state["w_features"]) or ("x1", "x2")
    return Config(
        dataset=str(state["w_dataset"]), samples=int(state["w_samples"]), noise=float(state["w_noise"]),
        test_ratio=float(state["w_test_ratio"]), data_seed=int(state["w_data_seed"]), features=features,
        hidden=hidden, activations=acts, output=str(state["w_output"]), init=str(state["w_init"]),
        seed=int(state["w_seed"]), loss=str(state["w_loss"]), optimizer=str(state["w_optimizer"]),
        lr=float(state["w_lr"]), momentum=float(state["w_momentum"]), beta1=float(state["w_beta1"]),
        beta2=float(state["w_beta2"]), batch_size=int(state["w_batch"]),
        l1=float(state["w_l1"]) if reg in ("L1", "L1+L2") else 0.0,
        l2=float(state["w_l2"]) if reg in ("L2", "L1+L2") else 0.0,
        epochs=int(state["w_epochs"]),
    ).check()


def config_for_model(network, training: Mapping[str, object], base: Config) -> Config:
    """The settings to continue from an uploaded model: its architecture, and each of its
    training settings that is valid (the others from ``base``). ConfigError if the model
    cannot be trained on the resulting dataset."""
    a = network.arch
    arch = dict(features=a.features, hidden=a.hidden, activations=a.activations or ("tanh",), output=a.output)
    c = base
    for name in ("dataset", *(n for n in FIELD_KEYS if n != "dataset")):
        if name not in training or name in arch:
            continue
        v = training[name]
        v = tuple(v) if isinstance(v, list) else v
        try:
            replace(c, **{name: v}, **arch).check()
        except (TypeError, ValueError):
            continue  # an invalid or mismatched setting: keep the current one
        c = replace(c, **{name: v})
    c = replace(c, **arch)
    if replace(c, output="auto").output_kind == a.output:
        c = replace(c, output="auto")
    if c.noise is None:
        c = replace(c, noise=DATASETS[c.dataset].noise)
    c.check()
    if c.architecture() != a:
        raise ConfigError(f"the model has {a.n_outputs} outputs, which does not fit the {c.dataset} dataset")
    return c

"""Every setting of an experiment, declared once.

A :class:`Setting` says everything about one setting: its name (a field of
:class:`nn_core.Config`), its kind of value with the default and the bounds or
choices, its URL key, its command-line flag, its widget with label and help,
and what a change of it resets. :class:`nn_core.Config`, the URL state, the
page's widgets, the command line, model files and the page's keep-or-reset
rule are all made from :data:`SETTINGS`; none keeps a list of its own. Adding
a setting is one declaration here plus its use in the engine.

A dataset made from a setting's text (its ``source``: the formula, the points) has a task and classes
that depend on that text, so the rules between settings ask :func:`nn_core.datasets.data_kind`.

Values arrive by four doors, each checked by the same declaration:
``kind.check`` takes a Python value (code, a model file's JSON, a widget) and
``kind.parse`` takes text (a URL, a flag). Both raise :class:`SettingError`
naming the setting, with the bad value cut to 40 characters. The page, which
repairs rather than refuses, moves a value into range with ``kind.nearest``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .activations import ACTIVATIONS
from .checks import is_number, is_whole, plain
from .datasets import DATASETS, MAX_NOISE, MAX_SAMPLES, SOURCE_DEFAULTS, TASKS, data_kind
from .features import FEATURES, check_features
from .formula import MAX_LENGTH, check_formula
from .losses import LOSSES, OUTPUTS
from .network import INIT_SCHEMES, MAX_HIDDEN_LAYERS, MAX_WIDTH, check_activations, check_widths
from .optimizers import OPTIMIZERS
from .text import format_number, number_text, show
from .userdata import MAX_POINTS, PAGE_POINTS, fits_url, parse_points

MAX_SEED = 2**32 - 1
MAX_EPOCHS = 1_000_000
MAX_BATCH = 5000
AUTO = "auto"


class ConfigError(ValueError):
    """A setting is missing, of the wrong kind, or out of range, or settings do not fit together."""


class SettingError(ConfigError):
    """One setting's value is refused; ``reason`` is the message without the setting's name."""

    def __init__(self, name: str, reason: str, joiner: str = " "):
        super().__init__(f"{name}{joiner}{reason}")
        self.name, self.reason, self.joiner = name, reason, joiner


_INTEGER = re.compile(r"[+-]?\d+")


# ---------------------------------------------------------------- kinds of value
class Number:
    """A number in [low, high] (``open_low``: low itself excluded), whole if ``integer``.

    ``page`` narrows the bounds for the page, which bounds the work one visitor
    can ask for; ``optional`` lets None stand for "the dataset's own". ``stops``: the values a slider on a
    log scale offers (TensorFlow Playground's learning rates); any value in the bounds is still valid.
    """

    widget = "number"

    def __init__(self, low, high, *, integer=False, open_low=False, page=None, optional=False, step=None,
                 fmt=None, stops=()):
        self.low, self.high, self.integer, self.open_low = low, high, integer, open_low
        self.page, self.optional = page or (low, high), optional
        self.step, self.fmt, self.stops = step or (1 if integer else 0.01), fmt, tuple(stops)

    def bounds(self, page: bool = False) -> tuple:
        return self.page if page else (self.low, self.high)

    def describe(self, page: bool = False) -> str:
        lo, hi = self.bounds(page)
        return f"{'(' if self.open_low and lo == self.low else '['}{format_number(lo)}, {format_number(hi)}]"

    def check(self, v, name: str, page: bool = False):
        if v is None and self.optional:
            return None
        if not is_number(v):
            raise SettingError(name, f"must be a number, not {show(v)}")
        if self.integer and not is_whole(v):
            raise SettingError(name, f"must be a whole number, not {show(v)}")
        if not self.integer:
            try:
                v = float(v)
            except OverflowError:
                raise SettingError(name, f"must lie in {self.describe(page)}, not {show(v)}") from None
            if not math.isfinite(v):
                raise SettingError(name, f"must be a finite number, not {show(v)}")
        lo, hi = self.bounds(page)
        low_ok = v > lo if self.open_low and lo == self.low else v >= lo
        if not (low_ok and v <= hi):
            raise SettingError(name, f"must lie in {self.describe(page)}, not {show(v)}")
        return int(v) if self.integer else v

    def parse(self, raw, name: str):
        text = _one(raw, name).strip()
        try:
            # whole numbers exactly, however long (a seed of 20 digits is no float); past Python's
            # 4,300-digit limit for int(), any number is out of every range: infinity says so
            if _INTEGER.fullmatch(text):
                v = int(text) if len(text) < 4000 else (-math.inf if text.startswith("-") else math.inf)
            else:
                v = float(text)
        except ValueError:
            raise SettingError(name, f"must be a number, not {show(text)}") from None
        if isinstance(v, float):
            if not math.isfinite(v):
                raise SettingError(name, f"must be a finite number, not {show(text)}")
            if self.integer and v.is_integer():
                v = int(v)
        return v

    def nearest(self, v, page: bool = True):
        """The valid value closest to ``v``: clamped into the bounds, rounded if whole numbers are wanted."""
        if v is None and self.optional:
            return None
        lo, hi = self.bounds(page)
        if self.open_low and lo == self.low and v <= lo:
            return None  # nothing is closest to an open bound: the caller falls back to the default
        v = min(max(v, lo), hi)
        return int(round(v)) if self.integer else float(v)

    def text(self, v) -> str:
        return number_text(v)


class Choice:
    """One name from a registry, in its order; ``titles`` gives what a person reads for each."""

    widget = "select"

    def __init__(self, choices: Sequence[str], titles: Callable[[str], str] | None = None):
        self.choices, self.titles = tuple(choices), titles or str

    def check(self, v, name: str, page: bool = False) -> str:
        if not isinstance(v, str) or v not in self.choices:
            raise SettingError(name, f"cannot be {show(v)}; choose from {', '.join(self.choices)}")
        return v

    def parse(self, raw, name: str) -> str:
        return self.check(_one(raw, name).strip(), name)

    def nearest(self, v, page: bool = True):
        return v

    def text(self, v) -> str:
        return v


class Names:
    """An ordered list of names from a registry (input features, activations), checked by ``rule``.

    In a URL the names are joined by ``sep``, each written as its short
    ``code`` where it has one (URLs escape ``^*()``).
    """

    def __init__(self, choices: Sequence[str], rule: Callable, *, sep: str, codes: Mapping[str, str] | None = None,
                 widget: str = "pills"):
        self.choices, self.rule, self.sep, self.widget = tuple(choices), rule, sep, widget
        self.codes = dict(codes or {})
        self._names = {c: n for n, c in self.codes.items()}

    def check(self, v, name: str, page: bool = False) -> tuple[str, ...]:
        if not isinstance(v, (list, tuple)):
            raise SettingError(name, f"must be a list of names, not {show(v)}")
        try:
            return tuple(self.rule(v))
        except ValueError as e:
            raise SettingError(name, str(e), ": ") from None

    def parse(self, raw, name: str) -> tuple[str, ...]:
        parts = raw if isinstance(raw, (list, tuple)) else str(raw).split(self.sep)
        return self.check([self._names.get(p.strip(), p.strip()) for p in parts if p.strip()], name)

    def nearest(self, v, page: bool = True):
        return v

    def text(self, v) -> str:
        return self.sep.join(self.codes.get(n, n) for n in v)


class Widths:
    """Hidden layer widths: 0 to 8 layers of 1 to 64 neurons; ``8-8`` in a URL, ``none`` for no layer."""

    widget = "layers"
    _PATTERN = re.compile(r"\d{1,6}(-\d{1,6}){0,63}")

    def check(self, v, name: str, page: bool = False) -> tuple[int, ...]:
        try:
            return check_widths(v)
        except ValueError as e:
            raise SettingError(name, str(e), ": ") from None

    def parse(self, raw, name: str) -> tuple[int, ...]:
        if isinstance(raw, (list, tuple)):
            parts = [p.strip() for p in raw]
            if not all(p.isdigit() and len(p) <= 6 for p in parts):
                raise SettingError(name, f"must be layer widths (whole numbers), not {show(' '.join(raw))}")
            return tuple(int(p) for p in parts)
        text = str(raw).strip()
        if text in ("none", "0", ""):
            return ()
        if not self._PATTERN.fullmatch(text):
            raise SettingError(name, f"must be layer widths such as 8-8, or none, not {show(text)}")
        return tuple(int(p) for p in text.split("-"))

    def nearest(self, v, page: bool = True) -> tuple[int, ...]:
        return tuple(min(max(w, 1), MAX_WIDTH) for w in v[:MAX_HIDDEN_LAYERS])

    def text(self, v) -> str:
        return "-".join(map(str, v)) if v else "none"


class Text:
    """Free text of at most ``max_length`` characters (``page_length`` in the page), read by ``rule(text,
    page)``, which returns the text in its canonical form or raises a ValueError saying what is wrong."""

    def __init__(self, max_length: int, rule: Callable[[str, bool], str], about: str, *,
                 page_length: int | None = None, widget: str = "text"):
        self.max_length, self.rule, self.about, self.widget = max_length, rule, about, widget
        self.page_length = page_length or max_length

    def check(self, v, name: str, page: bool = False) -> str:
        if not isinstance(v, str):
            raise SettingError(name, f"must be text, not {show(v)}")
        limit = self.page_length if page else self.max_length
        if len(v) > limit:
            raise SettingError(name, f"is longer than {limit:,} characters")
        try:
            return self.rule(v, page)
        except ValueError as e:
            raise SettingError(name, str(e), ": ") from None

    def parse(self, raw, name: str) -> str:
        return _one(raw, name).strip()

    def nearest(self, v, page: bool = True):
        return v

    def text(self, v) -> str:
        return v


def _formula_rule(text: str, page: bool) -> str:
    return check_formula(text).text


def _points_rule(text: str, page: bool) -> str:
    return parse_points(text, PAGE_POINTS if page else MAX_POINTS).text


def _one(raw, name: str) -> str:
    """The text of a single-valued setting (a flag given once, a URL key once)."""
    if isinstance(raw, (list, tuple)):
        if len(raw) != 1:
            raise SettingError(name, "takes one value")
        raw = raw[0]
    return str(raw)


# ---------------------------------------------------------------- the rules between settings
def auto_output(values: Mapping) -> str:
    """The output layer the data of settings ``values`` gets when none is chosen."""
    return TASKS[data_kind(values)[0]].outputs[0]


def output_kind(values: Mapping) -> str:
    return auto_output(values) if values["output"] == AUTO else values["output"]


def loss_kind(values: Mapping) -> str:
    return OUTPUTS[output_kind(values)].loss if values["loss"] == AUTO else values["loss"]


def output_options(values: Mapping) -> tuple[str, ...]:
    """The outputs that fit the dataset's task."""
    return (AUTO, *TASKS[data_kind(values)[0]].outputs)


def loss_options(values: Mapping) -> tuple[str, ...]:
    """The losses defined for the output layer."""
    kind = output_kind(values)
    return (AUTO, *(n for n, loss in LOSSES.items() if kind in loss.outputs))


def _not_fixed(values: Mapping) -> bool:
    return not DATASETS[values["dataset"]].fixed


def _drawn(values: Mapping) -> bool:
    return DATASETS[values["dataset"]].drawn


def _source(name: str) -> Callable[[Mapping], bool]:
    return lambda values: DATASETS[values["dataset"]].source == name


def _optimizer_uses(name: str) -> Callable[[Mapping], bool]:
    return lambda values: name in OPTIMIZERS[values["optimizer"]].hyperparameters


# ---------------------------------------------------------------- the declaration
@dataclass(frozen=True)
class Setting:
    """One setting, declared once (see the module's docstring)."""

    name: str
    kind: Number | Choice | Names | Widths | Text
    default: object
    group: str  # the page's block: "data", "network" or "training"
    resets: str  # what a change resets: "data", "network", or "nothing" (the trained network is kept); "points":
    # the data changes but the trained network goes on with it, unless the output layer must change
    url: str  # the query key
    flag: str  # the command-line flag
    label: str
    help: str = ""
    widget: str = ""  # "" for the kind's own: number, select, pills, layers
    shown: Callable[[Mapping], bool] | None = None  # the widget shows only when this holds of the settings
    enabled: Callable[[Mapping], bool] | None = None  # the widget is usable only when this holds
    options: Callable[[Mapping], tuple[str, ...]] | None = None  # the choices that fit the other settings
    follows: str = ""  # goes back to its default when this other setting changes
    in_url: Callable[[object], bool] | None = None  # a link carries the value only when this holds of it
    trains: bool = True  # False for a setting that changes nothing a run does (tests/test_walk.py checks either)

    @property
    def widget_kind(self) -> str:
        return self.widget or self.kind.widget

    def check(self, v, page: bool = False):
        """``v`` as this setting holds it, in plain Python values (no NumPy scalar: :func:`nn_core.checks.plain`);
        SettingError naming the setting if it is refused."""
        return plain(self.kind.check(v, self.name, page))

    def parse(self, raw):
        """The value written as text (or a flag's list of words); SettingError if it is not one."""
        return self.kind.parse(raw, self.name)

    def text(self, v) -> str:
        return self.kind.text(v)

    def fits_url(self, v) -> bool:
        """Whether a link carries the value ``v`` (a large one would make it too long)."""
        return self.in_url is None or self.in_url(v)


_FORMULA = Text(MAX_LENGTH, _formula_rule, f"at most {MAX_LENGTH} characters")
_POINTS = Text(MAX_POINTS * 40, _points_rule, f"at most {MAX_POINTS:,} points", page_length=PAGE_POINTS * 40,
               widget="points")
LR_STOPS = (1e-5, 1e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)  # TensorFlow Playground's learning rates
_FEATURE_CODES = {"x1^2": "x1sq", "x2^2": "x2sq", "x1*x2": "x1x2", "sin(x1)": "sin1", "sin(x2)": "sin2"}

SETTINGS: dict[str, Setting] = {s.name: s for s in (
    # data
    Setting("dataset", Choice(DATASETS, lambda n: DATASETS[n].title), "circles", "data", "data", "ds", "--dataset",
            "Dataset"),
    Setting("formula", _FORMULA, SOURCE_DEFAULTS["formula"], "data", "data", "fx", "--formula", "Formula",
            "The formula dataset's labels, of x1 and x2: a comparison such as x1*x2 > 0 gives two classes, "
            "anything else values, such as sin(3*x1) + x2.", shown=_source("formula")),
    Setting("points", _POINTS, SOURCE_DEFAULTS["points"], "data", "points", "pts", "--points", "Your points",
            "The custom dataset's points: c;x1,x2,class;... or v;x1,x2,value;... (--data reads a CSV file).",
            shown=_source("points"), in_url=fits_url),
    Setting("samples", Number(4, MAX_SAMPLES, integer=True, page=(4, 2000)), 300, "data", "data", "n", "--samples",
            "Samples", "Number of points (the 4-point truth tables always have 4).", widget="slider",
            enabled=_drawn),
    Setting("noise", Number(0.0, MAX_NOISE, optional=True), None, "data", "data", "nz", "--noise", "Noise",
            "Standard deviation of the Gaussian noise, in the data's units (default: the dataset's own).",
            widget="slider", enabled=_drawn, follows="dataset"),
    Setting("test_ratio", Number(0.0, 0.9, step=0.05), 0.3, "data", "data", "tr", "--test-ratio", "Test ratio",
            "Fraction of points held out to measure generalisation.", widget="slider", enabled=_not_fixed),
    Setting("data_seed", Number(0, MAX_SEED, integer=True), 0, "data", "data", "dseed", "--data-seed", "Data seed",
            "Seeds the points and the train/test split."),
    Setting("features", Names(FEATURES, check_features, sep=",", codes=_FEATURE_CODES), ("x1", "x2"), "data",
            "network", "f", "--features", "Input features", "What the network sees of each point (x1, x2)."),
    # network
    Setting("hidden", Widths(), (8, 8), "network", "network", "h", "--hidden", "Hidden layers",
            "Hidden layer widths, e.g. 8 8; none for no hidden layer."),
    Setting("activations", Names(ACTIVATIONS, check_activations, sep="-", widget="layer_activations"), ("tanh",),
            "network", "network", "a", "--activation", "Activation", "One for all hidden layers, or one per layer."),
    Setting("output", Choice((AUTO, *OUTPUTS)), AUTO, "network", "network", "o", "--output", "Output",
            "auto: sigmoid for two classes, softmax for more, linear for regression.", options=output_options),
    Setting("init", Choice(INIT_SCHEMES), "xavier", "network", "network", "i", "--init-scheme", "Initialisation",
            "normal: the tutorial's standard normal; xavier: Glorot uniform; he: He normal; zero: every weight 0 "
            "(the neurons of a layer stay copies of each other: see why random weights break the symmetry)."),
    Setting("seed", Number(0, MAX_SEED, integer=True), 0, "network", "network", "s", "--seed", "Network seed",
            "Seeds the initial weights and the mini-batch shuffle."),
    # training: a change keeps the trained network
    Setting("loss", Choice((AUTO, *LOSSES), lambda n: n if n == AUTO else f"{n}: {LOSSES[n].description}"), AUTO,
            "training", "nothing", "l", "--loss", "Loss", "auto: the cross-entropy of the output, or mse.",
            options=loss_options),
    Setting("optimizer", Choice(OPTIMIZERS, lambda n: OPTIMIZERS[n].title), "adam", "training", "nothing", "opt",
            "--optimizer", "Optimizer"),
    Setting("lr", Number(0.0, 10.0, open_low=True, page=(1e-6, 10.0), fmt="%g", stops=LR_STOPS), 0.03, "training",
            "nothing", "lr", "--lr", "Learning rate", "The size of each step down the gradient.", widget="log"),
    Setting("momentum", Number(0.0, 0.999, step=0.05), 0.9, "training", "nothing", "m", "--momentum", "Momentum",
            "For momentum and Nesterov.", shown=_optimizer_uses("momentum")),
    Setting("beta1", Number(0.0, 0.999, fmt="%g"), 0.9, "training", "nothing", "b1", "--beta1", "β1",
            "Adam's decay of the mean gradient.", shown=_optimizer_uses("beta1")),
    Setting("beta2", Number(0.0, 0.99999, step=0.001, fmt="%g"), 0.999, "training", "nothing", "b2", "--beta2", "β2",
            "Adam's decay of the mean squared gradient.", shown=_optimizer_uses("beta2")),
    Setting("eps", Number(0.0, 1.0, open_low=True, page=(1e-12, 1.0), step=1e-8, fmt="%g"), 1e-8, "training",
            "nothing", "eps", "--eps", "ε", "Adam's guard against dividing by zero.", shown=_optimizer_uses("eps")),
    Setting("batch_size", Number(0, MAX_BATCH, integer=True), 0, "training", "nothing", "bs", "--batch-size",
            "Batch size (0 = full batch)", "Points per gradient step; 0 for all of them."),
    Setting("l1", Number(0.0, 10.0, step=0.001, fmt="%g"), 0.0, "training", "nothing", "l1", "--l1",
            "L1 rate (0 = off)", "L1 penalty rate on the weights (not the biases)."),
    Setting("l2", Number(0.0, 10.0, step=0.001, fmt="%g"), 0.0, "training", "nothing", "l2", "--l2",
            "L2 rate (0 = off)", "L2 penalty rate on the weights (not the biases)."),
    Setting("epochs", Number(0, MAX_EPOCHS, integer=True, page=(1, 100_000), step=100), 300, "training", "nothing",
            "ep", "--epochs", "Epoch budget", "Epochs to train for."),
)}
BY_URL = {s.url: s for s in SETTINGS.values()}

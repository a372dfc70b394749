"""One experiment as one plain object: data, network and training settings.

:class:`Config` is what the command line fills from flags and what the page
keeps in its URL. ``config.check()`` validates it as a whole and
:func:`build` turns it into data, a network and a trainer.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace

from .datasets import DATASETS, MAX_NOISE, MAX_SAMPLES, Dataset, make_dataset, train_test_split
from .features import DEFAULT_FEATURES, check_features
from .losses import LOSSES, check_pairing
from .network import INIT_SCHEMES, MAX_HIDDEN_LAYERS, MAX_WIDTH, Architecture, Network
from .optimizers import OPTIMIZERS, make_optimizer
from .training import MAX_BATCH, Trainer

MAX_EPOCHS = 1_000_000
MAX_SEED = 2**32 - 1
MAX_TEST_RATIO = 0.9
TASK_OUTPUT = {"binary": "sigmoid", "multiclass": "softmax", "regression": "linear"}
TASK_LOSS = {"binary": "bce", "multiclass": "ce", "regression": "mse"}


class ConfigError(ValueError):
    """A setting is missing, of the wrong kind, or out of range; the message names it."""


@dataclass(frozen=True)
class Config:
    # data
    dataset: str = "circles"
    samples: int = 300
    noise: float | None = None  # None: the dataset's own default
    test_ratio: float = 0.3
    data_seed: int = 0
    features: tuple[str, ...] = DEFAULT_FEATURES
    # network
    hidden: tuple[int, ...] = (8, 8)
    activations: tuple[str, ...] = ("tanh",)  # one for all layers, or one per layer
    output: str = "auto"  # auto: sigmoid, softmax or linear, from the dataset's task
    init: str = "xavier"
    seed: int = 0  # network initialisation and mini-batch shuffling
    # training
    loss: str = "auto"  # auto: bce, ce or mse, from the dataset's task
    optimizer: str = "adam"
    lr: float = 0.03
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    batch_size: int = 0  # 0: full batch
    l1: float = 0.0
    l2: float = 0.0
    epochs: int = 300

    # ------------------------------------------------------------ derived
    @property
    def task(self) -> str:
        return DATASETS[self.dataset].task

    @property
    def n_classes(self) -> int:
        return DATASETS[self.dataset].n_classes

    @property
    def output_kind(self) -> str:
        return TASK_OUTPUT[self.task] if self.output == "auto" else self.output

    @property
    def loss_name(self) -> str:
        if self.loss != "auto":
            return self.loss
        return "ce" if self.output_kind == "softmax" else TASK_LOSS[self.task]

    @property
    def layer_activations(self) -> tuple[str, ...]:
        acts = self.activations
        return acts * len(self.hidden) if len(acts) == 1 else acts

    def architecture(self) -> Architecture:
        n_out = self.n_classes if self.output_kind == "softmax" else 1
        return Architecture(self.hidden, self.layer_activations, self.output_kind, n_out, self.features)

    def replace(self, **changes) -> Config:
        return replace(self, **changes)

    def to_dict(self) -> dict:
        d = asdict(self)
        for k in ("features", "hidden", "activations"):
            d[k] = list(d[k])
        return d

    # ------------------------------------------------------------ validation
    def check(self) -> Config:
        """Self, if every setting is valid and they fit together; ConfigError naming the first problem."""
        try:
            _check(self)
        except ConfigError:
            raise
        except (TypeError, ValueError) as e:
            raise ConfigError(str(e)) from None
        return self


def _need(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


# Numeric settings: (low, high, whole numbers only). lr must also be > 0.
LIMITS: dict[str, tuple[float, float, bool]] = {
    "samples": (4, MAX_SAMPLES, True),
    "noise": (0.0, MAX_NOISE, False),
    "test_ratio": (0.0, MAX_TEST_RATIO, False),
    "data_seed": (0, MAX_SEED, True),
    "seed": (0, MAX_SEED, True),
    "lr": (0.0, 10.0, False),
    "momentum": (0.0, 0.999, False),
    "beta1": (0.0, 0.999, False),
    "beta2": (0.0, 0.99999, False),
    "batch_size": (0, MAX_BATCH, True),
    "l1": (0.0, 10.0, False),
    "l2": (0.0, 10.0, False),
    "epochs": (0, MAX_EPOCHS, True),
}
# Settings named from a fixed list ("auto" picks from the dataset's task).
CHOICES: dict[str, tuple[str, ...]] = {
    "dataset": tuple(DATASETS),
    "init": INIT_SCHEMES,
    "output": ("auto", "sigmoid", "softmax", "linear"),
    "loss": ("auto", *LOSSES),
    "optimizer": tuple(OPTIMIZERS),
}


def _number(c: Config, name: str) -> None:
    lo, hi, integer = LIMITS[name]
    v = getattr(c, name)
    _need(isinstance(v, (int, float)) and not isinstance(v, bool), f"{name} must be a number")
    _need(math.isfinite(v), f"{name} must be a finite number")
    if integer:
        _need(float(v).is_integer(), f"{name} must be a whole number")
    open_low = name == "lr"
    low_ok = v > lo if open_low else v >= lo
    _need(low_ok and v <= hi, f"{name} must lie in {'(' if open_low else '['}{lo}, {hi}], not {v}")


def _check(c: Config) -> None:
    for name, allowed in CHOICES.items():
        v = getattr(c, name)
        _need(v in allowed, f"unknown {name} {v!r}; choose from {', '.join(allowed)}")
    for name in LIMITS:
        if not (name == "noise" and c.noise is None):
            _number(c, name)
    check_features(c.features)
    _need(len(c.hidden) <= MAX_HIDDEN_LAYERS, f"at most {MAX_HIDDEN_LAYERS} hidden layers")
    for h in c.hidden:
        _need(isinstance(h, int) and 1 <= h <= MAX_WIDTH, f"a hidden layer has 1 to {MAX_WIDTH} neurons, not {h}")
    _need(len(c.activations) in (1, len(c.hidden)) or not c.hidden,
          f"give one activation, or one per hidden layer ({len(c.hidden)})")
    allowed = {"binary": ("sigmoid", "softmax"), "multiclass": ("softmax",), "regression": ("linear",)}[c.task]
    _need(c.output_kind in allowed, f"a {c.task} dataset needs a {' or '.join(allowed)} output, not {c.output_kind!r}")
    check_pairing(c.loss_name, c.output_kind)
    c.architecture()


TUTORIAL = Config(
    dataset="xor", test_ratio=0.0, hidden=(3,), activations=("sigmoid",), output="sigmoid", init="normal",
    loss="sse", optimizer="gd", lr=0.1, batch_size=0, epochs=10_000, seed=0,
)
"""The tutorial's network: 4-point XOR, 2-3-1 sigmoid, standard normal weights, zero biases,
1/2 sum of squared errors, plain gradient descent with lr 0.1, 10,000 full-batch epochs."""


# ---------------------------------------------------------------- building
@dataclass
class Experiment:
    """Everything one config builds: the data, its split, a network and its trainer."""

    config: Config
    data: Dataset
    train: Dataset
    test: Dataset
    network: Network
    trainer: Trainer = field(repr=False)


def build_data(c: Config) -> tuple[Dataset, Dataset, Dataset]:
    """(all points, train, test). The 4-point truth tables are trained on whole and have no test set."""
    data = make_dataset(c.dataset, c.samples, c.noise, c.data_seed)
    if DATASETS[c.dataset].fixed or c.test_ratio == 0:
        return data, data, data.subset(slice(0, 0))
    train, test = train_test_split(data, c.test_ratio, c.data_seed)
    return data, train, test


def make_trainer(c: Config, network: Network, train: Dataset, test: Dataset) -> Trainer:
    opt = make_optimizer(c.optimizer, c.lr, c.momentum, c.beta1, c.beta2)
    return Trainer(network, train, test, c.loss_name, opt, c.batch_size or None, c.l1, c.l2, seed=c.seed)


def build(c: Config, network: Network | None = None) -> Experiment:
    """Data, network (freshly initialised from ``c.seed`` unless given) and trainer for ``c``."""
    c.check()
    data, train, test = build_data(c)
    if network is None:
        network = Network.create(c.architecture(), c.init, c.seed)
    elif network.arch != c.architecture():
        want, have = c.architecture(), network.arch
        if want.n_outputs != have.n_outputs:
            raise ConfigError(f"the model has {have.n_outputs} output neurons but {c.dataset!r} needs {want.n_outputs}")
        raise ConfigError("the model's architecture does not match the settings")
    return Experiment(c, data, train, test, network, make_trainer(c, network, train, test))

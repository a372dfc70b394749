"""One experiment as one plain object: data, network and training settings.

:class:`Config` has one field per declared setting (:data:`nn_core.settings.SETTINGS`),
in their order and with their defaults. The command line fills it from flags,
the page keeps it in its URL, a model file carries it. ``config.check()``
validates it as a whole and :func:`build` turns it into data, a network and a
trainer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, make_dataclass, replace
from functools import lru_cache

import numpy as np

from .checks import plain
from .datasets import DATASETS, Dataset, data_kind, make_dataset, split_indices, split_sizes, train_test_split
from .network import Architecture, Network, layer_activations
from .recipe import recipe
from .settings import SETTINGS, ConfigError, SettingError, loss_kind, loss_options, output_kind, output_options
from .training import Trainer, TrainerState
from .userdata import PointsError, parse_points, to_csv


class _ConfigMethods:
    """What every Config can tell and do; the fields come from the declarations."""

    def __post_init__(self):
        for f in fields(self):  # a list given for a tuple setting: hashable and comparable as a tuple
            if isinstance(getattr(self, f.name), list):
                object.__setattr__(self, f.name, tuple(getattr(self, f.name)))

    @property
    def task(self) -> str:
        """"binary", "multiclass" or "regression": the dataset's, or what its formula or points make."""
        return data_kind(self.values())[0]

    @property
    def n_classes(self) -> int:
        """The classes of the data (0 for regression): the dataset's, or its formula's or points'."""
        return data_kind(self.values())[1]

    @property
    def n_points(self) -> int:
        """How many points the data has: 4 for a truth table, the points given, or the samples drawn."""
        spec = DATASETS[self.dataset]
        return 4 if spec.fixed else len(parse_points(self.points)) if spec.source == "points" else self.samples

    @property
    def n_train(self) -> int:
        """How many points train: all of a truth table's, or what the test ratio leaves of the points."""
        if DATASETS[self.dataset].fixed or self.test_ratio == 0:
            return self.n_points
        return split_sizes(self.n_points, self.test_ratio)[0]

    @property
    def output_kind(self) -> str:
        """The output layer: the chosen one, or the dataset's automatic one."""
        return output_kind(self.values())

    @property
    def loss_name(self) -> str:
        """The loss: the chosen one, or the one that goes with the output layer."""
        return loss_kind(self.values())

    @property
    def layer_activations(self) -> tuple[str, ...]:
        return layer_activations(self.activations, len(self.hidden))

    def architecture(self) -> Architecture:
        n_out = self.n_classes if self.output_kind == "softmax" else 1
        return Architecture(self.hidden, self.activations, self.output_kind, n_out, self.features)

    def values(self) -> dict:
        """Every setting by name, values as held (tuples stay tuples)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def replace(self, **changes):
        return replace(self, **changes)

    def to_dict(self) -> dict:
        """Every setting by name, ready for JSON (tuples as lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    def diff(self, other) -> list[str]:
        """Names of the settings whose values differ from ``other``'s, in declaration order."""
        return [n for n in SETTINGS if getattr(self, n) != getattr(other, n)]

    def check(self, page: bool = False):
        """Self if every setting is valid and they fit together, with any NumPy scalar in its values made a
        plain Python value (a copy then); ConfigError naming the first problem.

        ``page``: within the tighter bounds of the page.
        """
        for s in SETTINGS.values():
            s.check(getattr(self, s.name), page)
        check_together(self)
        values = self.values()
        changes = {n: plain(v) for n, v in values.items() if plain(v) is not v}
        return replace(self, **changes) if changes else self


def check_together(c) -> None:
    """The rules between settings: activations per layer, points to learn for the custom dataset, output
    for the task, loss for the output."""
    try:
        layer_activations(c.activations, len(c.hidden))
    except ValueError as e:
        raise SettingError("activations", str(e), ": ") from None
    if DATASETS[c.dataset].source == "points":
        try:
            problem = parse_points(c.points).problem()
        except PointsError as e:  # values not checked one by one (a caller's own rules)
            problem = str(e)
        if problem:
            raise SettingError("points", problem, ": ")
    source = DATASETS[c.dataset].source
    if source:  # the data a text makes can be built: a formula defined on the grid may not be at the points drawn
        problem = _data_problem(c.dataset, c.samples, c.noise, c.data_seed, c.formula, c.points)
        if problem:
            raise SettingError(source, problem, ": ")
    values = c.values()
    for name, options in (("output", output_options), ("loss", loss_options)):
        if values[name] not in options(values):
            raise SettingError(name, f"cannot be {values[name]!r} here; choose from {', '.join(options(values))}")


@lru_cache(maxsize=16)
def _data_problem(dataset: str, samples, noise, data_seed, formula, points) -> str:
    """What stops the data of these settings being built, or "" (kept: every door checks the same data)."""
    try:
        make_dataset(dataset, samples, noise, data_seed, formula=formula, points=points)
    except ValueError as e:
        return str(e)
    return ""


Config = make_dataclass(
    "Config", [(s.name, object, field(default=s.default)) for s in SETTINGS.values()],
    bases=(_ConfigMethods,), frozen=True, namespace={"__module__": __name__},
)
Config.__doc__ = "One experiment: a field per setting of nn_core.settings.SETTINGS. " + (_ConfigMethods.__doc__ or "")


def config_from(values: Mapping, base=None, page: bool = False):
    """A Config from ``base`` (the defaults) and the settings in ``values`` (a model file's,
    say); names that are not settings are ignored. SettingError names the first bad value."""
    base = base if base is not None else Config()
    changes = {n: SETTINGS[n].check(v, page) for n, v in values.items() if n in SETTINGS}
    return replace(base, **changes).check(page)


TUTORIAL = Config(
    dataset="xor", test_ratio=0.0, hidden=(3,), activations=("sigmoid",), output="sigmoid", init="normal",
    loss="sse", optimizer="gd", lr=0.1, batch_size=0, epochs=10_000, seed=0,
)
"""The tutorial's network: 4-point XOR, 2-3-1 sigmoid, standard normal weights, zero biases,
1/2 sum of squared errors, plain gradient descent with lr 0.1, 10,000 full-batch epochs."""

VANISHING = Config(
    dataset="blobs", hidden=(8,) * 8, activations=("sigmoid",), output="sigmoid", init="xavier", loss="bce",
    optimizer="gd", lr=0.1, batch_size=0, epochs=1000, seed=0,
)
"""Vanishing gradients: 8 hidden layers of 8 sigmoid neurons on two Gaussian blobs (an easy, linearly
separable set), log-loss, plain full-batch gradient descent with lr 0.1. Backpropagation multiplies the
gradient by sigmoid' <= 1/4 at every layer, so at epoch 1 the first layer's weight gradient is 1.4e-5 of the
last layer's (4.5e-6 against 0.31; 5e-6 to 1e-4 over network seeds 0 to 7). The last layers soon settle on
the base rate, all gradients then sink to about 1e-6, and the first layers never learn: the loss stays at
log 2 and the accuracy at chance (for 30,000 epochs at least). :data:`VANISHING_RELU` is its twin that learns."""

VANISHING_RELU = VANISHING.replace(activations=("relu",))
""":data:`VANISHING` with ReLU (derivative 1 where active): at epoch 1 every layer's gradient is about 1e-2
(the largest 6 times the smallest for seed 0, at most 44 times over seeds 0 to 7, against 7e4 for the
sigmoids), and it separates the blobs (test accuracy 1 for seeds 0 to 7 after its 1,000 epochs)."""


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
    """(all points, train, test). The 4-point truth tables are trained on whole and have no test set.

    SettingError (a ConfigError) naming the formula if it is not defined at a point drawn (the checks
    evaluate it on a grid only)."""
    try:
        data = make_dataset(c.dataset, c.samples, c.noise, c.data_seed, formula=c.formula, points=c.points)
    except ValueError as e:
        source = DATASETS[c.dataset].source
        if not source:
            raise
        raise SettingError(source, str(e), ": ") from None
    if DATASETS[c.dataset].fixed or c.test_ratio == 0:
        return data, data, data.subset(slice(0, 0))
    train, test = train_test_split(data, c.test_ratio, c.data_seed)
    return data, train, test


def optimizer_for(c: Config):
    """The optimizer ``c`` names, with the hyperparameters it uses taken from ``c`` (its recipe's)."""
    return recipe(c).make_optimizer()


def make_trainer(c: Config, network: Network, train: Dataset, test: Dataset) -> Trainer:
    return Trainer(network, train, test, recipe=recipe(c))


def retune(trainer: Trainer, old: Config, new: Config) -> None:
    """Move a trainer from ``old``'s training settings to ``new``'s (its recipe), keeping the network and, where
    the optimizer stays the same, its state (momentum, moments)."""
    trainer.set_recipe(recipe(new))


def build(c: Config, network: Network | None = None, state: TrainerState | None = None) -> Experiment:
    """Data, network (freshly initialised from ``c.seed`` unless given) and trainer for ``c``.

    With ``state`` (a model file's, say), the trainer goes on from it (:meth:`Trainer.restore`): its
    history starts with the network's record at the state's epoch. ConfigError if it does not fit.
    """
    c = c.check()
    data, train, test = build_data(c)
    if network is None:
        network = Network.create(c.architecture(), c.init, c.seed)
    elif network.arch != c.architecture():
        want, have = c.architecture(), network.arch
        if want.n_outputs != have.n_outputs:
            raise ConfigError(f"the model has {have.n_outputs} output neurons but {c.dataset!r} needs {want.n_outputs}")
        raise ConfigError("the model's architecture does not match the settings")
    trainer = make_trainer(c, network, train, test)
    if state is not None:
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # a loss that overflows is the trainer's to report
                trainer.restore(state)
        except ValueError as e:
            raise ConfigError(f"the training state does not fit: {e}") from None
    return Experiment(c, data, train, test, network, trainer)


def data_csv(exp: Experiment) -> str:
    """The experiment's points as a CSV file (:func:`nn_core.userdata.to_csv`): in the data's order, with a
    split column (train or test). Its own points, loaded again as the custom dataset with the same test
    ratio and data seed, read back exactly and split the same way."""
    c, n = exp.config, len(exp.data)
    split = np.full(n, "train", dtype=object)
    if not DATASETS[c.dataset].fixed and c.test_ratio > 0:
        split[split_indices(n, c.test_ratio, c.data_seed)[1]] = "test"
    return to_csv(exp.data.X, exp.data.y, c.task, split.tolist())

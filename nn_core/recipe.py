"""What a run of an experiment needs besides its data and its weights, derived from a Config in one place.

:func:`recipe` reads a :class:`nn_core.Config` once and says everything
training does with it: the output layer and the loss, the optimizer and its
hyperparameters, the batch rule, the penalties, the target encoding, and the
limits above which a loss counts as a spike or as diverged. The
:class:`nn_core.Trainer`, the convergence odds (:mod:`nn_core.odds`), the
exported script (:mod:`nn_core.export`), ``retune`` and model files all read
a :class:`Recipe`; none of them decides these for itself, so a setting that
reaches the recipe reaches every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import reference
from .losses import check_pairing, get_loss
from .optimizers import OPTIMIZERS, make_optimizer
from .reference import EXPLODE_FACTOR, SPIKE_FACTOR, loss_limit


@dataclass(frozen=True)
class Recipe:
    """How one experiment trains: everything but the data and the weights (see the module's docstring).

    ``hyperparameters`` are the optimizer's own, as (name, value) pairs in its order; ``batch_size`` 0 means
    the full batch (as does a size of at least the training set: :meth:`batch`); ``seed`` seeds the
    mini-batch shuffle (run k of a stack of seeds shuffles with ``seed + k``).
    """

    output: str
    n_outputs: int
    loss: str
    optimizer: str
    hyperparameters: tuple[tuple[str, float], ...] = ()
    batch_size: int = 0
    l1: float = 0.0
    l2: float = 0.0
    seed: int = 0
    explode_factor: float = EXPLODE_FACTOR
    spike_factor: float = SPIKE_FACTOR

    def __post_init__(self):
        check_pairing(self.loss, self.output)
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; choose from {', '.join(OPTIMIZERS)}")

    # ------------------------------------------------------------ the rules
    def batch(self, n: int) -> int | None:
        """Points per step on a training set of ``n`` points; None for the full batch (one step an epoch).
        The full-batch rule, written once: a batch size of 0, or of ``n`` or more, is the full batch."""
        return None if not self.batch_size or self.batch_size >= n else int(self.batch_size)

    @property
    def penalised(self) -> bool:
        """Whether the weights carry an L1 or L2 penalty."""
        return bool(self.l1 or self.l2)

    def limits(self, start_loss: float) -> tuple[float, float]:
        """(spike, explode): the training losses above which a run has spiked or diverged, ``spike_factor`` and
        ``explode_factor`` times ``start_loss`` (or LOSS_FLOOR, if the start is lower); both infinite if the
        start is not finite (:func:`nn_core.reference.loss_limit`, the rule an exported script copies). A NaN
        loss is above every limit (written ``not loss <= limit``)."""
        return float(loss_limit(start_loss, self.spike_factor)), float(loss_limit(start_loss, self.explode_factor))

    def targets(self, y: np.ndarray) -> np.ndarray:
        """Labels or values y (n,) as the output layer sees them, (n, n_outputs): a column of 0/1 for a sigmoid,
        one-hot rows for a softmax, a column of values for a linear output; by the output's piece of
        :mod:`nn_core.reference` (``sigmoid_targets``...), which an exported script copies."""
        y = np.asarray(y)
        if self.output == "softmax":
            y = y.astype(np.int64)
            if y.size and (y.min() < 0 or y.max() >= self.n_outputs):
                raise ValueError(f"class labels must lie in 0..{self.n_outputs - 1}")
        return getattr(reference, f"{self.output}_targets")(y, self.n_outputs)

    # ------------------------------------------------------------ what it makes
    @property
    def loss_function(self):
        """The :class:`nn_core.losses.Loss` named ``loss``."""
        return get_loss(self.loss)

    def make_optimizer(self):
        """A fresh optimizer of this recipe, with its hyperparameters."""
        return make_optimizer(self.optimizer, **dict(self.hyperparameters))

    def tune(self, optimizer) -> None:
        """Give ``optimizer`` (of this recipe's kind) this recipe's hyperparameters, keeping its state."""
        for name, value in self.hyperparameters:
            setattr(optimizer, name, value)

    def replace(self, **changes) -> Recipe:
        return replace(self, **changes)


def recipe(c) -> Recipe:
    """The recipe of :class:`nn_core.Config` ``c``: its output (the chosen one or the data's), loss, optimizer with
    the hyperparameters it uses, batch size, penalties and seed."""
    arch = c.architecture()
    used = OPTIMIZERS[c.optimizer].hyperparameters
    return Recipe(arch.output, arch.n_outputs, c.loss_name, c.optimizer, tuple((h, getattr(c, h)) for h in used),
                  c.batch_size, c.l1, c.l2, c.seed)


def recipe_of(optimizer, output: str, n_outputs: int, loss: str, batch_size: int | None = None, l1: float = 0.0,
              l2: float = 0.0, seed: int = 0) -> Recipe:
    """The recipe of a Trainer made from its parts (``optimizer`` an instance): its hyperparameters as they are."""
    used = type(optimizer).hyperparameters
    return Recipe(output, n_outputs, loss, optimizer.name, tuple((h, getattr(optimizer, h)) for h in used),
                  batch_size or 0, float(l1), float(l2), seed)

"""Convergence odds: one experiment trained from many network seeds at once.

``Odds(config, seeds=K)`` trains the seeds ``config.seed, ..., config.seed + K - 1``
together; seed k of the batch is the run ``build(config.replace(seed=k))`` would
train (the same initial weights, mini-batch shuffle, optimizer, penalties, and
divergence rule), and ends where it would, to rounding. The result says how
many of them converged, and when.

The seeds train as K runs of :class:`nn_core.engine.Runs`, stacked on a last
axis, by the recipe of the config (:func:`nn_core.recipe.recipe`): the epoch is
the one a single run trains with, and so are the explode rule's limits.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .checks import is_number, is_whole
from .config import build_data
from .engine import Runs
from .features import feature_matrix
from .network import Network
from .recipe import recipe
from .settings import MAX_SEED

MAX_PAGE_SEEDS = 1000
MAX_SEEDS = 100_000
# Stacked values, seeds x (training points x neurons of every layer + parameters): the few buffers of
# activations and of parameters are each about this large, so it bounds the memory (8 bytes a value,
# about six buffers: 200 MB on the page) and the work of an epoch.
MAX_PAGE_CELLS = 2**22
MAX_CELLS = 2**24
REGRESSION_FRACTION = 0.01  # the default threshold: 1% of the loss of always predicting the mean
NEVER = -1  # the epoch of a seed that never converged (or never diverged)


def cells(config, seeds: int) -> int:
    """Values an odds run of ``seeds`` seeds stacks: seeds x (training points x neurons + parameters)."""
    _, train, _ = build_data(config)
    arch = config.architecture()
    return seeds * (len(train) * sum(arch.sizes) + arch.n_params)


def max_seeds(config, page: bool = False) -> int:
    """The most seeds an odds run of ``config`` may have (on the page if ``page``)."""
    limit, most = (MAX_PAGE_CELLS, MAX_PAGE_SEEDS) if page else (MAX_CELLS, MAX_SEEDS)
    return max(0, min(most, limit // cells(config, 1), MAX_SEED - config.seed + 1))


def check_seeds(config, seeds, page: bool = False) -> int:
    """``seeds`` as an int; ValueError naming the limit it breaks."""
    most = MAX_PAGE_SEEDS if page else MAX_SEEDS
    if not is_whole(seeds, 1, most):
        raise ValueError(f"seeds must be a whole number from 1 to {most:,}, not {seeds!r}")
    seeds = int(seeds)
    if config.seed + seeds - 1 > MAX_SEED:
        raise ValueError(f"seeds {config.seed} to {config.seed + seeds - 1} run past the largest seed, {MAX_SEED}")
    limit, size = (MAX_PAGE_CELLS if page else MAX_CELLS), cells(config, seeds)
    if size > limit:
        raise ValueError(f"{seeds:,} seeds x {size // seeds:,} values (training points x neurons + parameters) "
                         f"= {size:,} is more than the limit of {limit:,}: try at most {max_seeds(config, page):,} "
                         "seeds")
    return seeds


def default_threshold(config) -> float:
    """The loss under which a regression run counts as converged: REGRESSION_FRACTION of the training
    loss of always predicting the mean (for a squared loss, R^2 above 0.99)."""
    _, train, _ = build_data(config)
    y = train.y.astype(np.float64).reshape(-1, 1)
    mean = np.full_like(y, y.mean())
    return REGRESSION_FRACTION * recipe(config).loss_function.value(mean, y, mean)


# ---------------------------------------------------------------- the odds
class SeedOutcome(NamedTuple):
    seed: int
    converged: bool
    epoch: int | None  # the first epoch it was converged (0: before training); None if never
    loss: float  # final training loss (a diverged run's last finite one)
    accuracy: float | None  # final training accuracy; None for regression
    diverged: int | None  # the epoch its loss became NaN, infinite or exploded; None if never


@dataclass(frozen=True, eq=False)  # its arrays have no single truth value to compare by
class OddsResult:
    """How many of ``seeds`` runs (network seeds ``seed`` .. ``seed + seeds - 1``) converged in ``epochs``.

    Per seed, arrays (seeds,): ``converged_at`` the first epoch it was converged (NEVER = -1 if not, and
    for a run that diverged), ``final_loss``, ``final_accuracy`` (NaN for regression), ``diverged_at``
    (NEVER if not). The quartiles of the epochs to converge are None when no seed converged."""

    seed: int
    seeds: int
    epochs: int
    converged: int
    percent: float
    diverged: int
    threshold: float | None  # the training loss under which a regression run converges; None: classification
    epochs_q1: float | None
    epochs_median: float | None
    epochs_q3: float | None
    median_loss: float
    seconds: float
    converged_at: np.ndarray
    final_loss: np.ndarray
    final_accuracy: np.ndarray
    diverged_at: np.ndarray

    def outcomes(self) -> list[SeedOutcome]:
        """One record per seed, in plain Python values."""
        def some(v):
            return None if v == NEVER else int(v)

        return [SeedOutcome(self.seed + i, bool(c != NEVER), some(c), float(l), None if a != a else float(a), some(d))
                for i, (c, l, a, d) in enumerate(zip(self.converged_at, self.final_loss, self.final_accuracy,
                                                     self.diverged_at))]

    def to_dict(self) -> dict:
        """Everything as JSON-ready values (NaN and infinity as None, NEVER as None)."""
        plain = {k: getattr(self, k) for k in ("seed", "seeds", "epochs", "converged", "percent", "diverged",
                                                "threshold", "epochs_q1", "epochs_median", "epochs_q3",
                                                "median_loss", "seconds")}
        outcomes = self.outcomes()
        per_seed = {name: [getattr(o, name) for o in outcomes] for name in SeedOutcome._fields}
        per_seed["loss"] = [v if math.isfinite(v) else None for v in per_seed["loss"]]
        return {**{k: v if not isinstance(v, float) or math.isfinite(v) else None for k, v in plain.items()},
                "per_seed": per_seed}


class Odds:
    """Train ``config`` from ``seeds`` network seeds at once, in slices: ``run(epochs)`` goes on,
    ``result()`` says how many converged so far. See the module's docstring.

    A classification run has converged at an epoch where every training point is on the right side;
    a regression run when its training loss is below ``threshold`` (default: :func:`default_threshold`).
    ``page``: within the page's bounds. ValueError if the seeds or the threshold are refused."""

    def __init__(self, config, seeds: int = 100, threshold: float | None = None, page: bool = False):
        self.config = config.check(page)
        self.seeds = check_seeds(config, seeds, page)
        self.threshold = self._threshold(threshold)
        self.epoch, self.seconds = 0, 0.0
        start = time.perf_counter()
        self._runs = self._start()
        K = self.seeds
        # per seed, for seeds that diverged (and left the stack): first converged epoch, final loss and accuracy
        self._first, self._diverged = np.full(K, NEVER, dtype=np.int64), np.full(K, NEVER, dtype=np.int64)
        self._loss, self._accuracy = np.full(K, np.nan), np.full(K, np.nan)
        self._retired: dict[int, np.ndarray] = {}  # their last finite parameters
        # per column of the stack: its seed, first converged epoch, 1.0 while not converged yet, explode limit
        self._col = {"index": np.arange(K, dtype=np.int64), "first": np.full(K, NEVER, dtype=np.int64),
                     "waiting": np.ones(K)}
        with np.errstate(over="ignore", invalid="ignore"):
            losses, accuracies = self._runs.measure()
        recipe = self._runs.recipe  # each run's limit from its own start, as a single run's
        self._col["explode"] = np.array([recipe.limits(float(loss))[1] for loss in losses])
        self._lowest = float(self._col["explode"].min())
        self._record(0, losses, accuracies)
        self.seconds = time.perf_counter() - start

    def _threshold(self, threshold) -> float | None:
        if self.config.task != "regression":
            if threshold is not None:
                raise ValueError("a loss threshold is for regression; a classifier converges at 100% accuracy")
            return None
        if threshold is None:
            return default_threshold(self.config)
        if not is_number(threshold) or not 0 < threshold < math.inf:
            raise ValueError(f"the loss threshold must be a number above 0, not {threshold!r}")
        return float(threshold)

    def _start(self) -> Runs:
        c = self.config
        _, train, _ = build_data(c)
        arch, r = c.architecture(), recipe(c)
        net = Network(arch)
        params = np.empty((arch.n_params, self.seeds))
        for i in range(self.seeds):  # exactly the weights build() draws for each seed
            net.initialize(c.init, c.seed + i)
            params[:, i] = net.params
        rngs = [np.random.default_rng(r.seed + i) for i in range(self.seeds)]  # each seed's own shuffle
        return Runs(arch, r, r.make_optimizer(), feature_matrix(train.X, arch.features), train.y, params, rngs)

    @property
    def done(self) -> bool:
        """Whether the epoch budget is spent (or every run diverged)."""
        return self.epoch >= self.config.epochs or self._runs is None

    def run(self, epochs: int | None = None, seconds: float | None = None) -> int:
        """Train at most ``epochs`` more epochs (None: the rest of the budget, ``config.epochs``), stopping
        after the epoch that passes ``seconds`` of time if given; returns the epochs trained."""
        todo = self.config.epochs - self.epoch if epochs is None else min(int(epochs), self.config.epochs - self.epoch)
        start, clock, done = time.perf_counter(), time.perf_counter, 0
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is counted, not warned about
            while done < todo and self._runs is not None:
                self._advance()
                done += 1
                if seconds is not None and clock() - start >= seconds:
                    break
        self.seconds += clock() - start
        return done

    def _advance(self) -> None:
        self.epoch += 1
        losses, accuracies = self._runs.epoch()
        # a run diverges as in Trainer.run: its loss is not <= its limit (NaN fails that too); one
        # maximum tells when no run can have
        if not losses.max() <= self._lowest:
            fine = losses <= self._col["explode"]
            if not fine.all():
                losses, accuracies = self._retire(fine)
        if self._runs is not None:
            self._record(self.epoch, losses, accuracies)

    def _record(self, epoch: int, losses: np.ndarray, accuracies: np.ndarray | None) -> None:
        now = accuracies == 1.0 if accuracies is not None else losses < self.threshold
        col = self._col
        if now.dot(col["waiting"]):  # some run converged for the first time
            new = now & (col["waiting"] > 0)
            col["first"][new], col["waiting"][new] = epoch, 0.0
        self._losses, self._accuracies = losses, accuracies

    def _retire(self, fine: np.ndarray):
        """Runs whose loss diverged stop with their last finite parameters and results, as a single run
        does; the others go on in a smaller stack. Returns their losses and accuracies."""
        runs, gone = self._runs, np.flatnonzero(~fine)
        seeds = self._col["index"][gone]
        for c, s in zip(gone, seeds):
            self._retired[int(s)] = runs.backup[:, c].copy()
        self._diverged[seeds], self._loss[seeds] = self.epoch, self._losses[gone]
        if self._accuracies is not None:
            self._accuracy[seeds] = self._accuracies[gone]
        kept = np.flatnonzero(fine)
        self._col = {k: v[kept] for k, v in self._col.items()}
        self._losses = self._losses[kept]
        self._accuracies = None if self._accuracies is None else self._accuracies[kept]
        if not len(kept):
            self._runs = None
            return None, None
        self._lowest = float(self._col["explode"].min())
        self._runs = runs.keep(kept)
        return self._runs.measure()

    def params(self) -> np.ndarray:
        """Every seed's parameters now (seeds, n_params), each row laid out like ``Network.params``; a
        diverged seed's are its last finite ones."""
        out = np.empty((self.seeds, self.config.architecture().n_params))
        if self._runs is not None:
            out[self._col["index"]] = self._runs.params.T
        for s, p in self._retired.items():
            out[s] = p
        return out

    def result(self) -> OddsResult:
        """The odds so far (the final ones once :attr:`done`)."""
        first, losses, accuracies = self._first.copy(), self._loss.copy(), self._accuracy.copy()
        if self._runs is not None:
            index = self._col["index"]
            first[index], losses[index] = self._col["first"], self._losses
            if self._accuracies is not None:
                accuracies[index] = self._accuracies
        epochs = first[first != NEVER]
        q1, median, q3 = (float(q) for q in np.percentile(epochs, [25, 50, 75])) if len(epochs) else (None,) * 3
        finite = losses[np.isfinite(losses)]
        return OddsResult(
            self.config.seed, self.seeds, self.epoch, len(epochs), 100.0 * len(epochs) / self.seeds,
            int(np.count_nonzero(self._diverged != NEVER)), self.threshold, q1, median, q3,
            float(np.median(finite)) if len(finite) else math.nan, self.seconds, first, losses, accuracies,
            self._diverged.copy())


def convergence_odds(config, seeds: int = 100, threshold: float | None = None) -> OddsResult:
    """Train ``config`` for its epochs from ``seeds`` network seeds at once and say how many converged."""
    odds = Odds(config, seeds, threshold)
    odds.run()
    return odds.result()

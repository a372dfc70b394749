"""Training as a resumable unit: ``Trainer.run(k)`` trains k more epochs and yields a record per epoch.

One epoch is one pass over the training set: a single full-batch step, or
one step per mini-batch after a seeded shuffle. The record of epoch k holds
the losses and accuracies of the parameters *after* that epoch. In full-batch
mode the forward pass that measures them is the one the next epoch's step
starts from, so measuring costs nothing extra.

Gradient statistics (:class:`GradientStats`: per weight layer, the gradient's
norm and the update-to-weight ratio) are recorded only when asked for, at
log-spaced epochs: a run without them costs one integer compare per epoch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np

from .checks import is_number, is_whole, plain
from .datasets import Dataset
from .engine import Runs, accuracy
from .features import feature_matrix
from .losses import LOSSES
from .network import Network, Workspace
from .optimizers import GD, OPTIMIZERS
from .recipe import Recipe, recipe_of
from .reference import LOSS_FLOOR
from .text import show
from .timeline import LogSpaced


class EpochRecord(NamedTuple):
    epoch: int
    train_loss: float
    test_loss: float | None  # None without a test set
    train_acc: float | None  # None for regression
    test_acc: float | None
    seconds: float  # training time so far, summed over runs


class Spike(NamedTuple):
    """A loss far above where the run started (:data:`nn_core.recipe.SPIKE_FACTOR` times or more), from which
    training went on: ``factor`` is the loss over the start loss (or over LOSS_FLOOR, if that was lower)."""

    epoch: int
    loss: float
    factor: float
    message: str


class Divergence(NamedTuple):
    epoch: int
    reason: str  # "nan", "inf" or "exploded"
    message: str


MAX_EPOCHS_TRAINED = 10**12
MAX_SECONDS = 1e12  # training time a state may claim (30,000 years)
_UINT128 = 2**128
_NEVER = 1 << 62  # an epoch no run reaches: no gradient statistics to record


@dataclass(frozen=True)
class TrainerState:
    """Where a :class:`Trainer` is, besides its network and settings: enough to go on bit for bit.

    ``epoch``: epochs trained; ``seconds``: training time so far; ``start_loss``: the loss before the
    first epoch (of the loss named ``loss``), which sets how high a loss counts as exploded;
    ``optimizer``: the optimizer's registry name and ``slots`` its ``state()``; ``shuffle``: the
    mini-batch shuffle's ``bit_generator.state`` (PCG64). Each of the last five may be None: that
    part starts afresh (the start loss is measured again, the optimizer reset, the shuffle seeded).
    """

    epoch: int = 0
    seconds: float = 0.0
    start_loss: float | None = None
    loss: str | None = None
    optimizer: str | None = None
    slots: dict | None = field(default=None, compare=False)  # arrays: compare them with np.array_equal
    shuffle: dict | None = None

    def check(self) -> TrainerState:
        """Self if every value is valid (the slots are checked by the optimizer), its numbers made plain Python
        ones (a copy then); else ValueError."""
        if not is_whole(self.epoch, 0, MAX_EPOCHS_TRAINED):
            raise ValueError(f"epoch must be a whole number in [0, {MAX_EPOCHS_TRAINED:.0e}]")
        if not is_number(self.seconds, 0, MAX_SECONDS):
            raise ValueError(f"seconds must be a number in [0, {MAX_SECONDS:.0e}]")
        if self.start_loss is not None and not (is_number(self.start_loss, 0) and self.start_loss < math.inf):
            raise ValueError("start_loss must be a finite number >= 0, or null")
        for what, name, known in (("loss", self.loss, LOSSES), ("optimizer", self.optimizer, OPTIMIZERS)):
            if name is not None and (not isinstance(name, str) or name not in known):
                raise ValueError(f"unknown {what} {show(name)}")
        if (self.optimizer is None) != (self.slots is None):
            raise ValueError("the optimizer's name and its state come together")
        if self.shuffle is not None:
            check_shuffle(self.shuffle)
        numbers = {"epoch": self.epoch, "seconds": self.seconds, "start_loss": self.start_loss}
        changes = {k: plain(v) for k, v in numbers.items() if plain(v) is not v}
        return replace(self, **changes) if changes else self


def check_shuffle(state) -> None:
    """ValueError unless ``state`` is a PCG64 ``bit_generator.state``, exactly as NumPy writes one."""
    if not isinstance(state, dict) or set(state) != {"bit_generator", "state", "has_uint32", "uinteger"}:
        raise ValueError("shuffle must hold bit_generator, state, has_uint32 and uinteger")
    if state["bit_generator"] != "PCG64":
        raise ValueError(f"shuffle: the bit generator must be 'PCG64', not {show(state['bit_generator'])}")
    inner = state["state"]
    if not isinstance(inner, dict) or set(inner) != {"state", "inc"} or not all(
            is_whole(inner[k], 0, _UINT128 - 1) for k in ("state", "inc")):
        raise ValueError("shuffle: state must hold state and inc, whole numbers in [0, 2^128)")
    if inner["inc"] % 2 == 0:  # PCG64's increment is odd: NumPy never makes an even one
        raise ValueError("shuffle: inc must be odd")
    if not is_whole(state["has_uint32"], 0, 1) or not is_whole(state["uinteger"], 0, 2**32 - 1):
        raise ValueError("shuffle: has_uint32 must be 0 or 1 and uinteger a whole number in [0, 2^32)")


class GradientRecord(NamedTuple):
    """Gradient statistics at m epochs of a network of L weight layers (layer 0 takes the inputs)."""

    epochs: np.ndarray  # (m,) int64, increasing
    grad_norm: np.ndarray  # (m, L)
    update_ratio: np.ndarray  # (m, L)


class GradientStats:
    """Per weight layer, the size of the gradient and of the update, at log-spaced epochs.

    Off by default; ``trainer.gradient_stats = GradientStats()`` turns it on
    (``None`` turns it off). At a recorded epoch ``k`` and weight layer ``l``:

    ``grad_norm``: the Frobenius norm of the gradient of the training objective
    (the loss plus any L1/L2 penalty, as the optimizer sees it) with respect to
    the layer's weight matrix W_l, biases left out, taken over the *whole*
    training set at the parameters epoch ``k`` starts from. In full batch that
    is the gradient of the epoch's one step. With mini-batches it is the
    full-batch gradient the steps' gradients estimate, on the same scale
    whatever the batch size; it costs one backward pass per recorded epoch
    (the forward pass is already there) and leaves training unchanged.

    ``update_ratio``: ||W_l after epoch k - W_l before|| / ||W_l before||, the
    whole epoch's change (all its steps; the optimizer's update, not just
    lr * gradient). inf where a layer's weights were all zero and moved, 0 if
    they did not move.

    Epochs kept: 1, 2, 3, ... then log-spaced, thinned to at most
    ``max_points`` (see :mod:`nn_core.timeline`), however the run is sliced.
    """

    def __init__(self, max_points: int = 300):
        self._kept = LogSpaced(max_points)

    @property
    def next_epoch(self) -> int:
        """The first epoch still to record."""
        return self._kept.next_epoch

    def add(self, epoch: int, grad_norm: np.ndarray, update_ratio: np.ndarray) -> int:
        """Keep one epoch's values, (L,) each; returns the next epoch to record. An epoch at or before the
        last kept one first drops those from it on."""
        self._kept.add(epoch, (np.array(grad_norm, dtype=np.float64), np.array(update_ratio, dtype=np.float64)))
        return self._kept.next_epoch

    def truncate(self, epoch: int) -> None:
        """Drop the epochs after ``epoch`` (training went back to it)."""
        self._kept.truncate(epoch)

    def clear(self) -> None:
        self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept.epochs)

    def record(self) -> GradientRecord:
        """The statistics as arrays: epochs (m,), grad_norm (m, L), update_ratio (m, L); L is 0 while m is."""
        kept = self._kept
        L = len(kept.items[0][0]) if kept.items else 0
        grad, ratio = (np.array([item[i] for item in kept.items], dtype=np.float64).reshape(len(kept.items), L)
                       for i in (0, 1))
        return GradientRecord(np.array(kept.epochs, dtype=np.int64), grad, ratio)


def weight_norms(layers) -> np.ndarray:
    """The Frobenius norm of each layer's weights (L,), from (n_in + 1, n_out) views whose last row is the bias."""
    return np.array([np.linalg.norm(layer[:-1]) for layer in layers])


def update_ratios(after, before) -> np.ndarray:
    """||W after - W before|| / ||W before|| per layer (L,), from views as :func:`weight_norms` takes."""
    change = np.array([np.linalg.norm(a[:-1] - b[:-1]) for a, b in zip(after, before)])
    size = weight_norms(before)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(change == 0, 0.0, change / size)


class _Split:
    """A dataset prepared for measuring a network on it: its inputs in a workspace, its targets, its accuracy."""

    def __init__(self, net: Network, data: Dataset, recipe: Recipe):
        self.ws = Workspace(net.arch.sizes, len(data))
        self.ws.H[0][...] = feature_matrix(data.X, net.arch.features)
        self.Y = recipe.targets(data.y)
        self.accuracy = accuracy(data.y, net.arch.output)

    def measure(self, net: Network, loss) -> tuple[float, float | None]:
        """(loss, accuracy) of ``net`` on this dataset; accuracy None for regression."""
        p = net.forward(self.ws)
        return loss.value(p, self.Y, self.ws.Z[-1]), self.accuracy(p)


class Trainer:
    """Trains ``network`` on ``train`` (and measures ``test``) by a :class:`nn_core.recipe.Recipe`.

    ``build`` gives the recipe of its Config; made from parts, the recipe is that of the loss, the
    ``optimizer`` (GD(0.1) if None), ``batch_size`` (None or >= len(train): the full batch), the L1 and L2
    rates on the weights (not the biases) and ``seed``, which drives the mini-batch shuffle only: the same
    network, data and seed give the same history, bit for bit. An epoch is :class:`nn_core.engine.Runs`'s.

    ``divergence`` says why the last run stopped early, ``spike`` the first loss spike since the trainer was
    made or restored: a loss above ``SPIKE_FACTOR`` times the start that training went on from. It is recorded
    once, however many slices of ``run`` the training takes, and kept when the loss recovers.
    """

    def __init__(self, network: Network, train: Dataset, test: Dataset | None = None, loss: str = "bce",
                 optimizer=None, batch_size: int | None = None, l1: float = 0.0, l2: float = 0.0, seed=0, *,
                 recipe: Recipe | None = None):
        if recipe is None:
            optimizer = optimizer if optimizer is not None else GD(0.1)
            arch = network.arch
            recipe = recipe_of(optimizer, arch.output, arch.n_outputs, loss, batch_size, l1, l2, seed)
        if len(train) == 0:
            raise ValueError("the training set is empty")
        self.network = network
        F = feature_matrix(train.X, network.arch.features)
        self._runs = Runs(network.arch, recipe, optimizer if optimizer is not None else recipe.make_optimizer(), F,
                          train.y, network.params, [np.random.default_rng(recipe.seed)])
        self._test = _Split(network, test, recipe) if test is not None and len(test) else None
        self._backup_views = self._runs._views(self._runs.backup)
        self._measured = False  # whether the training set is measured for the parameters as they are
        self.history: list[EpochRecord] = []
        self.gradient_stats: GradientStats | None = None  # set one to record them as run() trains
        self.divergence: Divergence | None = None
        self.spike: Spike | None = None
        self.start_loss: float | None = None  # the loss before the first epoch (of this loss), once measured
        self._limits: tuple[float, float] | None = None  # (spike, explode) limits, from the start loss

    # ------------------------------------------------------------ settings
    @property
    def epoch(self) -> int:
        return self.history[-1].epoch if self.history else 0

    recipe = property(lambda self: self._runs.recipe, doc="The Recipe it trains by.")
    loss = property(lambda self: self._runs.loss, doc="The loss it trains on (a nn_core.losses.Loss).")
    batch_size = property(lambda self: self.recipe.batch_size or None, doc="Points per step; None: the full batch.")
    l1 = property(lambda self: self.recipe.l1, doc="The L1 penalty's rate.")
    l2 = property(lambda self: self.recipe.l2, doc="The L2 penalty's rate.")
    _rng = property(lambda self: self._runs.rngs[0], doc="The mini-batch shuffle's generator.")

    @property
    def optimizer(self):
        return self._runs.optimizer

    @optimizer.setter
    def optimizer(self, optimizer) -> None:
        """Step with ``optimizer`` (its own state and hyperparameters) from the next epoch on."""
        r = self.recipe
        self._runs.use(recipe_of(optimizer, r.output, r.n_outputs, r.loss, r.batch_size, r.l1, r.l2, r.seed), optimizer)

    def set_recipe(self, recipe: Recipe) -> None:
        """Train by ``recipe`` from the next epoch on, keeping the network and, if the optimizer stays the same
        kind, its state (momentum, moments) with the new hyperparameters."""
        optimizer = self.optimizer
        if recipe.optimizer != optimizer.name:
            optimizer = recipe.make_optimizer()
        else:
            recipe.tune(optimizer)
        if recipe.loss != self.recipe.loss:  # a loss on another scale: measure its start again
            self._measured, self._limits, self.start_loss = False, None, None
        self._runs.use(recipe, optimizer)

    def set_batch_size(self, batch_size: int | None) -> None:
        """Mini-batches of ``batch_size`` points; None for the full batch."""
        self.set_recipe(self.recipe.replace(batch_size=int(batch_size or 0)))

    def set_regularization(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.set_recipe(self.recipe.replace(l1=float(l1), l2=float(l2)))

    def set_loss(self, loss: str) -> None:
        """Train on another loss from the next epoch on (the optimizer keeps its state)."""
        self.set_recipe(self.recipe.replace(loss=loss))

    def parameters_changed(self) -> None:
        """Call after changing ``network.params`` from outside, so cached passes are redone."""
        self._measured = False

    # ------------------------------------------------------------ training
    def run(self, epochs: int) -> Iterator[EpochRecord]:
        """Train ``epochs`` more epochs, yielding each epoch's record (also kept in ``history``).

        Stops early if the loss becomes NaN, infinite or explodes: ``divergence`` says why, and the
        network keeps its last finite parameters. On its way there a run may overflow: :meth:`fit`
        silences those warnings, a caller of ``run`` can do the same with ``np.errstate``."""
        history, test, net, loss = self.history, self._test, self.network, self.loss
        clock, start = time.perf_counter, time.perf_counter()
        done, epoch = (history[-1].seconds if history else 0.0), self.epoch
        sample_at = self._start()
        train_epoch, measure, (spike_at, explode) = self._runs.epoch, self._runs.measure, self._limits
        watch = explode if self.spike is not None else spike_at  # the loss above which an epoch is looked at
        new_record = tuple.__new__  # EpochRecord(...) without its Python-level __new__
        for _ in range(int(epochs)):
            epoch += 1
            if epoch >= sample_at:  # an epoch whose gradient statistics are kept (never unless they are on)
                sample_at = self._recorded_epoch(epoch)
                train_loss, train_acc = measure()
            else:
                train_loss, train_acc = train_epoch()
            # one compare an epoch: against the spike limit until a spike is recorded, then the explode limit
            if not train_loss <= watch:  # written so that NaN fails it too
                if not train_loss <= explode:
                    self._diverge(epoch, train_loss)
                    return
                self.spike, watch = spike(epoch, train_loss, self.start_loss), explode
            test_loss, test_acc = test.measure(net, loss) if test is not None else (None, None)
            record = new_record(EpochRecord, (epoch, train_loss, test_loss, train_acc, test_acc,
                                              done + clock() - start))
            history.append(record)
            yield record

    def _start(self) -> int:
        """Ready a run (the training set measured, the statistics cut back to this epoch); returns the first
        epoch whose gradient statistics to record."""
        self.divergence = None
        if not self._measured:
            self._measure_train()
        stats = self.gradient_stats
        if stats is None:
            return _NEVER
        stats.truncate(self.epoch)
        return stats.next_epoch

    def _recorded_epoch(self, epoch: int) -> int:
        """Train one epoch as :meth:`run` does but for its measurement, recording its gradient statistics (of the
        whole training set's gradient, which a full-batch epoch steps by); returns the next epoch to record."""
        runs = self._runs
        grad_norm = weight_norms(runs.gradient())
        runs.descend()
        return self.gradient_stats.add(epoch, grad_norm, update_ratios(runs.W, self._backup_views))

    def fit(self, epochs: int) -> Trainer:
        """Train ``epochs`` more epochs (or until divergence); returns self."""
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported, not warned about
            for _ in self.run(epochs):
                pass
        return self

    def _measure_train(self) -> tuple[float, float | None]:
        """Loss and accuracy on the training set, leaving dL/dz ready for the next full-batch step; the first
        measurement of a loss sets its start and the limits."""
        loss, acc = self._runs.measure()
        self._measured = True
        if self._limits is None:
            self.start_loss = loss
            self._limits = self.recipe.limits(loss)
        return loss, acc

    def _diverge(self, epoch: int, loss: float) -> None:
        self.divergence = divergence(epoch, loss)
        np.copyto(self.network.params, self._runs.backup)
        self.optimizer.reset()
        self._measured = False
        if self.gradient_stats is not None:  # back to the last finite epoch's
            self.gradient_stats.truncate(epoch - 1)

    # ------------------------------------------------------------ state
    def state(self) -> TrainerState:
        """Where this trainer is (copies): a model file carries it, :meth:`restore` goes on from it."""
        start = self.start_loss if self.start_loss is not None and math.isfinite(self.start_loss) else None
        return TrainerState(self.epoch, self.history[-1].seconds if self.history else 0.0, start, self.loss.name,
                            self.optimizer.name, self.optimizer.state(), self._rng.bit_generator.state)

    def restore(self, state: TrainerState) -> EpochRecord:
        """Go on from ``state`` (from :meth:`state`, on this network and data): the next epoch is
        ``state.epoch + 1`` and trains exactly as it would have there. The history becomes one record,
        epoch ``state.epoch`` measured on the network as it is. The optimizer's state applies if it is
        this optimizer's, and the start loss if it is this loss's; otherwise they start afresh, as do
        the parts that are None. A spike recorded before is forgotten: the page restores to go back to an
        epoch, or to go on from a model file. ValueError if the state is invalid (and then nothing changes)."""
        state = state.check()
        if state.optimizer == self.optimizer.name:
            self.optimizer.restore(state.slots, self.network.arch.n_params)  # checks before it changes anything
        else:
            self.optimizer.reset()
        if state.shuffle is not None:
            self._rng.bit_generator.state = state.shuffle
        self.divergence = self.spike = None
        self.start_loss = state.start_loss if state.loss == self.loss.name else None
        self._limits = None if self.start_loss is None else self.recipe.limits(self.start_loss)
        train_loss, train_acc = self._measure_train()
        test_loss, test_acc = self._test.measure(self.network, self.loss) if self._test is not None else (None, None)
        self.history = [EpochRecord(state.epoch, train_loss, test_loss, train_acc, test_acc, float(state.seconds))]
        if self.gradient_stats is not None:  # a history of one record: the statistics start afresh too
            self.gradient_stats.clear()
        return self.history[0]

    # ------------------------------------------------------------ evaluation
    def evaluate(self, data: Dataset) -> tuple[float, float | None]:
        """(loss, accuracy) of the current network on ``data``; accuracy None for regression."""
        return _Split(self.network, data, self.recipe).measure(self.network, self.loss)


def divergence(epoch: int, loss: float) -> Divergence:
    """Why training stopped at ``epoch`` with a ``loss`` that is NaN, infinite or exploded."""
    reason = "nan" if math.isnan(loss) else "inf" if math.isinf(loss) else "exploded"
    what = {"nan": "became NaN", "inf": "became infinite", "exploded": f"exploded to {loss:.3g}"}[reason]
    return Divergence(epoch, reason, f"loss {what} at epoch {epoch}: try a lower learning rate"
                      " (the network keeps its last finite weights)")


def spike(epoch: int, loss: float, start_loss: float) -> Spike:
    """The spike of a run whose training loss reached ``loss`` at ``epoch`` from ``start_loss``."""
    factor = loss / max(start_loss, LOSS_FLOOR)
    return Spike(epoch, loss, factor, f"the loss jumped to {loss:.3g} at epoch {epoch}, {factor:.3g} times where it "
                 f"started ({start_loss:.3g}), and training went on: try a lower learning rate")

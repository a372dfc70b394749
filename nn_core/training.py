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
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .activations import HALF
from .datasets import Dataset
from .features import feature_matrix
from .losses import LOSSES, check_pairing, get_loss
from .network import Network, Workspace, add_penalty_grad
from .optimizers import GD, OPTIMIZERS
from .text import show
from .timeline import LogSpaced

EXPLODE_FACTOR = 1e6  # a loss this many times its starting value counts as diverged


class EpochRecord(NamedTuple):
    epoch: int
    train_loss: float
    test_loss: float | None  # None without a test set
    train_acc: float | None  # None for regression
    test_acc: float | None
    seconds: float  # training time so far, summed over runs


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
        """Self if every value is valid (the slots are checked by the optimizer); else ValueError."""
        if isinstance(self.epoch, bool) or not isinstance(self.epoch, int) or not 0 <= self.epoch <= MAX_EPOCHS_TRAINED:
            raise ValueError(f"epoch must be a whole number in [0, {MAX_EPOCHS_TRAINED:.0e}]")
        if not _number(self.seconds) or not 0 <= self.seconds <= MAX_SECONDS:
            raise ValueError(f"seconds must be a number in [0, {MAX_SECONDS:.0e}]")
        if self.start_loss is not None and not (_number(self.start_loss) and 0 <= self.start_loss < math.inf):
            raise ValueError("start_loss must be a finite number >= 0, or null")
        for what, name, known in (("loss", self.loss, LOSSES), ("optimizer", self.optimizer, OPTIMIZERS)):
            if name is not None and (not isinstance(name, str) or name not in known):
                raise ValueError(f"unknown {what} {show(name)}")
        if (self.optimizer is None) != (self.slots is None):
            raise ValueError("the optimizer's name and its state come together")
        if self.shuffle is not None:
            check_shuffle(self.shuffle)
        return self


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v


def check_shuffle(state) -> None:
    """ValueError unless ``state`` is a PCG64 ``bit_generator.state``, exactly as NumPy writes one."""
    if not isinstance(state, dict) or set(state) != {"bit_generator", "state", "has_uint32", "uinteger"}:
        raise ValueError("shuffle must hold bit_generator, state, has_uint32 and uinteger")
    if state["bit_generator"] != "PCG64":
        raise ValueError(f"shuffle: the bit generator must be 'PCG64', not {show(state['bit_generator'])}")
    inner = state["state"]
    if not isinstance(inner, dict) or set(inner) != {"state", "inc"} or not all(
            _whole(inner[k], _UINT128) for k in ("state", "inc")):
        raise ValueError("shuffle: state must hold state and inc, whole numbers in [0, 2^128)")
    if inner["inc"] % 2 == 0:  # PCG64's increment is odd: NumPy never makes an even one
        raise ValueError("shuffle: inc must be odd")
    if not _whole(state["has_uint32"], 2) or not _whole(state["uinteger"], 2**32):
        raise ValueError("shuffle: has_uint32 must be 0 or 1 and uinteger a whole number in [0, 2^32)")


def _whole(v, end: int) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v < end


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
    """One dataset prepared for a network: inputs with a ones column, encoded targets, labels."""

    def __init__(self, net: Network, data: Dataset):
        self.n = len(data)
        self.ws = Workspace(net.arch.sizes, self.n)
        self._sizes, self._shuffled, self._batch_ws = net.arch.sizes, None, {}
        self.ws.H[0][...] = feature_matrix(data.X, net.arch.features)
        self.Y = net.encode_targets(data.y)
        self.output = net.arch.output
        self.labels = data.y
        if self.output == "sigmoid":
            self.labels = data.y.astype(bool).reshape(-1, 1)
            self._hits = np.empty((self.n, 1), dtype=bool)
            # Counting hits in two NumPy calls: rint rounds half to even, so on
            # sigmoid outputs in [0, 1] it gives exactly (p > 0.5) as 0.0 or 1.0;
            # its dot with +1 on label-1 points and -1 on label-0 points is the
            # hits among 1s minus the misses among 0s, exact in float64.
            self._rounded = np.empty((self.n, 1))
            self._rounded_flat = self._rounded.reshape(-1)
            self._signs = np.where(self.labels[:, 0], 1.0, -1.0)
            self._zeros = self.n - int(np.count_nonzero(self.labels))

    def batches(self, order: np.ndarray, size: int) -> Iterator[tuple[Workspace, np.ndarray]]:
        """(a workspace holding its inputs, its targets) for each batch of ``size`` rows taken in ``order``."""
        if self._shuffled is None:  # made on first use: a full-batch run never needs them
            self._shuffled = (np.empty_like(self.ws.A[0]), np.empty_like(self.Y))
        Xs, Ys = self._shuffled
        np.take(self.ws.A[0], order, axis=0, out=Xs)
        np.take(self.Y, order, axis=0, out=Ys)
        for s in range(0, self.n, size):
            Xb = Xs[s:s + size]
            ws = self._batch_ws.get(len(Xb))
            if ws is None:
                ws = self._batch_ws[len(Xb)] = Workspace(self._sizes, len(Xb))
            ws.set_input(Xb)  # the input layer is only read: a view of the shuffled rows will do
            yield ws, Ys[s:s + size]

    def accuracy(self, p: np.ndarray) -> float | None:
        """Fraction of points whose predicted class is their label; None for regression."""
        if self.output == "sigmoid":
            np.rint(p, self._rounded)
            hits = self._zeros + float(self._rounded_flat.dot(self._signs))
            if hits == hits:
                return hits / self.n
            # a NaN output: count as the comparison would (NaN > 0.5 is False)
            hits = np.equal(np.greater(p, HALF, self._hits), self.labels, self._hits)
            return int(np.count_nonzero(hits)) / self.n
        if self.output == "softmax":
            return int(np.count_nonzero(p.argmax(axis=1) == self.labels)) / self.n
        return None


class Trainer:
    """Trains ``network`` on ``train`` (and measures ``test``) with a loss and an optimizer.

    ``batch_size`` None or >= len(train) means full batch. L1 and L2 penalise
    the weights (not the biases) with the given rates. ``seed`` drives the
    mini-batch shuffle only: the same network, data and seed give the same
    history, bit for bit.
    """

    def __init__(self, network: Network, train: Dataset, test: Dataset | None = None, loss: str = "bce",
                 optimizer=None, batch_size: int | None = None, l1: float = 0.0, l2: float = 0.0, seed=0):
        check_pairing(loss, network.arch.output)
        if len(train) == 0:
            raise ValueError("the training set is empty")
        self.network = network
        self.loss = get_loss(loss)
        self.optimizer = optimizer if optimizer is not None else GD(0.1)
        self.set_regularization(l1, l2)
        self.set_batch_size(batch_size)
        self._rng = np.random.default_rng(seed)
        self._train = _Split(network, train)
        self._test = _Split(network, test) if test is not None and len(test) else None
        self._grad = np.zeros_like(network.params)
        self._grad_views = network.grad_views(self._grad)
        self._backup = network.params.copy()
        self._backup_views = network.grad_views(self._backup)
        self._delta = None  # dL/dz on the training set for the current parameters, when known
        self.history: list[EpochRecord] = []
        self.gradient_stats: GradientStats | None = None  # set one to record them as run() trains
        self.divergence: Divergence | None = None
        self.start_loss: float | None = None  # the loss before the first epoch (of this loss), once measured
        self._explode_at: float | None = None  # set from the start loss

    # ------------------------------------------------------------ settings
    @property
    def epoch(self) -> int:
        return self.history[-1].epoch if self.history else 0

    def set_batch_size(self, batch_size: int | None) -> None:
        """Mini-batches of ``batch_size`` points; None for the full batch."""
        self.batch_size = None if batch_size is None else int(batch_size)

    def set_regularization(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1, self.l2 = float(l1), float(l2)

    def set_loss(self, loss: str) -> None:
        """Train on another loss from the next epoch on (the optimizer keeps its state)."""
        check_pairing(loss, self.network.arch.output)
        self.loss = get_loss(loss)
        self._delta = self._explode_at = self.start_loss = None  # a loss on another scale: measure its start again

    def parameters_changed(self) -> None:
        """Call after changing ``network.params`` from outside, so cached passes are redone."""
        self._delta = None

    # ------------------------------------------------------------ training
    def run(self, epochs: int) -> Iterator[EpochRecord]:
        """Train ``epochs`` more epochs, yielding each epoch's record (also kept in ``history``).

        Stops early if the loss becomes NaN, infinite or explodes: ``divergence`` says why, and the
        network keeps its last finite parameters. On its way there a run may overflow: :meth:`fit`
        silences those warnings, a caller of ``run`` can do the same with ``np.errstate``."""
        net, test, history, backup, params = self.network, self._test, self.history, self._backup, self.network.params
        clock, start = time.perf_counter, time.perf_counter()
        done, epoch = (history[-1].seconds if history else 0.0), self.epoch
        # The per-epoch path of a small full-batch network is a few dozen NumPy calls on tiny
        # arrays, so everything it uses is bound here once: each lookup or call saved is a percent.
        full, sample_at, ws, Y, output, forward, backward, accuracy, value_and_delta, step = self._start()
        grad, views, penalised, z_out, d_out = self._grad, self._grad_views, self.l1 or self.l2, ws.Z[-1], ws.D[-1]
        new_record = tuple.__new__  # EpochRecord(...) without its Python-level __new__
        for _ in range(int(epochs)):
            epoch += 1
            backup[...] = params  # a slice copy is cheaper than np.copyto
            if epoch >= sample_at:  # an epoch whose gradient statistics are kept (never unless they are on)
                sample_at = self._recorded_epoch(epoch, full)
            elif full:  # one step from the delta the last measurement left
                backward(ws, self._delta, views)
                if penalised:
                    add_penalty_grad(grad, params, net.weight_mask, self.l1, self.l2)
                step(params, grad)
            else:
                self._mini_batch_epoch()
            # Measure the new parameters; in full batch the delta is the next step's.
            p = forward(ws)
            train_acc = accuracy(p)
            train_loss, self._delta = value_and_delta(p, Y, z_out, output, d_out)
            if not train_loss <= self._explode_at:  # written so that NaN fails it too
                self._diverge(epoch, train_loss)
                return
            test_loss, test_acc = self._measure(test) if test is not None else (None, None)
            record = new_record(EpochRecord, (epoch, train_loss, test_loss, train_acc, test_acc,
                                              done + clock() - start))
            history.append(record)
            yield record

    def _start(self) -> tuple:
        """Ready a run (the training set measured, the statistics cut back to this epoch); then whether it is
        full batch, the first epoch whose gradient statistics to record, and what one epoch uses, looked up once."""
        self.divergence = None
        if self._delta is None:
            self._measure_train()
        net, train, stats = self.network, self._train, self.gradient_stats
        if stats is not None:
            stats.truncate(self.epoch)
        return (self.batch_size is None or self.batch_size >= train.n, _NEVER if stats is None else stats.next_epoch,
                train.ws, train.Y, net.output_layer, net.forward, net.backward, train.accuracy,
                self.loss.value_and_delta, self.optimizer.step)

    def _recorded_epoch(self, epoch: int, full: bool) -> int:
        """Train one epoch as :meth:`run` does, recording its gradient statistics; returns the next epoch to record."""
        net, grad = self.network, self._grad
        net.backward(self._train.ws, self._delta, self._grad_views)  # the whole training set's, as run() steps
        if self.l1 or self.l2:
            add_penalty_grad(grad, net.params, net.weight_mask, self.l1, self.l2)
        grad_norm = weight_norms(self._grad_views)
        if full:
            self.optimizer.step(net.params, grad)
        else:
            self._mini_batch_epoch()
        return self.gradient_stats.add(epoch, grad_norm, update_ratios(net.grad_views(net.params), self._backup_views))

    def fit(self, epochs: int) -> Trainer:
        """Train ``epochs`` more epochs (or until divergence); returns self."""
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported, not warned about
            for _ in self.run(epochs):
                pass
        return self

    def _mini_batch_epoch(self) -> None:
        """One pass over the training set in a seeded shuffle, one step per mini-batch."""
        net = self.network
        output, delta_of, step = net.output_layer, self.loss.delta, self.optimizer.step
        grad, views, params, mask = self._grad, self._grad_views, net.params, net.weight_mask
        for ws, Yb in self._train.batches(self._rng.permutation(self._train.n), self.batch_size):
            p = net.forward(ws)
            net.backward(ws, delta_of(p, Yb, ws.Z[-1], output, ws.D[-1]), views)
            if self.l1 or self.l2:
                add_penalty_grad(grad, params, mask, self.l1, self.l2)
            step(params, grad)

    def _measure(self, split: _Split) -> tuple[float, float | None]:
        p = self.network.forward(split.ws)
        return self.loss.value(p, split.Y, split.ws.Z[-1]), split.accuracy(p)

    def _measure_train(self) -> tuple[float, float | None]:
        """Loss and accuracy on the training set, leaving dL/dz ready for the next full-batch step."""
        tr = self._train
        ws = tr.ws
        p = self.network.forward(ws)
        acc = tr.accuracy(p)
        loss, self._delta = self.loss.value_and_delta(p, tr.Y, ws.Z[-1], self.network.output_layer, ws.D[-1])
        if self._explode_at is None:
            self.start_loss = loss
            self._explode_at = EXPLODE_FACTOR * max(loss, 1e-3) if math.isfinite(loss) else math.inf
        return loss, acc

    def _diverge(self, epoch: int, loss: float) -> None:
        self.divergence = divergence(epoch, loss)
        np.copyto(self.network.params, self._backup)
        self.optimizer.reset()
        self._delta = None
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
        the parts that are None. ValueError if the state is invalid (and then nothing changes)."""
        state.check()
        if state.optimizer == self.optimizer.name:
            self.optimizer.restore(state.slots, self.network.arch.n_params)  # checks before it changes anything
        else:
            self.optimizer.reset()
        if state.shuffle is not None:
            self._rng.bit_generator.state = state.shuffle
        self.divergence = None
        self.start_loss = state.start_loss if state.loss == self.loss.name else None
        self._explode_at = None if self.start_loss is None else EXPLODE_FACTOR * max(self.start_loss, 1e-3)
        train_loss, train_acc = self._measure_train()
        test_loss, test_acc = self._measure(self._test) if self._test is not None else (None, None)
        self.history = [EpochRecord(state.epoch, train_loss, test_loss, train_acc, test_acc, float(state.seconds))]
        if self.gradient_stats is not None:  # a history of one record: the statistics start afresh too
            self.gradient_stats.clear()
        return self.history[0]

    # ------------------------------------------------------------ evaluation
    def evaluate(self, data: Dataset) -> tuple[float, float | None]:
        """(loss, accuracy) of the current network on ``data``; accuracy None for regression."""
        return self._measure(_Split(self.network, data))


def divergence(epoch: int, loss: float) -> Divergence:
    """Why training stopped at ``epoch`` with a ``loss`` that is NaN, infinite or exploded."""
    reason = "nan" if math.isnan(loss) else "inf" if math.isinf(loss) else "exploded"
    what = {"nan": "became NaN", "inf": "became infinite", "exploded": f"exploded to {loss:.3g}"}[reason]
    return Divergence(epoch, reason, f"loss {what} at epoch {epoch}: try a lower learning rate"
                      " (the network keeps its last finite weights)")

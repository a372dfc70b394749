"""Convergence odds: one experiment trained from many network seeds at once.

``Odds(config, seeds=K)`` trains the seeds ``config.seed, ..., config.seed + K - 1``
together; seed k of the batch is the run ``build(config.replace(seed=k))`` would
train (the same initial weights, mini-batch shuffle, optimizer, penalties, and
divergence rule), and ends where it would, to rounding. The result says how
many of them converged, and when.

The runs are stacked on a *last* axis: a layer's input is (n, n_in + 1, K)
with a ones row for the bias, its weights (n_in + 1, n_out, K), the parameters
(n_params, K) with column k laid out like one network's ``params``. With the
runs innermost, every elementwise rule of the engine (activations, output
layers, losses' deltas, optimizers, penalties) applies to the stack as it is,
and a layer's product is a broadcast multiply and sum whose inner loops run
along the K runs: on the tutorial's 4 x 3 matrices that is several times
faster than K tiny matrix products.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .config import build_data, optimizer_for
from .features import feature_matrix
from .losses import check_pairing, get_loss
from .network import Network, add_penalty_grad
from .settings import MAX_SEED
from .training import EXPLODE_FACTOR

MAX_PAGE_SEEDS = 1000
MAX_SEEDS = 100_000
# Stacked values, seeds x (training points x neurons of every layer + parameters): the few buffers of
# activations and of parameters are each about this large, so it bounds the memory (8 bytes a value,
# about six buffers: 200 MB on the page) and the work of an epoch.
MAX_PAGE_CELLS = 2**22
MAX_CELLS = 2**24
REGRESSION_FRACTION = 0.01  # the default threshold: 1% of the loss of always predicting the mean
BROADCAST_LIMIT = 2**16  # products with a temporary up to this many values multiply and sum; larger ones use einsum
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
    if isinstance(seeds, bool) or not isinstance(seeds, (int, np.integer)) or not 1 <= seeds <= most:
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
    return REGRESSION_FRACTION * get_loss(config.loss_name).value(mean, y, mean)


# ---------------------------------------------------------------- stacked passes
def _product(spec: str, a_shape, b_shape):
    """A function ``(a, b, out)`` writing ``einsum(spec, a, b)`` into ``out``, for stacked arrays of these
    shapes; ``spec`` names its axes with n (rows), i (a layer's inputs), j (its outputs), k (runs), in
    that order, and sums over one of them.

    A small product multiplies into a broadcast temporary (n, i, j, k) and sums it: two NumPy calls
    whose inner loops run along the runs. When the summed axis has length 1 the multiply is all. A
    large product calls einsum, which needs no temporary."""
    (sa, sb), res = spec.split("->")[0].split(","), spec.split("->")[1]
    sizes = {**dict(zip(sa, a_shape)), **dict(zip(sb, b_shape))}
    summed = next(c for c in "nijk" if c not in res)
    axis, shape = "nijk".index(summed), tuple(sizes[c] for c in "nijk")
    ia = tuple(slice(None) if c in sa else None for c in "nijk")
    ib = tuple(slice(None) if c in sb else None for c in "nijk")
    if sizes[summed] == 1:
        iout = tuple(None if c == summed else slice(None) for c in "nijk")
        return lambda a, b, out: np.multiply(a[ia], b[ib], out[iout])
    if math.prod(shape) > BROADCAST_LIMIT:
        return lambda a, b, out: np.einsum(spec, a, b, out=out)
    temp = np.empty(shape)

    def broadcast(a, b, out):
        np.multiply(a[ia], b[ib], temp)
        np.add.reduce(temp, axis, None, out)

    return broadcast


class _Buffers:
    """A stacked forward and backward pass's buffers over n rows and K runs (as network.Workspace for one).

    ``A[l]`` (n, n_in + 1, K) is layer l's input with a ones row and ``H[l]`` the part without it; ``Z[l]``
    and ``D[l]`` (n, n_out, K) the pre-activation and dL/dz, ``S[l]`` and ``T[l]`` a hidden layer's
    activation and derivative, ``P`` the output. As in the Workspace, elementwise rules run on flat views
    (``Zf``, ``Sf``, ``Df``, ``Tf``) of contiguous buffers, and the activation is copied beside the ones.
    ``A0`` is the input: (n, n_in + 1) rows the same for every run (the full batch), or (n, n_in + 1, K)
    rows of each run's own (a mini-batch). ``forward``, ``grad``, ``back`` hold each layer's products
    (see :func:`_product`)."""

    def __init__(self, sizes, A0: np.ndarray, K: int, W, G):
        n = len(A0)
        self.A = [A0] + [np.ones((n, s + 1, K)) for s in sizes[1:-1]]
        self.H = [a[:, :-1] for a in self.A]
        self.Z = [np.empty((n, s, K)) for s in sizes[1:]]
        self.D = [np.empty((n, s, K)) for s in sizes[1:]]
        self.S = [np.empty((n, s, K)) for s in sizes[1:-1]]
        self.T = [np.empty((n, s, K)) for s in sizes[1:-1]]
        self.P = np.empty((n, sizes[-1], K))
        self.Zf, self.Sf = [z.reshape(-1) for z in self.Z], [s.reshape(-1) for s in self.S]
        self.Df, self.Tf = [d.reshape(-1) for d in self.D], [t.reshape(-1) for t in self.T]
        self.forward = [_product("nik,ijk->njk", a.shape, w.shape) for a, w in zip(self.A, W)]
        self.grad = [_product("nik,njk->ijk", a.shape, d.shape) for a, d in zip(self.A, self.D)]
        self.back = [None] + [_product("njk,ijk->nik", d.shape, w[:-1].shape) for d, w in zip(self.D[1:], W[1:])]
        if A0.ndim == 2:  # the same rows for every run: layer 0's products are plain matrix products
            self.forward[0] = self._shared_forward(A0, W[0], self.Z[0])
            self.grad[0] = self._shared_grad(A0, G[0], self.D[0])

    @staticmethod
    def _shared_forward(A0, W0, Z0):
        w, z = W0.reshape(len(W0), -1), Z0.reshape(len(Z0), -1)  # (n_in + 1, n_out K) and (n, n_out K)
        return lambda a, b, out: A0.dot(w, z)

    @staticmethod
    def _shared_grad(A0, G0, D0):
        AT, g, d = A0.T, G0.reshape(len(G0), -1), D0.reshape(len(D0), -1)
        return lambda a, b, out: AT.dot(d, g)


@dataclass(frozen=True)
class _Data:
    """The training set as a stack sees it: inputs with a ones column A0 (n, n_in + 1), targets Y
    (n, n_outputs) as the output layer sees them, and how to score each run's classification.

    A run's score is its correct points less ``offset``; it has every point right at ``n - offset``."""

    A0: np.ndarray
    Y: np.ndarray
    output: str
    labels: np.ndarray  # class labels (n,); for a sigmoid output, +1 on label 1 and -1 on label 0
    offset: int  # for a sigmoid output, the points of label 0

    def score(self, P: np.ndarray) -> np.ndarray | None:
        """Each run's score (K,) from outputs P (n, n_outputs, K); None for regression. As the Trainer
        counts: rint is exactly p > 0.5 on sigmoid outputs, as 0 or 1, and its dot with the +-1 labels is
        the hits among 1s minus the misses among 0s."""
        if self.output == "sigmoid":
            return self.labels.dot(np.rint(P[:, 0]))
        if self.output == "softmax":
            return np.count_nonzero(P.argmax(axis=1) == self.labels[:, None], axis=0).astype(np.float64)
        return None


class _Stack:
    """K runs of one network trained together: parameters (n_params, K), each column laid out like
    ``Network.params``, and the passes and epoch of :class:`nn_core.Trainer` on the stack."""

    def __init__(self, net: Network, data: _Data, loss, optimizer, l1: float, l2: float, batch: int | None,
                 params: np.ndarray, rngs: list | None):
        self.net, self.data, self.loss, self.optimizer = net, data, loss, optimizer
        self.l1, self.l2, self.batch, self.rngs = l1, l2, batch, rngs
        self.params, self.K = params, params.shape[1]
        self.grad, self.backup = np.zeros_like(params), np.empty_like(params)
        self.W, self.G = self._views(params), self._views(self.grad)
        self.WT = [w[:-1] for w in self.W]  # weights without the bias row
        self.mask = net.weight_mask[:, None]  # (n_params, 1): broadcasts along the runs
        self.values = tuple(a.value for a in net.activations)
        self.derivatives = tuple(a.derivative for a in net.activations)
        self.output = net.output_layer
        self.full = _Buffers(net.arch.sizes, data.A0, self.K, self.W, self.G)
        self.Y = data.Y[:, :, None]  # the same targets for every run
        self._batches: dict[int, _Buffers] = {}
        self.delta = None

    def _views(self, flat: np.ndarray) -> list[np.ndarray]:
        """Per-layer (n_in + 1, n_out, K) views of a (n_params, K) stack, as ``Network.grad_views``."""
        views, offset, sizes = [], 0, self.net.arch.sizes
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            views.append(flat[offset:offset + (n_in + 1) * n_out].reshape(n_in + 1, n_out, self.K))
            offset += (n_in + 1) * n_out
        return views

    def forward(self, ws: _Buffers) -> np.ndarray:
        A, H, Z, W, forward = ws.A, ws.H, ws.Z, self.W, ws.forward
        l = 0
        for value in self.values:
            forward[l](A[l], W[l], Z[l])
            value(ws.Zf[l], ws.Sf[l])
            H[l + 1][...] = ws.S[l]
            l += 1
        forward[l](A[l], W[l], Z[l])
        return self.output.value(Z[l], ws.P)

    def backward(self, ws: _Buffers, delta: np.ndarray) -> None:
        A, D, Df, G = ws.A, ws.D, ws.Df, self.G
        for l in range(len(self.W) - 1, 0, -1):
            ws.grad[l](A[l], delta, G[l])
            k = l - 1
            ws.back[l](delta, self.WT[l], D[k])
            np.multiply(Df[k], self.derivatives[k](ws.Zf[k], ws.Sf[k], ws.Tf[k]), Df[k])
            delta = D[k]
        ws.grad[0](A[0], delta, G[0])

    def step(self) -> None:
        if self.l1 or self.l2:
            add_penalty_grad(self.grad, self.params, self.mask, self.l1, self.l2)
        self.optimizer.step(self.params, self.grad)

    def measure(self) -> tuple[np.ndarray, np.ndarray | None]:
        """Each run's training loss (K,) and score (K,) (None for regression, see _Data); leaves dL/dz ready
        for the next full-batch step."""
        ws = self.full
        p = self.forward(ws)
        losses, self.delta = self.loss.per_run_and_delta(p, self.Y, ws.Z[-1], self.output, ws.D[-1])
        return losses, self.data.score(p)

    def epoch(self) -> tuple[np.ndarray, np.ndarray | None]:
        """One epoch of every run, then :meth:`measure`. The parameters before it stay in ``backup``."""
        self.backup[...] = self.params
        if self.batch is None:
            self.backward(self.full, self.delta)
            self.step()
        else:
            self._mini_batches()
        return self.measure()

    def _mini_batches(self) -> None:
        """Each run's own seeded shuffle of the training set, then one step per mini-batch."""
        order = np.stack([rng.permutation(len(self.data.A0)) for rng in self.rngs], axis=1)  # (n, K)
        X = np.ascontiguousarray(self.data.A0[order].transpose(0, 2, 1))  # (n, n_in + 1, K)
        Y = np.ascontiguousarray(self.data.Y[order].transpose(0, 2, 1))
        for s in range(0, len(X), self.batch):
            Xb, Yb = X[s:s + self.batch], Y[s:s + self.batch]
            ws = self._batches.get(len(Xb))
            if ws is None:
                ws = self._batches[len(Xb)] = _Buffers(self.net.arch.sizes, Xb, self.K, self.W, self.G)
            ws.A[0] = Xb  # the input layer is only read: a view of the shuffled rows will do
            p = self.forward(ws)
            self.backward(ws, self.loss.delta(p, Yb, ws.Z[-1], self.output, ws.D[-1]))
            self.step()

    def keep(self, columns: np.ndarray) -> _Stack:
        """A stack of these runs only (the optimizer's state goes with them); call :meth:`measure` next."""
        for name in self.optimizer.slots:
            slot = getattr(self.optimizer, name)
            if slot is not None:
                setattr(self.optimizer, name, np.ascontiguousarray(slot[:, columns]))
        rngs = None if self.rngs is None else [self.rngs[c] for c in columns]
        return _Stack(self.net, self.data, self.loss, self.optimizer, self.l1, self.l2, self.batch,
                      np.ascontiguousarray(self.params[:, columns]), rngs)


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
        self._stack = self._start()
        data, K = self._stack.data, self.seeds
        self._n, self._offset = len(data.A0), data.offset
        self._target = self._n - self._offset  # a perfect run's score
        # per seed, for seeds that diverged (and left the stack): first converged epoch, final loss and score
        self._first, self._diverged = np.full(K, NEVER, dtype=np.int64), np.full(K, NEVER, dtype=np.int64)
        self._loss, self._score = np.full(K, np.nan), np.full(K, np.nan)
        self._retired: dict[int, np.ndarray] = {}  # their last finite parameters
        # per column of the stack: its seed, first converged epoch, 1.0 while not converged yet, explode limit
        self._col = {"index": np.arange(K, dtype=np.int64), "first": np.full(K, NEVER, dtype=np.int64),
                     "waiting": np.ones(K)}
        with np.errstate(over="ignore", invalid="ignore"):
            losses, scores = self._stack.measure()
        finite = np.isfinite(losses)
        self._col["explode"] = np.where(finite, EXPLODE_FACTOR * np.maximum(np.where(finite, losses, 0), 1e-3), np.inf)
        self._lowest = float(self._col["explode"].min())
        self._record(0, losses, scores)
        self.seconds = time.perf_counter() - start

    def _threshold(self, threshold) -> float | None:
        if self.config.task != "regression":
            if threshold is not None:
                raise ValueError("a loss threshold is for regression; a classifier converges at 100% accuracy")
            return None
        if threshold is None:
            return default_threshold(self.config)
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold < math.inf:
            raise ValueError(f"the loss threshold must be a number above 0, not {threshold!r}")
        return float(threshold)

    def _start(self) -> _Stack:
        c = self.config
        _, train, _ = build_data(c)
        net = Network(c.architecture())
        check_pairing(c.loss_name, net.arch.output)
        params = np.empty((net.arch.n_params, self.seeds))
        for i in range(self.seeds):  # exactly the weights build() draws for each seed
            net.initialize(c.init, c.seed + i)
            params[:, i] = net.params
        A0 = np.ones((len(train), len(net.arch.features) + 1))
        A0[:, :-1] = feature_matrix(train.X, net.arch.features)
        labels = np.where(train.y > 0, 1.0, -1.0) if net.arch.output == "sigmoid" else train.y
        offset = int(np.count_nonzero(labels < 0)) if net.arch.output == "sigmoid" else 0
        data = _Data(A0, net.encode_targets(train.y), net.arch.output, labels, offset)
        batch = c.batch_size if c.batch_size and c.batch_size < len(train) else None  # as the Trainer does
        rngs = None if batch is None else [np.random.default_rng(c.seed + i) for i in range(self.seeds)]
        return _Stack(net, data, get_loss(c.loss_name), optimizer_for(c), c.l1, c.l2, batch, params, rngs)

    @property
    def done(self) -> bool:
        """Whether the epoch budget is spent (or every run diverged)."""
        return self.epoch >= self.config.epochs or self._stack is None

    def run(self, epochs: int | None = None, seconds: float | None = None) -> int:
        """Train at most ``epochs`` more epochs (None: the rest of the budget, ``config.epochs``), stopping
        after the epoch that passes ``seconds`` of time if given; returns the epochs trained."""
        todo = self.config.epochs - self.epoch if epochs is None else min(int(epochs), self.config.epochs - self.epoch)
        start, clock, done = time.perf_counter(), time.perf_counter, 0
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is counted, not warned about
            while done < todo and self._stack is not None:
                self._advance()
                done += 1
                if seconds is not None and clock() - start >= seconds:
                    break
        self.seconds += clock() - start
        return done

    def _advance(self) -> None:
        self.epoch += 1
        losses, scores = self._stack.epoch()
        # a run diverges as in Trainer.run: its loss is not <= its limit (NaN fails that too); one
        # maximum tells when no run can have
        if not losses.max() <= self._lowest:
            fine = losses <= self._col["explode"]
            if not fine.all():
                losses, scores = self._retire(fine)
        if self._stack is not None:
            self._record(self.epoch, losses, scores)

    def _record(self, epoch: int, losses: np.ndarray, scores: np.ndarray | None) -> None:
        now = scores == self._target if scores is not None else losses < self.threshold
        col = self._col
        if now.dot(col["waiting"]):  # some run converged for the first time
            new = now & (col["waiting"] > 0)
            col["first"][new], col["waiting"][new] = epoch, 0.0
        self._losses, self._scores = losses, scores

    def _retire(self, fine: np.ndarray):
        """Runs whose loss diverged stop with their last finite parameters and results, as a single run
        does; the others go on in a smaller stack. Returns their losses and scores."""
        stack, gone = self._stack, np.flatnonzero(~fine)
        seeds = self._col["index"][gone]
        for c, s in zip(gone, seeds):
            self._retired[int(s)] = stack.backup[:, c].copy()
        self._diverged[seeds], self._loss[seeds] = self.epoch, self._losses[gone]
        if self._scores is not None:
            self._score[seeds] = self._scores[gone]
        kept = np.flatnonzero(fine)
        self._col = {k: v[kept] for k, v in self._col.items()}
        self._losses = self._losses[kept]
        self._scores = None if self._scores is None else self._scores[kept]
        if not len(kept):
            self._stack = None
            return None, None
        self._lowest = float(self._col["explode"].min())
        self._stack = stack.keep(kept)
        return self._stack.measure()

    def params(self) -> np.ndarray:
        """Every seed's parameters now (seeds, n_params), each row laid out like ``Network.params``; a
        diverged seed's are its last finite ones."""
        out = np.empty((self.seeds, self.config.architecture().n_params))
        if self._stack is not None:
            out[self._col["index"]] = self._stack.params.T
        for s, p in self._retired.items():
            out[s] = p
        return out

    def result(self) -> OddsResult:
        """The odds so far (the final ones once :attr:`done`)."""
        first, losses, scores = self._first.copy(), self._loss.copy(), self._score.copy()
        if self._stack is not None:
            index = self._col["index"]
            first[index], losses[index] = self._col["first"], self._losses
            if self._scores is not None:
                scores[index] = self._scores
        epochs = first[first != NEVER]
        q1, median, q3 = (float(q) for q in np.percentile(epochs, [25, 50, 75])) if len(epochs) else (None,) * 3
        finite = losses[np.isfinite(losses)]
        return OddsResult(
            self.config.seed, self.seeds, self.epoch, len(epochs), 100.0 * len(epochs) / self.seeds,
            int(np.count_nonzero(self._diverged != NEVER)), self.threshold, q1, median, q3,
            float(np.median(finite)) if len(finite) else math.nan, self.seconds, first, losses,
            (scores + self._offset) / self._n, self._diverged.copy())


def convergence_odds(config, seeds: int = 100, threshold: float | None = None) -> OddsResult:
    """Train ``config`` for its epochs from ``seeds`` network seeds at once and say how many converged."""
    odds = Odds(config, seeds, threshold)
    odds.run()
    return odds.result()

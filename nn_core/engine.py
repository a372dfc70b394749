"""One epoch of training, written once, for one run or for K runs at once: :class:`Runs`.

A :class:`nn_core.Trainer` trains one run and the convergence odds (:mod:`nn_core.odds`) K network seeds
stacked; both train with :class:`Runs`, so seed k of the odds takes the steps its single run takes. The
epoch: in full batch, one step from the gradient the last measurement left; with mini-batches, each run's
seeded shuffle of the training set and a step per batch. A step backpropagates, adds the penalty's gradient,
then takes the optimizer's step (:meth:`Runs._gradient_steps`, the one place that says so). Then the training set is
measured on the new parameters: each run's loss and accuracy, and dL/dz, the next full-batch step's start.
What the runs do comes from their :class:`nn_core.recipe.Recipe`.

How the runs are laid out decides only the products and how losses and accuracies reduce:

- one run (K None): a layer's input (n, n_in + 1) carries a ones column and its weights (n_in + 1, n_out),
  a view of the flat ``params``, their biases as a last row, so that one matrix product gives X @ W + b
  (:mod:`nn_core.network`). These are the products the exported script writes (``A @ W``), sum for sum.
- K runs: stacked on a last axis, a layer's input (n, n_in + 1, K) and weights (n_in + 1, n_out, K), views
  of params (n_params, K) whose column k is laid out like one network's. With the runs innermost every
  elementwise rule (activations, outputs, losses' deltas, optimizers, penalties) applies to the stack as it
  is, and a layer's product is a broadcast multiply and sum whose inner loops run along the runs: on the
  tutorial's 4 x 3 matrices several times faster than K tiny matrix products (and equal to them to
  rounding). The full batch's inputs are every run's: its first layer's products are one matrix product.

The epoch is compiled (once per batch rule, penalties and optimizer) into a list of steps, each a NumPy
call with its arrays bound (``functools.partial``): the tutorial's epoch is two dozen calls on arrays of a
dozen values, and looking its arrays up at every epoch would cost a fifth of its time.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np

from .activations import ACTIVATIONS, HALF
from .losses import OUTPUTS
from .network import Architecture, Workspace, add_penalty_grad

BROADCAST_LIMIT = 2**16  # stacked products with a temporary up to this many values multiply and sum; larger: einsum


def accuracy(y: np.ndarray, output: str, runs: int | None = None):
    """A function of outputs P giving the share of points put in their class (labels ``y`` (n,)): from P
    (n, n_outputs) of one run a float, from P (n, n_outputs, runs) of stacked runs an array (runs,); None for
    a linear output (regression)."""
    n = len(y)
    if output == "softmax":
        labels = y if runs is None else y[:, None]
        if runs is None:
            return lambda P: int(np.count_nonzero(P.argmax(axis=1) == labels)) / n
        return lambda P: np.count_nonzero(P.argmax(axis=1) == labels, axis=0) / n
    if output != "sigmoid":
        return lambda P: None
    # Counting hits in two NumPy calls: rint rounds half to even, so on sigmoid outputs in [0, 1] it gives
    # exactly (p > 0.5) as 0.0 or 1.0; its dot with +1 on label-1 points and -1 on label-0 points is the hits
    # among 1s minus the misses among 0s, exact in float64.
    signs, zeros, positive = np.where(y > 0, 1.0, -1.0), n - int(np.count_nonzero(y)), y > 0
    rounded = np.empty((n, 1) if runs is None else (n, 1, runs))
    flat = rounded[:, 0]
    if runs is not None:
        def stacked(P):
            np.rint(P, rounded)
            return (zeros + signs.dot(flat)) / n

        return stacked

    def one(P):
        np.rint(P, rounded)
        hits = zeros + float(flat.dot(signs))
        if hits == hits:
            return hits / n
        return int(np.count_nonzero(np.greater(P[:, 0], HALF) == positive)) / n  # NaN > 0.5 is False

    return one


def _stacked(spec: str, a: np.ndarray, b: np.ndarray, out: np.ndarray, temps: dict):
    """A call writing ``einsum(spec, a, b)`` into ``out``, for stacked arrays; ``spec`` names its axes with n
    (rows), i (a layer's inputs), j (its outputs), k (runs), in that order, and sums over one of them.

    A small product multiplies into a broadcast temporary (n, i, j, k) and sums it: two NumPy calls whose
    inner loops run along the runs. When the summed axis has length 1 the multiply is all. A large product
    calls einsum, which needs no temporary. The steps run one at a time, so products of one shape share
    their temporary (``temps``, by shape): a thousand mini-batches of a thousand runs need one."""
    (sa, sb), res = spec.split("->")[0].split(","), spec.split("->")[1]
    sizes = {**dict(zip(sa, a.shape)), **dict(zip(sb, b.shape))}
    summed = next(c for c in "nijk" if c not in res)
    axis, shape = "nijk".index(summed), tuple(sizes[c] for c in "nijk")
    av = a[tuple(slice(None) if c in sa else None for c in "nijk")]
    bv = b[tuple(slice(None) if c in sb else None for c in "nijk")]
    if sizes[summed] == 1:
        return partial(np.multiply, av, bv, out[tuple(None if c == summed else slice(None) for c in "nijk")])
    if math.prod(shape) > BROADCAST_LIMIT:
        return partial(np.einsum, spec, a, b, out=out)
    temp = temps.get(shape)
    if temp is None:
        temp = temps[shape] = np.empty(shape)

    def broadcast():
        np.multiply(av, bv, temp)
        np.add.reduce(temp, axis, None, out)

    return broadcast


def _products(A: list, Z: list, D: list, W: list, G: list, temps: dict, first: int = 0) -> tuple[list, list, list]:
    """Each layer's (forward, gradient, backward) products from layer ``first`` on, over a workspace's inputs
    ``A``, pre-activations ``Z`` and deltas ``D``: for one run matrix products; for stacked runs
    :func:`_stacked`, or one matrix product over every run for an input they share (a 2-D input layer with
    3-D weights); for a stack of one run, one run's products of its 2-D views (its steps are then one run's,
    to the last bit). Z = A W, G = A^T D, and D of the layer below = D W^T (None for layer 0: it has none)."""
    L = len(W)
    if W[0].ndim == 3 and W[0].shape[2] == 1:
        A, Z, D = ([x.reshape(len(x), -1) for x in xs] for xs in (A, Z, D))
        return _products(A, Z, D, [w[:, :, 0] for w in W], [g[:, :, 0] for g in G], temps, first)
    if W[0].ndim == 2:  # one run
        return ([partial(A[l].dot, W[l], Z[l]) for l in range(first, L)],
                [partial(A[l].T.dot, D[l], G[l]) for l in range(first, L)],
                [None if l == 0 else partial(D[l].dot, W[l][:-1].T, D[l - 1]) for l in range(first, L)])
    shared = first == 0 and A[0].ndim == 2  # every run's inputs: (n, n_in + 1) times (n_in + 1, n_out K)
    forward = [_stacked("nik,ijk->njk", A[l], W[l], Z[l], temps) for l in range(first + shared, L)]
    gradient = [_stacked("nik,njk->ijk", A[l], D[l], G[l], temps) for l in range(first + shared, L)]
    backward = [None if l == 0 else _stacked("njk,ijk->nik", D[l], W[l][:-1], D[l - 1], temps) for l in range(first, L)]
    if shared:
        n, m = len(A[0]), len(W[0])
        forward.insert(0, partial(A[0].dot, W[0].reshape(m, -1), Z[0].reshape(n, -1)))
        gradient.insert(0, partial(A[0].T.dot, D[0].reshape(n, -1), G[0].reshape(m, -1)))
    return forward, gradient, backward


class Runs:
    """One run (``params`` (n_params,), trained in place: a network's own vector) or K runs (``params``
    (n_params, K)) of a network of architecture ``arch``, trained on inputs ``F`` (n, n_features) with labels
    or values ``y`` (n,) by ``recipe`` with ``optimizer``; ``rngs`` holds each run's mini-batch shuffle.

    ``epoch()`` trains one epoch and returns the training set's (losses, accuracies) on the new parameters:
    floats for one run, arrays (K,) for K (accuracies None for regression); ``measure()`` returns them
    without training. The parameters before the last epoch stay in ``backup``. See the module's docstring.
    """

    def __init__(self, arch: Architecture, recipe, optimizer, F: np.ndarray, y: np.ndarray, params: np.ndarray,
                 rngs: list):
        self.arch, self.sizes, self.params, self.rngs = arch, arch.sizes, params, rngs
        self.K = params.shape[1] if params.ndim == 2 else None
        self.grad, self.backup = np.zeros_like(params), np.empty_like(params)
        self.W, self.G = self._views(params), self._views(self.grad)
        self.activations = tuple(ACTIVATIONS[a] for a in arch.activations)
        self.output = OUTPUTS[arch.output]
        self.y, self.n = y, len(F)
        self.A0 = np.ones((self.n, F.shape[1] + 1))  # the inputs with a ones column: the bias trick
        self.A0[:, :-1] = F
        self.full = Workspace(self.sizes, self.n, self.K, self.A0)
        self._temps: dict = {}  # the stacked products' temporaries, by shape
        self._full = _products(self.full.A, self.full.Z, self.full.D, self.W, self.G, self._temps)
        self._forward = self._forward_steps(self.full, self._full[0])
        self.mask = np.zeros(params.shape[:1] + (() if self.K is None else (1,)))  # 1 on weights, 0 on biases
        for m in self._views(self.mask):
            m[:-1] = 1.0
        self.accuracy = accuracy(y, arch.output, self.K)
        self.optimizer = optimizer
        self.use(recipe)

    def _views(self, flat: np.ndarray) -> list[np.ndarray]:
        """Per-layer (n_in + 1, n_out) views (with K runs: (n_in + 1, n_out, K)) of a vector laid out like params."""
        views, offset = [], 0
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            size = (n_in + 1) * n_out
            views.append(flat[offset:offset + size].reshape((n_in + 1, n_out) + flat.shape[1:]))
            offset += size
        return views

    # ------------------------------------------------------------ the recipe
    def use(self, recipe, optimizer=None) -> None:
        """Train by ``recipe`` from now on (and with ``optimizer`` if given): the epoch is compiled again."""
        self.recipe, self.loss = recipe, recipe.loss_function
        if optimizer is not None:
            self.optimizer = optimizer
        self.Y = recipe.targets(self.y) if self.K is None else recipe.targets(self.y)[:, :, None]
        self.batch = recipe.batch(self.n)
        self.measure = self._measurer()
        self._gradient = self._gradient_steps(self.full, *self._full[1:])
        self._update = [partial(self.optimizer.step, self.params, self.grad)]  # the step follows the gradient
        self._pass = self._update if self.batch is None else self._mini_batches()
        steps = self._gradient + self._update if self.batch is None else self._pass
        backup, params, measure = self.backup, self.params, self.measure

        def epoch():
            backup[...] = params  # a slice copy is cheaper than np.copyto
            for step in steps:
                step()
            return measure()

        self.epoch = epoch

    def _measurer(self):
        """The function measuring every run on the training set, leaving dL/dz in ``full.D[-1]``."""
        ws, steps = self.full, self._forward
        both = self.loss.value_and_delta if self.K is None else self.loss.per_run_and_delta
        P, Y, Z, D, output, accuracy = ws.P, self.Y, ws.Z[-1], ws.D[-1], self.output, self.accuracy
        if self.K == 1:  # a stack of one run: one run's loss, summed as one run sums it
            value = self.loss.value_and_delta
            P1, Y1, Z1, D1 = (a[:, :, 0] for a in (P, Y, Z, D))

            def both(P, Y, Z, output, D):
                return np.array([value(P1, Y1, Z1, output, D1)[0]]), D

        def measure():
            for step in steps:
                step()
            return both(P, Y, Z, output, D)[0], accuracy(P)

        return measure

    # ------------------------------------------------------------ the passes, as lists of steps
    def _forward_steps(self, ws: Workspace, forward: list) -> list:
        steps, S = [], ws.S
        for l, act in enumerate(self.activations):
            # the activation beside the ones column, copied by a bound __setitem__ (fewer lookups than copyto)
            steps += [forward[l], partial(act.value, ws.Zf[l], ws.Sf[l]), partial(ws.H[l + 1].__setitem__, ..., S[l])]
        return steps + [forward[-1], partial(self.output.value, ws.Z[-1], ws.P)]

    def _gradient_steps(self, ws: Workspace, gradient: list, backward: list) -> list:
        """Backpropagation of dL/dz of the output layer (in ``ws.D[-1]``) into ``grad``, then the penalty's
        gradient added: the objective's gradient. The optimizer's step (``_update``) follows it; penalty then
        step is written here and nowhere else."""
        steps = []
        for l in range(len(gradient) - 1, 0, -1):
            k = l - 1
            steps += [gradient[l], backward[l], partial(self.activations[k].derivative, ws.Zf[k], ws.Sf[k], ws.Tf[k]),
                      partial(np.multiply, ws.Df[k], ws.Tf[k], ws.Df[k])]
        steps.append(gradient[0])
        r = self.recipe
        if r.penalised:
            steps.append(partial(add_penalty_grad, self.grad, self.params, self.mask, r.l1, r.l2))
        return steps

    def _mini_batches(self) -> list:
        """One pass in each run's shuffle, a step per mini-batch: the shuffled inputs and targets are made
        once an epoch and each batch is a view of them, its products bound once."""
        n, b, K = self.n, self.batch, self.K
        tail = () if K is None else (K,)
        order = np.empty((n,) + tail, dtype=np.intp)
        X = np.empty((n, self.A0.shape[1]) + tail)
        Y = np.empty((n, self.Y.shape[1]) + tail)
        steps, spaces = [partial(self._shuffle, order, X, Y)], {}
        for s in range(0, n, b):
            Xb, Yb = X[s:s + b], Y[s:s + b]
            if len(Xb) not in spaces:  # a batch's workspace and its products past the input layer, by its size
                ws = Workspace(self.sizes, len(Xb), K)
                spaces[len(Xb)] = ws, _products(ws.A, ws.Z, ws.D, self.W, self.G, self._temps, first=1)
            ws, (forward, gradient, backward) = spaces[len(Xb)]
            f0, g0, _ = _products([Xb], ws.Z, ws.D, self.W[:1], self.G[:1], self._temps)  # this batch's rows
            steps += self._forward_steps(ws, f0 + forward)
            steps.append(partial(self.loss.delta, ws.P, Yb, ws.Z[-1], self.output, ws.D[-1]))
            steps += self._gradient_steps(ws, g0 + gradient, [None] + backward) + self._update
        return steps

    def _shuffle(self, order: np.ndarray, X: np.ndarray, Y: np.ndarray) -> None:
        """Each run's new order of the training set (its own generator's permutation), and the inputs (with
        their ones) and targets in it."""
        n = self.n
        if self.K is None:
            order[...] = self.rngs[0].permutation(n)
            np.take(self.A0, order, 0, X, "clip")  # "clip": the indices are valid, and unbuffered is faster
            np.take(self.Y, order, 0, Y, "clip")
            return
        order[...] = np.stack([rng.permutation(n) for rng in self.rngs], axis=1)  # (n, K)
        X[...] = self.A0[order].transpose(0, 2, 1)
        Y[...] = self.Y[:, :, 0][order].transpose(0, 2, 1)

    # ------------------------------------------------------------ what callers run
    def gradient(self) -> list[np.ndarray]:
        """The objective's gradient over the whole training set at the parameters (which go to ``backup``),
        as per-layer views; needs a :meth:`measure` of these parameters. :meth:`descend` then trains the
        epoch on: together they are an :meth:`epoch` without its measurement."""
        self.backup[...] = self.params
        for step in self._gradient:
            step()
        return self.G

    def descend(self) -> None:
        """The rest of an epoch after :meth:`gradient`: the full batch's step, or the mini-batches."""
        for step in self._pass:
            step()

    def keep(self, columns: np.ndarray) -> Runs:
        """Runs of these stacked runs only (the optimizer's state goes with them); call :meth:`measure` next."""
        opt = self.optimizer
        for name in opt.slots:
            slot = getattr(opt, name)
            if slot is not None:
                setattr(opt, name, np.ascontiguousarray(slot[:, columns]))
        return Runs(self.arch, self.recipe, opt, self.A0[:, :-1], self.y, np.ascontiguousarray(self.params[:, columns]),
                    [self.rngs[c] for c in columns])

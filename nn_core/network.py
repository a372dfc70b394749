"""A fully connected feed-forward network over one flat parameter vector.

Shapes: network inputs ``F`` are (n_samples, n_features); layer ``l`` holds a
weight matrix (n_in, n_out) and biases (n_out,) and computes ``F @ W + b``.

All parameters live in one flat float64 vector, ``params``. Layer ``l`` is a
view of it shaped (n_in + 1, n_out) whose last row is the bias: with a column
of ones kept beside each layer's input, one matrix product computes
``F @ W + b`` and, in the backward pass, one product gives the weight and the
bias gradients together. That halves the NumPy calls per step, which is what
the time of a small network is made of. The optimizer updates the flat vector
in place, so every view stays valid.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from .activations import ACTIVATIONS, get_activation
from .features import DEFAULT_FEATURES, check_features, feature_matrix
from .losses import get_output

MAX_HIDDEN_LAYERS = 8
MAX_WIDTH = 64
MAX_OUTPUTS = 16
INIT_SCHEMES = ("normal", "xavier", "he")
OUTPUT_KINDS = ("sigmoid", "softmax", "linear")
_CHUNK = 2048  # rows per block when predicting on many points: keeps blocks in cache
# Split a forward pass between two threads from this many rows per thread:
# NumPy releases the GIL in its loops and matrix products, and a 200x200 grid
# takes about half the time on two cores. Below it, thread hand-off costs more.
_PARALLEL_MIN_ROWS = 8192
_pool = None
_pool_failed = False


_scratch_store = threading.local()


def _scratch(size: int) -> np.ndarray:
    """A float64 vector of ``size`` elements owned by the calling thread and reused by its next call."""
    buf = getattr(_scratch_store, "buf", None)
    if buf is None or buf.size < size:
        buf = _scratch_store.buf = np.empty(size)
    return buf[:size]


def _thread_pool():
    """A shared one-worker pool (the calling thread does the other half), or None
    where threads are unavailable (Pyodide) or there is only one core."""
    global _pool, _pool_failed
    if _pool is None and not _pool_failed:
        try:
            if (os.cpu_count() or 1) < 2:
                raise RuntimeError("one core")
            _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nn_core-forward")
            _pool.submit(int).result()  # fails here if threads cannot start
        except (RuntimeError, ImportError):
            _pool, _pool_failed = None, True
    return _pool


@dataclass(frozen=True)
class Architecture:
    """The shape of a network: input features, hidden widths and activations, output kind."""

    hidden: tuple[int, ...] = (3,)
    activations: tuple[str, ...] | str = "sigmoid"  # one name for all hidden layers, or one per layer
    output: str = "sigmoid"
    n_outputs: int = 1
    features: tuple[str, ...] = DEFAULT_FEATURES

    def __post_init__(self):
        if isinstance(self.hidden, (str, bytes)) or any(
            isinstance(h, bool) or not isinstance(h, (int, np.integer)) for h in self.hidden
        ):
            raise ValueError("hidden layer widths must be whole numbers")
        hidden = tuple(int(h) for h in self.hidden)
        if len(hidden) > MAX_HIDDEN_LAYERS:
            raise ValueError(f"at most {MAX_HIDDEN_LAYERS} hidden layers, not {len(hidden)}")
        for h in hidden:
            if not 1 <= h <= MAX_WIDTH:
                raise ValueError(f"a hidden layer has 1 to {MAX_WIDTH} neurons, not {h}")
        acts = self.activations
        acts = (acts,) * len(hidden) if isinstance(acts, str) else tuple(acts)
        if len(acts) == 1 and len(hidden) > 1:
            acts = acts * len(hidden)
        if hidden and len(acts) != len(hidden):
            raise ValueError(f"{len(hidden)} hidden layers need {len(hidden)} activations, not {len(acts)}")
        if not hidden:
            acts = ()
        for a in acts:
            if not isinstance(a, str):
                raise ValueError(f"an activation is named by a string, not {a!r}")
            get_activation(a)
        if self.output not in OUTPUT_KINDS:
            raise ValueError(f"unknown output {self.output!r}; choose from {', '.join(OUTPUT_KINDS)}")
        if isinstance(self.n_outputs, bool) or not isinstance(self.n_outputs, (int, np.integer)):
            raise ValueError("the number of outputs must be a whole number")
        n_out = int(self.n_outputs)
        if not 1 <= n_out <= MAX_OUTPUTS:
            raise ValueError(f"the output layer has 1 to {MAX_OUTPUTS} neurons, not {n_out}")
        if self.output == "sigmoid" and n_out != 1:
            raise ValueError("a sigmoid output has one neuron (binary classification)")
        if self.output == "softmax" and n_out < 2:
            raise ValueError("a softmax output needs at least 2 classes")
        object.__setattr__(self, "hidden", hidden)
        object.__setattr__(self, "activations", acts)
        object.__setattr__(self, "n_outputs", n_out)
        object.__setattr__(self, "features", check_features(self.features))

    @property
    def sizes(self) -> list[int]:
        """Neurons per layer, input to output: [n_features, *hidden, n_outputs]."""
        return [len(self.features), *self.hidden, self.n_outputs]

    @property
    def n_params(self) -> int:
        s = self.sizes
        return sum((a + 1) * b for a, b in zip(s[:-1], s[1:]))


class _Workspace:
    """Preallocated buffers for a forward and backward pass over ``n`` rows."""

    def __init__(self, sizes: Sequence[int], n: int):
        # A[l]: input of layer l with a trailing column of ones; H[l]: its activation part.
        self.A = [np.empty((n, s + 1)) for s in sizes[:-1]]
        for a in self.A:
            a[:, -1] = 1.0
        self.H = [a[:, :-1] for a in self.A]
        # Z[l]: layer l's pre-activation, overwritten by its activation for hidden layers
        self.Z = [np.empty((n, s)) for s in sizes[1:]]
        self.P = np.empty((n, sizes[-1]))  # network output
        self.D = [np.empty((n, s)) for s in sizes[1:]]  # dL/dz per layer
        self.T = [np.empty((n, s)) for s in sizes[1:-1]]  # activation derivatives
        # Views made once rather than per step: transposes for the gradient
        # products, and flat views of the contiguous buffers, since an
        # elementwise op between two 2-D arrays costs more than between 1-D ones.
        self.AT = [a.T for a in self.A]
        self.Zf = [z.reshape(-1) for z in self.Z]
        self.Df = [d.reshape(-1) for d in self.D]
        self.Tf = [t.reshape(-1) for t in self.T]

    def set_input(self, A0: np.ndarray) -> None:
        """Use ``A0`` (rows of inputs with their ones column) as the input layer; it is only read."""
        self.A[0] = A0
        self.AT[0] = A0.T


@dataclass
class Network:
    """Parameters and passes of a network with the given :class:`Architecture`."""

    arch: Architecture
    params: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        sizes = self.arch.sizes
        self.params = np.zeros(self.arch.n_params)
        self._layers: list[np.ndarray] = []  # (n_in + 1, n_out) views; last row = bias
        self.weight_mask = np.ones(self.arch.n_params)  # 1 on weights, 0 on biases (not penalised)
        offset = 0
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            end = offset + (n_in + 1) * n_out
            self._layers.append(self.params[offset:end].reshape(n_in + 1, n_out))
            self.weight_mask[end - n_out:end] = 0.0
            offset = end
        self._wT = [layer[:-1].T for layer in self._layers]  # weights without biases, transposed
        self._acts = [ACTIVATIONS[a] for a in self.arch.activations]
        self._output = get_output(self.arch.output)
        # the functions themselves, looked up once for the training passes
        self._values = tuple(act.value for act in self._acts)
        self._derivatives = tuple(act.derivative for act in self._acts)
        self._output_value = self._output.value

    # ------------------------------------------------------------ parameters
    @classmethod
    def create(cls, arch: Architecture, init: str = "xavier", seed=None) -> Network:
        """A network with freshly initialised parameters (``seed``: int or numpy Generator)."""
        net = cls(arch)
        net.initialize(init, seed)
        return net

    def initialize(self, scheme: str = "xavier", seed=None) -> None:
        """Draw the weights by ``scheme``; biases start at zero.

        normal: standard normal (the tutorial's np.random.randn);
        xavier: Glorot uniform, U(-r, r) with r = sqrt(6 / (n_in + n_out));
        he: normal with standard deviation sqrt(2 / n_in).
        """
        if scheme not in INIT_SCHEMES:
            raise ValueError(f"unknown init scheme {scheme!r}; choose from {', '.join(INIT_SCHEMES)}")
        rng = np.random.default_rng(seed)
        for layer in self._layers:
            n_in, n_out = layer.shape[0] - 1, layer.shape[1]
            if scheme == "normal":
                w = rng.standard_normal((n_in, n_out))
            elif scheme == "xavier":
                r = np.sqrt(6.0 / (n_in + n_out))
                w = rng.uniform(-r, r, (n_in, n_out))
            else:
                w = rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)
            layer[:-1] = w
            layer[-1] = 0.0

    @property
    def n_layers(self) -> int:
        """Number of weight layers (hidden layers + 1)."""
        return len(self._layers)

    def weights(self, l: int) -> np.ndarray:
        """Layer ``l``'s weight matrix (n_in, n_out), a view into ``params``."""
        return self._layers[l][:-1]

    def biases(self, l: int) -> np.ndarray:
        """Layer ``l``'s biases (n_out,), a view into ``params``."""
        return self._layers[l][-1]

    def get_params(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Copies of every layer's (weights (n_in, n_out), biases (n_out,))."""
        return [(self.weights(l).copy(), self.biases(l).copy()) for l in range(self.n_layers)]

    def set_params(self, layers: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
        """Set every layer's (weights, biases); ValueError on a wrong count, shape or value."""
        if len(layers) != self.n_layers:
            raise ValueError(f"expected {self.n_layers} layers of parameters, got {len(layers)}")
        new = []
        for l, (w, b) in enumerate(layers):
            w = np.asarray(w, dtype=np.float64)
            b = np.asarray(b, dtype=np.float64).reshape(-1)
            if w.shape != self.weights(l).shape or b.shape != self.biases(l).shape:
                raise ValueError(
                    f"layer {l + 1}: weights must be {self.weights(l).shape} and biases "
                    f"{self.biases(l).shape}, not {w.shape} and {b.shape}"
                )
            if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
                raise ValueError(f"layer {l + 1}: parameters must be finite numbers")
            new.append((w, b))
        for l, (w, b) in enumerate(new):
            self._layers[l][:-1] = w
            self._layers[l][-1] = b


    # ------------------------------------------------------------ passes
    def forward_ws(self, ws: _Workspace) -> np.ndarray:
        """Forward pass over ``ws.A[0]`` (inputs with a ones column), keeping every activation.

        A hidden activation is computed in place in its own contiguous buffer
        ``Z[l]`` and then copied into ``A[l + 1]``: in-place ufuncs on the
        strided view beside the ones column are several times slower.
        """
        A, H, Z, layers = ws.A, ws.H, ws.Z, self._layers
        l = 0
        for value in self._values:
            z = A[l].dot(layers[l], Z[l])
            l += 1
            H[l][...] = value(z, z)
        return self._output_value(A[l].dot(layers[l], Z[l]), ws.P)

    def backward_ws(self, ws: _Workspace, delta: np.ndarray, grad_layers: Sequence[np.ndarray]) -> None:
        """Backpropagate ``delta`` = dL/dz of the output layer into ``grad_layers`` (views of a flat gradient).

        Needs the activations of a :meth:`forward_ws` over the same workspace.
        """
        AT, D, Zf, Df, Tf, wT, derivatives = ws.AT, ws.D, ws.Zf, ws.Df, ws.Tf, self._wT, self._derivatives
        multiply = np.multiply
        for l in range(len(wT) - 1, 0, -1):
            # dW and db at once: the ones column of A turns the bias row into delta's column sums.
            AT[l].dot(delta, grad_layers[l])
            k = l - 1
            delta = delta.dot(wT[l], D[k])
            # Z[k] holds layer k's activations, from which every derivative is written.
            multiply(Df[k], derivatives[k](Zf[k], Tf[k]), Df[k])
        AT[0].dot(delta, grad_layers[0])

    def grad_views(self, flat: np.ndarray) -> list[np.ndarray]:
        """Per-layer (n_in + 1, n_out) views of a flat vector laid out like ``params``."""
        views, offset = [], 0
        for layer in self._layers:
            views.append(flat[offset:offset + layer.size].reshape(layer.shape))
            offset += layer.size
        return views

    def forward(self, F: np.ndarray, hidden: bool = False):
        """Outputs (n, n_outputs) for network inputs F (n, n_features).

        With ``hidden=True``, returns (outputs, [each hidden layer's activations (n, width)]).
        Works through F in blocks of rows; a large F (a decision surface) is
        split between two threads when the platform has them.
        """
        F = np.asarray(F, dtype=np.float64)
        if F.ndim != 2 or F.shape[1] != self.arch.sizes[0]:
            raise ValueError(f"inputs must have shape (n, {self.arch.sizes[0]}), not {F.shape}")
        n = len(F)
        out = np.empty((n, self.arch.n_outputs))
        hiddens = [np.empty((n, w)) for w in self.arch.hidden] if hidden else None
        half = n // 2
        pool = _thread_pool() if half >= _PARALLEL_MIN_ROWS else None
        other = None
        if pool is not None:
            try:
                other = pool.submit(self._forward_rows, F, out, hiddens, 0, half)
            except RuntimeError:  # no threads after all (e.g. the interpreter is shutting down)
                other = None
        if other is None:
            self._forward_rows(F, out, hiddens, 0, n)
        else:
            self._forward_rows(F, out, hiddens, half, n)
            other.result()
        return (out, hiddens) if hidden else out

    def _forward_rows(self, F, out, hiddens, start: int, stop: int) -> None:
        """The forward pass of rows start:stop of F into the same rows of ``out`` (and ``hiddens``).

        Each block is computed in place in the calling thread's scratch
        buffers, kept between calls: a fresh block-sized array per call is
        fresh memory the OS must map in, and those page faults cost as much
        as a layer's arithmetic. Biases are added from copies tiled to the
        block's shape: broadcasting a row of 16 over 2048 rows runs 2048 short
        inner loops, three times slower.
        """
        rows = min(_CHUNK, stop - start)
        widths = [layer.shape[1] for layer in self._layers]
        # Carve one scratch vector: a tiled bias block per layer, then two
        # blocks that the hidden layers use in turn.
        sizes = [rows * w for w in widths] + ([rows * max(widths[:-1])] * 2 if hiddens is None and self._acts else [])
        scratch = _scratch(sum(sizes))
        pieces, offset = [], 0
        for size in sizes:
            pieces.append(scratch[offset:offset + size])
            offset += size
        biases = []
        for layer, piece in zip(self._layers, pieces):
            tile = piece.reshape(rows, layer.shape[1])
            tile[...] = layer[-1]
            biases.append(tile)
        blocks = pieces[len(widths):]
        weights = [layer[:-1] for layer in self._layers]
        add = np.add
        for s in range(start, stop, _CHUNK):
            e = min(s + _CHUNK, stop)
            m = e - s
            h = F[s:e]
            for l, act in enumerate(self._acts):
                z = hiddens[l][s:e] if hiddens is not None else blocks[l % 2][:m * widths[l]].reshape(m, widths[l])
                h.dot(weights[l], z)
                add(z, biases[l][:m], z)
                h = act.value(z, z)
            z = out[s:e]
            h.dot(weights[-1], z)
            add(z, biases[-1][:m], z)
            self._output.value(z, z)

    def predict(self, X: np.ndarray, hidden: bool = False):
        """Like :meth:`forward`, for raw points X (n, 2): the network's feature map is applied first."""
        return self.forward(feature_matrix(X, self.arch.features), hidden)

    def predict_labels(self, X: np.ndarray) -> np.ndarray:
        """Class labels (n,) for raw points X (n, 2); the output values for a linear output."""
        return decide(self.predict(X), self.arch.output)

    def encode_targets(self, y: np.ndarray) -> np.ndarray:
        """Targets as the output layer sees them, (n, n_outputs): 0/1, one-hot, or values."""
        y = np.asarray(y)
        if self.arch.output == "softmax":
            labels = y.astype(np.int64)
            if labels.size and (labels.min() < 0 or labels.max() >= self.arch.n_outputs):
                raise ValueError(f"class labels must lie in 0..{self.arch.n_outputs - 1}")
            return np.eye(self.arch.n_outputs)[labels]
        return y.astype(np.float64).reshape(-1, 1)

    def loss_and_grad(self, F, y, loss, l1: float = 0.0, l2: float = 0.0):
        """The training objective and its gradient as a flat vector laid out like ``params``.

        objective = loss(F, y) + l1 * sum|w| + l2/2 * sum w^2 over weights (not biases).
        """
        from .losses import get_loss

        loss = get_loss(loss) if isinstance(loss, str) else loss
        F = np.asarray(F, dtype=np.float64)
        ws = _Workspace(self.arch.sizes, len(F))
        ws.A[0][:, :-1] = F
        Y = self.encode_targets(y)
        p = self.forward_ws(ws)
        z = ws.Z[-1]
        value = loss.value(p, Y, z) + penalty(self.params, self.weight_mask, l1, l2)
        grad = np.zeros_like(self.params)
        self.backward_ws(ws, loss.delta(p, Y, z, self._output), self.grad_views(grad))
        add_penalty_grad(grad, self.params, self.weight_mask, l1, l2)
        return value, grad


def penalty(params, mask, l1: float, l2: float) -> float:
    """l1 * sum|w| + l2/2 * sum w^2 over the weights picked by ``mask``."""
    total = 0.0
    if l1:
        total += l1 * float(np.abs(params).dot(mask))
    if l2:
        total += 0.5 * l2 * float((params * params).dot(mask))
    return total


def add_penalty_grad(grad, params, mask, l1: float, l2: float) -> None:
    """grad += the penalty's gradient (in place). The gradient of |w| at 0 is taken as 0."""
    if l1:
        grad += l1 * np.sign(params) * mask
    if l2:
        grad += l2 * params * mask


def decide(P: np.ndarray, output: str) -> np.ndarray:
    """Predicted labels (n,) from outputs P (n, k): p > 0.5, the argmax, or the value itself."""
    if output == "sigmoid":
        return (P[:, 0] > 0.5).astype(np.int64)
    if output == "softmax":
        return P.argmax(axis=1)
    return P[:, 0].copy()

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

:meth:`Network.forward` evaluates the network over a :class:`Workspace` of
preallocated buffers: :meth:`Network.outputs` runs it block by block over any
number of points (a decision surface, the neuron maps), and the Trainer
measures its test set with it. Training runs the passes of
:mod:`nn_core.engine`, compiled once per run, with the same products on the
same buffers: the two agree to the last bit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .activations import ACTIVATIONS
from .checks import is_whole
from .features import DEFAULT_FEATURES, check_features, feature_matrix
from .losses import OUTPUTS
from .text import show

MAX_HIDDEN_LAYERS = 8
MAX_WIDTH = 64
MAX_OUTPUTS = 20
BLOCK_ROWS = 2048  # rows per block when evaluating many points: the block's buffers stay in cache


# ---------------------------------------------------------------- initial weights: (n_in, n_out) per layer
def _normal(rng, n_in: int, n_out: int) -> np.ndarray:
    return rng.standard_normal((n_in, n_out))  # the tutorial's np.random.randn


def _xavier(rng, n_in: int, n_out: int) -> np.ndarray:
    r = np.sqrt(6.0 / (n_in + n_out))  # Glorot uniform
    return rng.uniform(-r, r, (n_in, n_out))


def _he(rng, n_in: int, n_out: int) -> np.ndarray:
    return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)


def _zero(rng, n_in: int, n_out: int) -> np.ndarray:
    # Every neuron of a layer then computes the same function and gets the same gradient: they stay copies
    # of each other (with tanh or relu they output 0, and nothing before the output's bias ever learns).
    return np.zeros((n_in, n_out))


INIT_SCHEMES = {"normal": _normal, "xavier": _xavier, "he": _he, "zero": _zero}
"""Each initialisation: name -> draw(rng, n_in, n_out), a layer's weights; biases always start at zero."""


def check_widths(hidden) -> tuple[int, ...]:
    """Hidden layer widths as a tuple of ints; ValueError unless 0 to 8 layers of 1 to 64 neurons."""
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence):
        raise ValueError("hidden layer widths must be a list of whole numbers")
    if len(hidden) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"at most {MAX_HIDDEN_LAYERS} hidden layers, not {len(hidden)}")
    for h in hidden:
        if not is_whole(h, 1, MAX_WIDTH):
            raise ValueError(f"a hidden layer has 1 to {MAX_WIDTH} neurons, not {show(h)}")
    return tuple(int(h) for h in hidden)


def check_activations(names) -> tuple[str, ...]:
    """Activation names as a tuple; ValueError if there is none or one is unknown."""
    names = (names,) if isinstance(names, str) else names
    if not isinstance(names, Sequence) or not names:
        raise ValueError("give one activation, or one per hidden layer")
    for a in names:
        if not isinstance(a, str) or a not in ACTIVATIONS:
            raise ValueError(f"unknown activation {show(a)}; choose from {', '.join(ACTIVATIONS)}")
    return tuple(names)


def layer_activations(names, n_layers: int) -> tuple[str, ...]:
    """One activation name per hidden layer, from one name for all or one per layer."""
    names = check_activations(names)
    if len(names) == 1:
        return names * n_layers
    if len(names) != n_layers:
        raise ValueError(f"give one activation, or one per hidden layer ({n_layers}), not {len(names)}")
    return names


@dataclass(frozen=True)
class Architecture:
    """The shape of a network: input features, hidden widths and activations, output kind."""

    hidden: tuple[int, ...] = (3,)
    activations: tuple[str, ...] | str = "sigmoid"  # one name for all hidden layers, or one per layer
    output: str = "sigmoid"
    n_outputs: int = 1
    features: tuple[str, ...] = DEFAULT_FEATURES

    def __post_init__(self):
        hidden = check_widths(self.hidden)
        if self.output not in OUTPUTS:
            raise ValueError(f"unknown output {show(self.output)}; choose from {', '.join(OUTPUTS)}")
        if not is_whole(self.n_outputs, 1, MAX_OUTPUTS):
            raise ValueError(f"the output layer has 1 to {MAX_OUTPUTS} neurons, not {show(self.n_outputs)}")
        if self.output == "sigmoid" and self.n_outputs != 1:
            raise ValueError("a sigmoid output has one neuron (binary classification)")
        if self.output == "softmax" and self.n_outputs < 2:
            raise ValueError("a softmax output needs at least 2 classes")
        object.__setattr__(self, "hidden", hidden)
        acts = self.activations
        object.__setattr__(self, "activations", layer_activations(acts, len(hidden)) if hidden or acts else ())
        object.__setattr__(self, "n_outputs", int(self.n_outputs))
        object.__setattr__(self, "features", check_features(self.features))

    @property
    def sizes(self) -> list[int]:
        """Neurons per layer, input to output: [n_features, *hidden, n_outputs]."""
        return [len(self.features), *self.hidden, self.n_outputs]

    @property
    def n_params(self) -> int:
        s = self.sizes
        return sum((a + 1) * b for a, b in zip(s[:-1], s[1:]))


class Workspace:
    """Preallocated buffers for a forward and backward pass over ``n`` rows, of one network or of ``runs`` of
    them stacked on a last axis (:mod:`nn_core.engine`).

    ``A[l]`` is layer l's input with a trailing column of ones, (n, n_in + 1) or (n, n_in + 1, runs), and
    ``H[l]`` its part without them; ``Z[l]`` is layer l's pre-activation, ``S[l]`` a hidden layer's
    activation in a contiguous buffer (in-place ufuncs on the strided ``H`` beside the ones column are
    several times slower), ``P`` the output, ``D[l]`` dL/dz and ``T[l]`` the activation derivatives.
    ``inputs`` (n, n_in + 1), the input layer with its ones, is only read: stacked runs then share it.
    """

    def __init__(self, sizes: Sequence[int], n: int, runs: int | None = None, inputs: np.ndarray | None = None):
        tail = () if runs is None else (runs,)
        self.n = n
        self.A = [np.ones((n, s + 1) + tail) for s in sizes[:-1]]
        if inputs is not None:
            self.A[0] = inputs
        self.H = [a[:, :-1] for a in self.A]
        self.Z = [np.empty((n, s) + tail) for s in sizes[1:]]
        self.S = [np.empty((n, s) + tail) for s in sizes[1:-1]]
        self.P = np.empty((n, sizes[-1]) + tail)
        self.D = [np.empty((n, s) + tail) for s in sizes[1:]]
        self.T = [np.empty((n, s) + tail) for s in sizes[1:-1]]
        # Views made once rather than per step: transposes for one network's gradient products, and
        # flat views, since an elementwise op between 2-D arrays costs more than between 1-D ones.
        self.AT = [a.T for a in self.A]
        self.Zf, self.Sf = [z.reshape(-1) for z in self.Z], [s.reshape(-1) for s in self.S]
        self.Df, self.Tf = [d.reshape(-1) for d in self.D], [t.reshape(-1) for t in self.T]


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
        self.activations = tuple(ACTIVATIONS[a] for a in self.arch.activations)
        self.output_layer = OUTPUTS[self.arch.output]
        # the functions themselves, looked up once for the passes: on the tutorial's tiny arrays
        # every attribute lookup saved is a percent of an epoch
        self._values = tuple(act.value for act in self.activations)
        self._blocks: dict[int, Workspace] = {}  # workspaces for outputs(), by row count

    # ------------------------------------------------------------ parameters
    @classmethod
    def create(cls, arch: Architecture, init: str = "xavier", seed=None) -> Network:
        """A network with freshly initialised parameters (``seed``: int or numpy Generator)."""
        net = cls(arch)
        net.initialize(init, seed)
        return net

    def initialize(self, scheme: str = "xavier", seed=None) -> None:
        """Draw the weights by ``scheme`` (one of :data:`INIT_SCHEMES`); biases start at zero.

        normal: standard normal (the tutorial's np.random.randn);
        xavier: Glorot uniform, U(-r, r) with r = sqrt(6 / (n_in + n_out));
        he: normal with standard deviation sqrt(2 / n_in);
        zero: every weight 0 (symmetry is never broken).
        """
        if not isinstance(scheme, str) or scheme not in INIT_SCHEMES:
            raise ValueError(f"unknown init scheme {show(scheme)}; choose from {', '.join(INIT_SCHEMES)}")
        draw, rng = INIT_SCHEMES[scheme], np.random.default_rng(seed)
        for layer in self._layers:
            layer[:-1] = draw(rng, layer.shape[0] - 1, layer.shape[1])
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
        new = [(np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64)) for w, b in layers]
        for l, (w, b) in enumerate(new):
            if w.shape != self.weights(l).shape or b.shape != self.biases(l).shape:
                raise ValueError(f"layer {l + 1}: weights must be {self.weights(l).shape} and biases "
                                 f"{self.biases(l).shape}, not {w.shape} and {b.shape}")
            if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
                raise ValueError(f"layer {l + 1}: parameters must be finite numbers")
        for l, (w, b) in enumerate(new):
            self._layers[l][:-1] = w
            self._layers[l][-1] = b

    def grad_views(self, flat: np.ndarray) -> list[np.ndarray]:
        """Per-layer (n_in + 1, n_out) views of a flat vector laid out like ``params``."""
        views, offset = [], 0
        for layer in self._layers:
            views.append(flat[offset:offset + layer.size].reshape(layer.shape))
            offset += layer.size
        return views

    # ------------------------------------------------------------ passes
    def forward(self, ws: Workspace) -> np.ndarray:
        """The forward pass over ``ws.A[0]`` (inputs with a ones column), keeping every layer's values in ``ws``.

        Returns the network's outputs ``ws.P`` (n, n_outputs).
        """
        A, H, Z, S, layers = ws.A, ws.H, ws.Z, ws.S, self._layers
        l = 0
        for value in self._values:
            z = A[l].dot(layers[l], Z[l])
            H[l + 1][...] = value(z, S[l])
            l += 1
        return self.output_layer.value(A[l].dot(layers[l], Z[l]), ws.P)

    def _block(self, rows: int) -> Workspace:
        ws = self._blocks.get(rows)
        if ws is None:
            if len(self._blocks) > 3:  # a full block and the odd last ones are all that recur
                self._blocks.clear()
            ws = self._blocks[rows] = Workspace(self.arch.sizes, rows)
        return ws

    def outputs(self, F: np.ndarray, hidden: bool = False):
        """Outputs (n, n_outputs) for network inputs F (n, n_features), through :meth:`forward` in blocks of rows.

        With ``hidden=True``, returns (outputs, [each hidden layer's activations (n, width)]).
        """
        F = np.asarray(F, dtype=np.float64)
        if F.ndim != 2 or F.shape[1] != self.arch.sizes[0]:
            raise ValueError(f"inputs must have shape (n, {self.arch.sizes[0]}), not {F.shape}")
        n = len(F)
        out = np.empty((n, self.arch.n_outputs))
        hiddens = [np.empty((n, w)) for w in self.arch.hidden] if hidden else []
        for start in range(0, n, BLOCK_ROWS):
            stop = min(start + BLOCK_ROWS, n)
            ws = self._block(stop - start)
            ws.H[0][...] = F[start:stop]
            out[start:stop] = self.forward(ws)
            for h, s in zip(hiddens, ws.S):
                h[start:stop] = s
        return (out, hiddens) if hidden else out

    def predict(self, X: np.ndarray, hidden: bool = False):
        """Like :meth:`outputs`, for raw points X (n, 2): the network's feature map is applied first."""
        return self.outputs(feature_matrix(X, self.arch.features), hidden)

    def predict_labels(self, X: np.ndarray) -> np.ndarray:
        """Class labels (n,) for raw points X (n, 2); the output values for a linear output."""
        return decide(self.predict(X), self.arch.output)

    def loss_and_grad(self, F, y, loss, l1: float = 0.0, l2: float = 0.0):
        """The training objective on inputs F (n, n_features) with labels or values y (n,), and its gradient as a
        flat vector laid out like ``params``: the training engine's own passes (:class:`nn_core.engine.Runs`).

        objective = loss(F, y) + l1 * sum|w| + l2/2 * sum w^2 over weights (not biases).
        """
        from .engine import Runs
        from .recipe import Recipe

        recipe = Recipe(self.arch.output, self.arch.n_outputs, loss if isinstance(loss, str) else loss.name, "gd",
                        l1=l1, l2=l2)
        runs = Runs(self.arch, recipe, recipe.make_optimizer(), np.asarray(F, dtype=np.float64), np.asarray(y),
                    self.params, [])
        value, _ = runs.measure()
        runs.gradient()
        return value + penalty(self.params, self.weight_mask, l1, l2), runs.grad.copy()


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

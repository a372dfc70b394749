"""An experiment as one runnable Python script that needs NumPy only: :func:`script`.

The script is for reading. It draws the experiment's data with the same maths
and seeds as :mod:`nn_core.datasets` (and the same train/test split), starts
from the same weights as :meth:`Network.initialize`, and trains with a plain
forward and backward pass (``dZ = dA * f'(Z)``, ``dW = A.T @ dZ``) and the
same loss, optimizer, penalties and seeded mini-batches as :class:`Trainer`,
stopping on divergence as it does. It holds only the pieces its experiment
uses, and a header naming the experiment and its ``python -m nn_core train``
command.

It must also do the engine's sums in the engine's order. A mini-batch run can
be chaotic: a difference in the last bit (``X @ W + b`` rather than the
engine's one product with a ones column, say) can grow past 10% within a few
thousand steps. So the script computes as the engine does, with the biases as
a last row of weights and a ones column beside each layer's input (the "bias
trick", explained in the script), and writes each formula in the engine's
order where the order changes the rounding (the sigmoid in the engine's form,
which may depend on how many values it is given).

The pieces are written out here for reading rather than copied from the
engine, whose code is shaped for speed (buffers, views, bound methods).
tests/test_export.py keeps them in step: every name in every registry
(datasets, features, activations, outputs, losses, optimizers, init schemes)
must have a piece here; the data, weights and optimizer steps must be the
engine's bit for bit and the activations, outputs and losses agree to 1e-12
at extreme values; and the scripts of a matrix of experiments that uses every
piece, and of a chaotic run, must end at the engine's final losses to 1e-9.
"""

from __future__ import annotations

import shlex
from string import Template

from . import activations
from .activations import ELU_ALPHA, LEAKY_SLOPE
from .config import Config, build_data
from .datasets import DATASETS, SOURCE_DEFAULTS
from .features import DEFAULT_FEATURES
from .formula import check_formula
from .losses import LOSSES
from .optimizers import OPTIMIZERS
from .recipe import EXPLODE_FACTOR
from .settings import SETTINGS
from .text import number_text
from .userdata import CLASSES, parse_points

RULE = "# " + "-" * 64

# ---------------------------------------------------------------- data pieces
_BALANCED = '''\
def balanced_labels(n, k, rng):
    """n labels, as equal in count across k classes as n allows, in random order."""
    return rng.permutation(np.arange(n, dtype=np.int64) % k)
'''

_TRUTH_TABLE = Template('''\
def make_data():
    """$title's truth table: the four corners of the unit square, labelled x1 $word x2."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    corners = X.astype(np.int64)
    return X, corners[:, 0] $op corners[:, 1]
''')

_NOISY_GATE = Template('''\
def make_data(n, noise, rng):
    """$title cloud: points scattered around the corners of the unit square, each labelled
    x1 $word x2 of the corner it comes from."""
    corners = rng.integers(0, 2, size=(n, 2), dtype=np.int64)
    X = corners + noise * rng.standard_normal((n, 2))
    return X, corners[:, 0] $op corners[:, 1]
''')

_CIRCLES = '''\
def make_data(n, noise, rng):
    """Circles: an outer ring of radius 1 (class 0) around an inner ring of radius 0.5 (class 1)."""
    y = balanced_labels(n, 2, rng)
    t = rng.uniform(0, 2 * np.pi, n)
    r = np.where(y == 1, 0.5, 1.0)
    X = np.column_stack([r * np.cos(t), r * np.sin(t)]) + noise * rng.standard_normal((n, 2))
    return X, y
'''

_MOONS = '''\
def make_data(n, noise, rng):
    """Moons: two interleaving half circles (classes 0 and 1), centred on the origin."""
    y = balanced_labels(n, 2, rng)
    t = rng.uniform(0, np.pi, n)
    X = np.where(
        (y == 0)[:, None],
        np.column_stack([np.cos(t), np.sin(t)]),
        np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)]),
    )
    X = X - [0.5, 0.25] + noise * rng.standard_normal((n, 2))
    return X, y
'''

_BLOBS = Template('''\
CENTRES = np.array($centres)  # one Gaussian blob per class


def make_data(n, noise, rng):
    """Gaussian blobs: each class's points around its centre, noise their standard deviation."""
    y = balanced_labels(n, len(CENTRES), rng)
    return CENTRES[y] + noise * rng.standard_normal((n, 2)), y
''')

_SPIRAL = Template('''\
def make_data(n, noise, rng):
    """Spiral: $k interleaved arms; along an arm the radius grows from 0 to 1 while the angle
    turns $turns times round."""
    y = balanced_labels(n, $k, rng)
    t = rng.uniform(0, 1, n)
    angle = $turns * 2 * np.pi * t + 2 * np.pi * y / $k
    X = np.column_stack([t * np.cos(angle), t * np.sin(angle)])
    return X + noise * rng.standard_normal((n, 2)), y
''')

_CHECKERBOARD = '''\
def make_data(n, noise, rng):
    """Checkerboard: a 4 x 4 board of half-unit cells on [-1, 1]^2, a cell's class the parity of
    its column plus its row. Each point takes a class, then a random cell of it, then a spot in it."""
    y = balanced_labels(n, 2, rng)
    col = rng.integers(0, 4, n, dtype=np.int64)
    row = 2 * rng.integers(0, 2, n, dtype=np.int64) + (y - col) % 2
    X = -1.0 + 0.5 * (np.column_stack([col, row]) + rng.uniform(0, 1, (n, 2)))
    return X + noise * rng.standard_normal((n, 2)), y
'''

_PLANE = '''\
def make_data(n, noise, rng):
    """Plane (regression): points on [-1, 1]^2, each valued (x1 + x2) / 2 plus noise."""
    X = rng.uniform(-1, 1, (n, 2))
    return X, (X[:, 0] + X[:, 1]) / 2 + noise * rng.standard_normal(n)
'''

_BUMPS = '''\
def make_data(n, noise, rng):
    """Gaussian bumps (regression): on [-1, 1]^2, two bumps up and two down, plus noise."""
    X = rng.uniform(-1, 1, (n, 2))
    centres = np.array([[-0.5, -0.5], [0.5, 0.5], [-0.5, 0.5], [0.5, -0.5]])
    signs = np.array([1.0, 1.0, -1.0, -1.0])
    d2 = ((X[:, None, :] - centres[None]) ** 2).sum(axis=2)  # squared distance to each centre (n, 4)
    return X, np.exp(-d2 / 0.18) @ signs + noise * rng.standard_normal(n)
'''

_FORMULA_CLASSES = Template('''\
def make_data(n, noise, rng):
    """Formula: points uniform on [-1, 1]^2, of class 1 where $text holds and 0 elsewhere; the noise
    moves the points."""
    X = rng.uniform(-1, 1, (n, 2))
    x1, x2 = X[:, 0], X[:, 1]
    y = ($code).astype(np.int64)
    return X + noise * rng.standard_normal((n, 2)), y
''')

_FORMULA_VALUES = Template('''\
def make_data(n, noise, rng):
    """Formula: points uniform on [-1, 1]^2, each valued $text, plus noise."""
    X = rng.uniform(-1, 1, (n, 2))
    x1, x2 = X[:, 0], X[:, 1]
    y = $code
    return X, y + noise * rng.standard_normal(n)
''')

_POINTS = Template('''\
POINTS = (
$lines
)  # the points as x1,x2,$label triples after a kind mark ($kind)


def make_data():
    """Your data: the points given, $n of them."""
    table = np.array([p.split(",") for p in POINTS.split(";")[1:]], dtype=np.float64).reshape(-1, 3)
    return table[:, :2].copy(), $labels
''')


def _formula_code(text: str) -> str:
    """The formula dataset's make_data for formula ``text`` (checked: it holds no quote, backslash, # or
    line break, so it reads safely inside a docstring)."""
    f = check_formula(text)
    return (_FORMULA_CLASSES if f.classes else _FORMULA_VALUES).substitute(text=f.text, code=f.code())


def _points_code(text: str) -> str:
    """The custom dataset's make_data: its points text, in lines of 90 characters at most (it holds digits,
    signs, points, e, commas and semicolons only), read as the engine reads it."""
    points = parse_points(text)
    lines, line = [], ""
    for part in points.text.split(";"):
        if line and len(line) + len(part) > 84:
            lines.append(line)
            line = ""
        line += part + ";"
    lines.append(line.rstrip(";"))
    classes = points.text.startswith(CLASSES)
    return _POINTS.substitute(lines="\n".join(f'    "{x}"' for x in lines), label="class" if classes else "value",
                              kind="c: classes" if classes else "v: values", n=len(points),
                              labels="table[:, 2].astype(np.int64)" if classes else "table[:, 2].copy()")


_GATES = {"xor": ("XOR", "^"), "and": ("AND", "&"), "or": ("OR", "|")}
DATA_CODE = {
    **{g: _TRUTH_TABLE.substitute(title=w, word=w, op=op) for g, (w, op) in _GATES.items()},
    **{f"noisy-{g}": _NOISY_GATE.substitute(title=w, word=w, op=op) for g, (w, op) in _GATES.items()},
    "circles": _CIRCLES,
    "moons": _MOONS,
    "blobs": _BLOBS.substitute(centres="[[-0.5, -0.5], [0.5, 0.5]]"),
    "spiral": _SPIRAL.substitute(k=2, turns=1.25),
    "checkerboard": _CHECKERBOARD,
    "spiral3": _SPIRAL.substitute(k=3, turns=1.0),
    "blobs3": _BLOBS.substitute(centres="[[0.0, 0.6], [-0.52, -0.3], [0.52, -0.3]]"),
    "plane": _PLANE,
    "bumps": _BUMPS,
    "formula": _formula_code(SOURCE_DEFAULTS["formula"]),
    "custom": _points_code(SOURCE_DEFAULTS["points"]),
}
"""``make_data(n, noise, rng) -> (X (n, 2), y (n,))`` per dataset; ``make_data()`` for a truth table and
the custom dataset. A dataset made from a setting has its code for that setting's default here;
:func:`data_code` writes it for a config's formula or points."""


def data_code(c: Config) -> str:
    """The make_data of ``c``'s dataset, for its formula or points if it is made from one."""
    source = DATASETS[c.dataset].source
    if source == "formula":
        return _formula_code(c.formula)
    if source == "points":
        return _points_code(c.points)
    return DATA_CODE[c.dataset]

_SPLIT = '''\
def split(n, test_ratio, rng):
    """Indices (train, test) of n points, each sorted: a shuffle sends test_ratio of them to test
    (at least one point to each side)."""
    n_test = int(round(n * test_ratio))
    if test_ratio > 0 and n >= 2:
        n_test = min(max(n_test, 1), n - 1)
    order = rng.permutation(n)
    return np.sort(order[n_test:]), np.sort(order[:n_test])
'''

FEATURE_CODE = {"x1": "x1", "x2": "x2", "x1^2": "x1 * x1", "x2^2": "x2 * x2", "x1*x2": "x1 * x2",
            "sin(x1)": "np.sin(x1)", "sin(x2)": "np.sin(x2)"}
"""Each input feature as an expression of the columns x1, x2."""

_FEATURES = Template('''\
def features(X):
    """What the network sees of each point (x1, x2): $names, as columns (n, $k)."""
    x1, x2 = X[:, 0], X[:, 1]
    return np.column_stack([$columns])
''')

# ---------------------------------------------------------------- network pieces
_SIGMOID = '''\
def sigmoid(z):
    # 1 / (1 + exp(-z)) overflows exp for z < -709; (1 + tanh(z/2)) / 2 is the same function and never does.
    return 0.5 * np.tanh(0.5 * z) + 0.5
'''
_SIGMOID_TWO_WAYS = Template('''\
def sigmoid(z):
    """1 / (1 + e^-z). On up to $few values nn_core computes it as (1 + tanh(z/2)) / 2, the same function
    in fewer NumPy calls, and the script follows, so that its sums are nn_core's to the last bit."""
    if z.size <= $few:
        return 0.5 * np.tanh(0.5 * z) + 0.5
    with np.errstate(over="ignore"):  # e^-z overflows to infinity for z < -709, and then the value is exactly 0
        return 1.0 / (1.0 + np.exp(-z))
''')
# Up to this many values the engine's sigmoid takes the tanh form, if it has such a rule (the script follows).
_FEW = getattr(activations, "_FEW", None)

ACTIVATION_CODE = {
    "sigmoid": (_SIGMOID if _FEW is None else _SIGMOID_TWO_WAYS.substitute(few=_FEW), '''\
def sigmoid_derivative(z, a):
    return (1 - a) * a  # read off the activation a = sigmoid(z)
'''),
    "tanh": ('''\
def tanh(z):
    return np.tanh(z)
''', '''\
def tanh_derivative(z, a):
    return 1 - a * a  # read off the activation a = tanh(z)
'''),
    "relu": ('''\
def relu(z):
    return np.maximum(z, 0.0)
''', '''\
def relu_derivative(z, a):
    return (z > 0).astype(np.float64)  # 0 at z = 0
'''),
    "leaky_relu": (f'''\
LEAKY_SLOPE = {LEAKY_SLOPE!r}  # the slope below zero


def leaky_relu(z):
    return np.maximum(z, z * LEAKY_SLOPE)
''', '''\
def leaky_relu_derivative(z, a):
    return np.where(z > 0, 1.0, LEAKY_SLOPE)
'''),
    "elu": (f'''\
ELU_ALPHA = {ELU_ALPHA!r}  # below zero ELU tends to -alpha


def elu(z):
    # np.minimum keeps expm1 from overflowing on the positive side, which np.where discards anyway
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)) * ELU_ALPHA)
''', '''\
def elu_derivative(z, a):
    return np.where(z > 0, 1.0, a + ELU_ALPHA)  # below zero a = alpha (e^z - 1), so f'(z) = alpha e^z = a + alpha
'''),
    "softplus": ('''\
def softplus(z):
    # log(1 + e^z) written as max(z, 0) + log(1 + e^-|z|): no overflow for large |z|
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))
''', '''\
def softplus_derivative(z, a):
    return sigmoid(z)
'''),
    "gelu": ('''\
GELU_C, GELU_K = np.sqrt(2.0 / np.pi), 0.044715


def gelu_tanh(z):
    """z clipped to [-10, 10] and tanh(c (z + k z^3)): past |z| = 10 that tanh is exactly +-1 in
    float64, and the clip keeps z^3 from overflowing."""
    zc = np.clip(z, -10.0, 10.0)
    return zc, np.tanh(GELU_C * (zc + GELU_K * zc * zc * zc))


def gelu(z):
    """GELU in its tanh form: z/2 (1 + tanh(c (z + k z^3))) with c = sqrt(2/pi), k = 0.044715."""
    _, t = gelu_tanh(z)
    return 0.5 * z * (1.0 + t)
''', '''\
def gelu_derivative(z, a):
    zc, t = gelu_tanh(z)
    return 0.5 * (1.0 + t) + 0.5 * zc * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * GELU_K * zc * zc)
'''),
    "silu": ('''\
def silu(z):
    return z * sigmoid(z)  # SiLU, or swish
''', '''\
def silu_derivative(z, a):
    s = sigmoid(z)
    return s + a * (1.0 - s)  # d/dz [z s] = s + z s (1 - s) = s + a (1 - s)
'''),
    "linear": ('''\
def linear(z):
    return z
''', '''\
def linear_derivative(z, a):
    return np.ones_like(z)
'''),
}
"""Per activation: its ``name(z)`` and ``name_derivative(z, a)`` with a = name(z)."""
_USES_SIGMOID = ("softplus", "silu")

OUTPUT_CODE = {
    "sigmoid": ('''\
def output(z):
    """A sigmoid neuron (n, 1): the probability of class 1."""
    return sigmoid(z)
''', '''\
def output_backward(p, dP):
    dPp = dP * p
    return dPp - dPp * p  # dP p (1 - p): the sigmoid's derivative is p (1 - p)
'''),
    "softmax": ('''\
def output(z):
    """Softmax (n, k): each row's class probabilities. Less the row's maximum, exp cannot overflow."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
''', '''\
def output_backward(p, dP):
    # softmax's Jacobian times dP, row by row: dz_i = p_i (dP_i - sum_j dP_j p_j)
    dot = np.einsum("ij,ij->i", dP, p)[:, None]  # each row's sum_j dP_j p_j (n, 1)
    return (dP - dot) * p
'''),
    "linear": ('''\
def output(z):
    """A linear neuron (n, 1): the value itself."""
    return z
''', '''\
def output_backward(p, dP):
    return dP
'''),
}
"""Per output layer: ``output(z)`` and, for the squared errors, ``output_backward(p, dP)`` = dL/dz."""

_CROSS_ENTROPY_DELTA = '''

def loss_delta(z, p, y):
    # With this output and its cross-entropy, the output's derivative cancels the loss's:
    # dL/dz is simply (p - y), averaged over the points. Nothing divides by p (1 - p).
    return (p - y) * (1.0 / len(p))
'''

LOSS_CODE = {
    "sse": '''\
def loss(z, p, y):
    """Half the sum of squared errors over all the points (a sum, not a mean): 1/2 sum (p - y)^2."""
    e = (p - y).ravel()
    return 0.5 * float(e @ e)  # e @ e: the sum of the squares


def loss_delta(z, p, y):
    return output_backward(p, p - y)  # dL/dp = p - y, then back through the output
''',
    "mse": '''\
def loss(z, p, y):
    """Mean squared error, over the points and the outputs."""
    e = (p - y).ravel()
    return float(e @ e) / e.size  # e @ e: the sum of the squares


def loss_delta(z, p, y):
    return output_backward(p, (p - y) * (2.0 / p.size))  # dL/dp, then back through the output
''',
    "bce": '''\
def loss(z, p, y):
    """Binary cross-entropy, mean over the points: -[y log p + (1 - y) log(1 - p)]. From the logit
    z it is softplus(z) - y z, with no log(0) however sure the network is."""
    return float(np.sum(np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z))) - y * z)) / len(z)
''' + _CROSS_ENTROPY_DELTA,
    "ce": '''\
def loss(z, p, y):
    """Cross-entropy, mean over the points: -sum_k y_k log p_k. From the logits it is
    logsumexp(z) - y.z, with no log(0) however sure the network is."""
    m = z.max(axis=1, keepdims=True)
    logsumexp = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    return float(np.sum(logsumexp - np.sum(y * z, axis=1))) / len(z)
''' + _CROSS_ENTROPY_DELTA,
}
"""Per loss: ``loss(z, p, y) -> float`` and ``loss_delta(z, p, y)`` = dL/dz (n, n_outputs)."""

TARGET_CODE = {
    "sigmoid": "    return y.reshape(-1, 1).astype(np.float64)  # 0 or 1, one column\n",
    "softmax": "    return np.eye(N_OUTPUTS)[y]  # one-hot: a column per class\n",
    "linear": "    return y.reshape(-1, 1)  # the values, one column\n",
}
_TARGETS = '''\
def targets(y):
    """Labels y (n,) as the output layer sees them (n, N_OUTPUTS)."""
'''

ACCURACY_CODE = {
    "sigmoid": "    hits = int(np.sum((P[:, 0] > 0.5) == (y == 1)))  # class 1 where p > 0.5\n",
    "softmax": "    hits = int(np.sum(P.argmax(axis=1) == y))  # the most probable class\n",
}
_ACCURACY = '''\
def accuracy(P, y):
    """How many points the outputs P (n, N_OUTPUTS) put in their class y (n,), as text."""
$hits    return f"{100 * hits / len(y):.1f}% ({hits} of {len(y)} points)"
'''

_INIT = Template('''\
def init_layers(sizes, rng):
    """Each layer's weights, input side first: $what,
    and below them a row of biases, zeros: (n_in + 1, n_out) per layer."""
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
$draw        layers.append(np.vstack([W, np.zeros(n_out)]))
    return layers
''')
INIT_CODE = {
    "normal": ("W (n_in, n_out) standard normal", "        W = rng.standard_normal((n_in, n_out))\n"),
    "xavier": ("W (n_in, n_out) Glorot uniform,\n    U(-r, r) with r = sqrt(6 / (n_in + n_out))",
               "        r = np.sqrt(6.0 / (n_in + n_out))\n        W = rng.uniform(-r, r, (n_in, n_out))\n"),
    "he": ("W (n_in, n_out) He normal,\n    of standard deviation sqrt(2 / n_in)",
           "        W = rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)\n"),
}

_PASSES = '''\
# The bias trick: a layer's weights W (n_in + 1, n_out) hold its biases b in their last row, and its
# input A has a column of ones beside it, so that one product A @ W is X @ W[:-1] + b. In the backward
# pass the same column makes A.T @ dZ the weights' gradient with the biases' (dZ summed over the
# points) below it. It is how nn_core computes too, so the sums here are its sums, in its order.
def with_ones(X):
    """X (n, k) with a column of ones beside it (n, k + 1)."""
    return np.column_stack([X, np.ones(len(X))])


def forward(layers, X):
    """Every layer's input A[l] (n, n_in + 1), its ones column included, and pre-activation Z[l] (n, n_out),
    for inputs X (n, n_features); and the network's output P (n, N_OUTPUTS)."""
    A, Z = [with_ones(X)], []
    for l, W in enumerate(layers):
        Z.append(A[l] @ W)
        if l < len(layers) - 1:
            A.append(with_ones(HIDDEN_ACTIVATIONS[l][0](Z[l])))
    return A, Z, output(Z[-1])


def backward(layers, A, Z, dZ):
    """The gradient dW of every layer's weights and biases, (n_in + 1, n_out) each, from a forward pass's
    A and Z and dZ = dL/dZ of the output layer (n, N_OUTPUTS)."""
    grads = [None] * len(layers)
    for l in reversed(range(len(layers))):
        grads[l] = A[l].T @ dZ
        if l > 0:
            dA = dZ @ layers[l][:-1].T  # dL/dA of the layer below (n, n_in): back through the weights
            dZ = dA * HIDDEN_ACTIVATIONS[l - 1][1](Z[l - 1], A[l][:, :-1])  # and its activation: dA * f'(Z)
    return grads
'''

_PENALTIES = Template('''\
def add_penalties(layers, grads):
    """Add the gradient of $what
    to the weights' gradients; the biases, the last rows, are not penalised. The losses printed
    leave the penalties out."""
    for W, dW in zip(layers, grads):
$terms''')

# ---------------------------------------------------------------- optimizers
OPTIMIZER_CODE = {
    "gd": ("GradientDescent(LR)", '''\
class GradientDescent:
    """Plain gradient descent: p -= lr * g."""

    def __init__(self, lr):
        self.lr = lr

    def step(self, params, grads):
        for p, g in zip(params, grads):
            p -= self.lr * g
'''),
    "momentum": ("Momentum(layers, LR, MOMENTUM)", '''\
class Momentum:
    """Gradient descent with momentum: v = momentum v - lr g; p += v."""

    def __init__(self, params, lr, momentum):
        self.lr, self.momentum = lr, momentum
        self.velocity = [np.zeros_like(p) for p in params]

    def step(self, params, grads):
        for p, g, v in zip(params, grads, self.velocity):
            v *= self.momentum
            v -= self.lr * g
            p += v
'''),
    "nesterov": ("Nesterov(layers, LR, MOMENTUM)", '''\
class Nesterov:
    """Nesterov momentum: v = momentum v - lr g; p += momentum v - lr g. The step looks ahead along
    the new velocity (Sutskever et al. 2013), with no second gradient to compute."""

    def __init__(self, params, lr, momentum):
        self.lr, self.momentum = lr, momentum
        self.velocity = [np.zeros_like(p) for p in params]

    def step(self, params, grads):
        for p, g, v in zip(params, grads, self.velocity):
            v *= self.momentum
            v -= self.lr * g
            p += self.momentum * v - self.lr * g
'''),
    "adam": ("Adam(layers, LR, BETA1, BETA2, EPS)", '''\
class Adam:
    """Adam (Kingma & Ba 2015): steps along a running mean of the gradient, m, over the root of a
    running mean of its square, v."""

    def __init__(self, params, lr, beta1, beta2, eps):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, params, grads):
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        # m and v start at zero, so early on they are too small: divided by (1 - b^t) they are not.
        # Both corrections are folded into the step size and eps rather than applied to m and v.
        lr_t = self.lr * np.sqrt(1.0 - b2**self.t) / (1.0 - b1**self.t)
        eps_t = self.eps * np.sqrt(1.0 - b2**self.t)
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= b1
            m += (1.0 - b1) * g
            v *= b2
            v += (g * g) * (1.0 - b2)
            p -= m / (np.sqrt(v) + eps_t) * lr_t
'''),
}
"""Per optimizer: how the script makes it, and its class (``step(params, grads)`` in place)."""

# ---------------------------------------------------------------- training
_TRAINING = Template('''\
# A diverging run overflows on its way: it is caught below and reported, not warned about.
np.seterr(over="ignore", invalid="ignore")

layers = init_layers([F_train.shape[1], *HIDDEN, N_OUTPUTS], np.random.default_rng(SEED))
optimizer = $optimizer
$shuffle

def measure(F, Y):
    """The loss on inputs F (n, n_features) with targets Y (n, N_OUTPUTS), and the outputs."""
    A, Z, P = forward(layers, F)
    return loss(Z[-1], P, Y), P


def gradient_step(F, Y):
    """One step of the optimizer on the points F (n, n_features) with targets Y (n, N_OUTPUTS)."""
    A, Z, P = forward(layers, F)
    grads = backward(layers, A, Z, loss_delta(Z[-1], P, Y))
$penalties    optimizer.step(layers, grads)  # in place


start_loss, _ = measure(F_train, Y_train)
# A loss this many times the start (or NaN) has diverged: training stops, back at the last finite weights.
explode_at = EXPLODE_FACTOR * max(start_loss, 1e-3) if np.isfinite(start_loss) else np.inf
trained, stopped = 0, None
for epoch in range(1, EPOCHS + 1):
    kept = [W.copy() for W in layers]
$epoch    train_loss, _ = measure(F_train, Y_train)
    if not train_loss <= explode_at:  # written so that NaN fails it too
        stopped = (f"the loss reached {train_loss:.3g} at epoch {epoch}: try a lower learning rate"
                   f" (the results are those of epoch {trained})")
        for W, k in zip(layers, kept):
            W[...] = k
        break
    trained = epoch
    if epoch % PRINT_EVERY == 0:
        print(f"epoch {epoch}: train loss {train_loss:.6g}")

$rule
# The results, on the weights after the last epoch.
train_loss, P_train = measure(F_train, Y_train)
print(f"epochs: {trained}")
print(f"train loss: {train_loss!r}")
$results
if stopped:
    raise SystemExit(f"training stopped: {stopped}")
''')

_FULL_BATCH = "    gradient_step(F_train, Y_train)  # full batch: one step on all the training points\n"
_MINI_BATCHES = '''\
    order = shuffle.permutation(len(F_train))  # mini-batches: a new order every epoch
    for start in range(0, len(order), BATCH_SIZE):
        batch = order[start:start + BATCH_SIZE]
        gradient_step(F_train[batch], Y_train[batch])
'''
_SHUFFLE = "shuffle = np.random.default_rng(SEED)  # the mini-batch order: its own generator, seeded as the weights\n"

# ---------------------------------------------------------------- the script
_COMMENTS = {
    "samples": "points drawn", "noise": "standard deviation of the Gaussian noise added to the points",
    "test_ratio": "fraction of the points held out to test on", "data_seed": "seeds the points and the split",
    "hidden": "hidden layer widths", "seed": "seeds the initial weights and the mini-batch order",
    "lr": "learning rate", "momentum": "how much of each step the next keeps",
    "beta1": "decay of the mean gradient", "beta2": "decay of the mean squared gradient",
    "eps": "guard against dividing by zero", "batch_size": "points per step",
    "l1": "L1 penalty rate on the weights", "l2": "L2 penalty rate on the weights", "epochs": "epochs to train",
}
_DATA_ONLY = ("samples", "noise", "test_ratio", "data_seed")  # settings a 4-point truth table does without
_HYPERPARAMETERS = {h for o in OPTIMIZERS.values() for h in o.hyperparameters}


class _Plan:
    """What the script of a config holds: its data sizes, batches and pieces."""

    def __init__(self, c: Config):
        self.c, self.spec = c, DATASETS[c.dataset]
        _, train, test = build_data(c)
        self.n_train, self.n_test = len(train), len(test)
        self.full_batch = not c.batch_size or c.batch_size >= self.n_train
        self.output, self.loss = c.output_kind, c.loss_name
        self.acts = tuple(dict.fromkeys(c.layer_activations))  # each once, in order
        self.sigmoid = self.output == "sigmoid" or any(a in ("sigmoid", *_USES_SIGMOID) for a in self.acts)

    def uses(self, name: str) -> bool:
        """Whether the script has a constant for setting ``name``."""
        c = self.c
        if name in _DATA_ONLY and self.spec.fixed or name in ("samples", "noise") and not self.spec.drawn:
            return False
        if name in _HYPERPARAMETERS:
            return name in OPTIMIZERS[c.optimizer].hyperparameters
        wanted = {"test_ratio": c.test_ratio > 0, "batch_size": not self.full_batch, "l1": c.l1 > 0, "l2": c.l2 > 0}
        return name in _COMMENTS and wanted.get(name, True)



def _checked(config) -> Config:
    if not isinstance(config, Config):
        raise TypeError(f"expected an nn_core.Config, not {type(config).__name__}")
    return config.check()


def script(config) -> str:
    """The experiment ``config`` (an :class:`nn_core.Config`, checked) as one Python script that needs NumPy only.

    Run, it prints its progress and then, in lines that stay the same, ``epochs: N``, ``train loss: x``
    (and ``train accuracy``, ``test loss``, ``test accuracy`` where there are some); losses are written
    as Python floats, in full. A diverged run stops as the engine's does, prints the results of its
    last finite epoch and exits with status 1. ConfigError if ``config`` is invalid.
    """
    plan = _Plan(_checked(config))
    parts = [_header(plan), "import numpy as np\n\n" + _constants(plan), f"{RULE}\n# The data", *_data(plan),
             _data_run(plan), f"{RULE}\n# The network", *_network(plan), f"{RULE}\n# The optimizer",
             OPTIMIZER_CODE[plan.c.optimizer][1], f"{RULE}\n# Training", _training(plan)]
    return "\n\n\n".join(p.strip("\n") for p in parts) + "\n"


def train_command(config) -> str:
    """``config`` as a ``python -m nn_core train`` command line: a flag for each setting off its default."""
    c = _checked(config)
    words = ["python", "-m", "nn_core", "train"]
    for s in SETTINGS.values():
        v = getattr(c, s.name)
        if v != s.default:
            text = s.text(v) if not isinstance(v, tuple) else ""
            if text.startswith("-"):  # a formula such as -x1 > 0: --formula=... reads as a value
                words.append(f"{s.flag}={text}")
            else:
                words += [s.flag, *(map(str, v) if isinstance(v, tuple) else [text])]
    return shlex.join(words)


def _wrapped(command: str, indent: str, width: int = 96) -> str:
    """A shell command over lines of at most ``width`` characters (a longer word alone), each but the
    last ending in a backslash."""
    lines, line = [], ""
    for word in map(shlex.quote, shlex.split(command)):
        if line and len(indent) + len(line) + len(word) + 3 > width:
            lines.append(line + " \\")
            line = "    "
        line += (" " if line.strip() else "") + word
    return "\n".join(indent + line for line in [*lines, line])


def _setting_text(plan: _Plan, name: str) -> str:
    v, s = getattr(plan.c, name), SETTINGS[name]
    special = {
        "dataset": lambda: f"{v}, {plan.spec.title}",
        "points": lambda: f"{plan.n_train + plan.n_test} points, in POINTS below",
        "noise": lambda: f"{plan.spec.noise!r} (the dataset's own)" if v is None else s.text(v),
        "test_ratio": lambda: f"{s.text(v)} ({plan.n_train} training and {plan.n_test} test points)",
        "features": lambda: ", ".join(v),
        "activations": lambda: ", ".join(v),
        "output": lambda: f"auto: {plan.output}" if v == "auto" else v,
        "loss": lambda: f"{'auto: ' if v == 'auto' else ''}{plan.loss}, {LOSSES[plan.loss].description}",
        "optimizer": lambda: f"{v}, {OPTIMIZERS[v].title}",
        "batch_size": lambda: f"{v} ({'full batch' if plan.full_batch else 'mini-batches'})",
    }
    return special[name]() if name in special else s.text(v)


def _header(plan: _Plan) -> str:
    c, values = plan.c, plan.c.values()
    rows = []
    for s in SETTINGS.values():
        hidden = (s.shown and not s.shown(values)) or (s.name in _DATA_ONLY and plan.spec.fixed) or (
            s.name in ("samples", "noise") and not plan.spec.drawn)
        if not hidden and not (s.name == "activations" and not c.hidden):
            rows.append(f"    {s.name:<12} {_setting_text(plan, s.name)}")
    sizes = "-".join(map(str, c.architecture().sizes))
    command = train_command(c)
    return "\n".join([
        f'r"""{plan.spec.title}, learnt by a {sizes} network written from scratch with NumPy.',
        "",
        "One nn_core experiment written out as a plain script: the same data, the same initial weights and",
        "the same training maths, sum for sum, so that on the same machine it ends at the final losses of",
        "",
        _wrapped(command, "    "),
        "",
        f"({'every setting at its default; ' if command.endswith(' train') else ''}to 1e-9 or closer). "
        "It needs NumPy only. The experiment:",
        "",
        *rows,
        '"""',
    ])


def _constants(plan: _Plan) -> str:
    c = plan.c
    lines = ["# The experiment's numbers: change them and run it again. (Its pieces are this experiment's:",
             "# another dataset, activation, output, loss or optimizer is another export.)"]
    for name in SETTINGS:
        if plan.uses(name):
            v = getattr(c, name)
            v = plan.spec.noise if name == "noise" and v is None else v
            text = repr(list(v)) if isinstance(v, tuple) else number_text(v)
            lines.append(f"{name.upper()} = {text}  # {_COMMENTS[name]}")
    lines += ["PRINT_EVERY = max(1, EPOCHS // 10)  # epochs between progress lines",
              f"EXPLODE_FACTOR = {EXPLODE_FACTOR:g}  # a loss this many times where it started has diverged"]
    return "\n".join(lines)


def _data(plan: _Plan) -> list[str]:
    c, parts = plan.c, []
    code = data_code(c)
    if "balanced_labels" in code:
        parts.append(_BALANCED)
    parts.append(code)
    if plan.n_test:
        parts.append(_SPLIT)
    if c.features != DEFAULT_FEATURES:
        parts.append(_FEATURES.substitute(names=", ".join(c.features), k=len(c.features),
                                          columns=", ".join(FEATURE_CODE[f] for f in c.features)))
    n_out = c.architecture().n_outputs
    what = {"sigmoid": "one sigmoid neuron", "softmax": "a neuron per class", "linear": "one linear neuron"}
    parts.append(f"N_OUTPUTS = {n_out}  # the output layer: {what[plan.output]}\n\n\n"
                 + _TARGETS + TARGET_CODE[plan.output])
    if plan.output in ACCURACY_CODE:
        parts.append(Template(_ACCURACY).substitute(hits=ACCURACY_CODE[plan.output]))
    return parts


def _network(plan: _Plan) -> list[str]:
    c, parts = plan.c, []
    if plan.sigmoid:
        parts.append(ACTIVATION_CODE["sigmoid"][0])
    for a in plan.acts:
        value, derivative = ACTIVATION_CODE[a]
        parts.append(derivative if a == "sigmoid" else value + "\n\n" + derivative)
    pairs = [f"({a}, {a}_derivative)" for a in c.layer_activations]
    if not pairs:
        parts.append("HIDDEN_ACTIVATIONS = []  # no hidden layer: the inputs go straight to the output layer\n")
    elif len(plan.acts) == 1:
        parts.append(f"HIDDEN_ACTIVATIONS = [{pairs[0]}] * len(HIDDEN)  # each hidden layer's (f, f')\n")
    else:
        parts.append(f"HIDDEN_ACTIVATIONS = [{', '.join(pairs)}]  # each hidden layer's (f, f')\n")
    value, backward = OUTPUT_CODE[plan.output]
    parts.append(value + ("\n\n" + backward if plan.loss in ("sse", "mse") else ""))
    parts += [LOSS_CODE[plan.loss], _INIT.substitute(what=INIT_CODE[c.init][0], draw=INIT_CODE[c.init][1]), _PASSES]
    terms = [("L1 * sum |W|", "        dW[:-1] += L1 * np.sign(W[:-1])  # sign(0) = 0\n") if c.l1 else None,
             ("L2 / 2 * sum W^2", "        dW[:-1] += L2 * W[:-1]\n") if c.l2 else None]
    terms = [t for t in terms if t]
    if terms:
        parts.append(_PENALTIES.substitute(what=" + ".join(w for w, _ in terms), terms="".join(t for _, t in terms)))
    return parts


def _data_run(plan: _Plan) -> str:
    c = plan.c
    make = "make_data(SAMPLES, NOISE, np.random.default_rng(DATA_SEED))" if plan.spec.drawn else "make_data()"
    lines = [f"X, y = {make}  # points (n, 2) and labels (n,)"]
    if plan.n_test:
        lines += ["train, test = split(len(X), TEST_RATIO, np.random.default_rng(DATA_SEED))",
                  "X_train, y_train, X_test, y_test = X[train], y[train], X[test], y[test]"]
    else:
        lines.append("X_train, y_train = X, y  # no test set: every point trains")
    f = "features({})" if c.features != DEFAULT_FEATURES else "{}"
    lines.append(f"F_train, Y_train = {f.format('X_train')}, targets(y_train)  # what the network sees, and wants")
    if plan.n_test:
        lines.append(f"F_test, Y_test = {f.format('X_test')}, targets(y_test)")
    return "\n".join(lines)


def _training(plan: _Plan) -> str:
    c = plan.c
    results = []
    for part in ("train", "test") if plan.n_test else ("train",):
        if part == "test":
            results += ["test_loss, P_test = measure(F_test, Y_test)", 'print(f"test loss: {test_loss!r}")']
        if plan.output in ACCURACY_CODE:
            results.append(f'print(f"{part} accuracy: {{accuracy(P_{part}, y_{part})}}")')
    penalties = "    add_penalties(layers, grads)\n" if c.l1 or c.l2 else ""
    return _TRAINING.substitute(
        optimizer=OPTIMIZER_CODE[c.optimizer][0], shuffle="" if plan.full_batch else _SHUFFLE,
        penalties=penalties, epoch=_FULL_BATCH if plan.full_batch else _MINI_BATCHES, rule=RULE,
        results="\n".join(results))

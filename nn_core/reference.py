"""An nn_core experiment in plain NumPy, piece by piece: what an exported script is made of.

:func:`nn_core.export.script` writes an experiment as one script that needs NumPy only: the constants of
its settings, the pieces of this module that it uses, copied as they are (``inspect.getsource``), and a
``main`` of a few calls. The pieces are written for reading rather than speed (a layer is ``A @ W``, an
optimizer loops over the layers), and the engine itself draws its datasets and input features with the
ones here.

They must also do the engine's sums in the engine's order. A mini-batch run can be chaotic: a difference
in the last bit (``X @ W + b`` rather than the engine's one product with a ones column, say) can grow past
10% within a few thousand steps. So the pieces compute as :mod:`nn_core.engine` does, the biases as a last
row of weights beside a column of ones (the "bias trick", see :func:`with_ones`), and each formula in the
engine's order where the order changes the rounding.

Each piece names its family by its name, after the engine's registries: an activation ``relu`` and
``relu_derivative``, an output's ``sigmoid_targets``, ``sigmoid_backward`` and ``sigmoid_accuracy``, a
loss ``bce`` and ``bce_delta``, an initialisation ``xavier_init``; an optimizer is the class whose ``name``
is the engine's. Besides NumPy and its arguments a piece uses only the upper-case constants below (a
script defines the ones its pieces use, with these values, which are the engine's).
"""

from __future__ import annotations

import numpy as np

from .activations import ELU_ALPHA, GELU_C, GELU_CLIP, GELU_K, LEAKY_SLOPE, SIGMOID_TANH_UP_TO

EXPLODE_FACTOR = 1e6  # a loss this many times its start counts as diverged: training stops (nn_core.recipe)
SPIKE_FACTOR = 100.0  # a loss this many times its start is a spike: the engine says so once, training goes on
LOSS_FLOOR = 1e-3  # the limits are factors of the start loss, or of this if it starts lower

CONSTANTS = {
    "SIGMOID_TANH_UP_TO": (SIGMOID_TANH_UP_TO, "up to this many values the sigmoid takes its tanh form, as nn_core"),
    "LEAKY_SLOPE": (LEAKY_SLOPE, "leaky ReLU's slope below zero"),
    "ELU_ALPHA": (ELU_ALPHA, "below zero ELU tends to -alpha"),
    "GELU_C": (float(GELU_C), "GELU's sqrt(2 / pi)"),
    "GELU_K": (GELU_K, "GELU's cubic coefficient"),
    "GELU_CLIP": (GELU_CLIP, "past this |z| the tanh in GELU is +-1 in float64; the clip keeps z^3 finite"),
    "EXPLODE_FACTOR": (EXPLODE_FACTOR, "a loss this many times where it started has diverged"),
    "LOSS_FLOOR": (LOSS_FLOOR, "the start a loss is measured against, if it started lower"),
}
"""Each constant a piece may use: (value, what it is)."""


# ---------------------------------------------------------------- data
def balanced_labels(n, k, rng):
    """n labels, as equal in count across k classes as n allows, in random order."""
    return rng.permutation(np.arange(n, dtype=np.int64) % k)


def truth_table(gate):
    """A gate's truth table: the four corners of the unit square, each labelled gate(x1, x2)."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    corners = X.astype(np.int64)
    return X, gate(corners[:, 0], corners[:, 1])


def noisy_gate(n, noise, rng, gate):
    """Points scattered around the corners of the unit square, each labelled gate(x1, x2) of its corner."""
    corners = rng.integers(0, 2, size=(n, 2), dtype=np.int64)
    X = corners + noise * rng.standard_normal((n, 2))
    return X, gate(corners[:, 0], corners[:, 1])


def circles(n, noise, rng):
    """Circles: an outer ring of radius 1 (class 0) around an inner ring of radius 0.5 (class 1)."""
    y = balanced_labels(n, 2, rng)
    t = rng.uniform(0, 2 * np.pi, n)
    r = np.where(y == 1, 0.5, 1.0)
    X = np.column_stack([r * np.cos(t), r * np.sin(t)]) + noise * rng.standard_normal((n, 2))
    return X, y


def moons(n, noise, rng):
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


def blobs(n, noise, rng, centres):
    """Gaussian blobs: each class's points around its centre (one per class), noise their standard deviation."""
    centres = np.asarray(centres, dtype=np.float64)
    y = balanced_labels(n, len(centres), rng)
    return centres[y] + noise * rng.standard_normal((n, 2)), y


def spiral(n, noise, rng, arms, turns):
    """A spiral of interleaved arms, one per class; along an arm the radius grows from 0 to 1 while the angle
    turns ``turns`` times round."""
    y = balanced_labels(n, arms, rng)
    t = rng.uniform(0, 1, n)
    angle = turns * 2 * np.pi * t + 2 * np.pi * y / arms
    X = np.column_stack([t * np.cos(angle), t * np.sin(angle)])
    return X + noise * rng.standard_normal((n, 2)), y


def checkerboard(n, noise, rng):
    """Checkerboard: a 4 x 4 board of half-unit cells on [-1, 1]^2, a cell's class the parity of its column
    plus its row. Each point takes a class, then a random cell of it, then a spot in it."""
    y = balanced_labels(n, 2, rng)
    col = rng.integers(0, 4, n, dtype=np.int64)
    row = 2 * rng.integers(0, 2, n, dtype=np.int64) + (y - col) % 2
    X = -1.0 + 0.5 * (np.column_stack([col, row]) + rng.uniform(0, 1, (n, 2)))
    return X + noise * rng.standard_normal((n, 2)), y


def plane(n, noise, rng):
    """Plane (regression): points on [-1, 1]^2, each valued (x1 + x2) / 2 plus noise."""
    X = rng.uniform(-1, 1, (n, 2))
    return X, (X[:, 0] + X[:, 1]) / 2 + noise * rng.standard_normal(n)


def bumps(n, noise, rng):
    """Gaussian bumps (regression): on [-1, 1]^2, two bumps up and two down, plus noise."""
    X = rng.uniform(-1, 1, (n, 2))
    centres = np.array([[-0.5, -0.5], [0.5, 0.5], [-0.5, 0.5], [0.5, -0.5]])
    signs = np.array([1.0, 1.0, -1.0, -1.0])
    d2 = ((X[:, None, :] - centres[None]) ** 2).sum(axis=2)  # squared distance to each centre (n, 4)
    return X, np.exp(-d2 / 0.18) @ signs + noise * rng.standard_normal(n)


def formula_classes(n, noise, rng, formula):
    """Points uniform on [-1, 1]^2, of class 1 where formula(x1, x2) holds and 0 elsewhere; the noise moves
    the points."""
    X = rng.uniform(-1, 1, (n, 2))
    y = formula(X[:, 0], X[:, 1]).astype(np.int64)
    return X + noise * rng.standard_normal((n, 2)), y


def formula_values(n, noise, rng, formula):
    """Points uniform on [-1, 1]^2, each valued formula(x1, x2), plus noise."""
    X = rng.uniform(-1, 1, (n, 2))
    y = formula(X[:, 0], X[:, 1])
    return X, y + noise * rng.standard_normal(n)


def points_classes(points):
    """Points given as text, "c;x1,x2,class;...": the points (n, 2) and their classes (n,)."""
    table = np.array([p.split(",") for p in points.split(";")[1:]], dtype=np.float64).reshape(-1, 3)
    return table[:, :2].copy(), table[:, 2].astype(np.int64)


def points_values(points):
    """Points given as text, "v;x1,x2,value;...": the points (n, 2) and their values (n,)."""
    table = np.array([p.split(",") for p in points.split(";")[1:]], dtype=np.float64).reshape(-1, 3)
    return table[:, :2].copy(), table[:, 2].copy()


def split(n, test_ratio, rng):
    """Indices (train, test) of n points, each sorted: a shuffle sends test_ratio of them to test (at least
    one point to each side)."""
    n_test = int(round(n * test_ratio))
    if test_ratio > 0 and n >= 2:
        n_test = min(max(n_test, 1), n - 1)
    order = rng.permutation(n)
    return np.sort(order[n_test:]), np.sort(order[:n_test])


# ---------------------------------------------------------------- input features: each a column of x1, x2
def x1(x1, x2):
    return x1


def x2(x1, x2):
    return x2


def x1_squared(x1, x2):
    return x1 * x1


def x2_squared(x1, x2):
    return x2 * x2


def x1_times_x2(x1, x2):
    return x1 * x2


def sin_x1(x1, x2):
    return np.sin(x1)


def sin_x2(x1, x2):
    return np.sin(x2)


def features(X, columns):
    """What the network sees of points X (n, 2): a column per function of (x1, x2) in ``columns``."""
    return np.column_stack([column(X[:, 0], X[:, 1]) for column in columns])


# ---------------------------------------------------------------- what the output layer wants, and gets right
def sigmoid_targets(y, k):
    """Labels y (n,) as a sigmoid output wants them: one column of 0 or 1 (n, 1)."""
    return y.reshape(-1, 1).astype(np.float64)


def softmax_targets(y, k):
    """Labels y (n,) as a softmax output over k classes wants them: one-hot rows (n, k)."""
    return np.eye(k)[y]


def linear_targets(y, k):
    """Values y (n,) as a linear output wants them: one column (n, 1)."""
    return y.reshape(-1, 1).astype(np.float64)


def sigmoid_accuracy(P, y):
    """How many points the outputs P (n, 1) put in their class y (n,), class 1 where p > 0.5, as text."""
    hits = int(np.sum((P[:, 0] > 0.5) == (y == 1)))
    return f"{100 * hits / len(y):.1f}% ({hits} of {len(y)} points)"


def softmax_accuracy(P, y):
    """How many points the outputs P (n, k) put in their class y (n,), the most probable one, as text."""
    hits = int(np.sum(P.argmax(axis=1) == y))
    return f"{100 * hits / len(y):.1f}% ({hits} of {len(y)} points)"


# ---------------------------------------------------------------- activations: f(z) and f'(z) given a = f(z)
def sigmoid(z):
    """1 / (1 + e^-z). On up to SIGMOID_TANH_UP_TO values nn_core computes it as (1 + tanh(z/2)) / 2, the same
    function in fewer NumPy calls, and this follows, so that its sums are nn_core's to the last bit."""
    if z.size <= SIGMOID_TANH_UP_TO:
        return 0.5 * np.tanh(0.5 * z) + 0.5
    with np.errstate(over="ignore"):  # e^-z overflows to infinity for z < -709, and then the value is exactly 0
        return 1.0 / (1.0 + np.exp(-z))


def sigmoid_derivative(z, a):
    return (1 - a) * a  # read off the activation a = sigmoid(z)


def tanh(z):
    return np.tanh(z)


def tanh_derivative(z, a):
    return 1 - a * a  # read off the activation a = tanh(z)


def relu(z):
    return np.maximum(z, 0.0)


def relu_derivative(z, a):
    return (z > 0).astype(np.float64)  # 0 at z = 0


def leaky_relu(z):
    return np.maximum(z, z * LEAKY_SLOPE)


def leaky_relu_derivative(z, a):
    return np.where(z > 0, 1.0, LEAKY_SLOPE)


def elu(z):
    # np.minimum keeps expm1 from overflowing on the positive side, which np.where discards anyway
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)) * ELU_ALPHA)


def elu_derivative(z, a):
    return np.where(z > 0, 1.0, a + ELU_ALPHA)  # below zero a = alpha (e^z - 1), so f'(z) = alpha e^z = a + alpha


def softplus(z):
    # log(1 + e^z) written as max(z, 0) + log(1 + e^-|z|): no overflow for large |z|
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def softplus_derivative(z, a):
    return sigmoid(z)


def gelu_tanh(z):
    """z clipped to [-GELU_CLIP, GELU_CLIP] and tanh(c (z + k z^3)) (c = GELU_C = sqrt(2/pi), k = GELU_K)."""
    zc = np.clip(z, -GELU_CLIP, GELU_CLIP)
    return zc, np.tanh(GELU_C * (zc + GELU_K * zc * zc * zc))


def gelu(z):
    """GELU in its tanh form: z/2 (1 + tanh(c (z + k z^3)))."""
    _, t = gelu_tanh(z)
    return 0.5 * z * (1.0 + t)


def gelu_derivative(z, a):
    zc, t = gelu_tanh(z)
    return 0.5 * (1.0 + t) + 0.5 * zc * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * GELU_K * zc * zc)


def silu(z):
    return z * sigmoid(z)  # SiLU, or swish


def silu_derivative(z, a):
    s = sigmoid(z)
    return s + a * (1.0 - s)  # d/dz [z s] = s + z s (1 - s) = s + a (1 - s)


def linear(z):
    return z


def linear_derivative(z, a):
    return np.ones_like(z)


# ---------------------------------------------------------------- outputs: the layer (above) and dL/dz from dL/dp
def softmax(z):
    """Softmax (n, k): each row's class probabilities. Less the row's maximum, exp cannot overflow."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def sigmoid_backward(p, dP):
    dPp = dP * p
    return dPp - dPp * p  # dP p (1 - p): the sigmoid's derivative is p (1 - p)


def softmax_backward(p, dP):
    # softmax's Jacobian times dP, row by row: dz_i = p_i (dP_i - sum_j dP_j p_j)
    dot = np.einsum("ij,ij->i", dP, p)[:, None]  # each row's sum_j dP_j p_j (n, 1)
    return (dP - dot) * p


def linear_backward(p, dP):
    return dP


# ---------------------------------------------------------------- losses: L(z, p, y) and dL/dz of the output layer
def sse(z, p, y):
    """Half the sum of squared errors over all the points (a sum, not a mean): 1/2 sum (p - y)^2."""
    e = (p - y).ravel()
    return 0.5 * float(e @ e)  # e @ e: the sum of the squares


def sse_delta(z, p, y, output_backward):
    return output_backward(p, p - y)  # dL/dp = p - y, then back through the output


def mse(z, p, y):
    """Mean squared error, over the points and the outputs."""
    e = (p - y).ravel()
    return float(e @ e) / e.size  # e @ e: the sum of the squares


def mse_delta(z, p, y, output_backward):
    return output_backward(p, (p - y) * (2.0 / p.size))  # dL/dp, then back through the output


def bce(z, p, y):
    """Binary cross-entropy, mean over the points: -[y log p + (1 - y) log(1 - p)]. From the logit z it is
    softplus(z) - y z, with no log(0) however sure the network is."""
    return float(np.sum(np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z))) - y * z)) / len(z)


def ce(z, p, y):
    """Cross-entropy, mean over the points: -sum_k y_k log p_k. From the logits it is logsumexp(z) - y.z,
    with no log(0) however sure the network is."""
    m = z.max(axis=1, keepdims=True)
    logsumexp = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    return float(np.sum(logsumexp - np.sum(y * z, axis=1))) / len(z)


def cross_entropy_delta(z, p, y, output_backward):
    # With a sigmoid output and its binary cross-entropy, or a softmax and its cross-entropy, the output's
    # derivative cancels the loss's: dL/dz is simply (p - y), averaged over the points. Nothing divides by p (1 - p).
    return (p - y) * (1.0 / len(p))


# ---------------------------------------------------------------- initial weights: (n_in + 1, n_out) per layer
def normal_init(sizes, rng):
    """Each layer's weights W (n_in, n_out) standard normal, and below them a row of biases, zeros."""
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W = rng.standard_normal((n_in, n_out))
        layers.append(np.vstack([W, np.zeros(n_out)]))
    return layers


def xavier_init(sizes, rng):
    """Each layer's weights W (n_in, n_out) Glorot uniform, U(-r, r) with r = sqrt(6 / (n_in + n_out)), and
    below them a row of biases, zeros."""
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        r = np.sqrt(6.0 / (n_in + n_out))
        W = rng.uniform(-r, r, (n_in, n_out))
        layers.append(np.vstack([W, np.zeros(n_out)]))
    return layers


def he_init(sizes, rng):
    """Each layer's weights W (n_in, n_out) He normal, of standard deviation sqrt(2 / n_in), and below them a
    row of biases, zeros."""
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W = rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)
        layers.append(np.vstack([W, np.zeros(n_out)]))
    return layers


def zero_init(sizes, rng):
    """Each layer's weights W (n_in, n_out) all zero, and below them a row of biases, zeros: every neuron of a
    layer computes the same thing and gets the same update, so they stay copies of each other."""
    return [np.zeros((n_in + 1, n_out)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]


# ---------------------------------------------------------------- the network
class Network:
    """A network's layers, each (n_in + 1, n_out) with its biases as the last row, and its pieces: ``hidden``
    holds each hidden layer's (f, f'), ``output`` is the output layer's function and ``output_backward`` its
    dL/dz from dL/dp (for the squared errors), ``loss(z, p, y)`` the loss and ``loss_delta`` its dL/dz."""

    def __init__(self, layers, hidden, output, output_backward, loss, loss_delta):
        self.layers, self.hidden, self.output, self.output_backward = layers, hidden, output, output_backward
        self.loss, self.loss_delta = loss, loss_delta

    def forward(self, X):
        """Every layer's input A[l] (n, n_in + 1), its ones column included, and pre-activation Z[l] (n, n_out),
        for inputs X (n, n_features); and the network's output P (n, n_outputs)."""
        A, Z = [with_ones(X)], []
        for l, W in enumerate(self.layers):
            Z.append(A[l] @ W)
            if l < len(self.layers) - 1:
                A.append(with_ones(self.hidden[l][0](Z[l])))
        return A, Z, self.output(Z[-1])

    def backward(self, A, Z, dZ):
        """The gradient dW of every layer's weights and biases, (n_in + 1, n_out) each, from a forward pass's A
        and Z and dZ = dL/dZ of the output layer (n, n_outputs)."""
        grads = [None] * len(self.layers)
        for l in reversed(range(len(self.layers))):
            grads[l] = A[l].T @ dZ
            if l > 0:
                dA = dZ @ self.layers[l][:-1].T  # dL/dA of the layer below (n, n_in): back through the weights
                dZ = dA * self.hidden[l - 1][1](Z[l - 1], A[l][:, :-1])  # and its activation: dA * f'(Z)
        return grads

    def measure(self, F, Y):
        """The loss on inputs F (n, n_features) with targets Y (n, n_outputs), and the outputs P."""
        _, Z, P = self.forward(F)
        return self.loss(Z[-1], P, Y), P

    def gradient(self, F, Y):
        """The loss's gradient on inputs F with targets Y, each layer's (n_in + 1, n_out)."""
        A, Z, P = self.forward(F)
        return self.backward(A, Z, self.loss_delta(Z[-1], P, Y, self.output_backward))


# The bias trick: a layer's weights W (n_in + 1, n_out) hold its biases b in their last row, and its input A
# has a column of ones beside it, so that one product A @ W is X @ W[:-1] + b. In the backward pass the same
# column makes A.T @ dZ the weights' gradient with the biases' (dZ summed over the points) below it. It is
# how nn_core computes too, so the sums here are its sums, in its order.
def with_ones(X):
    """X (n, k) with a column of ones beside it (n, k + 1)."""
    return np.column_stack([X, np.ones(len(X))])


class Penalty:
    """L1 and L2 penalties on the weights (the biases, the last rows, are not penalised): ``l1`` sum |W| +
    ``l2`` / 2 sum W^2, whose gradient it adds to the loss's. The losses printed leave it out."""

    def __init__(self, l1, l2):
        self.l1, self.l2 = l1, l2

    def __call__(self, layers, grads):
        for W, dW in zip(layers, grads):
            if self.l1:
                dW[:-1] += self.l1 * np.sign(W[:-1])  # sign(0) = 0
            if self.l2:
                dW[:-1] += self.l2 * W[:-1]


# ---------------------------------------------------------------- optimizers: step(params, grads) in place
class GradientDescent:
    """Plain gradient descent: p -= lr * g."""

    name = "gd"

    def __init__(self, params, lr):
        self.lr = lr

    def step(self, params, grads):
        for p, g in zip(params, grads):
            p -= self.lr * g


class Momentum:
    """Gradient descent with momentum: v = momentum v - lr g; p += v."""

    name = "momentum"

    def __init__(self, params, lr, momentum):
        self.lr, self.momentum = lr, momentum
        self.velocity = [np.zeros_like(p) for p in params]

    def step(self, params, grads):
        for p, g, v in zip(params, grads, self.velocity):
            v *= self.momentum
            v -= self.lr * g
            p += v


class Nesterov:
    """Nesterov momentum: v = momentum v - lr g; p += momentum v - lr g. The step looks ahead along the new
    velocity (Sutskever et al. 2013), with no second gradient to compute."""

    name = "nesterov"

    def __init__(self, params, lr, momentum):
        self.lr, self.momentum = lr, momentum
        self.velocity = [np.zeros_like(p) for p in params]

    def step(self, params, grads):
        for p, g, v in zip(params, grads, self.velocity):
            v *= self.momentum
            v -= self.lr * g
            p += self.momentum * v - self.lr * g


class Adam:
    """Adam (Kingma & Ba 2015): steps along a running mean of the gradient, m, over the root of a running mean
    of its square, v."""

    name = "adam"

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


# ---------------------------------------------------------------- training
def full_batch(n):
    """The batches of an epoch of n points: one, of them all."""
    return [slice(None)]


class MiniBatches:
    """The batches of an epoch: ``size`` points each (the last may have fewer), in a new order every epoch,
    drawn from ``rng``, the mini-batch order's own generator."""

    def __init__(self, size, rng):
        self.size, self.rng = size, rng

    def __call__(self, n):
        order = self.rng.permutation(n)
        return [order[start:start + self.size] for start in range(0, n, self.size)]


def loss_limit(start_loss, factor):
    """The training loss above which a run has gone ``factor`` times past where it started (past LOSS_FLOOR, if it
    started lower): infinite if the start is not finite. A NaN loss is past every limit (``not loss <= limit``).
    nn_core's explode and spike rules are this, with EXPLODE_FACTOR and SPIKE_FACTOR."""
    return factor * max(start_loss, LOSS_FLOOR) if np.isfinite(start_loss) else np.inf


def train(net, optimizer, F, Y, epochs, batches, penalty=None, print_every=1):
    """Train ``net`` for ``epochs`` epochs on inputs F (n, n_features) with targets Y (n, n_outputs): a step of
    ``optimizer`` per batch of each epoch (``batches(n)``), from the loss's gradient plus the ``penalty``'s.
    A loss past ``loss_limit(start, EXPLODE_FACTOR)`` has diverged: training stops, back at the last finite
    weights. Returns the epochs trained and why it stopped (or None)."""
    start_loss, _ = net.measure(F, Y)
    explode_at = loss_limit(start_loss, EXPLODE_FACTOR)
    for epoch in range(1, epochs + 1):
        kept = [W.copy() for W in net.layers]
        for batch in batches(len(F)):
            grads = net.gradient(F[batch], Y[batch])
            if penalty is not None:
                penalty(net.layers, grads)
            optimizer.step(net.layers, grads)  # in place
        loss, _ = net.measure(F, Y)
        if not loss <= explode_at:  # written so that NaN fails it too
            for W, k in zip(net.layers, kept):
                W[...] = k
            return epoch - 1, (f"the loss reached {loss:.3g} at epoch {epoch}: try a lower learning rate"
                               f" (the results are those of epoch {epoch - 1})")
        if epoch % print_every == 0:
            print(f"epoch {epoch}: train loss {loss:.6g}")
    return epochs, None


def report(net, trained, parts, accuracy=None):
    """Print the epochs trained, then for each (name, F, Y, y) of ``parts`` its loss and, for classes, its
    ``accuracy``, on the weights after the last epoch; the losses in full, as Python floats."""
    print(f"epochs: {trained}")
    for name, F, Y, y in parts:
        loss, P = net.measure(F, Y)
        print(f"{name} loss: {loss!r}")
        if accuracy is not None:
            print(f"{name} accuracy: {accuracy(P, y)}")

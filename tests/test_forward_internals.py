"""Internal helpers of the fast prediction path: block-wise, threaded and serial passes agree."""

import numpy as np

from nn_core import Architecture, Network
from nn_core import network as network_module
from nn_core.grid import grid_points


def test_grid_points_match_meshgrid():
    xs, ys = np.linspace(-1, 2, 7), np.linspace(0, 1, 5)
    gx, gy = np.meshgrid(xs, ys)
    assert np.array_equal(grid_points(xs, ys), np.column_stack([gx.ravel(), gy.ravel()]))


def test_threaded_blockwise_forward_equals_one_block():
    net = Network.create(Architecture((16, 5), ("tanh", "relu"), "softmax", 3), "he", 1)
    F = np.random.default_rng(0).normal(size=(2 * network_module._PARALLEL_MIN_ROWS + 123, 2))
    out, hiddens = net.forward(F, hidden=True)
    # the same arithmetic without blocks or threads
    h = F
    for l, act in enumerate(net._acts):
        h = act.value(h @ net.weights(l) + net.biases(l))
        assert np.allclose(hiddens[l], h, rtol=0, atol=1e-12)
    expect = net._output.value(h @ net.weights(-1) + net.biases(-1))
    assert np.allclose(out, expect, rtol=0, atol=1e-12)
    assert np.array_equal(net.forward(F), out)
    serial = np.empty_like(out)
    net._forward_rows(F, serial, None, 0, len(F))
    assert np.array_equal(serial, out)

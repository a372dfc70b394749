"""The one forward pass: block by block over many points it equals the plain maths, hidden layers included."""

import numpy as np

from nn_core import Architecture, Network
from nn_core import network as network_module
from nn_core.grid import grid_points


def test_grid_points_match_meshgrid():
    xs, ys = np.linspace(-1, 2, 7), np.linspace(0, 1, 5)
    gx, gy = np.meshgrid(xs, ys)
    assert np.array_equal(grid_points(xs, ys), np.column_stack([gx.ravel(), gy.ravel()]))


def test_blockwise_outputs_equal_the_plain_maths():
    net = Network.create(Architecture((16, 5), ("tanh", "gelu"), "softmax", 3), "he", 1)
    n = 2 * network_module.BLOCK_ROWS + 123  # two full blocks and a short one
    F = np.random.default_rng(0).normal(size=(n, 2))
    out, hiddens = net.outputs(F, hidden=True)
    h = F
    for l, act in enumerate(net.activations):
        h = act.value(h @ net.weights(l) + net.biases(l))
        assert np.allclose(hiddens[l], h, rtol=0, atol=1e-12)
    expect = net.output_layer.value(h @ net.weights(-1) + net.biases(-1))
    assert np.allclose(out, expect, rtol=0, atol=1e-12)
    assert np.array_equal(net.outputs(F), out)
    assert np.array_equal(net.outputs(F[:10]), out[:10])  # a block of another size gives the same rows


def test_outputs_after_a_parameter_change_use_the_new_parameters():
    net = Network.create(Architecture((4,), "tanh", "sigmoid"), "xavier", 0)
    F = np.ones((3, 2))
    before = net.outputs(F).copy()
    net.params *= 2
    assert not np.array_equal(net.outputs(F), before)

"""The transformed view: data points and the plane's grid lines as a layer sees them."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn_core import ACTIVATIONS, Config, build, feature_matrix
from nn_core.network import Architecture, Network
from nn_core.transform import plane_lines, principal_axes, transformed_space

BOUNDS = (-1.5, 2.0, -1.0, 1.25)


def trained(hidden, activations=("tanh",), dataset="moons", epochs=30, **kw):
    exp = build(Config(dataset=dataset, samples=80, hidden=hidden, activations=activations, epochs=epochs, **kw))
    exp.trainer.fit(epochs)
    return exp


def reference_pca(values):
    """PCA the textbook way: numpy's SVD of the centred values, each component's largest loading made positive."""
    centred = values - values.mean(axis=0)
    _, s, vt = np.linalg.svd(centred)
    v = vt[:2].T
    for j in range(2):
        if v[np.argmax(np.abs(v[:, j])), j] < 0:
            v[:, j] = -v[:, j]
    return centred @ v, v, s[:2] ** 2 / np.sum(s**2)


def test_the_plane_lines():
    xs, ys, lines = plane_lines(BOUNDS, 13, 60)
    assert lines.shape == (26, 60, 2) and list(xs[[0, -1]]) == [-1.5, 2.0] and list(ys[[0, -1]]) == [-1.0, 1.25]
    assert np.all(lines[:13, :, 0] == xs[:, None]) and np.all(lines[13:, :, 1] == ys[:, None])  # vertical, horizontal
    assert np.all(np.diff(lines[:13, :, 1]) > 0) and np.all(np.diff(lines[13:, :, 0]) > 0)
    assert lines[0, 0, 1] == -1.0 and lines[0, -1, 1] == 1.25 and lines[13, 0, 0] == -1.5 and lines[13, -1, 0] == 2.0


def test_a_two_neuron_layer_is_drawn_as_its_activations():
    exp = trained((6, 2, 3))
    t = transformed_space(exp.network, 2, exp.data.X, BOUNDS)
    _, hidden = exp.network.predict(exp.data.X, hidden=True)
    assert t.method == "neurons" and t.axes == ("h2.1", "h2.2") and t.components is None
    assert np.array_equal(t.points, hidden[1])
    _, line_hidden = exp.network.predict(plane_lines(BOUNDS)[2].reshape(-1, 2), hidden=True)
    assert np.array_equal(t.lines, line_hidden[1].reshape(26, 60, 2))


def test_one_neuron_is_drawn_against_zero():
    exp = trained((4, 1))
    t = transformed_space(exp.network, 2, exp.data.X, BOUNDS, n_lines=5, points_per_line=7)
    _, hidden = exp.network.predict(exp.data.X, hidden=True)
    assert t.axes == ("h2.1", "0 (one neuron)") and t.lines.shape == (10, 7, 2)
    assert np.array_equal(t.points[:, 0], hidden[1][:, 0])
    assert np.all(t.points[:, 1] == 0) and np.all(t.lines[..., 1] == 0)
    out = transformed_space(exp.network, 3, exp.data.X, BOUNDS)  # the sigmoid output: one neuron
    assert out.axes == ("output", "0 (one neuron)")
    assert np.array_equal(out.points[:, 0], exp.network.predict(exp.data.X)[:, 0])


def test_the_input_layer_is_the_plane_itself():
    exp = trained((3,))
    t = transformed_space(exp.network, 0, exp.data.X, BOUNDS)
    assert t.axes == ("x1", "x2") and np.array_equal(t.points, exp.data.X)
    assert np.array_equal(t.lines, plane_lines(BOUNDS)[2])


def test_input_features_beyond_two_by_their_principal_components():
    exp = trained((3,), features=("x1", "x2", "x1^2", "sin(x2)"))
    t = transformed_space(exp.network, 0, exp.data.X, BOUNDS)
    want, components, explained = reference_pca(feature_matrix(exp.data.X, exp.network.arch.features))
    assert t.method == "pca" and t.axes[0].startswith("PC1 (") and t.axes[0].endswith("% of variance)")
    np.testing.assert_allclose(t.points, want, atol=1e-12)
    np.testing.assert_allclose(t.components, components, atol=1e-12)
    np.testing.assert_allclose(t.explained, explained, rtol=1e-12)


@pytest.mark.parametrize("layer", [1, 2, 3])
def test_wide_layers_match_numpys_svd(layer):
    exp = trained((8, 5, 3), ("relu", "tanh", "sigmoid"), dataset="spiral3")
    t = transformed_space(exp.network, layer, exp.data.X, BOUNDS)
    out, hidden = exp.network.predict(exp.data.X, hidden=True)
    values = [*hidden, out][layer - 1]
    want, components, explained = reference_pca(values)
    np.testing.assert_allclose(t.points, want, atol=1e-12)
    np.testing.assert_allclose(t.components, components, atol=1e-12)
    assert t.axes == (f"PC1 ({100 * explained[0]:.0f}% of variance)", f"PC2 ({100 * explained[1]:.0f}% of variance)")
    # the lines go through the same map, fitted on the data: (their values - mean) @ components
    at_lines = plane_lines(BOUNDS)[2].reshape(-1, 2)
    out, hidden = exp.network.predict(at_lines, hidden=True)
    np.testing.assert_allclose(t.lines.reshape(-1, 2), ([*hidden, out][layer - 1] - t.mean) @ t.components,
                               atol=1e-12)


def test_the_softmax_output_by_principal_components():
    exp = trained((6,), dataset="blobs3")
    t = transformed_space(exp.network, 2, exp.data.X, BOUNDS)
    assert t.method == "pca" and t.components.shape == (3, 2)


def test_the_same_frame_twice_is_the_same_picture():
    exp = trained((7, 6))
    a, b = (transformed_space(exp.network, 1, exp.data.X, BOUNDS) for _ in range(2))
    assert np.array_equal(a.points, b.points) and np.array_equal(a.lines, b.lines) and a.axes == b.axes


def test_a_reference_keeps_the_signs_of_the_last_frame():
    exp = trained((7, 6))
    first = transformed_space(exp.network, 1, exp.data.X, BOUNDS)
    flipped = first.components * np.array([-1.0, 1.0])
    t = transformed_space(exp.network, 1, exp.data.X, BOUNDS, reference=flipped)
    np.testing.assert_allclose(t.components, flipped, atol=1e-12)
    np.testing.assert_allclose(t.points, first.points * np.array([-1.0, 1.0]), atol=1e-12)
    same = transformed_space(exp.network, 1, exp.data.X, BOUNDS, reference=first.components)
    np.testing.assert_allclose(same.points, first.points, atol=1e-12)
    other_shape = transformed_space(exp.network, 1, exp.data.X, BOUNDS, reference=np.ones((3, 2)))
    np.testing.assert_allclose(other_shape.points, first.points, atol=1e-12)  # ignored: the default rule


def test_no_flip_between_nearby_frames():
    """A few more epochs move the picture a little; a reference stops a component from turning round."""
    exp = trained((8, 8), epochs=50)
    last = transformed_space(exp.network, 2, exp.data.X, BOUNDS)
    exp.trainer.fit(1)
    now = transformed_space(exp.network, 2, exp.data.X, BOUNDS, reference=last.components)
    assert np.all(np.einsum("ij,ij->j", now.components, last.components) > 0.9)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(3, 12), min_size=1, max_size=3), st.sampled_from(list(ACTIVATIONS)),
       st.integers(0, 10**6), st.integers(2, 40))
def test_principal_axes_are_a_pca(widths, activation, seed, n):
    net = Network.create(Architecture(tuple(widths), activation, "sigmoid"), "xavier", seed)
    X = np.random.default_rng(seed).uniform(-2, 2, (n, 2))
    t = transformed_space(net, 1, X, BOUNDS, n_lines=3, points_per_line=4)
    v = t.components
    np.testing.assert_allclose(v.T @ v, np.eye(2), atol=1e-9)  # orthonormal
    assert np.all(v[np.abs(v).argmax(axis=0), [0, 1]] > 0)  # the sign rule
    assert np.all(t.explained >= 0) and t.explained[0] >= t.explained[1] and t.explained.sum() <= 1 + 1e-12
    np.testing.assert_allclose(t.points.mean(axis=0), 0, atol=1e-9)  # centred on the data
    cov = t.points.T @ t.points
    assert abs(cov[0, 1]) <= 1e-8 * max(1.0, cov[0, 0]) and cov[0, 0] >= cov[1, 1] - 1e-9  # uncorrelated, sorted


def test_principal_axes_of_values_without_variance():
    mean, components, explained = principal_axes(np.ones((5, 4)))
    assert np.array_equal(mean, np.ones(4)) and components.shape == (4, 2) and list(explained) == [0.0, 0.0]


def test_fewer_than_two_points_fit_on_the_lines():
    exp = trained((5,))
    t = transformed_space(exp.network, 1, exp.data.X[:1], BOUNDS)
    lines_only = transformed_space(exp.network, 1, np.zeros((0, 2)), BOUNDS)
    np.testing.assert_allclose(t.components, lines_only.components, atol=1e-12)
    assert t.points.shape == (1, 2) and lines_only.points.shape == (0, 2)


def test_default_bounds_are_around_the_data():
    exp = trained((2,))
    t = transformed_space(exp.network, 0, exp.data.X)
    assert t.xs[0] < exp.data.X[:, 0].min() and t.xs[-1] > exp.data.X[:, 0].max()


@pytest.mark.parametrize("kw, match", [
    (dict(layer=4), "from 0 \\(inputs\\) to 3"), (dict(layer=-1), "from 0"), (dict(layer=True), "from 0"),
    (dict(layer=1, bounds=(1, 0, 0, 1)), "bad bounds"), (dict(layer=1, bounds=(0, np.nan, 0, 1)), "bad bounds"),
    (dict(layer=1, n_lines=1), "lines must be"), (dict(layer=1, points_per_line=5000), "points per line"),
])
def test_bad_arguments(kw, match):
    exp = trained((4, 4))
    kw = {"bounds": BOUNDS, **kw}
    with pytest.raises(ValueError, match=match):
        transformed_space(exp.network, kw.pop("layer"), exp.data.X, **kw)

import numpy as np
import pytest

from nn_core import DATASETS, Config, ConfigError, feature_matrix, make_dataset, train_test_split
from nn_core.features import FEATURES

SAMPLED = [n for n, s in DATASETS.items() if s.drawn]  # the custom dataset's points are given, not drawn


def test_truth_tables_are_exact():
    X = [[0, 0], [0, 1], [1, 0], [1, 1]]
    for name, labels in (("xor", [0, 1, 1, 0]), ("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1])):
        d = make_dataset(name, n_samples=999, noise=0.5, seed=7)  # ignored for the truth tables
        assert d.X.dtype == np.float64 and np.array_equal(d.X, X)
        assert np.array_equal(d.y, labels) and d.task == "binary"


@pytest.mark.parametrize("name", SAMPLED)
def test_shapes_labels_and_balance(name):
    spec = DATASETS[name]
    d = make_dataset(name, 301, seed=3)
    assert d.X.shape == (301, 2) and d.X.dtype == np.float64 and d.y.shape == (301,)
    assert np.all(np.isfinite(d.X)) and np.all(np.isfinite(d.y))
    if spec.task == "regression":
        assert d.y.dtype == np.float64 and d.y.std() > 0.05
    else:
        assert d.y.dtype == np.int64
        counts = np.bincount(d.y.astype(np.intp), minlength=spec.n_classes)  # bincount takes only intp (wasm32)
        assert len(counts) == spec.n_classes
        # the gates draw corners at random, so AND is 1:3; a formula labels points by where they fall
        if not name.startswith("noisy-") and not spec.source:
            assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("name", ["noisy-xor", "noisy-and", "noisy-or"])
def test_noisy_gates_follow_their_corner(name):
    d = make_dataset(name, 400, noise=0.05, seed=1)
    corner = np.round(d.X).astype(int)
    gate = {"noisy-xor": np.bitwise_xor, "noisy-and": np.bitwise_and, "noisy-or": np.bitwise_or}[name]
    assert np.mean(gate(corner[:, 0], corner[:, 1]) == d.y) > 0.99


@pytest.mark.parametrize("name", SAMPLED)
def test_seeded_and_noise_applies(name):
    a, b = make_dataset(name, 50, seed=5), make_dataset(name, 50, seed=5)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.X, make_dataset(name, 50, seed=6).X)
    quiet, loud = make_dataset(name, 200, noise=0.0, seed=1), make_dataset(name, 200, noise=0.5, seed=1)
    assert not np.allclose(quiet.X, loud.X) or not np.allclose(quiet.y, loud.y)


def test_circles_geometry():
    d = make_dataset("circles", 200, noise=0.0, seed=0)
    r = np.hypot(d.X[:, 0], d.X[:, 1])
    assert np.allclose(r[d.y == 1], 0.5) and np.allclose(r[d.y == 0], 1.0)


def test_no_global_random_state():
    state = np.random.get_state()[1].copy()
    make_dataset("spiral", 100, seed=1)
    assert np.array_equal(np.random.get_state()[1], state)


def test_split():
    d = make_dataset("moons", 100, seed=0)
    tr, te = train_test_split(d, 0.3, seed=4)
    assert (len(tr), len(te)) == (70, 30)
    both = np.vstack([tr.X, te.X])
    assert len(np.unique(both, axis=0)) == 100
    tr2, te2 = train_test_split(d, 0.3, seed=4)
    assert np.array_equal(te.X, te2.X)
    assert not np.array_equal(te.X, train_test_split(d, 0.3, seed=5)[1].X)
    assert len(train_test_split(d, 0.0)[1]) == 0


def test_unknown_dataset():
    with pytest.raises(ValueError, match="unknown dataset 'nope'"):
        make_dataset("nope")


@pytest.mark.parametrize("bad,needle", [(dict(samples=2), "samples must lie in [4, 5,000], not 2"),
                                        (dict(noise=-1), "noise must lie in [0, 2], not -1.0"),
                                        (dict(samples=10**7), "samples must lie"),
                                        (dict(noise=float("nan")), "noise must be a finite number, not nan")])
def test_sizes_are_bounded_by_the_settings(bad, needle):
    with pytest.raises(ConfigError) as e:
        Config(dataset="moons", **bad).check()
    assert needle in str(e.value)


def test_feature_maps():
    X = np.array([[1.0, 2.0], [-0.5, 3.0]])
    F = feature_matrix(X, list(FEATURES))
    x1, x2 = X[:, 0], X[:, 1]
    assert np.allclose(F, np.column_stack([x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)]))
    with pytest.raises(ValueError):
        feature_matrix(X, ["x3"])
    with pytest.raises(ValueError):
        feature_matrix(X, [])

"""Property tests over random architectures and settings: no exception, finite outputs or a clear divergence."""

import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nn_core import ACTIVATIONS, DATASETS, FEATURES, TASKS, Config, build, dumps, evaluate_grid, loads
from nn_core.losses import LOSSES
from nn_core.optimizers import OPTIMIZERS


@st.composite
def configs(draw):
    dataset = draw(st.sampled_from(list(DATASETS)))
    task = DATASETS[dataset].task
    output = draw(st.sampled_from(TASKS[task].outputs))
    losses = [name for name, spec in LOSSES.items() if output in spec.outputs]
    hidden = tuple(draw(st.lists(st.integers(1, 12), min_size=0, max_size=4)))
    acts = tuple(draw(st.lists(st.sampled_from(list(ACTIVATIONS)), min_size=len(hidden), max_size=len(hidden))))
    features = tuple(draw(st.lists(st.sampled_from(list(FEATURES)), min_size=1, max_size=4, unique=True)))
    return Config(
        dataset=dataset, samples=draw(st.integers(4, 80)), noise=draw(st.floats(0, 1)),
        test_ratio=draw(st.sampled_from([0.0, 0.2, 0.5])), data_seed=draw(st.integers(0, 2**32 - 1)),
        features=features, hidden=hidden, activations=acts or ("tanh",), output=output,
        init=draw(st.sampled_from(["normal", "xavier", "he"])), seed=draw(st.integers(0, 1000)),
        loss=draw(st.sampled_from(losses)), optimizer=draw(st.sampled_from(list(OPTIMIZERS))),
        lr=draw(st.floats(1e-4, 10.0)), batch_size=draw(st.sampled_from([0, 1, 7, 32])),
        l1=draw(st.sampled_from([0.0, 0.01, 1.0])), l2=draw(st.sampled_from([0.0, 0.01, 1.0])), epochs=6,
    )


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_random_experiments_train_or_diverge_cleanly(c):
    exp = build(c)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # fit() reports divergence instead of warning about overflow
        records = exp.trainer.fit(c.epochs).history
    assert np.all(np.isfinite(exp.network.params))
    if exp.trainer.divergence is None:
        assert len(records) == c.epochs
    else:
        assert exp.trainer.divergence.epoch == len(records) + 1
        assert "learning rate" in exp.trainer.divergence.message
    for r in records:
        assert np.isfinite(r.train_loss)
        assert (r.train_acc is None) == (c.task == "regression")
    grid = evaluate_grid(exp.network, (-2, 2, -2, 2), 12, hidden=True)
    assert grid.outputs.shape[:2] == (12, 12) and np.all(np.isfinite(grid.outputs))
    assert [h.shape[2] for h in grid.hidden] == list(c.hidden)
    if c.output_kind == "sigmoid":
        assert np.all((grid.outputs >= 0) & (grid.outputs <= 1))
    twin, _ = loads(dumps(exp.network))
    assert np.array_equal(twin.params, exp.network.params)

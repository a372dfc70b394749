"""Model files that go on exactly where they were saved: training N + M epochs equals training N, saving,
loading, rebuilding and training M, bit for bit, for every optimizer, full batch and mini-batches."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nn_core import OPTIMIZERS, Config, ConfigError, ModelFileError, TrainerState, build, dumps, parse_model
from nn_core.modelio import model_to_dict

N, M = 7, 9


def outcomes(history):
    return [(r.epoch, r.train_loss, r.test_loss, r.train_acc, r.test_acc) for r in history]


def resumed(c: Config, n: int, text: str | None = None):
    """An experiment trained ``n`` epochs, saved to text, and the experiment built from that text."""
    first = build(c)
    first.trainer.fit(n)
    text = text or dumps(first.network, c.to_dict(), first.trainer.state())
    model = parse_model(text)
    return first, build(c, model.network, model.state), model


CASES = {
    f"{opt} {'batches of 16' if batch else 'full batch'}": Config(
        dataset="moons", samples=75, optimizer=opt, lr=0.05, batch_size=batch, l1=0.001, l2=0.002, epochs=N + M)
    for opt in OPTIMIZERS for batch in (0, 16)  # 75 points, 52 for training: a short last batch
}
CASES["softmax, sse, nesterov in batches of 5"] = Config(dataset="spiral3", samples=60, loss="sse",
                                                         optimizer="nesterov", lr=0.01, batch_size=5, epochs=N + M)
CASES["regression, adam in batches of 7"] = Config(dataset="bumps", samples=60, batch_size=7, l2=0.01, epochs=N + M)
CASES["tutorial"] = Config(dataset="xor", test_ratio=0.0, hidden=(3,), activations=("sigmoid",), init="normal",
                           loss="sse", optimizer="gd", lr=0.1, epochs=N + M)


@pytest.mark.parametrize("c", CASES.values(), ids=CASES.keys())
def test_train_n_plus_m_equals_train_n_save_load_train_m(c):
    whole = build(c)
    whole.trainer.fit(N + M)
    first, again, _ = resumed(c, N)
    assert outcomes(again.trainer.history) == outcomes(whole.trainer.history[N - 1:N])  # epoch N, measured
    again.trainer.fit(M)
    assert np.array_equal(again.network.params, whole.network.params)
    assert outcomes(again.trainer.history[1:]) == outcomes(whole.trainer.history[N:])  # exact floats
    a, b = again.trainer.state(), whole.trainer.state()
    assert (a.epoch, a.start_loss, a.loss, a.optimizer, a.shuffle) == (b.epoch, b.start_loss, b.loss, b.optimizer,
                                                                          b.shuffle)
    assert a.slots.keys() == b.slots.keys() and all(np.array_equal(a.slots[k], b.slots[k]) for k in a.slots)
    assert again.trainer.history[0].seconds == first.trainer.history[-1].seconds  # the time so far goes on


def test_shuffle_stream_is_restored_exactly():
    c = CASES["adam batches of 16"]
    first, again, model = resumed(c, N)
    saved = first.trainer.state().shuffle
    assert model.state.shuffle == saved and again.trainer.state().shuffle == saved
    # the 128-bit state and increment come back as Python ints, whatever NumPy's default integer (Pyodide: 32 bits)
    assert all(type(v) is int for v in saved["state"].values())
    draws = lambda s: np.random.Generator(_pcg(s)).integers(0, 2**63 - 1, size=8, dtype=np.int64)  # noqa: E731
    assert np.array_equal(draws(model.state.shuffle), draws(saved))
    assert first.trainer._rng.permutation(52).tolist() == again.trainer._rng.permutation(52).tolist()


def _pcg(state):
    bg = np.random.PCG64()
    bg.state = state
    return bg


def test_the_loaded_experiment_has_a_record_to_draw():
    c = CASES["adam full batch"]
    first, again, _ = resumed(c, N)
    (record,) = again.trainer.history
    assert again.trainer.epoch == N and record == first.trainer.history[-1]  # the same measurements and time
    assert again.trainer.evaluate(again.test) == (record.test_loss, record.test_acc)


def test_version_1_files_load_with_a_fresh_optimizer():
    c = CASES["adam batches of 16"]
    first = build(c)
    first.trainer.fit(N)
    doc = model_to_dict(first.network, {**c.to_dict(), "epochs_trained": N})
    doc["version"] = 1
    model = parse_model(json.dumps(doc))
    assert model.version == 1 and model.state == TrainerState(N) and model.state.slots is None
    assert model.afresh() == ("Adam's moments start afresh: the file has no optimizer state; the mini-batch "
                              "shuffle starts afresh from the seed: the file has no shuffle state.")
    assert model.afresh(c.replace(optimizer="gd", batch_size=0)) == ""  # nothing of it would go on
    assert model.afresh(c.replace(optimizer="momentum")).startswith("The momentum's velocity starts afresh")
    again = build(c, model.network, model.state)
    assert again.trainer.epoch == N and again.trainer.optimizer.t == 0
    assert np.array_equal(again.trainer.history[0].train_loss, first.trainer.history[-1].train_loss)
    again.trainer.fit(2)
    assert [r.epoch for r in again.trainer.history] == [N, N + 1, N + 2]


def test_a_file_with_the_state_has_nothing_afresh():
    _, _, model = resumed(CASES["adam batches of 16"], N)
    assert model.version == 2 and model.afresh() == ""
    assert model.afresh(CASES["adam batches of 16"].replace(optimizer="momentum")) == (
        "The momentum's velocity starts afresh: the file has Adam's state.")


def test_another_optimizer_or_loss_starts_those_afresh():
    c = CASES["adam full batch"]
    _, _, model = resumed(c, N)
    other = build(c.replace(optimizer="momentum", loss="mse"), model.network, model.state)
    assert other.trainer.optimizer.velocity is None and other.trainer.epoch == N
    assert other.trainer.start_loss == other.trainer.history[0].train_loss  # measured again, on the new loss


def test_restore_refuses_a_state_that_does_not_fit_and_changes_nothing():
    c = CASES["momentum full batch"]
    first, again, model = resumed(c, N)
    bad = TrainerState(N, 0.0, None, "bce", "momentum", {"velocity": np.zeros(3)}, None)
    before = (again.trainer.history[:], again.trainer.optimizer.velocity.copy(), again.trainer.state().shuffle)
    with pytest.raises(ValueError, match="velocity must hold"):
        again.trainer.restore(bad)
    assert (again.trainer.history, again.trainer.state().shuffle) == (before[0], before[2])
    assert np.array_equal(again.trainer.optimizer.velocity, before[1])
    with pytest.raises(ConfigError, match="the training state does not fit: velocity must hold"):
        build(c, model.network, bad)
    for state, needle in [(TrainerState(-1), "epoch must be"), (TrainerState(1, seconds=-1.0), "seconds must be"),
                          (TrainerState(1, start_loss=float("nan")), "start_loss"),
                          (TrainerState(1, optimizer="adam"), "come together"),
                          (TrainerState(1, shuffle={"bit_generator": "MT19937"}), "shuffle must hold")]:
        with pytest.raises(ValueError, match=needle):
            again.trainer.restore(state)


def adam_doc():
    first = build(CASES["adam batches of 16"])
    first.trainer.fit(N)
    return model_to_dict(first.network, CASES["adam batches of 16"].to_dict(), first.trainer.state())


def _set(path, value):
    def change(d):
        *parents, last = path
        for k in parents:
            d = d[k]
        d[last] = value
    return change


S, O, R = ("state",), ("state", "optimizer"), ("state", "shuffle")
BREAKAGES = {
    "state not an object": (_set(S, [1]), "'state' must be an object"),
    "missing part": (lambda d: d["state"].pop("shuffle"), "state: must hold exactly epoch, seconds"),
    "extra part": (_set((*S, "note"), 1), "state: must hold exactly"),
    "epoch mismatch": (_set((*S, "epoch"), N + 1), f"state: epoch {N + 1} is not the {N} epochs trained"),
    "epoch as float": (_set((*S, "epoch"), 7.0), "epoch must be a whole number"),
    "negative seconds": (_set((*S, "seconds"), -1), "seconds must be a number in [0"),
    "negative start loss": (_set((*S, "start_loss"), -0.5), "start_loss must be a finite number >= 0"),
    "unknown loss": (_set((*S, "loss"), "hinge"), "unknown loss 'hinge'"),
    "loss as list": (_set((*S, "loss"), ["bce"]), "unknown loss ['bce']"),
    "optimizer as text": (_set(O, "adam"), "'optimizer' must be an object or null"),
    "unknown optimizer": (_set((*O, "name"), "rmsprop"), "unknown optimizer 'rmsprop'"),
    "other optimizer": (lambda d: d["state"].update(optimizer={"name": "momentum", "velocity": None}),
                        "the optimizer state is momentum's but the training settings name adam"),
    "slot missing": (lambda d: d["state"]["optimizer"].pop("v"), "Adam keeps m, v, t, not m, t"),
    "slot too short": (lambda d: d["state"]["optimizer"]["m"].pop(), "state optimizer m: expected a list of"),
    "slot of text": (lambda d: d["state"]["optimizer"]["v"].__setitem__(0, "0.1"), "found '0.1'"),
    "slot huge": (lambda d: d["state"]["optimizer"]["v"].__setitem__(0, 10**400), "a 401-digit number"),
    "slot as matrix": (lambda d: d["state"]["optimizer"].update(m=[d["state"]["optimizer"]["m"]]), "expected a list"),
    "slot as text": (_set((*O, "m"), "x" * 1000), "m must be a list of numbers"),
    "negative v": (lambda d: d["state"]["optimizer"]["v"].__setitem__(3, -1e-9), "v, a mean of squares"),
    "t as float": (_set((*O, "t"), 12.0), "t must be a whole number"),
    "t negative": (_set((*O, "t"), -1), "t must be a whole number"),
    "t zero with moments": (_set((*O, "t"), 0), "m and v must be null exactly when t is 0"),
    "moments null after steps": (lambda d: d["state"]["optimizer"].update(m=None, v=None), "null exactly when t"),
    "other bit generator": (_set((*R, "bit_generator"), "MT19937"), "must be 'PCG64', not 'MT19937'"),
    "shuffle state too big": (_set((*R, "state", "state"), 2**128), "whole numbers in [0, 2^128)"),
    "shuffle state negative": (_set((*R, "state", "inc"), -1), "whole numbers in [0, 2^128)"),
    "even increment": (lambda d: d["state"]["shuffle"]["state"].update(inc=d["state"]["shuffle"]["state"]["inc"] + 1),
                       "inc must be odd"),
    "has_uint32 of 2": (_set((*R, "has_uint32"), 2), "has_uint32 must be 0 or 1"),
    "uinteger too big": (_set((*R, "uinteger"), 2**32), "uinteger a whole number in [0, 2^32)"),
    "shuffle part missing": (lambda d: d["state"]["shuffle"].pop("uinteger"), "shuffle must hold"),
    "state in version 1": (_set(("version",), 1), "a version 1 model file has no 'state'"),
}


@pytest.mark.parametrize("name", list(BREAKAGES))
def test_malformed_states_raise_clear_errors(name):
    change, needle = BREAKAGES[name]
    doc = copy.deepcopy(ADAM_DOC)
    change(doc)
    with pytest.raises(ModelFileError) as e:
        parse_model(json.dumps(doc))
    assert needle in str(e.value) and len(str(e.value)) < 200, str(e.value)


def test_null_parts_load_and_start_afresh():
    doc = copy.deepcopy(ADAM_DOC)
    doc["state"].update(optimizer=None, shuffle=None, start_loss=None, loss=None)
    model = parse_model(json.dumps(doc))
    assert model.state == TrainerState(N, doc["state"]["seconds"])
    assert model.afresh().startswith("Adam's moments start afresh: the file has no optimizer state; the mini-batch")


ADAM_DOC = adam_doc()
STATE_PATHS = [("state", k) for k in ADAM_DOC["state"]] + [("state", "optimizer", k) for k in ("name", "t", "m")] + [
    ("state", "shuffle", k) for k in ADAM_DOC["state"]["shuffle"]] + [("state", "shuffle", "state", "inc")]
JUNK = [None, True, 0, -1, 1, 2**128, 10**400, 0.5, -0.5, 1e308, "", "x" * 10_000, [], {}, [0.5] * 3, {"a": 1},
        [[1]], "PCG64", "adam"]


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(STATE_PATHS),
                          st.one_of(st.sampled_from(JUNK), st.integers(), st.floats(allow_nan=False))),
                min_size=1, max_size=3))
def test_junk_in_the_state_is_refused_or_resumes(changes):
    doc = copy.deepcopy(ADAM_DOC)
    for path, value in changes:
        try:
            _set(path, value)(doc)
        except (TypeError, KeyError):
            pass  # an earlier change replaced a parent
    try:
        model = parse_model(json.dumps(doc, allow_nan=True))
    except ModelFileError as e:
        assert len(str(e)) <= 300
        return
    with np.errstate(over="ignore", invalid="ignore"):
        exp = build(CASES["adam batches of 16"], model.network, model.state)
        exp.trainer.fit(2)
    assert exp.trainer.epoch == model.state.epoch + 2 or exp.trainer.divergence is not None


def test_a_state_saved_before_any_epoch():
    c = CASES["adam batches of 16"]
    whole = build(c)
    whole.trainer.fit(M)
    first, again, model = resumed(c, 0)
    assert model.state.epoch == 0 and model.state.slots == {"m": None, "v": None, "t": 0}
    assert [r.epoch for r in again.trainer.history] == [0]
    again.trainer.fit(M)
    assert outcomes(again.trainer.history[1:]) == outcomes(whole.trainer.history)
    assert np.array_equal(again.network.params, whole.network.params)

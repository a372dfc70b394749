"""The page's words for a learner (playground.words) and what it says when something changes under a run."""

import re

import numpy as np

from apptest_helpers import curves, metrics, no_errors, plain, run_app, session
from nn_core import LOSSES, SETTINGS
from nn_core.userdata import add_point
from playground import words


def status(at) -> str:
    return next(re.sub(r"<[^>]+>", "", m.value) for m in at.markdown if 'class="nnp-status"' in m.value)


def test_new_points_on_a_finished_run_say_what_happened_and_the_curves_carry_on():
    """Issue 19: after new data on a finished run the status still said "done" and the loss chart began again
    at the epoch the data changed. Now the status says "new data", a sentence says the network goes on from
    that epoch, and the curves keep the run's history (the new points' loss added at that epoch)."""
    at = run_app({"ds": "custom", "ep": "100", "tr": "0"})
    at.button(key="train").click().run()
    while session(at).running:
        at.run()
    assert "100 of 100 · done" in status(at)
    s = session(at)
    old = [r.train_loss for r in s.exp.trainer.history]
    at.session_state["w_points"] = add_point(s.config.points, 0.9, 0.9, 0)  # a click on the surface, or a file
    at.run()
    no_errors(at)
    s = session(at)
    assert "100 of 100 · new data" in status(at)
    assert any("New data (9 points): the network goes on from epoch 100" in plain(i.value) for i in at.info)
    history = s.exp.trainer.history
    assert [r.train_loss for r in history[:100]] == old and history[-1].epoch == 100 and len(history) == 101
    assert history[-1].train_loss == s.exp.trainer.evaluate(s.exp.train)[0]  # measured on the new points
    assert metrics(at)["Train loss"] == f"{history[-1].train_loss:.3g}"  # the figures: on the new points
    line = curves(at)["loss"]["train"]
    assert len(line) > 50 and np.ptp(line[:, 0]) > 0.9 * np.ptp(curves(at)["loss"]["train"][:, 0])  # from epoch 1
    at.button(key="train").click().run()  # Train goes on, for another budget
    assert "new data" not in status(at) and session(at).target == 200


def test_losses_are_called_by_their_plain_names():
    assert words.loss_label("bce") == words.loss_label("ce") == "cross-entropy"
    assert words.loss_label("sse") == "squared error per point" and words.loss_label("mse") == "mean squared error"
    assert all(loss.title and loss.title != loss.name for loss in LOSSES.values())
    at = run_app({"ds": "moons", "n": "100", "l": "sse", "h": "4"})
    at.button(key="step").click().run()
    svg = curves(at)["svg"]["loss"]
    assert ">squared error per point</text>" in svg and "sse" not in svg
    assert not any("redraws/s" in m.value for m in at.markdown)  # no developer words in the figures


def test_settings_said_in_words():
    assert [words.setting_name(n) for n in ("lr", "batch_size", "test_ratio", "beta1", "data_seed")] == \
        ["learning rate", "batch size", "test ratio", "β1", "data seed"]
    assert words.setting_value("batch_size", 0) == "full batch" and words.setting_value("batch_size", 16) == "16"
    assert words.setting_value("hidden", (8, 8)) == "8, 8" and words.setting_value("hidden", ()) == "none"
    assert words.setting_value("optimizer", "gd") == "gradient descent"
    assert words.setting_value("dataset", "xor") == "XOR (4 points)"
    assert words.setting_value("epochs", 10000) == "10,000"
    for name in SETTINGS:  # every setting has words, whatever its kind
        assert words.setting_name(name) and isinstance(words.setting_value(name, SETTINGS[name].default
                                                                           or 0), str)

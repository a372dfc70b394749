"""The page's words for a learner: losses by their plain names, settings and their values as a sentence says
them, and what a change of settings did. Plain Python (no Streamlit)."""

from __future__ import annotations

from collections.abc import Sequence

from nn_core import SETTINGS, Config
from nn_core.losses import get_loss
from nn_core.optimizers import OPTIMIZERS
from nn_core.settings import Choice


def loss_label(loss_name: str) -> str:
    """What the curves' loss axis and the figures call the loss: its plain name, "per point" when the page
    divides a sum over the points by their number ("squared error per point", "cross-entropy")."""
    loss = get_loss(loss_name)
    return f"{loss.title}{' per point' if loss.summed else ''}"


def setting_name(name: str) -> str:
    """A setting's label as a sentence says it: "learning rate", "batch size"."""
    label = SETTINGS[name].label.split(" (")[0]
    return label[0].lower() + label[1:] if label[1:2].islower() else label


def setting_value(name: str, value) -> str:
    """A setting's value as a person reads it: "XOR (4 points)", "3, 3", "full batch", "10,000"."""
    s = SETTINGS[name]
    if name == "loss" and value in SETTINGS["loss"].kind.choices[1:]:
        return get_loss(value).title
    if name == "optimizer":
        return OPTIMIZERS[value].title
    if name == "batch_size" and value == 0:
        return "full batch"
    if isinstance(s.kind, Choice):
        return s.kind.titles(value)
    if isinstance(value, tuple):
        return ", ".join(map(str, value)) or "none"
    if name in ("formula", "points"):
        return "yours"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return f"{value:g}" if isinstance(value, float) else s.text(value)


def changes(new: Config, names: Sequence[str]) -> str:
    """The settings ``names`` with their values in ``new``, as a list in words."""
    return ", ".join(f"{setting_name(n)} {setting_value(n, getattr(new, n))}" for n in names)


def change_notice(new: Config, names: Sequence[str], resets: set[str], pinned: bool) -> str:
    """What a change of the settings ``names`` (to ``new``; ``resets``: what they reset, as declared) did, in a
    sentence; ``pinned``: run A of an A/B comparison is pinned."""
    if pinned and resets == {"nothing"}:
        return f"Changed {changes(new, names)}: run B starts from epoch 0, as A did."
    if resets == {"nothing"}:
        return f"Changed {changes(new, names)}: the trained network is kept."
    data = bool(resets & {"data", "points"})
    what = "data and a new network" if data and "network" in resets else "data" if data else "network"
    return f"New {what}, so training starts again from epoch 0: {changes(new, names)}."


def new_data(points: int, epoch: int) -> str:
    """What new points (drawn, or from a file) did to a run."""
    return (f"New data ({points:,} point{'s' if points != 1 else ''}): the network goes on from epoch {epoch:,}, "
            "as trained so far; the curves carry on from there.")

"""The page's own rules over an nn_core Config, shared by its three translators (the URL, the widgets and a
model file): the default experiment, every optional value made explicit, a value moved inside the page's
bounds, and settings repaired to fit together, each change named.
"""

from __future__ import annotations

from dataclasses import replace

from nn_core import DATASETS, SETTINGS, Config, SettingError
from nn_core.config import check_together
from nn_core.text import show

DEFAULT = Config(dataset="circles", samples=300, noise=DATASETS["circles"].noise, hidden=(6, 6),
                 activations=("tanh",), epochs=1000)


def own_value(s, dataset: str):
    """What an optional setting's None stands for: the dataset's own value of it (its noise, say)."""
    return getattr(DATASETS[dataset], s.name)


def explicit(c: Config) -> Config:
    """``c`` with every optional setting left at None given the dataset's own value, as the page shows it."""
    own = {s.name: own_value(s, c.dataset) for s in SETTINGS.values() if getattr(c, s.name) is None}
    return replace(c, **own) if own else c


def into_page(s, v, default) -> tuple[object, str]:
    """Setting ``s``'s value ``v`` as the page may hold it, and "" or what was wrong with ``v`` and what
    became of it: the nearest value within the page's bounds, or else ``default``."""
    try:
        return s.check(v, page=True), ""
    except SettingError as e:
        try:
            near = s.check(s.kind.nearest(v, page=True), page=True)
            return near, f"{e.reason}; changed to {s.text(near)}"
        except SettingError:
            return default, f"{e.reason}; using {s.text(default)}"


def make_consistent(c: Config, warnings: list[str]) -> Config:
    """Repair settings that are each valid but do not fit together, saying what changed."""
    for _ in range(len(SETTINGS)):
        try:
            check_together(c)
            return c
        except SettingError as e:
            s = SETTINGS[e.name]
            fixed = s.options(c.values())[0] if s.options else s.default
            warnings.append(f"{s.url}={show(s.text(getattr(c, s.name)))}: {e.reason}; using {s.text(fixed)}")
            c = replace(c, **{s.name: fixed})
    return DEFAULT  # pragma: no cover - each repair fixes one setting for good

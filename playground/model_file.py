"""A model file's settings as the page takes them: its training settings and architecture over the page's,
inside the page's bounds, and what had to change to get there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from nn_core import SETTINGS, Config, ConfigError
from nn_core.network import layer_activations

from .page_config import explicit, into_page, make_consistent


def fit_page(c: Config, warnings: list[str]) -> Config:
    """``c`` with every setting inside the page's bounds; each one moved is named in ``warnings``."""
    changes = {}
    for s in SETTINGS.values():
        v, why = into_page(s, getattr(c, s.name), s.default)
        if why:
            changes[s.name] = v
            warnings.append(f"{s.label.lower()} {why}")
    return replace(c, **changes)


def _activations_fit(names, arch) -> bool:
    try:
        return layer_activations(names, len(arch.hidden)) == arch.activations
    except ValueError:
        return False


def config_for_model(network, training: Mapping[str, object], base: Config) -> tuple[Config, list[str]]:
    """The settings to continue from an uploaded model: its training settings (each already checked by
    the loader) over ``base``, its architecture, inside the page's bounds; and what was changed to get
    there. ConfigError if the model cannot be trained on the resulting dataset."""
    a = network.arch
    c = replace(base, **{n: v for n, v in training.items() if n in SETTINGS})
    c = replace(c, features=a.features, hidden=a.hidden, output=a.output,
                activations=c.activations if _activations_fit(c.activations, a) else a.activations or c.activations)
    if replace(c, output="auto").output_kind == a.output:
        c = replace(c, output="auto")
    warnings: list[str] = []
    c = fit_page(explicit(c), warnings)
    c = make_consistent(c, warnings)
    if c.architecture() != a:
        raise ConfigError(f"the model has {a.n_outputs} outputs, which does not fit the {c.dataset} dataset")
    return c, warnings

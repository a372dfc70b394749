"""The page's cache: what it draws from one experiment's data, made once, and what one redraw leaves for the next.

Plain Python (no Streamlit). The session makes a new one whenever it builds new data
(:meth:`playground.session.Session._built`), so nothing here outlives the data it was drawn from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nn_core import DATASETS, Config, data_bounds

from . import charts


@dataclass
class PageCache:
    """Made once per dataset: the points, the square plot's bounds, the colour range of a regression surface
    (the targets', symmetric about 0). Filled in as the page draws: the rest."""

    points: charts.Columns  # every point, with its split
    bounds: tuple[float, float, float, float]  # x0, x1, y0, y1 of the square plot
    value_range: float
    overlays: tuple[str, str | None] | None = None  # the surface's points: the training ones, and all (None: no
    # test split), each over the surface's axes
    legends: dict[bool, str] = field(default_factory=dict)  # the surface's legend, with the test points or not
    grid_cost: float | None = None  # seconds per grid point of the last surface, as measured
    diagram: str | None = None  # the network diagram as last drawn (HTML)
    picture: str | None = None  # the output surface's picture as last drawn (a data URL)
    space_reference: dict[int, np.ndarray] = field(default_factory=dict)  # per layer, the axes its transformed
    # space was last drawn with: the picture does not flip from one redraw to the next
    ab_overlay: str | None = None  # run B's points over its small surface in A/B
    script: tuple[Config, str] | None = None  # the exported script, and the settings it was written for

    @classmethod
    def of(cls, exp) -> PageCache:
        """The cache of experiment ``exp``'s data (an nn_core Experiment)."""
        return cls(charts.points_frame(exp.train, exp.test), plane(exp), charts.value_range(exp.data, exp.config.task))


DRAWING_PLANE = 1.5  # your own points are drawn on the plane within ±1.5 (the built-in sets' and some room)


def plane(exp) -> tuple[float, float, float, float]:
    """The square the surface shows: around the data; for points you draw, the drawing plane (widened to hold
    every point), which stays put under the pointer as points come and go."""
    X = exp.data.X
    if DATASETS[exp.config.dataset].source == "points":
        r = max(DRAWING_PLANE, 1.1 * float(np.abs(X).max(initial=0.0)))
        return charts.square_bounds((-r, r, -r, r))
    return charts.square_bounds(data_bounds(X))

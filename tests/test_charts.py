"""Chart frames built from the model, checked without a page."""

import numpy as np
import pandas as pd

from nn_core import EpochRecord
from playground import charts


def frames(data: dict) -> dict:
    return {name: pd.DataFrame(columns) for name, columns in data.items()}


def test_history_losses_per_point():
    history = [EpochRecord(e, 10.0, 3.0, 0.5, 0.5, 0.0) for e in range(1, 4)]
    per = charts.history_data(history, (100, 30))["history"]
    assert np.allclose(per["train_loss"], 0.1) and np.allclose(per["test_loss"], 0.1)
    assert charts.loss_per_point("sse") and not charts.loss_per_point("bce") and not charts.loss_per_point("mse")


def test_history_frame_thins_and_keeps_the_ends():
    history = [EpochRecord(e, 1.0 / e, None, None, None, 0.0) for e in range(1, 1001)]
    frame = pd.DataFrame(charts.history_frame(history, max_points=50))
    assert frame[["test_loss", "train_acc", "test_acc"]].isna().all().all()
    assert frame["epoch"].iloc[0] == 1 and frame["epoch"].iloc[-1] == 1000 and len(frame) == 50
    assert np.allclose(frame["train_loss"], 1.0 / frame["epoch"])
    history = [EpochRecord(e, 0.5, 0.7, 0.9, 0.8, 0.0) for e in range(1, 4)]
    frame = pd.DataFrame(charts.history_frame(history))
    assert frame.columns.tolist() == ["epoch", "train_loss", "test_loss", "train_acc", "test_acc"]
    assert frame.drop(columns="epoch").values.tolist() == [[0.5, 0.7, 0.9, 0.8]] * 3


def test_short_numbers_keep_six_digits_and_write_short():
    x = np.array([0.20412345678901234, -3.3333333333, 123456.789, 9.87654321e-7, 0.0, np.nan, np.inf, 1e-30])
    y = charts.short(x)
    assert [repr(v) for v in y[:5].tolist()] == ["0.204123", "-3.33333", "123457.0", "9.87654e-07", "0.0"]
    assert np.isnan(y[5]) and y[6] == np.inf and y[7] == 1e-30  # past exact powers of ten: left as it was
    r = np.random.default_rng(0).random(10_000) * 10.0 ** np.random.default_rng(1).integers(-15, 15, 10_000)
    assert np.allclose(charts.short(r), r, rtol=5e-6, atol=0)



def test_markdown_table():
    text = charts.markdown_table({"x1": np.array([0.0, 1.0]), "output": np.array([0.25, 0.123456789])})
    assert text.splitlines() == ["| x1 | output |", "|---:|---:|", "| 0 | 0.250000 |", "| 1 | 0.123457 |"]


def _luminance(rgb) -> float:
    c = np.asarray(rgb, dtype=float) / 255
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(c @ [0.2126, 0.7152, 0.0722])


def _contrast(a, b) -> float:
    lo, hi = sorted((_luminance(a), _luminance(b)))
    return (hi + 0.05) / (lo + 0.05)


def test_a_point_of_either_class_shows_on_either_classs_ground():
    """The ground under the points is lighter than their full colours: a correctly classified point no longer
    melts into the ground of its own class (it did: both were the same orange or blue), and its outline
    stands out on every ground."""
    from nn_core import Grid

    grid = Grid(np.zeros(2), np.zeros(1), np.array([[[0.0], [1.0]]]), ())  # P(class 1) 0 and 1: the strongest grounds
    grounds = charts.surface_rgb(grid, "sigmoid").reshape(-1, 3).astype(int)
    outline = charts._hex_rgb(charts.OUTLINE)
    for fill in (charts._hex_rgb(c) for c in charts.CLASS_COLORS[:2]):
        for g in grounds:
            assert np.linalg.norm(fill - g) > 90, (fill, g)  # the point's colour against the ground's
            assert _contrast(outline, g) > 7, g
    neg, pos = charts._hex_rgb(charts.NEG), charts._hex_rgb(charts.POS)
    assert np.array_equal(grounds[0], charts.ground(neg)) and np.array_equal(grounds[1], charts.ground(pos))
    assert (grounds[0] >= neg).all() and (grounds[1] >= pos).all() and (grounds != [neg, pos]).any(axis=1).all()

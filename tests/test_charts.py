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

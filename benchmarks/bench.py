"""Speed of nn_core, measured in one run; prints medians of several rounds.

    python benchmarks/bench.py [--rounds 7] [--quick] [--against REV]

1. The tutorial preset (4-point XOR, 2-3-1 sigmoid, sse, gd lr 0.1) through the
   public API against a naive transcription of the tutorial's code, run in
   alternating rounds so both see the same machine state; the ratio of medians.
2. Circles, 1000 points, 2-16-16-1 tanh, Adam: ms per epoch with mini-batches
   of 32 and with the full batch.
3. A 200x200 decision-surface evaluation of that network.
4. Convergence odds: 256 seeds of the tutorial preset trained at once
   (nn_core.Odds, setup included) against one naive run of the same epochs,
   measured in the same rounds as figure 1; the ratio of medians, and the share
   of the 256 seeds that converged.

With ``--against REV``, the nn_core of git revision REV is measured too, in the
same rounds (its package is extracted to a temporary folder and imported under
another name), and each figure is printed for both with their ratio.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import nn_core  # noqa: E402
from tutorial_transcription import tutorial_transcription  # noqa: E402

ODDS_SEEDS = 256
CIRCLES = dict(dataset="circles", samples=1000, noise=0.1, test_ratio=0.0, hidden=(16, 16), activations=("tanh",),
               optimizer="adam", lr=0.01)


def engine_at(rev: str):
    """nn_core as it was at git revision ``rev``, imported as its own package."""
    tar = subprocess.run(["git", "archive", rev, "nn_core"], cwd=ROOT, capture_output=True, check=True).stdout
    folder = Path(tempfile.mkdtemp(prefix="nn_core_at_"))
    with tarfile.open(fileobj=BytesIO(tar)) as t:
        t.extractall(folder, filter="data")
    (folder / "nn_core").rename(folder / "nn_core_base")
    sys.path.insert(0, str(folder))
    return importlib.import_module("nn_core_base")


def time_tutorial(nn, epochs: int) -> tuple[float, float]:
    """(seconds for the engine, seconds for the transcription), same initial weights."""
    exp = nn.build(nn.TUTORIAL)
    (W1, b1), (W2, b2) = exp.network.get_params()
    t = time.perf_counter()
    exp.trainer.fit(epochs)
    ours = time.perf_counter() - t
    t = time.perf_counter()
    tutorial_transcription(W1, b1[None], W2, b2[None], epochs)
    return ours, time.perf_counter() - t


def time_odds(nn, epochs: int) -> tuple[float, float] | None:
    """(seconds, percent converged) for ODDS_SEEDS seeds of the tutorial preset trained at once, setup
    included; None for an engine without odds."""
    if not hasattr(nn, "Odds"):
        return None
    t = time.perf_counter()
    odds = nn.Odds(nn.TUTORIAL.replace(epochs=epochs), ODDS_SEEDS)
    odds.run()
    return time.perf_counter() - t, odds.result().percent


def time_circles(nn, batch_size: int, epochs: int) -> float:
    exp = nn.build(nn.Config(**CIRCLES, batch_size=batch_size))
    exp.trainer.fit(2)  # warm up: buffers are allocated on first use
    t = time.perf_counter()
    exp.trainer.fit(epochs)
    return (time.perf_counter() - t) / epochs


def time_grid(nn, repeats: int) -> float:
    exp = nn.build(nn.Config(**CIRCLES))
    exp.trainer.fit(20)
    bounds = nn.data_bounds(exp.data.X)
    nn.evaluate_grid(exp.network, bounds, 200)
    t = time.perf_counter()
    for _ in range(repeats):
        nn.evaluate_grid(exp.network, bounds, 200)
    return (time.perf_counter() - t) / repeats


def measure(engines: dict, rounds: int, k: int) -> dict:
    """Every figure for every engine, the engines alternating within each round."""
    figures = {name: {"tutorial": [], "naive": [], "mini-batch": [], "full batch": [], "surface": [], "odds": [],
                      "odds converged": []} for name in engines}
    for _ in range(rounds):
        for name, nn in engines.items():
            f = figures[name]
            ours, naive = time_tutorial(nn, 10_000 // k)
            f["tutorial"].append(ours / (10_000 // k) * 1e6)
            f["naive"].append(naive / (10_000 // k) * 1e6)
            odds = time_odds(nn, 10_000 // k)  # right after the naive run: the same machine state
            if odds is not None:
                f["odds"].append(odds[0] / (10_000 // k) * 1e6)
                f["odds converged"].append(odds[1])
            f["mini-batch"].append(time_circles(nn, 32, 200 // k) * 1e3)
            f["full batch"].append(time_circles(nn, 0, 1000 // k) * 1e3)
            f["surface"].append(time_grid(nn, 50 // k) * 1e3)
    return {name: {key: statistics.median(v) for key, v in f.items() if v} for name, f in figures.items()}


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--quick", action="store_true", help="fewer epochs per round (a smoke run)")
    p.add_argument("--against", metavar="REV", help="also measure nn_core as of this git revision")
    a = p.parse_args(argv)
    engines = {"nn_core": nn_core}
    if a.against:
        engines[a.against] = engine_at(a.against)
    results = measure(engines, a.rounds, 10 if a.quick else 1)
    m = results["nn_core"]
    print(f"tutorial preset, 10,000 epochs: nn_core {m['tutorial']:.1f} us/epoch, naive transcription "
          f"{m['naive']:.1f} us/epoch, {m['naive'] / m['tutorial']:.2f}x faster (target >= 3x)")
    print(f"circles 1000 points, 2-16-16-1 tanh, Adam: mini-batch 32 {m['mini-batch']:.3f} ms/epoch (target <= 1.0),"
          f" full batch {m['full batch']:.3f} ms/epoch (target <= 0.25)")
    print(f"200x200 decision surface of that network: {m['surface']:.2f} ms (target <= 3)")
    epochs = 10_000 // (10 if a.quick else 1)
    print(f"convergence odds, {ODDS_SEEDS} seeds of the tutorial preset at once: {m['odds']:.1f} us/epoch "
          f"({m['odds'] * epochs / 1e6:.2f} s for {epochs:,} epochs), {m['odds'] / m['naive']:.2f}x the time of one "
          f"naive run (target <= 4x); {m['odds converged']:.1f}% of the seeds converged")
    if a.against:
        old = results[a.against]
        print(f"\nside by side with nn_core at {a.against} (medians of {a.rounds} alternating rounds; "
              "ratio = old / new, above 1 is faster now):")
        for key, unit in (("tutorial", "us/epoch"), ("mini-batch", "ms/epoch"), ("full batch", "ms/epoch"),
                          ("surface", "ms"), ("odds", "us/epoch")):
            if key not in old:
                continue
            print(f"  {key:10s}  now {m[key]:8.3f} {unit:8s}  then {old[key]:8.3f} {unit:8s}  "
                  f"ratio {old[key] / m[key]:.2f}")


if __name__ == "__main__":
    main()

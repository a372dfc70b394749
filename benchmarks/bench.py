"""Speed of nn_core, measured in one run; prints medians of several rounds.

    python benchmarks/bench.py [--rounds 7] [--quick]

1. The tutorial preset (4-point XOR, 2-3-1 sigmoid, sse, gd lr 0.1) through the
   public API against a naive transcription of the tutorial's code, run in
   alternating rounds so both see the same machine state; the ratio of medians.
2. Circles, 1000 points, 2-16-16-1 tanh, Adam: ms per epoch with mini-batches
   of 32 and with the full batch.
3. A 200x200 decision-surface evaluation of that network.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from nn_core import TUTORIAL, Config, build, data_bounds, evaluate_grid  # noqa: E402
from tutorial_transcription import tutorial_transcription  # noqa: E402


def time_tutorial(epochs: int) -> tuple[float, float]:
    """(seconds for ours, seconds for the transcription), same initial weights."""
    exp = build(TUTORIAL)
    (W1, b1), (W2, b2) = exp.network.get_params()
    t = time.perf_counter()
    exp.trainer.fit(epochs)
    ours = time.perf_counter() - t
    t = time.perf_counter()
    tutorial_transcription(W1, b1[None], W2, b2[None], epochs)
    return ours, time.perf_counter() - t


CIRCLES = Config(dataset="circles", samples=1000, noise=0.1, test_ratio=0.0, hidden=(16, 16),
                 activations=("tanh",), optimizer="adam", lr=0.01)


def time_circles(batch_size: int, epochs: int) -> float:
    exp = build(CIRCLES.replace(batch_size=batch_size))
    exp.trainer.fit(2)  # warm up: buffers are allocated on first use
    t = time.perf_counter()
    exp.trainer.fit(epochs)
    return (time.perf_counter() - t) / epochs


def time_grid(repeats: int) -> float:
    exp = build(CIRCLES)
    exp.trainer.fit(20)
    bounds = data_bounds(exp.data.X)
    evaluate_grid(exp.network, bounds, 200)
    t = time.perf_counter()
    for _ in range(repeats):
        evaluate_grid(exp.network, bounds, 200)
    return (time.perf_counter() - t) / repeats


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--quick", action="store_true", help="fewer epochs per round (a smoke run)")
    a = p.parse_args(argv)
    k = 10 if a.quick else 1

    ours, naive = [], []
    for _ in range(a.rounds):
        o, n = time_tutorial(10_000 // k)
        ours.append(o)
        naive.append(n)
    per = 1e6 / (10_000 // k)
    o_med, n_med = statistics.median(ours) * per, statistics.median(naive) * per
    ratios = [n / o for o, n in zip(ours, naive)]
    print(f"tutorial preset, 10,000 epochs: nn_core {o_med:.1f} us/epoch, naive transcription {n_med:.1f} us/epoch,"
          f" {n_med / o_med:.2f}x faster (per-round ratios {min(ratios):.2f}x to {max(ratios):.2f}x; target >= 3x)")

    mb = statistics.median(time_circles(32, 200 // k) for _ in range(a.rounds)) * 1e3
    fb = statistics.median(time_circles(0, 1000 // k) for _ in range(a.rounds)) * 1e3
    print(f"circles 1000 points, 2-16-16-1 tanh, Adam: mini-batch 32 {mb:.3f} ms/epoch (target <= 1.0),"
          f" full batch {fb:.3f} ms/epoch (target <= 0.25)")

    g = statistics.median(time_grid(50 // k) for _ in range(a.rounds)) * 1e3
    print(f"200x200 decision surface of that network: {g:.2f} ms (target <= 3)")


if __name__ == "__main__":
    main()

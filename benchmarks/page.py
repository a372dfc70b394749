"""The page's speed in a real browser (Debian's chromium via playwright), against the headless engine.

    python benchmarks/page.py [--rounds 3]

1. Tutorial preset: time from clicking Train to the final surface drawn (the
   status says "done" and Streamlit has finished the run).
2. Live training: epochs per second seen on the page while it trains and
   redraws (from the Epoch metric over several seconds), against the same
   experiment trained headless by nn_core, as the CLI does; and how many
   redraws a second the page made.

The browser runs on the same 2 cores as the server here, so both figures are
pessimistic for a visitor whose browser runs on their own machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser_helpers import chromium, metric, streamlit_server, wait_ready  # noqa: E402
from nn_core import TUTORIAL, build  # noqa: E402
from playground.state import config_from_query, config_to_query  # noqa: E402

LIVE = {"ds": "spiral", "n": "600", "h": "16-16", "a": "tanh", "bs": "32", "ep": "100000"}


def epoch_metric(page) -> int:
    return int(metric(page, "Epoch").replace(",", ""))


def tutorial_click_to_surface(browser, url: str) -> float:
    page = browser.new_page(viewport={"width": 1500, "height": 1700})
    page.goto(f"{url}/?" + "&".join(f"{k}={v}" for k, v in config_to_query(TUTORIAL.replace(noise=0.0)).items()))
    wait_ready(page)
    start = time.perf_counter()
    page.get_by_role("button", name="▶ Train").click()
    page.get_by_text("10,000 of 10,000 · done").wait_for(timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')")
    seconds = time.perf_counter() - start
    page.close()
    return seconds


def live_rate(browser, url: str, seconds: float = 8.0) -> tuple[float, float]:
    """(epochs per second on the page, redraws per second) over ``seconds`` of live training.

    The page is read only at the start and the end: polling it meanwhile would take CPU from both.
    """
    page = browser.new_page(viewport={"width": 1500, "height": 1700})
    page.goto(f"{url}/?" + "&".join(f"{k}={v}" for k, v in LIVE.items()))
    wait_ready(page)
    page.get_by_role("button", name="▶ Train").click()
    page.get_by_role("button", name="❚❚ Pause").wait_for(timeout=30_000)
    time.sleep(1.0)  # past the first redraws
    e0, t0 = epoch_metric(page), time.perf_counter()
    time.sleep(seconds)
    e1, t1 = epoch_metric(page), time.perf_counter()
    redraws = float(page.locator('[data-metric="Epochs / s"] .n').first.inner_text().split()[0])
    page.get_by_role("button", name="❚❚ Pause").click()
    page.close()
    return (e1 - e0) / (t1 - t0), redraws


def headless_rate(seconds: float = 3.0) -> float:
    exp = build(config_from_query(LIVE)[0])
    exp.trainer.fit(20)
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        exp.trainer.fit(50)
        n += 50
    return n / (time.perf_counter() - start)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3)
    a = p.parse_args(argv)
    with streamlit_server() as url, chromium() as browser:
        warm_up(browser, url)
        clicks = [tutorial_click_to_surface(browser, url) for _ in range(a.rounds)]
        print(f"tutorial preset, click Train to final surface: median {statistics.median(clicks):.2f} s "
              f"(rounds: {', '.join(f'{c:.2f}' for c in clicks)}; target <= 1 s)")
        live = [live_rate(browser, url) for _ in range(a.rounds)]
    head = headless_rate()
    page_rate = statistics.median(r for r, _ in live)
    redraws = statistics.median(d for _, d in live)
    print(f"live training ({', '.join(f'{k}={v}' for k, v in LIVE.items())}): page {page_rate:,.0f} epochs/s "
          f"with {redraws:.1f} redraws/s, headless {head:,.0f} epochs/s: {100 * page_rate / head:.0f}% "
          f"(target >= 50%)")


def warm_up(browser, url) -> None:
    """One page load first: the server imports and compiles the chart designs once."""
    page = browser.new_page()
    page.goto(url)
    wait_ready(page)
    page.close()


if __name__ == "__main__":
    main()

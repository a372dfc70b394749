"""The page's speed in a real browser (Debian's chromium via playwright), against the headless engine.

    python benchmarks/page.py [--rounds 3] [--seconds 8]

The browser runs on one core and the server on the other (``taskset``), as for a visitor whose browser
runs on their own machine; the headless figure is measured on the server's core.

1. Tutorial preset: time from clicking Train to the final surface drawn (the
   status says "done" and Streamlit has finished the run), at the normal
   speed: its learning is paced to be seen (playground.tempo).
2. Live training at the "fast" speed, for the default experiment and for 8
   hidden layers of 64 on 2,000 points, "Until paused" (a budget would end the
   run before the measurement on a fast machine: the page allows 100,000
   epochs at most): epochs per second seen on the page while it trains and
   redraws (from the Epoch figure, after two seconds),
   against the same experiment trained headless by nn_core, as the CLI does;
   and how many times a second the page redrew (counted in the browser: the
   surface's picture changing).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser_helpers import chromium, metric, streamlit_server, wait_ready  # noqa: E402
from nn_core import TUTORIAL, build  # noqa: E402
from playground.url import config_from_query, config_to_query  # noqa: E402

LIVE = {  # each trained "Until paused", whatever its budget, at the "fast" speed (not paced by change)
    "default experiment": {"speed": "fast"},
    "8 x 64 on 2,000 points": {"n": "2000", "h": "-".join(["64"] * 8), "speed": "fast"},
}
SETTLE_SECONDS = 2.0  # of live training before measuring: the timer's interval has settled
BROWSER_CPU, SERVER_CPU = "0", "1"


def epoch_metric(page) -> int:
    return int(metric(page, "Epoch").replace(",", ""))


def tutorial_click_to_surface(browser, url: str) -> float:
    page = browser.new_page(viewport={"width": 1500, "height": 1700})
    page.goto(f"{url}/?" + "&".join(f"{k}={v}" for k, v in config_to_query(TUTORIAL.replace(noise=0.0)).items()))
    wait_ready(page)
    start = time.perf_counter()
    page.get_by_role("button", name="▶ Train").click()
    page.get_by_text("10,000 of 10,000 · done").wait_for(timeout=120_000)  # a hang guard
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')")
    seconds = time.perf_counter() - start
    page.close()
    return seconds


def live_rate(browser, url: str, query: dict, seconds: float) -> tuple[float, float]:
    """(epochs per second on the page, redraws per second) over ``seconds`` of live training, after the
    slow start. The browser counts its redraws itself; the page is read only at the start and the end."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{url}/?" + "&".join(f"{k}={v}" for k, v in query.items()))
    wait_ready(page)
    train_until_paused(page)
    page.get_by_role("button", name="▶ Train").click()
    page.get_by_role("button", name="❚❚ Pause").wait_for(timeout=30_000)
    time.sleep(SETTLE_SECONDS)
    page.evaluate("""() => { window.redraws = 0; let last = null; window.counting = true;
        const look = () => { const m = document.querySelector('img.map');
            if (m && m.src !== last) { last = m.src; window.redraws++; }
            if (window.counting) requestAnimationFrame(look); };
        requestAnimationFrame(look); }""")
    e0, t0 = epoch_metric(page), time.perf_counter()
    time.sleep(seconds)
    e1, t1 = epoch_metric(page), time.perf_counter()
    redraws = page.evaluate("() => { window.counting = false; return window.redraws; }")
    pause = page.get_by_role("button", name="❚❚ Pause")
    if not pause.is_visible():
        raise RuntimeError(f"the run stopped before the measurement ended: {page.locator('.nnp-status').inner_text()}")
    pause.click()
    page.get_by_role("button", name="▶ Train").wait_for(timeout=30_000)  # else the server trains on
    page.close()
    return (e1 - e0) / (t1 - t0), (redraws - 1) / (t1 - t0)


def train_until_paused(page) -> None:
    """Turn "Until paused" on, and wait until the page has taken it."""
    page.get_by_text("Until paused").click()
    switch = page.get_by_role("switch", name="Until paused")
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')")
    if not switch.is_checked():
        raise RuntimeError('"Until paused" did not turn on')


def headless_rate(query: dict, seconds: float = 3.0) -> float:
    """Epochs per second of the same experiment trained by nn_core alone."""
    exp = build(config_from_query(query)[0])
    exp.trainer.fit(5)
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        exp.trainer.fit(5)
        n += 5
    return n / (time.perf_counter() - start)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=float, default=8.0, help="of live training measured per round")
    p.add_argument("--headless", metavar="QUERY", help=argparse.SUPPRESS)  # one headless figure (see above)
    a = p.parse_args(argv)
    if a.headless:
        print(headless_rate(json.loads(a.headless)))
        return
    with streamlit_server(cpus=SERVER_CPU) as url, chromium(cpus=BROWSER_CPU) as browser:
        warm_up(browser, url)
        clicks = [tutorial_click_to_surface(browser, url) for _ in range(a.rounds)]
        print(f"tutorial preset, click Train to final surface: median {statistics.median(clicks):.2f} s "
              f"(rounds: {', '.join(f'{c:.2f}' for c in clicks)}; its learning is paced to be seen)")
        live = {name: [live_rate(browser, url, q, a.seconds) for _ in range(a.rounds)] for name, q in LIVE.items()}
    for name, runs in live.items():
        head = headless_on_server_core(LIVE[name])
        page_rate = statistics.median(r for r, _ in runs)
        redraws = statistics.median(d for _, d in runs)
        print(f"live training, {name}: page {page_rate:,.1f} epochs/s with {redraws:.1f} redraws/s, headless "
              f"{head:,.1f} epochs/s: {100 * page_rate / head:.0f}% (targets: >= 50%, >= 4 redraws/s)")


def headless_on_server_core(query: dict) -> float:
    """:func:`headless_rate` in a process of its own on the server's core alone, as the server runs: every
    thread of it (NumPy's BLAS threads too; pinning only this thread would leave them the other core)."""
    out = subprocess.run(["taskset", "-c", SERVER_CPU, sys.executable, __file__, "--headless", json.dumps(query)],
                         capture_output=True, text=True, check=True).stdout
    return float(out.split()[-1])


def warm_up(browser, url) -> None:
    """One page load first: the server imports and compiles the chart designs once."""
    page = browser.new_page()
    page.goto(url)
    wait_ready(page)
    page.close()


if __name__ == "__main__":
    main()

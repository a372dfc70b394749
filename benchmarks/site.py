"""The static site (python -m tools.site --offline) in Debian's chromium, on this machine's cores.

    python benchmarks/site.py [--runs 3] [--against DIR] [--site DIR] [--app DIR] [--engine]

1. The first full screen, cold: from navigation until the Train button and the output surface are on screen
   (the surface's picture drawn, no loading screen over them), each visit in a fresh browser (nothing cached),
   median of ``--runs`` visits; the median of each phase (from stlite's own log lines); the second visit
   (the same context again: the files from the browser's cache, as a static host lets it keep them); what a
   first visit downloads (as sent, and gzipped as a static host or CDN would send the compressible files).
   ``--against DIR``: another built site (e.g. of an older commit) in the same rounds, alternating (A B,
   B A, ...), and the ratio of the medians. The machine's load is printed with the figures.
2. ``--engine``: the engine's speed in the browser (epochs per second of the tutorial preset and of the
   default experiment, nn_core under Pyodide in a page of the site, against this Python natively), and
   through the page itself (from clicking Train to the run done and drawn).

The site is this checkout's offline site (built into a temporary folder) unless ``--site DIR`` names one.
The browser runs on the same 2 cores as everything else here: compare figures of the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from playwright.sync_api import sync_playwright  # noqa: E402
from site_helpers import NO_RUN, built_site, is_local, serve  # noqa: E402

from browser_helpers import CHROMIUM, CHROMIUM_ARGS, chromium  # noqa: E402
from tools import site  # noqa: E402

VIEWPORT = {"width": 1500, "height": 1700}
# stlite's own log lines (its web worker's console) at the steps of booting, and the phase each one ends.
# The loading screen starts Pyodide at once, so Python starts during the first phase: the second is what of
# its start-up is left once stlite asks for it.
STEPS = {"Loading Pyodide.": "page and stlite.js (Python starting)", "Loaded Pyodide": "Pyodide start-up left",
         "Installing the requirements": "files, archives, micropip", "Installed the requirements": "install",
         "Loaded the Streamlit package": "import streamlit", "Booted up the Streamlit server": "config and server"}
LAST_PHASE = "app's first run and drawing"
# The first full screen: the Train button and the output surface on screen (the surface's picture drawn, no
# loading screen over them).
FULL_SCREEN = """() => {
  if (document.querySelector('[data-testid=stException]') || document.body.innerText.includes('Error during booting'))
    return 'error';
  const train = document.querySelector('.st-key-train button'), map = document.querySelector('img.map');
  return !!(train && map && map.complete && map.naturalWidth > 0 && !document.getElementById('nnp-loading'));
}"""
COMPRESSIBLE = (".js", ".mjs", ".css", ".html", ".json", ".wasm", ".py", ".txt", ".svg")


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" ({os.cpu_count()} cores)"


def until_full_screen(page, start: float) -> float:
    if page.wait_for_function(FULL_SCREEN, timeout=240_000, polling="raf").json_value() == "error":
        raise RuntimeError(f"the page did not start: {page.inner_text('body')[:500]}")
    return time.perf_counter() - start


def visit(playwright, url: str, sent: list) -> dict:
    """One cold visit (a fresh browser profile: nothing cached), then a second one in the same browser (its
    disk cache kept what the site let it keep): their times, phases and bytes sent."""
    with tempfile.TemporaryDirectory(prefix="site-bench-profile-") as profile:
        ctx = playwright.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                                            viewport=VIEWPORT)
        leaks = []
        ctx.on("request", lambda r: None if is_local(r.url) else leaks.append(r.url))
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        stamps: dict[str, float] = {}
        page.on("console", lambda m: [stamps.setdefault(s, time.perf_counter()) for s in STEPS
                                      if m.text.startswith(s)])
        sent.clear()
        start = time.perf_counter()
        page.goto(url)
        first = until_full_screen(page, start)
        first_sent = list(sent)
        sent.clear()
        page.goto("about:blank")
        start2 = time.perf_counter()
        page.goto(url)
        second = until_full_screen(page, start2)
        ctx.close()
    if leaks:
        raise SystemExit(f"requests left localhost: {leaks}")
    steps = {s: stamps[s] - start for s in STEPS if s in stamps and stamps[s] - start < first}
    return {"first": first, "second": second, "steps": steps, "sent": first_sent,
            "second_bytes": sum(n for _, n in sent)}


def phases(run: dict) -> dict[str, float]:
    """Each phase's seconds: from the previous step (or navigation) to the step that ends it."""
    out, last = {}, 0.0
    for step, phase in STEPS.items():
        if step in run["steps"]:
            out[phase], last = run["steps"][step] - last, run["steps"][step]
    out[LAST_PHASE] = run["first"] - last
    return out


def gzipped(folder: Path, path: str, memo: dict = {}) -> int:  # noqa: B006 (a cache for the process)
    key = (folder, path)
    if key not in memo:
        data = (folder / path).read_bytes()
        memo[key] = len(gzip.compress(data, 6)) if path.endswith(COMPRESSIBLE) else len(data)
    return memo[key]


def report(name: str, folder: Path, runs: list[dict]) -> float:
    med = statistics.median(r["first"] for r in runs)
    each = ", ".join(f"{r['first']:.2f}" for r in runs)
    print(f"{name}: first full screen median {med:.2f} s over {len(runs)} cold visits ({each})")
    ph = [phases(r) for r in runs]
    names = [p for p in [*STEPS.values(), LAST_PHASE] if all(p in x for x in ph)]
    print("  phases (medians): " + "; ".join(f"{p} {statistics.median(x[p] for x in ph):.2f}" for p in names))
    second = statistics.median(r["second"] for r in runs)
    print(f"  second visit (browser cache): median {second:.2f} s, "
          f"{statistics.median(r['second_bytes'] for r in runs) / 1e6:.1f} MB sent")
    paths = {p for p, _ in runs[0]["sent"]}
    raw = sum(n for _, n in runs[0]["sent"])
    print(f"  a first visit downloads {raw / 1e6:.1f} MB in {len(runs[0]['sent'])} requests "
          f"({sum(gzipped(folder, p) for p in paths) / 1e6:.1f} MB gzipped where compressible)")
    return med


def first_screen(folder: Path, against: Path | None, runs: int, query: str = "") -> None:
    sites = {"site": folder, **({"against": against} if against else {})}
    results: dict[str, list[dict]] = {k: [] for k in sites}
    print(f"before: {load()}")
    with sync_playwright() as playwright, contextlib.ExitStack() as stack:
        sent = {k: [] for k in sites}
        urls = {k: stack.enter_context(serve(v, cache=True, sent=sent[k])) for k, v in sites.items()}
        urls["site"] += f"?{query}" if query else ""
        for i in range(runs):
            order = list(sites) if i % 2 == 0 else list(reversed(sites))
            for k in order:
                results[k].append(visit(playwright, urls[k], sent[k]))
            print(f"  round {i + 1}: " + ", ".join(f"{k} {results[k][-1]['first']:.2f} s" for k in order)
                  + f"; {load()}")
    print(f"after: {load()}")
    meds = {k: report(f"{k} ({sites[k]})", sites[k], results[k]) for k in sites}
    if against:
        ratios = [a["first"] / b["first"] for a, b in zip(results["site"], results["against"])]
        print(f"ratio site / against: {meds['site'] / meds['against']:.2f} (medians); per round "
              + ", ".join(f"{r:.2f}" for r in ratios) + f" (their median {statistics.median(ratios):.2f}: the two "
              f"visits of a round ran under about the same load)")


# ------------------------------------------------------------------ --engine: training speed

# The same timing code runs under Pyodide in the browser and natively.
ENGINE = """
import json, time
from nn_core import TUTORIAL, build
from playground.page_config import DEFAULT

def rate(config, chunk, seconds):
    exp = build(config)
    exp.trainer.fit(chunk)  # warm up: buffers are allocated on first use
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        exp.trainer.fit(chunk)
        n += chunk
    return n / (time.perf_counter() - start)

json.dumps({"tutorial": rate(TUTORIAL, 200, SECONDS), "default": rate(DEFAULT, 10, SECONDS)})
"""

# Pyodide on the page's main thread, with the site's own archives: the packages and the app.
BENCH_PAGE = """<!doctype html>
<meta charset="utf-8"><title>nn_core under Pyodide</title>
<script src="pyodide/pyodide.js"></script>
<script>
window.ready = (async () => {
  const py = await loadPyodide({ indexURL: new URL("pyodide/", location.href).href });
  for (const [url, to] of [["bundle/site-packages.zip", "SITE_PACKAGES"], ["bundle/app.zip", "/bench"]]) {
    py.unpackArchive(await (await fetch(url)).arrayBuffer(), "zip", { extractDir: to });
  }
  py.runPython("import sys; sys.path.insert(0, '/bench')");
  window.py = py;
  return py.version;
})();
</script>
"""


def engine_in_browser(browser, url: str, seconds: float) -> dict:
    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    page.goto(url + "bench.html")
    page.evaluate("() => window.ready")
    result = json.loads(page.evaluate("code => window.py.runPython(code)", ENGINE.replace("SECONDS", str(seconds))))
    ctx.close()
    return result


def engine_native(seconds: float) -> dict:
    import ast

    tree = ast.parse(ENGINE.replace("SECONDS", str(seconds)))
    last = ast.Expression(tree.body.pop().value)
    scope: dict = {}
    exec(compile(tree, "<engine>", "exec"), scope)
    return json.loads(eval(compile(last, "<engine>", "eval"), scope))


def click_train_to_done(page, budget: int) -> float:
    """Seconds from clicking Train to the run finished and drawn (status "done", no run under way)."""
    page.wait_for_function(f"() => {NO_RUN}")  # the first run over
    start = time.perf_counter()
    page.get_by_role("button", name="▶ Train").click()
    page.get_by_text(f"{budget:,} of {budget:,} · done").wait_for(timeout=300_000)
    page.wait_for_function(f"() => {NO_RUN}")
    return time.perf_counter() - start


def through_the_page(browser, url: str, default_epochs: int) -> str:
    from nn_core import TUTORIAL
    from playground.url import config_to_query

    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    page.goto(f"{url}?" + "&".join(f"{k}={v}" for k, v in config_to_query(TUTORIAL).items()))
    until_full_screen(page, time.perf_counter())
    tutorial = click_train_to_done(page, TUTORIAL.epochs)
    page.goto(f"{url}?ep={default_epochs}")  # the default experiment, with a budget of several seconds
    until_full_screen(page, time.perf_counter())
    default = click_train_to_done(page, default_epochs)
    ctx.close()
    return (f"through the page (stlite, live loop and redraws included): tutorial preset {TUTORIAL.epochs:,} epochs "
            f"from click to done in {tutorial:.2f} s ({TUTORIAL.epochs / tutorial:,.0f} epochs/s); default experiment "
            f"{default_epochs:,} epochs in {default:.2f} s ({default_epochs / default:,.0f} epochs/s)")


def engine(folder: Path, seconds: float, default_epochs: int) -> None:
    (folder / "bench.html").write_text(BENCH_PAGE.replace("SITE_PACKAGES", site.SITE_PACKAGES))
    with serve(folder) as url, chromium() as browser:
        browser_rates = engine_in_browser(browser, url, seconds)
        page_line = through_the_page(browser, url, default_epochs)
    native = engine_native(seconds)
    for name, label in (("tutorial", "tutorial preset (XOR 2-3-1, gd)"),
                        ("default", "default experiment (circles 300, 6-6 tanh, Adam)")):
        b, n = browser_rates[name], native[name]
        print(f"{label}: in the browser {b:,.0f} epochs/s, native {n:,.0f} epochs/s: {b / n:.2f} of native "
              f"(target >= 0.20)")
    print(page_line)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3, help="cold visits to time (of each site)")
    p.add_argument("--site", type=Path, help="a built site to measure (default: this checkout's offline site)")
    p.add_argument("--against", type=Path, help="another built site, measured in the same rounds")
    p.add_argument("--app", help="build the site with the app's files from this folder")
    p.add_argument("--query", default="", help="a query string for the measured site's address (not --against's)")
    p.add_argument("--engine", action="store_true", help="also the engine's speed in the browser and on the page")
    p.add_argument("--seconds", type=float, default=3.0, help="training time per engine measurement")
    p.add_argument("--default-epochs", type=int, default=5000, help="budget of the default experiment on the page")
    a = p.parse_args(argv)
    if a.site:
        folder = a.site.resolve()
    else:
        start = time.perf_counter()
        folder = built_site(offline=True, app=a.app)
        print(f"offline site built in {time.perf_counter() - start:.1f} s (downloads cached)")
    manifest = json.loads((folder / site.MANIFEST).read_text())
    print(f"{folder}: {len(manifest['files'])} files, {manifest['total_bytes'] / 1e6:.1f} MB served")
    first_screen(folder, a.against.resolve() if a.against else None, a.runs, a.query)
    if a.engine:
        engine(folder, a.seconds, a.default_epochs)


if __name__ == "__main__":
    main()

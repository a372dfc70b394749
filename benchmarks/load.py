"""The server under a classroom: N visitors click Train at once and watch their networks learn.

    python benchmarks/load.py [--sessions 20] [--runs 5] [--query "ep=3000"] [--timeout 300]

Each visitor is a client of the page's own websocket protocol (the messages a browser sends and
receives, as protobufs), not a real browser: twenty Chromiums would swamp the two cores that the
server is being measured on. A visitor opens the page, clicks Train, and then does what the browser
does while training: it asks for a rerun of the panel every time the fragment's timer says, until the
page says the run is done. Printed per run: when each visitor finished, the intervals between its
panel redraws as they leave the server (median, p95, worst), the wait for the first redraw after
the click, and the server's peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = Path(__file__).resolve().parents[1]
FRAGMENT_DONE = ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
PAGE_DONE = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY


def start_server() -> tuple[subprocess.Popen, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the server did not start")


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Visitor:
    """One page: opens it, clicks Train, reruns the panel on the fragment's timer until it says done."""

    def __init__(self, port: int, query: str):
        self.url, self.query = f"ws://127.0.0.1:{port}/_stcore/stream", query
        self.train_id = self.fragment = None
        self.clicked = self.first_redraw = self.finished = None
        self.redraws: list[float] = []
        self.intervals_set: list[float] = []  # the fragment timer's intervals, as the page set them
        self.timer: asyncio.Task | None = None
        self.timed = False  # whether the running whole-page run set a fragment timer

    async def send(self, ws, widgets=(), fragment: str | None = None, auto: bool = False) -> None:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.widget_states.widgets.extend(widgets)
        if fragment:
            state.fragment_id, state.is_auto_rerun = fragment, auto
        await ws.send(msg.SerializeToString())

    async def tick(self, ws, interval: float, fragment: str) -> None:
        while True:  # the browser's setInterval for the fragment
            await asyncio.sleep(interval)
            await self.send(ws, fragment=fragment, auto=True)

    def read(self, raw: bytes) -> str:
        """Note what a message says; returns its kind."""
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            el = msg.delta.new_element
            if el.WhichOneof("type") == "button" and el.button.label.endswith("Train"):
                self.train_id, self.fragment = el.button.id, msg.delta.fragment_id or None
            elif el.WhichOneof("type") == "markdown" and "· done" in el.markdown.body and self.clicked:
                self.finished = time.perf_counter()
        elif kind == "script_finished" and msg.script_finished in (FRAGMENT_DONE, PAGE_DONE) and self.clicked:
            now = time.perf_counter()  # the panel was drawn, alone or with the whole page
            self.first_redraw = self.first_redraw or now
            self.redraws.append(now)
        if kind == "script_finished" and msg.script_finished == PAGE_DONE:
            if not self.timed:  # a whole-page run that set no timer: the browser drops the old one
                self._restart_timer(0, None)
            self.timed = False
        elif kind == "page_info_changed":  # the page wrote its settings into the URL, as the browser keeps it
            self.query = msg.page_info_changed.query_string
        elif kind == "auto_rerun":
            self.timed = True
            self.intervals_set.append(round(msg.auto_rerun.interval, 3))
            self._restart_timer(msg.auto_rerun.interval, msg.auto_rerun.fragment_id)
        return kind

    def _restart_timer(self, interval: float, fragment: str | None) -> None:
        if self.timer:
            self.timer.cancel()
            self.timer = None
        if interval > 0:
            self.timer = asyncio.get_running_loop().create_task(self.tick(self.ws, interval, fragment))

    async def run(self) -> None:
        async with websockets.connect(self.url, subprotocols=["streamlit"], max_size=None) as ws:
            self.ws = ws
            await self.send(ws)
            async for raw in ws:
                kind = self.read(raw)
                if kind == "script_finished" and not self.clicked and self.train_id:
                    self.clicked = time.perf_counter()
                    await self.send(ws, [WidgetState(id=self.train_id, trigger_value=True)], self.fragment)
                if self.finished:
                    break
            self._restart_timer(0, None)

    def intervals(self) -> list[float]:
        return [b - a for a, b in zip(self.redraws, self.redraws[1:])]


async def classroom(port: int, n: int, query: str, timeout: float) -> list[Visitor]:
    visitors = [Visitor(port, query) for _ in range(n)]
    tasks = [asyncio.create_task(v.run()) for v in visitors]
    await asyncio.wait(tasks, timeout=timeout)
    for t in tasks:
        t.cancel()
    return visitors


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def timers(visitors: list[Visitor]) -> str:
    """How often each timer interval was set, over all visitors: e.g. "1.0 s x 20, 1.5 s x 3"."""
    counts = Counter(t for v in visitors for t in v.intervals_set)
    return ", ".join(f"{t:g} s x {n}" for t, n in sorted(counts.items())) or "none"


def report(run: int, visitors: list[Visitor], memory: float) -> bool:
    finished = [v for v in visitors if v.finished]
    gaps = [g for v in visitors for g in v.intervals()]
    waits = [v.first_redraw - v.clicked for v in visitors if v.first_redraw and v.clicked]
    ends = sorted(v.finished - v.clicked for v in finished)
    print(f"run {run}: {len(finished)}/{len(visitors)} sessions finished"
          + (f" after {ends[0]:.1f}-{ends[-1]:.1f} s" if ends else "")
          + f"; panel redraws every {statistics.median(gaps):.2f} s (median), p95 {p95(gaps):.2f} s, "
          f"worst {max(gaps):.2f} s; first redraw after the click within {max(waits):.2f} s; timer intervals set "
          f"{timers(visitors)}; "
          f"server peak memory {memory:.0f} MB")
    return len(finished) == len(visitors) and p95(gaps) <= 1.5 and max(waits) <= 2.0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sessions", type=int, default=20)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--query", default="ep=3000", help="the experiment every visitor opens (a URL query)")
    p.add_argument("--timeout", type=float, default=300, help="seconds a run may take")
    a = p.parse_args(argv)
    ok = 0
    for run in range(1, a.runs + 1):
        proc, port = start_server()
        try:
            visitors = asyncio.run(classroom(port, a.sessions, a.query, a.timeout))
            ok += report(run, visitors, peak_memory_mb(proc.pid))
        finally:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(10)
    print(f"{ok} of {a.runs} runs met the targets (every session finishes; redraws p95 <= 1.5 s; "
          "first redraw within 2 s)")
    return 0 if ok == a.runs else 1


if __name__ == "__main__":
    sys.exit(main())

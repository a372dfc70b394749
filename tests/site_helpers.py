"""The static site (playground.site) for the tests and benchmarks: built once per process, served from
localhost, opened in Debian's chromium with every request that would leave localhost aborted and recorded."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from playground import site

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
MIME = {".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript",
        ".whl": "application/zip", ".zip": "application/zip", ".json": "application/json",
        ".py": "text/plain; charset=utf-8", ".toml": "text/plain; charset=utf-8", ".css": "text/css",
        ".html": "text/html; charset=utf-8", ".ttf": "font/ttf", ".woff": "font/woff", ".woff2": "font/woff2",
        ".svg": "image/svg+xml", ".png": "image/png"}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
BOOT_ERRORS = ("Error during booting up", "Failed to load", "ModuleNotFoundError", "Traceback")


@functools.cache
def built_site(offline: bool, app: str | None = None) -> Path:
    """The site built into a temporary folder, once per process and kind (removed at exit)."""
    out = Path(tempfile.mkdtemp(prefix=f"site-{'offline' if offline else 'online'}-")) / "site"
    import atexit

    atexit.register(shutil.rmtree, out.parent, True)
    site.build(out, offline=offline, app=app or ROOT, log=lambda *a: None)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME}

    def log_message(self, *args):  # quiet
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


@contextmanager
def serve(folder: Path):
    """Yields the http://127.0.0.1:PORT/ URL of ``folder`` served by a thread of this process."""
    handler = functools.partial(_Handler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob") or (parts.scheme in ("http", "https", "ws", "wss")
                                                  and parts.hostname in LOCAL_HOSTS)


def offline_context(browser, **kwargs):
    """A browser context where every request, the web workers' included, that would leave localhost is
    aborted; returns (context, leaks, requested): the URLs aborted, and every URL requested."""
    ctx = browser.new_context(**kwargs)
    leaks: list[str] = []
    requested: list[str] = []

    def route(r):
        url = r.request.url
        requested.append(url)
        if is_local(url):
            r.continue_()
        else:
            leaks.append(url)
            r.abort()

    ctx.route("**/*", route)
    return ctx, leaks, requested


class Console:
    """The console messages and page errors of a page (the web worker's console included)."""

    def __init__(self, page):
        self.messages: list[str] = []
        page.on("console", lambda m: self.messages.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.messages.append(f"pageerror: {e}"))
        page.context.on("weberror", lambda e: self.messages.append(f"weberror: {e.error}"))

    def errors(self) -> list[str]:
        return [m for m in self.messages if m.startswith(("error:", "pageerror:", "weberror:"))
                or any(e in m for e in BOOT_ERRORS)]


def wait_rendered(page, timeout: float = 120_000) -> float:
    """Wait until the app has drawn its first screen (title, a chart, no run under way); returns the
    seconds waited. Raises if stlite reports a boot error or the app an exception first."""
    start = time.perf_counter()
    page.wait_for_function(
        """() => document.querySelector('[data-testid=stException]')
               || document.body.innerText.includes('Error during booting up')
               || (document.querySelector('[data-testid=stVegaLiteChart] canvas')
                   && !document.querySelector('[data-testid=stStatusWidget]'))""",
        timeout=timeout, polling=100)
    seconds = time.perf_counter() - start
    exc = page.query_selector("[data-testid=stException]")
    if exc is not None:
        raise AssertionError(f"the page shows an exception: {exc.inner_text()[:2000]}")
    if "Error during booting up" in page.inner_text("body"):
        raise AssertionError(f"stlite did not boot: {page.inner_text('body')[:2000]}")
    return seconds

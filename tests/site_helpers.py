"""The static site (tools.site) for the tests and benchmarks: built once per process, served from
localhost, opened in Debian's chromium with every request that would leave localhost aborted and recorded."""

from __future__ import annotations

import functools
import http.server
import shutil
import socket
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from tools import site

ROOT = Path(__file__).resolve().parents[1]
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
    cache_control = "no-store"
    sent: list | None = None

    def log_message(self, *args):  # quiet
        pass

    def end_headers(self):
        self.send_header("Cache-Control", self.cache_control)
        super().end_headers()


    def copyfile(self, source, outputfile):
        super().copyfile(source, outputfile)
        if self.sent is not None:
            self.sent.append((self.path.split("?")[0].lstrip("/") or "index.html", source.tell()))


class _CachingHandler(_Handler):
    cache_control = "max-age=3600"  # as a static host: a second visit finds the files in the browser's cache


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):  # a page closed: no matter
            super().handle_error(request, client_address)


@contextmanager
def serve(folder: Path, cache: bool = False, sent: list | None = None):
    """Yields the http://127.0.0.1:PORT/ URL of ``folder`` served by a thread of this process (``cache``: the
    browser may keep the files, as from a static host; otherwise it may not). ``sent`` gets (path, bytes)
    for each file sent."""
    handler = functools.partial(type("Handler", (_CachingHandler if cache else _Handler,), {"sent": sent}),
                                directory=str(folder))
    server = _Server(("127.0.0.1", free_port()), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


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


# No script run under way: Streamlit's status widget ("Running...") gone, or fading out. Streamlit 1.40's page
# now and then leaves it in its fade-out for good (its class StatusWidget-exit, at opacity 0: nothing shows).
NO_RUN = """(() => { const w = document.querySelector('[data-testid=stStatusWidget]');
                    return !w || w.classList.contains('StatusWidget-exit'); })()"""


def wait_rendered(page, timeout: float = 120_000) -> float:
    """Wait until the app has drawn its first screen (the surface, no run under way, our loading screen
    gone); returns the seconds waited. Raises if stlite reports a boot error or the app an exception first."""
    start = time.perf_counter()
    page.wait_for_function(
        f"""() => document.querySelector('[data-testid=stException]')
               || document.body.innerText.includes('Error during booting up')
               || (document.querySelector('img.map') && !document.getElementById('nnp-loading') && {NO_RUN})""",
        timeout=timeout, polling=100)
    seconds = time.perf_counter() - start
    exc = page.query_selector("[data-testid=stException]")
    if exc is not None:
        raise AssertionError(f"the page shows an exception: {exc.inner_text()[:2000]}")
    if "Error during booting up" in page.inner_text("body"):
        raise AssertionError(f"stlite did not boot: {page.inner_text('body')[:2000]}")
    return seconds


# pytest and hypothesis for running the tests under Pyodide in Node: pure wheels, pinned. hypothesis
# 6.155.7 is the last pure-Python release (later ones have a compiled core).
PYTEST_WHEELS = site.pins("""
    pytest-9.2.0-py3-none-any.whl               07acdcf88ec174f907dc01af70bf52d49b014bbab03faeeade31c96b18c2e588
    pluggy-1.7.0-py3-none-any.whl               7dd7b0d8832ba3cb632c306926ded123429211b83641b35dc5c41ad2d34f9bec
    iniconfig-2.3.1-py3-none-any.whl            9121e2c1fdb355232495be3194c8dfe87ccc2d5dee45947b78e68f499790d7a7
    pygments-2.21.0-py3-none-any.whl            2363c69b61c4a97c838da3b130dcd6468f4848992b21a82f2a63ec34377137d9
    hypothesis-6.155.7-py3-none-any.whl         9f634bdb1f9e9b8ab6ba09431cf2deedb750c96978125a6fb3c5a0f6c6db4131
    sortedcontainers-2.4.0-py2.py3-none-any.whl a163dcaede0f1c021485e957a39245190e74249897e2ae4b2aa38595db237ee0
""")


# What the tests need under Pyodide besides the standard library: the engine's NumPy and the pandas some
# tests read charts with (the site itself serves NumPy in its archive, and no pandas: the page never
# imports it). The official Pyodide wheels, checked against the official lock.
PYODIDE_TEST_PACKAGES = ("numpy", "pandas")


def pytest_wheels(into: Path) -> list[Path]:
    """Writes into ``into`` the pinned test wheels (downloaded into the site cache once) and the official
    wheels of :data:`PYODIDE_TEST_PACKAGES` with their dependencies."""
    into.mkdir(parents=True, exist_ok=True)
    paths = [Path(shutil.copy(p, into)) for p in site.pypi_files(site.cache_dir(), PYTEST_WHEELS, print)]
    for name, data in site.official_wheels(site.cache_dir(), PYODIDE_TEST_PACKAGES, print).items():
        (into / name).write_bytes(data)
        paths.append(into / name)
    return paths

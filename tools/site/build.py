"""The build: the app's files, the page, and (offline) everything the page loads, each checked; then
``site-lock.json``, which lists every file served with its size, sha256 and source."""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import sys
import tarfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import Requirement

from . import fetch
from .packages import Resolver, Sources, marker_env, requirement, standin_wheel, wheel_metadata
from .page import ONLINE_FIRST_VISIT, REQUIREMENTS, index_html
from .pins import (
    MARKUPSAFE_SDIST,
    NPM_PYODIDE,
    NPM_STLITE,
    PURE_WHEELS,
    PYODIDE_CDN,
    PYODIDE_CORE,
    PYODIDE_VERSION,
    STANDINS,
    STLITE_CDN,
    STLITE_SRI,
    STLITE_VERSION,
    Pin,
)
from .util import BuildError, sha256

ROOT = fetch.ROOT
MANIFEST = "site-lock.json"
# The app: found by globbing, so new modules are picked up.
APP_GLOBS = ("streamlit_app.py", "nn_core/**/*.py", "playground/**/*.py")


@dataclass
class Site:
    out: Path
    files: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (sha256, source)

    def write(self, rel: str, data: bytes, source: str) -> None:
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.files[rel] = (sha256(data), source)

    def manifest(self, offline: bool) -> dict:
        rows = [{"path": rel, "size": (self.out / rel).stat().st_size, "sha256": h, "source": src}
                for rel, (h, src) in sorted(self.files.items())]
        return {"stlite": STLITE_VERSION, "pyodide": PYODIDE_VERSION, "offline": offline,
                "total_bytes": sum(r["size"] for r in rows), "files": rows}


def app_files(root: Path = ROOT) -> list[str]:
    """The app's files, relative to ``root``: streamlit_app.py and every module of nn_core and playground."""
    found = {p.relative_to(root).as_posix() for g in APP_GLOBS for p in root.glob(g) if p.is_file()}
    return sorted(f for f in found if "__pycache__" not in f)


def _human(n: float) -> str:
    return f"{n / 1e6:.0f} MB"


def _prepare_out(out: Path) -> None:
    if out.exists():
        if not out.is_dir() or (any(out.iterdir()) and not (out / MANIFEST).exists()):
            raise BuildError(f"{out} exists and is not a site built by this command: choose another --out")
        shutil.rmtree(out)
    out.mkdir(parents=True)


def _write_app(site: Site, root: Path) -> list[str]:
    files = app_files(root)
    if "streamlit_app.py" not in files:
        raise BuildError(f"no streamlit_app.py in {root}")
    for f in files:
        site.write(f"app/{f}", (root / f).read_bytes(), f"app: {f}")
    return files


def build(out: str | os.PathLike, offline: bool = False, cache: str | os.PathLike | None = None,
          log=print, app: str | os.PathLike = ROOT) -> dict:
    """Writes the site into ``out`` (replacing a site built there before); returns the manifest.

    The app's files come from ``app`` (this checkout unless told otherwise)."""
    start, out, app = time.perf_counter(), Path(out).resolve(), Path(app).resolve()
    if offline:
        served = offline_files(fetch.cache_dir(cache), log)  # everything checked before anything is written
    _prepare_out(out)
    site = Site(out)
    files = _write_app(site, app)
    if offline:
        for rel, (data, source) in served.items():
            site.write(rel, data, source)
        size = _human(_first_visit_bytes(site))
        site.write("index.html", index_html("stlite/", "pyodide/", files, size, app).encode(), "generated")
    else:
        page = index_html(STLITE_CDN, PYODIDE_CDN, files, ONLINE_FIRST_VISIT, app)
        site.write("index.html", page.encode(), "generated")
    manifest = site.manifest(offline)
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    log(f"{'offline' if offline else 'online'} site in {out}: {len(manifest['files'])} files, "
        f"{_human(manifest['total_bytes'])}, built in {time.perf_counter() - start:.1f} s")
    return manifest


def _first_visit_bytes(site: Site) -> int:
    """About what a first visit fetches: Pyodide and the wheels, the app, stlite's script, styles, wasm and
    wheels (not its fonts, images and the chunks of widgets the page does not use)."""
    first = ("pyodide/", "app/", "stlite/pypi/", "stlite/stlite.")
    return sum((site.out / rel).stat().st_size for rel in site.files
               if rel.startswith(first) or (rel.startswith("stlite/") and rel.endswith(".wasm")))


Served = dict[str, tuple[bytes, str]]  # path in the site -> (bytes, source)


def stlite_files(cache: Path, log) -> Served:
    """stlite's build folder, without source maps, byte for byte from the pinned npm package."""
    spec, pin = NPM_STLITE
    served = {}
    with tarfile.open(fetch.npm_tarball(cache, spec, pin, log)) as tar:
        for m in tar.getmembers():
            if m.isfile() and m.name.startswith("package/build/") and not m.name.endswith(".map"):
                rel = "stlite/" + m.name.removeprefix("package/build/")
                served[rel] = (tar.extractfile(m).read(), f"npm {spec}: {m.name.removeprefix('package/')}")
    for name, sri in STLITE_SRI.items():  # the online page's integrity pins are this very package's files
        got = "sha384-" + base64.b64encode(hashlib.sha384(served[f"stlite/{name}"][0]).digest()).decode()
        if got != sri:
            raise BuildError(f"{name} of npm {spec} has the integrity {got}, not the pinned {sri} (STLITE_SRI)")
    return served


def pyodide_core(cache: Path, log) -> tuple[Served, dict]:
    """Pyodide's core files, byte for byte from the pinned npm package, and its official lock."""
    spec, pin = NPM_PYODIDE
    with tarfile.open(fetch.npm_tarball(cache, spec, pin, log)) as tar:
        core = {n: tar.extractfile(f"package/{n}").read() for n in (*PYODIDE_CORE, "pyodide-lock.json")}
    served = {f"pyodide/{n}": (core[n], f"npm {spec}: {n}") for n in PYODIDE_CORE}
    return served, json.loads(core["pyodide-lock.json"])


def sources(cache: Path, official: dict, log) -> Sources:
    """Where each package can come from: stand-ins, the pinned pure wheels, the official files."""
    pure = {}
    for p in fetch.pypi_files(cache, PURE_WHEELS, log):
        pure[Pin(p.name, "").name] = (p.name, p.read_bytes(), f"PyPI {Pin(p.name, '').requirement} (sha256 pinned)")
    name, data = fetch.markupsafe_wheel(cache, log)
    pure["markupsafe"] = (name, data, f"made from PyPI {MARKUPSAFE_SDIST.file_name} (sha256 pinned) by tools.site, "
                                      f"byte-reproducibly (sha256 pinned)")
    standins = {}
    for module in sorted(STANDINS.glob("*.py")):
        name, data = standin_wheel(module)
        where = module.relative_to(ROOT).as_posix() if module.is_relative_to(ROOT) else module.as_posix()
        standins[Pin(name, "").name] = (name, data, f"stand-in {where}")
    return Sources(official, zipfile.ZipFile(fetch.provisa_wheel(cache, log)), pure, standins)


def resolve(src: Sources, stlite_wheels: list[bytes], log) -> Resolver:
    """Everything stlite installs: micropip, the app's requirements, Streamlit's and stlite_lib's."""
    info = src.official["info"]
    resolver = Resolver(src, marker_env(info["python"], info["platform"]))
    resolver.add(requirement("micropip"), "stlite")  # stlite installs everything with micropip
    for r in REQUIREMENTS:
        resolver.add(requirement(r), "the app")
    for data in stlite_wheels:  # Streamlit 1.40.1 and stlite_lib, from stlite's build
        name, _, requires, _ = wheel_metadata(data)
        for r in requires:
            resolver.add(Requirement(r), name)
    unused = sorted(set(src.pure) - set(resolver.packages))
    if unused:
        log(f"  not served (not needed): {', '.join(unused)}")
    log(f"  packages: {', '.join(sorted(resolver.packages))}")
    return resolver


def offline_files(cache: Path, log) -> Served:
    """Every file the offline site serves besides the app and index.html, each checked. Downloads into
    ``cache`` what is not there yet."""
    log(f"offline build: cache {cache}")
    served = stlite_files(cache, log)
    core, official = pyodide_core(cache, log)
    served.update(core)
    stlite_wheels = [data for rel, (data, _) in sorted(served.items()) if rel.startswith("stlite/pypi/")]
    resolver = resolve(sources(cache, official, log), stlite_wheels, log)
    for file_name, (data, source) in resolver.files.items():
        served[f"pyodide/{file_name}"] = (data, source)
    lock = {"info": official["info"], "packages": dict(sorted(resolver.packages.items()))}
    served["pyodide/pyodide-lock.json"] = (
        (json.dumps(lock, indent=1, sort_keys=True) + "\n").encode(),
        f"generated: the official entries of npm {NPM_PYODIDE[0]}'s pyodide-lock.json for what is served, "
        f"and entries for the pure wheels and stand-ins added")
    return served


def main(argv: list[str] | None = None) -> int:
    from . import __doc__ as doc

    p = argparse.ArgumentParser(prog="python -m tools.site", description=doc.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="\n".join(doc.splitlines()[2:5]))
    p.add_argument("--out", required=True, help="the folder to write the site into (replaced if a site is there)")
    p.add_argument("--offline", action="store_true", help="serve stlite, Pyodide and the wheels from the site")
    p.add_argument("--cache", help=f"download cache (default ${fetch.CACHE_ENV} or "
                                   f"{fetch.DEFAULT_CACHE.relative_to(ROOT)})")
    p.add_argument("--app", default=ROOT, help="take the app's files from this folder (default: this checkout)")
    a = p.parse_args(argv)
    try:
        build(a.out, a.offline, a.cache, app=a.app)
    except BuildError as e:
        print(f"site build stopped: {e}", file=sys.stderr)
        return 1
    return 0

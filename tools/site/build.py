"""The build: the page, Pyodide with its standard library compiled, micropip, all the packages in one
archive and the app in another, each file checked (offline, stlite's build too); then ``site-lock.json``,
which lists every file served with its size, sha256 and source."""

from __future__ import annotations

import argparse
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
from .bundle import HOME, SITE_PACKAGES, Tree, rewrite_wheel, stdlib_tree, wheel_files, zip_bytes
from .compile import precompile
from .packages import Resolver, Sources, marker_env, requirement, standin_wheel, wheel_metadata
from .page import REQUIREMENTS, STREAMLIT_CONFIG, index_html, sri
from .pins import (
    MARKUPSAFE_SDIST,
    NPM_PYODIDE,
    NPM_STLITE,
    PURE_WHEELS,
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
# Loaded by stlite itself (pyodide.loadPackage), so served as wheels listed in the lock, not in the archive.
LOCKED = ("micropip", "packaging")
ARCHIVES = {"bundle/site-packages.zip": SITE_PACKAGES, "bundle/app.zip": HOME}  # unpacked there, in this order
# What of a package nothing runs: typing stubs, C headers and sources, static libraries, Cython declarations
# (NumPy's are 1 MB); left out of the archive.
NOT_RUN = (".pyi", ".h", ".c", ".cpp", ".a", ".pxd", ".pyx")


@dataclass
class Served:
    """Files for the site: {path: bytes}, each with where it comes from (and, for an archive or a file the
    build rewrote, the checked files it was made of)."""

    data: dict[str, bytes] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    parts: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, rel: str, data: bytes, source: str, parts: list[dict] | None = None) -> None:
        self.data[rel], self.sources[rel] = data, source
        if parts is not None:
            self.parts[rel] = parts

    def update(self, other: Served) -> None:
        self.data.update(other.data)
        self.sources.update(other.sources)
        self.parts.update(other.parts)


def part(file_name: str, data: bytes, source: str) -> dict:
    return {"file": file_name, "sha256": sha256(data), "source": source}


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


def build(out: str | os.PathLike, offline: bool = False, cache: str | os.PathLike | None = None,
          log=print, app: str | os.PathLike = ROOT) -> dict:
    """Writes the site into ``out`` (replacing a site built there before); returns the manifest.

    The app's files come from ``app`` (this checkout unless told otherwise)."""
    start, out, app = time.perf_counter(), Path(out).resolve(), Path(app).resolve()
    served, stlite = site_files(fetch.cache_dir(cache), app, offline, log)  # all checked before anything is written
    _prepare_out(out)
    page = index_html("stlite/" if offline else STLITE_CDN, "pyodide/", ARCHIVES, {**stlite.data, **served.data},
                      app / STREAMLIT_CONFIG)
    served.add("index.html", page.encode(), "generated")
    for rel, data in served.data.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    manifest = _manifest(served, offline)
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    log(f"{'offline' if offline else 'online'} site in {out}: {len(manifest['files'])} files, "
        f"{_human(manifest['total_bytes'])}, built in {time.perf_counter() - start:.1f} s")
    return manifest


def _manifest(served: Served, offline: bool) -> dict:
    rows = []
    for rel in sorted(served.data):
        row = {"path": rel, "size": len(served.data[rel]), "sha256": sha256(served.data[rel]),
               "source": served.sources[rel]}
        rows.append({**row, "parts": served.parts[rel]} if rel in served.parts else row)
    return {"stlite": STLITE_VERSION, "pyodide": PYODIDE_VERSION, "offline": offline,
            "stlite_from": "stlite/" if offline else STLITE_CDN,
            "total_bytes": sum(r["size"] for r in rows), "files": rows}


def stlite_files(cache: Path, log) -> Served:
    """stlite's build folder, without source maps, byte for byte from the pinned npm package."""
    spec, pin = NPM_STLITE
    served = Served()
    with tarfile.open(fetch.npm_tarball(cache, spec, pin, log)) as tar:
        for m in tar.getmembers():
            if m.isfile() and m.name.startswith("package/build/") and not m.name.endswith(".map"):
                rel = "stlite/" + m.name.removeprefix("package/build/")
                served.add(rel, tar.extractfile(m).read(), f"npm {spec}: {m.name.removeprefix('package/')}")
    for name, pinned in STLITE_SRI.items():  # the online page's integrity pins are this very package's files
        if sri(served.data[f"stlite/{name}"]) != pinned:
            raise BuildError(f"{name} of npm {spec} has the integrity {sri(served.data[f'stlite/{name}'])}, not "
                             f"the pinned {pinned} (STLITE_SRI)")
    return served


def pyodide_core(cache: Path, log) -> tuple[dict[str, bytes], dict]:
    """Pyodide's core files ({name: bytes}), byte for byte from the pinned npm package, and its official lock."""
    spec, pin = NPM_PYODIDE
    with tarfile.open(fetch.npm_tarball(cache, spec, pin, log)) as tar:
        core = {n: tar.extractfile(f"package/{n}").read() for n in (*PYODIDE_CORE, "pyodide-lock.json")}
    return core, json.loads(core["pyodide-lock.json"])


def sources(cache: Path, official: dict, log) -> Sources:
    """Where each package can come from: stand-ins, the pinned pure wheels (downloaded, or for MarkupSafe
    made, only if needed), the official files."""
    def pinned(pin: Pin):
        def get() -> tuple[str, bytes, str]:
            (p,) = fetch.pypi_files(cache, [pin], log)
            return p.name, p.read_bytes(), f"PyPI {pin.requirement} (sha256 pinned)"
        return get

    def markupsafe() -> tuple[str, bytes, str]:
        name, data = fetch.markupsafe_wheel(cache, log)
        return name, data, (f"made from PyPI {MARKUPSAFE_SDIST.file_name} (sha256 pinned) by tools.site, "
                            f"byte-reproducibly (sha256 pinned)")

    pure = {pin.name: pinned(pin) for pin in PURE_WHEELS} | {"markupsafe": markupsafe}
    versions = {p.name: p.requirement.split("==")[1] for p in PURE_WHEELS}
    standins = {}
    for dist, tops in STANDINS.items():
        version = versions.get(dist) or official["packages"][dist]["version"]
        file_name, wheel = standin_wheel(dist, version, tops)
        standins[dist] = (file_name, wheel, "stand-in: tools/site/standins/standin.py (the page never imports it)")
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
    log(f"  packages: {', '.join(sorted(resolver.packages))}")
    return resolver


def trees(resolver: Resolver, stlite: Served, core: dict[str, bytes], app: Path) -> dict[str, Tree]:
    """The files the build rewrites with their bytecode, by their path in the site: the standard library,
    micropip and packaging (wheels in the lock), the packages' archive (stlite_lib's bytecode in it too:
    stlite installs its sources) and the app's archive (its sources kept beside their bytecode)."""
    found = {"pyodide/python_stdlib.zip": stdlib_tree(core["python_stdlib.zip"])}
    packages = Tree(SITE_PACKAGES)
    for name, entry in sorted(resolver.packages.items()):
        files = wheel_files(resolver.files[entry["file_name"]][0])
        if name in LOCKED:
            found[f"pyodide/{entry['file_name']}"] = Tree(SITE_PACKAGES, files)
        else:
            packages.add({n: d for n, d in files.items() if not n.endswith(NOT_RUN)})
    lib = {n: d for rel, data in stlite.data.items() if rel.startswith("stlite/pypi/stlite_lib-")
           for n, d in wheel_files(data).items() if n.endswith(".py")}
    packages.add(lib)
    packages.only_bytecode |= set(lib)
    found["bundle/site-packages.zip"] = packages
    files = app_files(app)
    if "streamlit_app.py" not in files:
        raise BuildError(f"no streamlit_app.py in {app}")
    found["bundle/app.zip"] = Tree(HOME)
    found["bundle/app.zip"].add({f: (app / f).read_bytes() for f in files}, keep_source=True)
    if (app / STREAMLIT_CONFIG).exists():
        found["bundle/app.zip"].add({STREAMLIT_CONFIG: (app / STREAMLIT_CONFIG).read_bytes()})
    return found


def _parts(rel: str, resolver: Resolver, stlite: Served, core: dict[str, bytes], tree: Tree) -> list[dict]:
    """The checked files ``rel`` is made of."""
    spec = NPM_PYODIDE[0]
    if rel == "pyodide/python_stdlib.zip":
        return [part("python_stdlib.zip", core["python_stdlib.zip"], f"npm {spec}: python_stdlib.zip")]
    if rel == "bundle/app.zip":
        return [part(n, d, f"app: {n}") for n, d in sorted(tree.files.items())]
    wheels = [(f, *resolver.files[f]) for f in sorted(resolver.files)]
    if rel.endswith(".whl"):
        return [part(f, d, s) for f, d, s in wheels if f == rel.removeprefix("pyodide/")]
    lib = [(r.removeprefix("stlite/pypi/"), stlite.data[r], stlite.sources[r]) for r in sorted(stlite.data)
           if r.startswith("stlite/pypi/stlite_lib-")]
    return [part(f, d, s) for f, d, s in wheels + lib if not f.startswith(LOCKED)]


SOURCES = {
    "pyodide/python_stdlib.zip": "npm pyodide's python_stdlib.zip, its modules as bytecode only",
    "bundle/site-packages.zip": "generated: every package the page needs (stlite_lib's bytecode only: stlite "
                                "installs its sources), modules as bytecode only, unpacked into " + SITE_PACKAGES,
    "bundle/app.zip": "generated: the app's files, each beside its bytecode, and " + STREAMLIT_CONFIG +
                      ", unpacked into " + HOME,
}


def site_files(cache: Path, app: Path, offline: bool, log) -> tuple[Served, Served]:
    """Every file the site serves besides index.html, each checked or made from checked files, and stlite's
    build (served too when ``offline``). Downloads into ``cache`` what is not there yet."""
    log(f"{'offline' if offline else 'online'} build: cache {cache}")
    stlite = stlite_files(cache, log)
    core, official = pyodide_core(cache, log)
    resolver = resolve(sources(cache, official, log), [d for r, d in sorted(stlite.data.items())
                                                       if r.startswith("stlite/pypi/")], log)
    found = trees(resolver, stlite, core, app)
    pycs = precompile(core, {k: v for rel, t in found.items() for k, v in t.python(rel + ":").items()}, log)
    served = Served()
    for name in PYODIDE_CORE:
        if f"pyodide/{name}" not in found:
            served.add(f"pyodide/{name}", core[name], f"npm {NPM_PYODIDE[0]}: {name}")
    for rel, tree in found.items():
        files = tree.compiled(rel + ":", pycs)
        data = rewrite_wheel(files) if rel.endswith(".whl") else zip_bytes(files)
        source = SOURCES.get(rel, "the official wheel, its modules as bytecode only")
        served.add(rel, data, f"{source} (compiled by Pyodide's Python)", _parts(rel, resolver, stlite, core, tree))
    lock = {"info": official["info"], "packages": {n: {**resolver.packages[n], "sha256": sha256(
        served.data["pyodide/" + resolver.packages[n]["file_name"]])} for n in LOCKED}}
    served.add("pyodide/pyodide-lock.json", (json.dumps(lock, indent=1, sort_keys=True) + "\n").encode(),
               f"generated: the official entries of npm {NPM_PYODIDE[0]}'s pyodide-lock.json for "
               f"{' and '.join(LOCKED)}, with the sha256 of the wheels served")
    if offline:
        served.update(stlite)
    return served, stlite


def main(argv: list[str] | None = None) -> int:
    from . import __doc__ as doc

    p = argparse.ArgumentParser(prog="python -m tools.site", description=doc.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="\n".join(doc.splitlines()[2:5]))
    p.add_argument("--out", required=True, help="the folder to write the site into (replaced if a site is there)")
    p.add_argument("--offline", action="store_true", help="serve stlite too: the site then needs no network")
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


def official_wheels(cache: Path, names: tuple[str, ...], log) -> dict[str, bytes]:
    """The official Pyodide wheels of ``names`` and of their dependencies ({file name: bytes}), each checked
    against the official lock: for running the project's tests under Pyodide (numpy, pandas)."""
    _, official = pyodide_core(cache, log)
    src = Sources(official, zipfile.ZipFile(fetch.provisa_wheel(cache, log)), {}, {})
    found, todo = {}, [requirement(n).name for n in names]
    while todo:
        entry = official["packages"][todo.pop()]
        if entry["file_name"] not in found:
            found[entry["file_name"]] = src.official_file(entry)
            todo += entry["depends"]
    return found

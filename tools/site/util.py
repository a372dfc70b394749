"""What every step of the site build shares: its error, hashing, and running a command."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path


class BuildError(Exception):
    """The build stopped: the message says why and what to do."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def checked(path: Path, expected: str, what: str) -> Path:
    """``path`` if its sha256 is ``expected``; stops the build otherwise."""
    got = file_sha256(path)
    if got != expected:
        raise BuildError(f"sha256 mismatch for {what} ({path}): expected {expected}, got {got}. "
                         f"The cached file is damaged or not the pinned one: delete it and build again.")
    return path


def run(cmd: list[str], what: str, cwd: Path | None = None, env: dict | None = None) -> str:
    """Runs ``cmd``; its output, or a BuildError that says what failed (or what is missing)."""
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    except FileNotFoundError as e:
        raise BuildError(f"{what}: {cmd[0]} is missing ({e}). The site build needs node and npm "
                         f"(apt-get install -y nodejs npm) and pip.") from e
    if p.returncode != 0:
        raise BuildError(f"{what} failed ({' '.join(cmd)}):\n{p.stdout[-2000:]}{p.stderr[-2000:]}")
    return p.stdout

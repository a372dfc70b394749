"""Python sources compiled to bytecode once, at build time, by Pyodide's own Python (in Node): in the browser
Python then reads the bytecode instead of compiling each module as it imports it (Pyodide writes no
``.pyc`` of its own). Each ``.pyc`` is hash-based and unchecked: Python uses it without reading the source,
and its code objects name the file's path in the browser (tracebacks of the app, whose sources stay beside
their bytecode, keep their lines)."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

from . import util
from .pins import PYC_MAGIC
from .util import BuildError

HERE = Path(__file__).resolve().parent
_done: dict[str, dict[str, bytes]] = {}  # digest of a job -> its result, for builds in the same process


def _digest(core: dict[str, bytes], sources: dict[str, tuple[bytes, str]]) -> str:
    h = hashlib.sha256()
    for name in sorted(core):
        h.update(name.encode() + b"\0" + hashlib.sha256(core[name]).digest())
    for key in sorted(sources):
        data, shown = sources[key]
        h.update(f"{key}\0{shown}\0".encode() + hashlib.sha256(data).digest())
    return h.hexdigest()


def precompile(core: dict[str, bytes], sources: dict[str, tuple[bytes, str]], log) -> dict[str, bytes]:
    """{key: .pyc bytes} for ``sources`` ({key: (Python source, path shown in tracebacks)}), compiled by the
    Pyodide whose core files ``core`` holds ({"pyodide.mjs": bytes, ...}). A source that does not compile
    (a Python 2 file in a package, say) is left out: it is served as it is."""
    digest = _digest(core, sources)
    if digest not in _done:
        _done[digest] = _run(core, sources, log)
    return _done[digest]


def _run(core: dict[str, bytes], sources: dict[str, tuple[bytes, str]], log) -> dict[str, bytes]:
    log(f"  compiling {len(sources)} Python files with Pyodide's Python (node)")
    with tempfile.TemporaryDirectory(prefix="site-compile-") as tmp:
        root = Path(tmp)
        for name, data in core.items():
            (root / "pyodide" / name).parent.mkdir(parents=True, exist_ok=True)
            (root / "pyodide" / name).write_bytes(data)
        jobs, keys = [], {}
        for i, (key, (data, shown)) in enumerate(sorted(sources.items())):
            src = root / "job" / "src" / f"{i}.py"
            src.parent.mkdir(parents=True, exist_ok=True)
            src.write_bytes(data)
            jobs.append([f"src/{i}.py", f"out/{i}.pyc", shown])
            keys[f"src/{i}.py"] = key
        (root / "job" / "jobs.json").write_text(json.dumps(jobs))
        out = util.run(["node", str(HERE / "compile.mjs"), str(root / "pyodide"), str(root / "job")],
                       "compiling with Pyodide's Python")
        result = json.loads(out.strip().splitlines()[-1])
        if result["magic"] != PYC_MAGIC:
            raise BuildError(f"Pyodide's Python writes bytecode {result['magic']}, not {PYC_MAGIC} (PYC_MAGIC)")
        if result["failed"]:
            log(f"  left as source (does not compile): {', '.join(sorted(keys[k] for k in result['failed']))}")
        return {keys[src]: (root / "job" / target).read_bytes() for src, target, _ in jobs
                if src not in result["failed"]}

"""The engine's and the page logic's tests under Pyodide 0.27.7 in Node, as a visitor's browser runs them.

Every test file runs there except those that need Streamlit or a browser (found from their imports) and the
tests marked ``browser`` or ``pyodide``. Pyodide is the offline site's (its standard library as the site's
bytecode); numpy and pandas are the official Pyodide wheels, checked by the build; pytest and hypothesis are
pinned pure wheels.
"""

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from site_helpers import ROOT, built_site, pytest_wheels

pytestmark = pytest.mark.pyodide
RUNNER = ROOT / "tests" / "site" / "run_pytest.mjs"
NOT_IN_PYODIDE = {"streamlit", "playwright", "site_helpers"}  # modules that need a server, a browser, processes


def _module_file(name: str) -> Path | None:
    for base in (ROOT, ROOT / "tests"):
        for f in (base / (name.replace(".", "/") + ".py"), base / name.replace(".", "/") / "__init__.py"):
            if f.is_file():
                return f
    return None


def needs_more_than_pyodide(path: Path, seen: set | None = None) -> bool:
    """Whether ``path`` imports, itself or through this project's modules, one of NOT_IN_PYODIDE."""
    seen = set() if seen is None else seen
    if path in seen:
        return False
    seen.add(path)
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    for name in names:
        if name.split(".")[0] in NOT_IN_PYODIDE:
            return True
        f = _module_file(name)
        if f is not None and needs_more_than_pyodide(f, seen):
            return True
    return False


def pyodide_test_files() -> list[str]:
    return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "tests").glob("test_*.py")
                  if not needs_more_than_pyodide(p))


def test_engine_and_page_logic_pass_under_pyodide(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: apt-get install -y nodejs npm (.ci/run does it)")
    files = pyodide_test_files()
    assert "tests/test_training.py" in files and "tests/test_app.py" not in files
    pytest_wheels(tmp_path / "wheels")
    cmd = [node, "--stack-size=4000", str(RUNNER), str(built_site(offline=True) / "pyodide"), str(tmp_path / "wheels"),
           str(ROOT), *files, "-m", "not browser and not pyodide", "--capture=sys", "-p", "no:cacheprovider",
           "-q", "-rfE", "--color=no"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
    out = p.stdout + p.stderr
    (ROOT / "artifacts").mkdir(exist_ok=True)
    (ROOT / "artifacts" / "pyodide-pytest.log").write_text(out)
    summary = [line for line in out.splitlines() if re.search(r"\d+ (passed|failed|error)", line)]
    assert p.returncode == 0, f"under Pyodide: {summary[-1:] or out[-3000:]}\n" + "\n".join(
        line for line in out.splitlines() if line.startswith(("FAILED", "ERROR")))
    assert summary and " passed" in summary[-1] and "failed" not in summary[-1]

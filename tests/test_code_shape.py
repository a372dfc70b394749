"""The engine, the page's glue and the site builder stay readable in one sitting: no function over 40 lines, no
class over 200."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIMITS = {ast.FunctionDef: 40, ast.AsyncFunctionDef: 40, ast.ClassDef: 200}
ENGINE = sorted((ROOT / "nn_core").glob("*.py"))
PAGE = [ROOT / "streamlit_app.py", *sorted((ROOT / "playground").glob("*.py"))]
BUILDER = sorted((ROOT / "tools").rglob("*.py"))


def sizes(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if type(node) in LIMITS:
            yield node.name, node.end_lineno - node.lineno + 1, LIMITS[type(node)]


@pytest.mark.parametrize("path", ENGINE + PAGE + BUILDER, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_functions_and_classes_are_short(path):
    too_long = [f"{name}: {n} lines (at most {limit})" for name, n, limit in sizes(path) if n > limit]
    assert not too_long, too_long

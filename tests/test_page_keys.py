"""Every key the page keeps in st.session_state is declared once, in playground/keys.py: no other module of
the page writes one as a string (a typo there would keep a value under another name, silently)."""

import ast
from pathlib import Path

import pytest

from playground import keys

ROOT = Path(__file__).resolve().parents[1]
PAGE = [ROOT / "streamlit_app.py", *sorted(p for p in (ROOT / "playground").glob("*.py")
                                          if p.name not in ("keys.py", "site.py"))]


def _is_text(node) -> bool:
    return isinstance(node, ast.JoinedStr) or isinstance(node, ast.Constant) and isinstance(node.value, str)


def _state_names(tree) -> set[str]:
    """``st.session_state`` and the local names given it (``state = st.session_state``)."""
    names = {"st.session_state"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and ast.unparse(node.value).endswith("session_state"):
            names |= {ast.unparse(t) for t in node.targets}
    return names


def keys_written_as_text(source: str) -> list[str]:
    """Each place in ``source`` where a session-state key is a string: a subscript, ``get``/``pop``/
    ``setdefault``/``update``, an ``in`` test of the session state, or a widget's ``key=``."""
    tree = ast.parse(source)
    state = _state_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and ast.unparse(node.value) in state and _is_text(node.slice):
            found.append(ast.unparse(node))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                ast.unparse(node.func.value) in state:
            dicts = [a for a in node.args if isinstance(a, ast.Dict)]
            if any(_is_text(a) for a in node.args[:1]) or node.keywords or \
                    any(_is_text(k) for d in dicts for k in d.keys if k is not None):
                found.append(ast.unparse(node))
        elif isinstance(node, ast.Compare) and _is_text(node.left) and \
                any(ast.unparse(c) in state for c in node.comparators):
            found.append(ast.unparse(node))
        elif isinstance(node, ast.Call):
            found += [ast.unparse(node) for k in node.keywords if k.arg == "key" and _is_text(k.value)]
    return found


@pytest.mark.parametrize("path", PAGE, ids=lambda p: p.name)
def test_no_session_state_key_is_written_as_a_string(path):
    found = keys_written_as_text(path.read_text(encoding="utf-8"))
    assert not found, f"declare these keys in playground/keys.py: {found}"


def test_the_check_finds_each_way_of_writing_a_key():
    written = ['st.session_state["a"] = 1', 'st.session_state.get("a")', 'st.session_state.pop(f"w_{i}", None)',
               "st.session_state.update(a=1)", 'st.session_state.update({"a": 1})', '"a" in st.session_state',
               'state = st.session_state\nstate["a"]', 'st.button("Go", key="go")']
    assert all(keys_written_as_text(s) for s in written)
    declared = ["st.session_state[keys.A] = 1", "st.session_state.get(keys.A)", "st.session_state.update({keys.A: 1})",
                "keys.A in st.session_state", 'st.button("Go", key=keys.GO)', 'other["a"]']
    assert not any(keys_written_as_text(s) for s in declared)


def test_the_declared_keys_are_distinct():
    declared = [v for k, v in vars(keys).items() if k.isupper() and isinstance(v, str)]
    layer_keys = [f(i) for f in (keys.width_key, keys.activation_key) for i in range(8)]
    kept = [keys.kept_key(k) for k in keys.KEPT]
    every = declared + layer_keys + kept
    assert len(every) == len(set(every)), sorted(k for k in every if every.count(k) > 1)
    assert set(keys.KEPT) <= set(declared)
    assert keys.written_back([keys.LAYERS, keys.HIDE, keys.MODEL_UPLOAD, keys.SESSION, keys.setting_key("lr")]) == [
        keys.LAYERS, keys.HIDE, keys.setting_key("lr")]  # a file uploader's value cannot be written back

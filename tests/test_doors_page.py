"""The page's doors (issue 17): a link, run A's pin=, the formula box; one clear message each, the last good
experiment and its link kept, nothing raising afterwards; and every message box escaped through one helper."""

from __future__ import annotations

import ast
import re

import pytest
from test_doors import GRID_ONLY

from apptest_helpers import ROOT, no_errors, plain, run_app, session, surface, widget
from nn_core import Config
from nn_core.export import script
from playground.messages import KINDS, markdown
from playground.url import PINNED_KEY


def query(at) -> dict:
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}


@pytest.mark.parametrize("text", GRID_ONLY)
def test_a_link_with_such_a_formula_opens_with_one_warning(text):
    at = run_app({"ds": "formula", "fx": text})
    no_errors(at)
    assert len(at.warning) == 1 and "fx=" in plain(at.warning[0].value)
    assert session(at).config.formula != text and surface(at)
    at.button(key="step100").click().run()  # and it goes on working
    no_errors(at)
    assert session(at).epoch == 100


def test_run_a_with_such_a_formula_is_named():
    at = run_app({"ds": "formula", PINNED_KEY: f"fx={GRID_ONLY[0]}&at=10"})
    no_errors(at)
    assert "pin.fx=" in plain(at.warning[0].value)


def test_the_formula_box_refuses_it_and_keeps_the_last_experiment_and_its_link():
    at = run_app({"ds": "formula", "n": "100"})
    before, link = session(at).config, query(at)
    widget(at, "text", "w_formula").set_value(GRID_ONLY[0]).run()
    assert not at.exception and any("formula" in plain(e.value) for e in at.error)
    assert session(at).config == before and query(at) == link
    # nothing keeps raising: the export view and +100 work on the last good experiment
    at.button(key="step100").click().run()
    assert not at.exception and session(at).epoch == 100 and session(at).config == before
    widget(at, "pills", "explore").set_value("Export script").run()
    assert not at.exception and at.code[0].value == script(before).rstrip("\n")


def test_no_part_of_the_page_shows_a_message_box_but_through_the_helper():
    """Every error, warning, notice, success and toast goes through playground.messages.say, which escapes
    what it quotes: a call such as st.error(...) or column.warning(...) anywhere else fails this test."""
    files = [ROOT / "streamlit_app.py", *sorted((ROOT / "playground").glob("*.py"))]
    direct = [f"{f.name}:{node.lineno} .{node.func.attr}(...)" for f in files if f.name != "messages.py"
              for node in ast.walk(ast.parse(f.read_text(encoding="utf-8")))
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in KINDS
              and not (isinstance(node.func.value, ast.Name) and node.func.value.id in ("logging", "log"))]
    assert not direct, direct


@pytest.mark.parametrize("payload", ["![t](http://127.0.0.1:9/t.png)", "[click](http://127.0.0.1:9/)",
                                     "<img src=x onerror=alert(1)>", "$x$ **y** :red[z] `c`"])
def test_a_message_quotes_markdown_as_text(payload):
    written = markdown(f"Could not use {payload}.json: unknown dataset {payload!r}", lead="**Hint:**")
    assert written.startswith("**Hint:** ") and plain(written[len("**Hint:** "):]) == (
        f"Could not use {payload}.json: unknown dataset {payload!r}")
    unescaped = re.sub(r"\\.", "", written[len("**Hint:** "):])  # what is left once every escaped character goes
    assert not set(unescaped) & set("[]()<>!$*`:\\"), unescaped


def test_a_model_file_value_reaches_the_page_escaped():
    """A model file's values are quoted by the loader's refusal; the page shows it through the helper."""
    from nn_core import ModelFileError, build, dumps, parse_model

    exp = build(Config(dataset="xor", hidden=(2,)))
    doc = dumps(exp.network, {**exp.config.to_dict(), "dataset": "![t](http://127.0.0.1:9/t.png)"})
    with pytest.raises(ModelFileError) as refusal:
        parse_model(doc)
    shown = markdown(f"Could not use ![t](x).json: {refusal.value}")
    assert "![t](" not in shown and "](" not in shown and "![t](http://127.0.0.1:9/t.png)" in plain(shown)


def test_a_loss_spike_is_said_once_on_the_page():
    """Issue 17: this run jumped from 0.702 to 2.36e5 at epoch 1 and recovered, and nothing was said."""
    from playground.url import config_to_query

    spiky = Config(dataset="checkerboard", samples=200, hidden=(8, 4, 8), activations=("softplus",), seed=23,
                   lr=10.0)
    at = run_app(config_to_query(spiky))
    no_errors(at)
    assert not at.warning
    at.button(key="step100").click().run()
    assert not at.exception and session(at).exp.trainer.divergence is None
    spikes = [plain(w.value) for w in at.warning if "jumped" in plain(w.value)]
    assert len(spikes) == 1 and "epoch 1," in spikes[0] and "lower learning rate" in spikes[0], spikes

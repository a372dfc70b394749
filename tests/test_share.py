"""The teacher's link through streamlit.testing.v1.AppTest: the view options and hide= in the URL, hidden
controls that keep their values, the share section, and the one capped warning about a link's values."""

import ast
from types import SimpleNamespace

import pytest

from apptest_helpers import ROOT, no_errors, plain, run_app, session, widget
from nn_core import SETTINGS
from playground import controls, panel
from playground.copy_link import copy_html
from playground.keys import HIDE
from playground.share import HIDEABLE
from playground.url import MAX_WARNINGS, SHOW_TEST, VIEW_DEFAULT, VIEW_OPTIONS, config_to_query
from test_settings import base_for

SIDEBAR_KINDS = ("selectbox", "slider", "number_input", "toggle", "button", "multiselect", "file_uploader",
                 "text_input", "radio", "select_slider")


def query(at) -> dict[str, str]:
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def sidebar_keys(at) -> set[str]:
    """The keys of every widget drawn in the sidebar."""
    keys = set()
    for kind in SIDEBAR_KINDS:
        keys |= {w.key for w in at.sidebar.get(kind) if w.key}
    return keys | {w.key for w in at.sidebar.get("button_group") if w.key}  # pills before Streamlit 1.41


def setting_keys(s, at) -> set[str]:
    """The widgets a setting draws: its own, or the layer editor's."""
    n = session(at).config.hidden
    if s.widget_kind == "layers":
        return {"add_layer", "remove_layer", *(f"w_width_{i}" for i in range(len(n)))}
    if s.widget_kind == "layer_activations":
        return {"w_same_act", "w_act_all"}
    if s.widget_kind == "points":  # the upload (the pad and its tools are in the main area)
        return {"csv_upload"}
    return {f"w_{s.name}"}


# ---------------------------------------------------------------- view options
def test_view_options_round_trip_through_the_url():
    at = run_app()
    q = query(at)
    assert [q[k] for k in VIEW_OPTIONS.values()] == ["1" if o in VIEW_DEFAULT else "0" for o in VIEW_OPTIONS]
    at = run_app({"log": "1", "test": "0", "disc": "1"})
    no_errors(at)
    assert at.session_state["view"] == ["Discretize output", "Log scale"]
    assert (query(at)["disc"], query(at)["test"], query(at)["log"]) == ("1", "0", "1")
    widget(at, "pills", "view").set_value(["Show test data"]).run()  # the visitor changes them
    no_errors(at)
    assert (query(at)["disc"], query(at)["test"], query(at)["log"]) == ("0", "1", "0")
    again = run_app(query(at))
    assert again.session_state["view"] == ["Show test data"] and session(again).config == session(at).config


def test_view_changed_writes_the_url_from_the_fragment(monkeypatch):
    """The pills live in the main area's fragment, whose reruns do not run the page: the callback itself
    writes the URL (every setting, the new view options, and hide=)."""
    written = {}
    state = {"session": session(run_app({"ds": "moons", "lr": "0.2"})), "view": ["Log scale"], HIDE: ["lr"],
             "speed": "slow"}
    fake = SimpleNamespace(session_state=state, query_params=SimpleNamespace(from_dict=written.update))
    monkeypatch.setattr(controls, "st", fake)
    controls.view_changed()
    assert written == {**config_to_query(state["session"].config), "disc": "0", "test": "0", "log": "1", "hide": "lr",
                       "speed": "slow"}


# ---------------------------------------------------------------- hide=
def test_hidden_controls_keep_their_values_in_the_experiment():
    at = run_app({"hide": "lr,dataset,network,files", "lr": "0.5", "ds": "moons", "h": "3-2", "a": "relu",
                  "s": "7"})
    no_errors(at)
    assert at.session_state["hidden"] == frozenset({"lr", "ds", "network", "files"})
    labels = {w.label for kind in SIDEBAR_KINDS for w in at.sidebar.get(kind)}
    assert not labels & {"Learning rate", "Dataset", "Activation", "Network seed", "Layer 1 neurons"}, labels
    assert {"Samples", "Optimizer", "Epoch budget"} <= labels  # what the link does not hide is there
    assert [h.value for h in at.sidebar.header] == ["Data", "Training", "Share and files"]
    c = session(at).config
    assert (c.lr, c.dataset, c.hidden, c.activations, c.seed) == (0.5, "moons", (3, 2), ("relu",), 7)
    assert session(at).exp.network.arch.hidden == (3, 2) and session(at).exp.trainer.optimizer.lr == 0.5
    assert query(at)["hide"] == "ds,network,lr,files" and query(at)["lr"] == "0.5"
    at.slider(key="w_samples").set_value(120).run()  # a visible control still works; the hidden keep theirs
    no_errors(at)
    c = session(at).config
    assert (c.samples, c.lr, c.dataset, c.hidden) == (120, 0.5, "moons", (3, 2))
    assert at.session_state["hidden"] == frozenset({"lr", "ds", "network", "files"})


@pytest.mark.parametrize("s", [s for s in SETTINGS.values()], ids=lambda s: s.url)
def test_each_setting_can_be_hidden(s):
    base = config_to_query(base_for(s))
    shown = run_app(base)
    want = setting_keys(s, shown)
    assert want <= sidebar_keys(shown), f"{s.name} is drawn when not hidden"
    hidden = run_app({**base, "hide": s.url})
    no_errors(hidden)
    assert not want & sidebar_keys(hidden), f"hide={s.url} leaves {want & sidebar_keys(hidden)}"
    assert sidebar_keys(shown) - sidebar_keys(hidden) == want | ({"regenerate"} if s.name == "data_seed" else set())
    assert session(hidden).config == session(shown).config and query(hidden)["hide"] == s.url


def test_hiding_the_layers_keeps_the_activations_and_the_other_way_round():
    at = run_app({"h": "4-3", "a": "relu-tanh", "hide": "h"})
    keys = sidebar_keys(at)
    assert {"w_same_act", "w_act_0", "w_act_1"} <= keys and not keys & {"w_width_0", "w_width_1", "add_layer"}
    at = run_app({"h": "4-3", "a": "relu-tanh", "hide": "a"})
    keys = sidebar_keys(at)
    assert {"w_width_0", "w_width_1", "add_layer"} <= keys and not keys & {"w_same_act", "w_act_all", "w_act_0"}
    at.button(key="add_layer").click().run()
    no_errors(at)
    assert session(at).config.hidden == (4, 3, 3) and session(at).config.activations[:2] == ("relu", "tanh")


def test_a_hidden_choice_follows_the_visible_ones():
    """A hidden loss that no longer fits the dataset a visitor picks moves to one that does, as a shown one."""
    at = run_app({"ds": "circles", "o": "sigmoid", "l": "bce", "hide": "l,o"})
    assert session(at).config.loss == "bce"
    at.selectbox(key="w_dataset").set_value("spiral3").run()
    no_errors(at)
    c = session(at).config
    assert c.dataset == "spiral3" and c.output == "auto" and c.loss == "auto"


def test_groups_presets_and_the_share_section_can_be_hidden():
    at = run_app({"hide": "presets,data,training,share", "ep": "77"})
    no_errors(at)
    keys = sidebar_keys(at)
    assert not keys & {"tutorial", "regenerate", "w_dataset", "w_samples", "w_lr", "w_epochs", HIDE,
                       "w_upload"}, keys
    assert {"w_seed", "add_layer"} <= keys
    assert [h.value for h in at.sidebar.header] == ["Network"]
    assert not at.sidebar.get("iframe") and session(at).config.epochs == 77
    everything = run_app({"hide": "presets,data,network,training,share"})
    assert not sidebar_keys(everything) and not everything.sidebar.header


def test_hidden_panels_are_recorded_for_the_main_area():
    names = list(panel.PANELS)
    at = run_app({"hide": ",".join(names)})
    no_errors(at)
    assert at.session_state["hidden"] == frozenset(names)
    assert query(at)["hide"] == ",".join(n for n in HIDEABLE if n in names)


def test_every_part_the_sidebar_offers_to_hide_is_a_name_the_url_takes():
    assert set(panel.PANELS) <= set(HIDEABLE) and set(controls.GROUPS) <= set(HIDEABLE)
    assert {s.url for s in SETTINGS.values()} <= set(HIDEABLE) and {"presets", "share"} <= set(HIDEABLE)
    assert all(HIDEABLE.values()) and len(set(HIDEABLE.values())) == len(HIDEABLE)  # each one told apart
    at = run_app({"hide": ",".join(HIDEABLE)})
    no_errors(at)
    assert at.session_state["hidden"] == frozenset(HIDEABLE) and not at.warning


# ---------------------------------------------------------------- the share section
def test_the_hide_choice_changes_the_link_not_this_page():
    at = run_app({"lr": "0.2"})
    choice = at.sidebar.multiselect(key=HIDE)
    assert choice.label == "Hide in the shared link" and choice.options == [HIDEABLE[n] for n in HIDEABLE]
    choice.set_value(["files", "lr", "training"]).run()
    no_errors(at)
    assert query(at)["hide"] == "training,lr,files"  # in the page's order
    assert at.session_state["hidden"] == frozenset() and "w_lr" in sidebar_keys(at)  # this page shows them
    link = run_app(query(at))  # what the class sees
    assert "w_lr" not in sidebar_keys(link) and link.session_state["hidden"] == frozenset({"training", "lr", "files"})
    assert link.sidebar.multiselect(key=HIDE).value == ["training", "lr", "files"]
    assert session(link).config.lr == 0.2
    at.sidebar.multiselect(key=HIDE).set_value([]).run()
    assert "hide" not in query(at)


def test_the_copy_button_is_in_the_share_section():
    at = run_app()
    frames = at.sidebar.get("iframe")
    assert len(frames) == 1
    html = frames[0].proto.srcdoc
    assert html == copy_html()
    assert "return window.parent.location.href;" in html and "navigator.clipboard.writeText" in html
    assert 'execCommand("copy")' in html and ">Copy link</button>" in html


# ---------------------------------------------------------------- warnings about a link's values
def test_three_thousand_bad_values_make_one_short_warning():
    params = {"hide": ",".join(f"nothing{i}" for i in range(2990)), "h": "-1", "n": "x" * 20_000, "log": "2",
              "lr": "-1", "ds": "y" * 20_000, "s": "1e-400", "nz": "", "a": "z" * 20_000, "opt": "", "disc": "-"}
    at = run_app(params)
    no_errors(at)
    assert len(at.warning) == 1
    lines = plain(at.warning[0].value).splitlines()
    assert lines[0] == "Some of the link's settings were ignored or changed:"
    assert len(lines) == 1 + MAX_WARNINGS + 1 and lines[-1] == f"- and {3000 - MAX_WARNINGS:,} more"
    assert all(len(line) <= 300 and "x" * 41 not in line and "y" * 41 not in line for line in lines), lines
    # the first five in the order of the URL's keys, each naming the key, its value cut short, what is used
    expected = [("ds='yyy", "; using circles"), ("n='xxx", "; using 300"), ("nz=''", "; using 0.1"),
                ("h='-1'", "; using 6-6"), ("a='zzz", "; using tanh")]
    for line, (start, end) in zip(lines[1:], expected):
        assert line.startswith(f"- {start}") and line.endswith(end), line


def test_a_bad_value_cannot_draw_a_link_or_a_picture():
    at = run_app({"ds": "[x](https://example.com)", "n": "![p](https://example.com/p.png)", "nz": "$x$ **y**"})
    text = at.warning[0].value
    assert "[x](" not in text and "![p](" not in text and "$x$" not in text and "**y**" not in text, text
    assert all(v in plain(text) for v in ("[x](https://example.com)", "![p](https://example.com/p.png)", "$x$ **y**"))


@pytest.mark.parametrize("raw,used", [("-1", (6, 6)), ("", (6, 6)), ("0-3", (1, 3)), ("99", (64,))])
def test_bad_layer_widths_are_named(raw, used):
    at = run_app({"h": raw})
    assert len(at.warning) == 1 and f"h='{raw}'" in plain(at.warning[0].value)
    assert session(at).config.hidden == used and "-".join(map(str, used)) in plain(at.warning[0].value)


def test_the_panel_can_take_the_callback_from_controls():
    """panel.py passes controls.view_changed to its pills: controls imports neither the panel nor share
    (which imports the panel), or importing the panel first would find controls half made."""
    tree = ast.parse((ROOT / "playground" / "controls.py").read_text())
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not imported & {"panel", "share", "playground.panel", "playground.share"}, imported


def test_the_view_pills_offer_the_options_as_declared():
    """The view options are declared once (playground.url.VIEW_OPTIONS): the panel's pills offer them in that
    order, and without a test split all but "Show test data"."""
    assert set(VIEW_DEFAULT) <= set(VIEW_OPTIONS)
    assert widget(run_app(), "pills", "view").options == list(VIEW_OPTIONS)
    no_test = run_app({"ds": "xor"})
    assert widget(no_test, "pills", "view_some").options == [o for o in VIEW_OPTIONS if o != SHOW_TEST]


def test_a_link_hides_the_run_buttons_and_each_display_option():
    """Issue 19: a teacher hides Play, Step and Reset (``hide=step,reset,play`` was refused); each display
    option by its URL key, its choice kept (in the URL too)."""
    assert {"play", "step", "reset", "until", "disc", "test", "log"} <= set(HIDEABLE)
    shown = run_app({"ds": "moons"})
    assert {"train", "step", "step100", "reset", "continuous"} <= main_keys(shown)
    at = run_app({"ds": "moons", "hide": "step,reset,play,test", "log": "1", "test": "1"})
    no_errors(at)
    assert not at.warning and at.session_state["hidden"] == frozenset({"play", "step", "reset", "test"})
    assert not {"train", "pause", "step", "step100", "reset"} & main_keys(at) and "continuous" in main_keys(at)
    assert any("nnp-status" in m.value and "ready" in m.value for m in at.markdown)  # the status stays
    pills = widget(at, "pills", "view_some")
    assert pills.options == ["Discretize output", "Log scale"] and pills.value == ["Log scale"]
    pills.set_value(["Discretize output"]).run()  # the hidden choice stays on
    no_errors(at)
    assert at.session_state["view"] == ["Show test data", "Discretize output"]
    assert (query(at)["disc"], query(at)["test"], query(at)["log"]) == ("1", "1", "0")
    everything = run_app({"ds": "moons", "hide": "disc,test,log,until"})
    assert "continuous" not in main_keys(everything)
    assert not [w for w in everything.get("button_group") if w.key in ("view", "view_some")]


def main_keys(at) -> set[str]:
    """The keys of the main area's buttons and toggles."""
    return {w.key for kind in ("button", "toggle") for w in at.main.get(kind) if w.key}

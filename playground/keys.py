"""Every key the page keeps in ``st.session_state``, declared once.

Streamlit keeps two kinds of thing there: the page's own state, written and read by its code, and the value
of every widget that has a key. Both are declared here, and nowhere else is a key written as a string
(tests/test_page_keys.py checks it): a typo is then a NameError, not a value silently kept under another
name. Plain strings only, no Streamlit: the URL, the widget and the model-file translators use them too.
"""

from __future__ import annotations

from collections.abc import Iterable

# ---------------------------------------------------------------- the page's own state
SESSION = "session"  # this visitor's playground.session.Session, made at the first run
HIDDEN = "hidden"  # the parts of the page the link hides (a frozenset of names, fixed for the visit)
LINK_CONFIG = "link_config"  # the experiment the link opened: its warnings stay while it is untouched ...
URL_WARNINGS = "url_warnings"  # ... the link's values that were ignored or changed (lines of text)
UPLOAD_DONE = "upload_done"  # the file id of the last model file taken: it is taken once
ODDS_ERROR = "odds_error"  # why the odds' seeds did not start, said at the next run
OWNDATA_MESSAGE = "owndata_message"  # (kind, text) of what a CSV upload or a click on the pad did
RERUN_PAGE = "rerun_page"  # a click in the panel changed a setting (the points, the features): the whole page
# runs next, not only the panel
CLICK_BOUNDS = "click_bounds"  # the plane the surface's click layer covers, for reading its clicks
GOAL = "goal"  # the challenge of this visit, as the link writes it ("" for none): from the link or the share section
GOAL_TRACKER = "goal_tracker"  # playground.challenge.Tracker: the visit's run against that goal
GOAL_MESSAGE = "goal_message"  # (kind, text) of why a goal typed in the share section was not taken

# ---------------------------------------------------------------- the sidebar's widgets
WIDGET_PREFIX = "w_"  # a setting's widget: "w_" + the setting's name (see setting_key)
LAYERS = "w_layers"  # the layer editor: how many hidden layers ...
SAME_ACTIVATION = "w_same_act"  # ... one activation for all of them, or one each ...
ALL_ACTIVATION = "w_act_all"  # ... the one for all
HIDE = "w_hide"  # the parts the shared link hides (playground.share.HIDEABLE), as chosen in the share section
MODEL_UPLOAD = "w_upload"  # the model file to continue from
CSV_UPLOAD = "csv_upload"  # a CSV file of your own points
PICKER = "picker"  # the data picker's selection (a click on a dataset's picture)
TUTORIAL = "tutorial"  # buttons: the tutorial preset, a layer more or less, new points
ADD_LAYER, REMOVE_LAYER, REGENERATE = "add_layer", "remove_layer", "regenerate"
GOAL_INPUT = "goal_input"  # the share section's goal for the class, as typed


def setting_key(name: str) -> str:
    """The widget of setting ``name``."""
    return WIDGET_PREFIX + name


def width_key(layer: int) -> str:
    """The width of hidden layer ``layer`` (from 0) in the layer editor."""
    return f"w_width_{layer}"


def activation_key(layer: int) -> str:
    """The activation of hidden layer ``layer`` (from 0) when each layer has its own."""
    return f"w_act_{layer}"


def diagram_click(n: int) -> str:
    """The diagram's click layer after ``n`` clicks: its selection (a click on the diagram)."""
    return f"diagram_click_{n}"


def written_back(state: Iterable[str]) -> list[str]:
    """The sidebar's widget keys in ``state`` whose values the page writes back at every run: Streamlit
    forgets the value of a widget not drawn in a run (momentum while Adam is chosen, say). A file uploader's
    value cannot be written."""
    return [k for k in state if k.startswith(WIDGET_PREFIX) and k != MODEL_UPLOAD]


# ---------------------------------------------------------------- the main area's widgets
PANEL = "panel"  # the main area's fragment
TRAIN, PAUSE, STEP, STEP100, RESET = "train", "pause", "step", "step100", "reset"  # the run's buttons ...
CONTINUOUS = "continuous"  # ... and "Until paused"
SPEED = "speed"  # how fast a run plays (playground.url.SPEEDS)
VIEW = "view"  # the view options on (playground.url.VIEW_OPTIONS) ...
VIEW_SOME = "view_some"  # ... and their pills when some are not offered (no test split, or a link hides them)
DOWNLOAD_MODEL, DOWNLOAD_DATA = "download_model", "download_data"
EXPLORE = "explore"  # the open explore view
TIMELINE_EPOCH = "timeline_epoch"  # the epoch the timeline shows
VANISHING, VANISHING_RELU = "vanishing", "vanishing_relu"  # the gradients view's examples
SPACE_LAYER = "space_layer"  # the layer the transformed space shows
ODDS_SEEDS, ODDS_START, ODDS_STOP = "odds_seeds", "odds_start", "odds_stop"
PIN, UNPIN = "pin", "unpin"  # A/B
SCRIPT = "script"  # the exported script's download
SURFACE_STACK = "surface_stack"  # the surface and its click layer, one over the other ...
SURFACE_CLICK = "surface_click"  # ... the layer's selection (a click on the surface) ...
DRAW_KIND, DRAW_CLASS, DRAW_VALUE = "draw_kind", "draw_class", "draw_value"  # ... what a click adds ...
UNDO_POINT, CLEAR_POINTS = "undo_point", "clear_points"  # ... and its buttons
DIAGRAM_STACK = "diagram_stack"  # the network diagram and its click layer, one over the other ...
DIAGRAM_CLICKS = "diagram_clicks"  # ... how many clicks it has taken (each makes a new layer: diagram_click) ...
DIAGRAM_ROWS = "diagram_rows"  # ... what each of its rows is (playground.diagramclick.targets), for reading it ...
DIAGRAM_LAYER = "diagram_layer"  # ... the layer made while training, kept while it stays the same ...
DIAGRAM_SELECTED = "diagram_selected"  # ... the weight or neuron the editor shows (or None) ...
EDITOR, EDIT_VALUE, EDIT_BIAS = "editor", "edit_value", "edit_bias"  # ... the editor: a weight's value, a bias ...
EDIT_FROM = "edit_from"  # ... a neuron's weight in, from which unit ...
EDIT_ZERO, EDIT_CLOSE = "edit_zero", "edit_close"  # ... and its buttons

# Widgets of the panel's fragment whose value must outlast a run that reruns the whole page from inside it:
# on Streamlit 1.40 (stlite) such a run, which has drawn none of them yet, can drop their values (the open
# explore view vanished after its odds were stopped). Each run keeps a copy (kept_key), and puts back one that
# went.
KEPT = (EXPLORE, VIEW, CONTINUOUS, SPACE_LAYER, ODDS_SEEDS, TIMELINE_EPOCH, SPEED)


def kept_key(key: str) -> str:
    """Where the panel keeps a copy of widget ``key``'s value (one of :data:`KEPT`)."""
    return "kept:" + key

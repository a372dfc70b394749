"""The playground page: pick a dataset, set the network, click Train, watch it learn.

Thin wiring: the sidebar (playground.controls) fills widget state, which
becomes an nn_core Config (playground.widgets); the Config goes to the URL
(playground.url) and to this visitor's Session (playground.session); the main
area (playground.panel) draws and trains inside a fragment that reruns on a
timer, at the server's pace (playground.pacing). The URL also holds the view
options and the parts a teacher's link hides (playground.share makes such a
link); a model file's settings come through playground.model_file. Every
session-state key is declared in playground.keys.
"""

import streamlit as st

from nn_core import ConfigError, ModelFileError, parse_model
from playground import compat, controls, keys, panel, share
from playground.messages import say
from playground.model_file import config_for_model
from playground.page_config import DEFAULT
from playground.session import Session
from playground.url import (
    explore_from_query,
    goal_from_query,
    page_from_query,
    pinned_from_query,
    speed_from_query,
    warning_lines,
)
from playground.widgets import config_from_widgets

TITLE, ICON = "Neural network playground", "🧠"
MAX_UPLOAD_MB = 5  # a model file the page writes (2,000 points at most) is well under this

# While training, the fragment's timer reruns it once a cycle: each run draws, then trains a slice
# (playground.pacing). The timer is never shorter than a redraw: when redraws get slower, the panel
# reruns the whole page to set a longer one.

compat.set_page_config(TITLE, ICON)  # the static site's index.html has the same, for while it loads

# First visit: the experiment, the view options and the parts to hide come from the URL (a shared link)
# or the defaults. What the link hides stays hidden for this visit; the share section changes the link only.
if keys.SESSION not in st.session_state:
    params = st.query_params.to_dict()
    config, view, hide, url_warnings = page_from_query(params, list(share.HIDEABLE))
    try:
        first = Session(config)
    except ConfigError as e:  # the link's checks hold every rule known; should one still fail, the defaults
        url_warnings.append(f"{e}; using the default experiment")
        first = Session(DEFAULT)
    controls.set_widgets(first.config)
    st.session_state.update({keys.SESSION: first, keys.LINK_CONFIG: first.config, keys.URL_WARNINGS: url_warnings,
                             keys.VIEW: view, keys.HIDDEN: frozenset(hide), keys.HIDE: hide,
                             keys.EXPLORE: explore_from_query(params, url_warnings),
                             keys.SPEED: speed_from_query(params, url_warnings),
                             keys.GOAL: goal_from_query(params, url_warnings)})
    st.session_state[keys.GOAL_INPUT] = st.session_state[keys.GOAL]
    a = pinned_from_query(params, config, url_warnings)
    if a is not None:  # run A of an A/B comparison: trained again from its settings
        try:
            first.rebuild_pinned(*a)  # trained in the page's slices, taking turns
        except ConfigError as e:
            url_warnings.append(f"pin: {e}; no run A")
session: Session = st.session_state[keys.SESSION]
hidden: frozenset = st.session_state[keys.HIDDEN]
for key in keys.written_back(st.session_state):  # a widget not drawn in a run keeps its value for when it returns
    st.session_state[key] = st.session_state[key]

# An uploaded model: its architecture and settings go into the widgets before they are drawn.
upload = st.session_state.get(keys.MODEL_UPLOAD)
model, upload_error, upload_changes = None, None, []
if upload is not None and upload.file_id != st.session_state.get(keys.UPLOAD_DONE):
    st.session_state[keys.UPLOAD_DONE] = upload.file_id
    try:
        model = parse_model(upload.getvalue())
        upload_config, upload_changes = config_for_model(model.network, model.training, session.config)
        controls.set_widgets(upload_config)
    except (ModelFileError, ConfigError) as e:
        model, upload_error = None, f"Could not use {upload.name}: {e}"

st.title(TITLE)
st.caption("A from-scratch NumPy network. Pick a dataset, set the layers, click **Train** and watch it learn.")
link_warning = st.empty()  # filled below, once this run's settings are known
if upload_error:
    say("error", upload_error)

controls.fit_choices()
try:
    config = config_from_widgets(st.session_state)
except ConfigError as e:
    say("error", f"These settings do not fit together: {e}. Still showing the previous experiment.")
    config = session.config
try:
    session.apply(config)  # its notice shows in the main area until training moves on
except ConfigError as e:  # nothing changed: the last good experiment stays, and so does its link
    say("error", f"These settings cannot be used: {e}. Still showing the previous experiment.")
if model is not None:
    try:
        session.reset(model.network, model.state)  # its weights, epoch, optimizer state and shuffle
        session.say(" ".join(filter(None, [
            f"Continuing from {upload.name} at epoch {session.epoch:,}, where it was saved.",
            model.afresh(session.config),
            "Changed to fit the page: " + "; ".join(upload_changes) + "." if upload_changes else ""])))
    except ConfigError as e:
        say("error", f"Could not use {upload.name}: {e}")
controls.write_url(session.config)
# What the link changed stays said while its experiment is untouched: a run that reruns the page (a run A
# trained again, say) would otherwise take it away before it was read.
if session.epoch or session.running or session.config != st.session_state.get(keys.LINK_CONFIG):
    st.session_state[keys.URL_WARNINGS] = []
if st.session_state.get(keys.URL_WARNINGS):
    say("warning", "Some of the link's settings were ignored or changed:",
        items=warning_lines(st.session_state[keys.URL_WARNINGS]), where=link_warning)

panel.unchanging_parts(session, hidden)  # what the fragment's redraws leave as it is
compat.fragment(panel.main_area, run_every=session.pace.set_timer(session.busy), key=keys.PANEL)(session)

# The sidebar last: its widgets' values are in the session state before they are drawn (set above, or by
# Streamlit before the run; controls.fit_choices moved each choice into its options), so the main area need
# not wait for them. A server sends each element as it is made, so the network, the surface and the Train
# button go out before the sidebar's widgets are made. (Under stlite the run's elements go out together:
# no change measured there.)
with st.sidebar:
    controls.preset_ui(hidden)
    for group in controls.GROUPS:
        controls.settings_ui(group, hidden)
    if "share" not in hidden:
        share.section(MAX_UPLOAD_MB)

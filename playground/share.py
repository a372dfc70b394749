"""The sidebar's share section: a button that copies the page's link, the link itself as text, the
parts a teacher's link hides, and the model upload.

The link is the page's own address (every setting, the view options and ``hide=`` are in its query
string, written by :func:`playground.controls.write_url`). Only the browser knows that address, so the
button is a small HTML component: its frame is same-origin (``srcdoc`` with ``allow-same-origin``), so
its script reads ``window.parent.location.href`` when clicked.
"""

from __future__ import annotations

import streamlit as st

from nn_core import SETTINGS

from . import compat, keys
from .controls import GROUPS, SECTIONS
from .copy_link import COPY_HEIGHT, copy_html
from .goal import goal_input
from .panel import PANELS
from .run_controls import PARTS
from .url import VIEW_OPTIONS


def _hideable() -> dict[str, str]:
    """Every part of the page a shared link may hide (``hide=`` in the URL): name -> what a person reads.
    A setting goes by its URL key; a group hides all its settings."""
    parts = {"presets": SECTIONS["presets"]}
    for group, title in GROUPS.items():
        parts[group] = f"All the {title.lower()} settings"
        parts.update({s.url: s.label for s in SETTINGS.values() if s.group == group})
    parts["share"] = SECTIONS["share"]
    for name, what in PANELS.items():  # a name the sidebar already uses hides both
        parts[name] = f"{parts[name]}, and {what}" if name in parts else f"Main area: {what}"
    parts.update({name: f"Main area: {what}" for name, what in PARTS.items()})
    parts.update({key: f"Main area: the display option “{option}”" for option, key in VIEW_OPTIONS.items()})
    return parts


HIDEABLE = _hideable()

def copy_link() -> None:
    """The "Copy link" button and the page's link as selectable text."""
    compat.html_frame(copy_html(), COPY_HEIGHT)


def _in_order():
    st.session_state[keys.HIDE] = [n for n in HIDEABLE if n in st.session_state[keys.HIDE]]


def hide_in_link() -> None:
    """Which parts the shared link hides. It changes the link only: this page keeps showing everything
    (hiding the controls being chosen, this section included, would leave no way back)."""
    st.multiselect("Hide in the shared link", list(HIDEABLE), key=keys.HIDE, format_func=HIDEABLE.get,
                   on_change=_in_order,
                   placeholder="Nothing hidden",
                   help="A class opening the link does not see these parts; their settings still hold. "
                        "This page keeps showing them: open the link to see what the class sees.")


def section(max_upload_mb: int) -> None:
    st.header("Share and files")
    st.caption("The link holds every setting, both seeds and the view options: share it to share this "
               "experiment.")
    copy_link()
    hide_in_link()
    goal_input()
    compat.file_uploader(st, "Continue from a model file", max_upload_mb, type=["json"], key=keys.MODEL_UPLOAD)

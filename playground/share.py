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

COPY_HEIGHT = 88  # pixels: the button and the link below it

# The clipboard API first; where it is refused (no permission, an insecure origin), a copy command over
# the selected link; where both are refused, the link stays selected for Ctrl+C. The link text follows
# the address bar (the page rewrites it after each change) twice a second.
COPY_HTML = """<!doctype html>
<style>
  body { margin: 0; font-family: "Source Sans Pro", "Source Sans 3", system-ui, sans-serif; font-size: 14px;
         color: rgb(49, 51, 63); }
  .row { display: flex; align-items: center; gap: 0.6rem; margin-bottom: 0.4rem; }
  button { font: inherit; font-size: 15px; padding: 0.3rem 0.8rem; min-height: 2.4rem; border-radius: 0.5rem;
           border: 1px solid rgba(49, 51, 63, 0.2); background: #fff; color: inherit; cursor: pointer; }
  button:hover, button:focus-visible { border-color: #e8710a; color: #e8710a; outline: none; }
  #status { color: rgb(33, 130, 70); }
  #status.refused { color: rgb(158, 40, 40); }
  input { box-sizing: border-box; width: 100%; font: inherit; font-size: 13px; padding: 0.3rem 0.5rem;
          border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; background: rgb(240, 242, 246);
          color: inherit; }
</style>
<div class="row">
  <button id="copy" type="button" aria-describedby="status">Copy link</button>
  <span id="status" role="status" aria-live="polite"></span>
</div>
<input id="link" type="text" readonly aria-label="Link to this experiment" spellcheck="false">
<script>
  const button = document.getElementById("copy"), link = document.getElementById("link"),
        status = document.getElementById("status");
  const address = () => { try { return window.parent.location.href; } catch (e) { return ""; } };
  const follow = () => { const a = address(); if (link.value !== a) link.value = a; };
  follow();
  setInterval(follow, 500);
  link.addEventListener("focus", () => link.select());
  async function copy(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (e) {
      link.value = text;
      link.focus();
      link.select();
      try { return document.execCommand("copy"); } catch (e2) { return false; }
    }
  }
  let clear = 0;
  button.addEventListener("click", async () => {
    const ok = await copy(address());
    status.className = ok ? "" : "refused";
    status.textContent = ok ? "Copied" : "Copying was refused: the link below is selected, press Ctrl+C";
    clearTimeout(clear);
    if (ok) clear = setTimeout(() => { status.textContent = ""; }, 4000);
  });
</script>
"""


def copy_link() -> None:
    """The "Copy link" button and the page's link as selectable text."""
    compat.html_frame(COPY_HTML, COPY_HEIGHT)


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
    compat.file_uploader(st, "Continue from a model file", max_upload_mb, type=["json"], key=keys.MODEL_UPLOAD)

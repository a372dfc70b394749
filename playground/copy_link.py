"""A button that copies a link, and the link as selectable text, in a small same-origin frame.

Only the browser knows the page's address, so the button is a small HTML component: its frame is
same-origin (``srcdoc`` with ``allow-same-origin``), so its script reads ``window.parent.location`` when
clicked. The share section copies the page's own address; a met goal copies the settings that met it.
"""

from __future__ import annotations

import html
import json

COPY_HEIGHT = 88  # pixels: the button and the link below it
LINE_HEIGHT = 46  # pixels: the button and the link on one line (``one_line``)

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
  body.line .all { display: flex; align-items: center; gap: 0.6rem; }
  body.line .row { margin: 0; flex: none; }
  body.line input { flex: 1; min-width: 0; }
</style>
<body class="LAYOUT"><div class="all">
<div class="row">
  <button id="copy" type="button" aria-describedby="status">LABEL</button>
  <span id="status" role="status" aria-live="polite"></span>
</div>
<input id="link" type="text" readonly aria-label="Link to this experiment" spellcheck="false"></div>
<script>
  const button = document.getElementById("copy"), link = document.getElementById("link"),
        status = document.getElementById("status");
  const address = () => { try { return ADDRESS; } catch (e) { return ""; } };
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


def copy_html(query: str | None = None, label: str = "Copy link", one_line: bool = False) -> str:
    """The copy button and the link as selectable text: the page's own address, or with ``query`` (already
    URL-encoded) that query on this page's address; ``one_line``: the link beside the button, not under it."""
    address = "window.parent.location.href" if query is None else (
        "window.parent.location.origin + window.parent.location.pathname + '?' + "
        + json.dumps(query).replace("<", "\\u003c"))
    return (COPY_HTML.replace("ADDRESS", address).replace("LABEL", html.escape(label))
            .replace("LAYOUT", "line" if one_line else "block"))

"""The Streamlit calls whose signatures differ between the server's Streamlit (>= 1.50) and the
browser's (stlite: Streamlit 1.40.1 on Pyodide). The only place that looks at what the running
Streamlit supports: it asks each function's signature, never a version number.

- 1.40 sizes buttons with ``use_container_width``, later ones with ``width="stretch"``;
- 1.40's fragments take no ``key``, its uploaders no ``max_upload_size``
  (the site sets ``server.maxUploadSize`` instead);
- 1.40's download buttons need the file's bytes up front and a callable ``on_click`` (no ``"ignore"``);
- 1.40 merges ``width``/``height`` given to ``vega_lite_chart`` into the spec (blank charts);
- 1.40 has no ``st.iframe``: its HTML frame is ``components.v1.html`` (deprecated later).

And one place where it looks at where Python runs: the page's set-up in the browser's own Python
(:func:`set_page_config`).
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from functools import cache

import streamlit as st


@cache
def _takes(function: Callable, name: str) -> bool:
    return name in inspect.signature(function).parameters


def set_page_config(title: str, icon: str) -> None:
    """The page's title, icon and wide layout. In the browser's own Python (stlite, Pyodide), Streamlit 1.40's
    check at the first element whether Python runs in a REPL, to warn that a script should be run with
    ``streamlit run``, is skipped: ``inspect.stack()`` there looks up the file of every loaded module, 0.1 s
    of the first screen (benchmarks/site.py); the browser's Python never is a REPL, and the check only warns.
    (The icon stays: without it Streamlit 1.40's page keeps its running indicator fading out, measured in
    tests/test_site_offline.py, though its check against the emoji catalogue costs 0.05 s there.)"""
    if sys.platform == "emscripten":
        import streamlit.delta_generator as elements

        if hasattr(elements, "_use_warning_has_been_displayed"):  # the flag that makes the check run once
            elements._use_warning_has_been_displayed = True
    st.set_page_config(page_title=title, page_icon=icon, layout="wide")


def _stretch(function: Callable) -> dict:
    return {"width": "stretch"} if _takes(function, "width") else {"use_container_width": True}


def button(container, label: str, **kwargs) -> bool:
    """A button as wide as its column."""
    return container.button(label, **kwargs, **_stretch(st.button))


def download_button(container, label: str, make: Callable[[], str], **kwargs) -> None:
    """A download button as wide as its column whose file ``make()`` writes: on click where Streamlit
    can (the file is not made at every redraw), up front where it cannot."""
    if _takes(st.download_button, "width"):
        container.download_button(label, make, on_click="ignore", **kwargs, width="stretch")
    else:
        container.download_button(label, make(), **kwargs, use_container_width=True)


def fragment(function: Callable, run_every: float | None, key: str) -> Callable:
    extra = {"key": key} if _takes(st.fragment, "key") else {}
    return st.fragment(function, run_every=run_every, **extra)


def file_uploader(container, label: str, max_mb: int, **kwargs):
    extra = {"max_upload_size": max_mb} if _takes(st.file_uploader, "max_upload_size") else {}
    return container.file_uploader(label, **kwargs, **extra)


def html_frame(html: str, height: int) -> None:
    """A small same-origin frame holding ``html`` (st.iframe where there is one; the older component)."""
    if hasattr(st, "iframe"):
        st.iframe(html, height=height)
    else:
        import streamlit.components.v1 as components

        components.html(html, height=height)


def picker_chart(spec: dict, key: str, on_select: Callable[[], None], selection: str, **kwargs) -> None:
    """A chart at its spec's size whose click selection calls ``on_select``."""
    if _takes(st.vega_lite_chart, "width"):
        st.vega_lite_chart(spec, key=key, on_select=on_select, selection_mode=selection, width="content",
                           height="content", **kwargs)
    else:
        st.vega_lite_chart(spec, key=key, on_select=on_select, selection_mode=selection, use_container_width=False,
                           **kwargs)

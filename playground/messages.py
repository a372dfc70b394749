"""Everything the page says in a message box (error, warning, notice, success, toast), through one helper.

Streamlit reads a message's text as Markdown, and a message often quotes what a person gave: a file's
name, a value from a link, a model file or a CSV, a formula. Quoted as it is, ``![t](http://host/t.png)``
would make every visitor's browser fetch a picture, and ``[text](address)`` would be a link with a text
of its author's choosing. So :func:`say` takes plain text and escapes all of it; only ``lead``, the
page's own words (a bold "Hint:", say), is Markdown. tests/test_messages.py checks that no other part of
the page shows a message box directly.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

KINDS = ("error", "warning", "info", "success", "toast")

# What starts a link's text, a picture, HTML, maths, emphasis or an emoji in Streamlit's Markdown. (A bare
# address still becomes a link: one that reads as where it goes.)
_MARKDOWN = set("\\`*_[]()<>!#|~$:&{}")


def escape_markdown(text: str) -> str:
    """``text`` shown as it is by Streamlit's Markdown."""
    return "".join("\\" + ch if ch in _MARKDOWN else ch for ch in str(text))


def markdown(text: str = "", lead: str = "", items: Sequence[str] = ()) -> str:
    """A message's Markdown: ``lead`` (the page's own Markdown), then ``text`` and each of ``items`` (a
    line of a list under it), both plain text, escaped."""
    body = " ".join(filter(None, [lead, escape_markdown(text)]))
    return body + "".join(f"\n- {escape_markdown(item)}" for item in items)


def say(kind: str, text: str = "", lead: str = "", items: Sequence[str] = (), where=None) -> None:
    """Show a message box of ``kind`` (one of :data:`KINDS`) in ``where`` (a column or container; the
    page itself if None): see :func:`markdown`."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of message {kind!r}")
    getattr(where if where is not None and kind != "toast" else st, kind)(markdown(text, lead, items))

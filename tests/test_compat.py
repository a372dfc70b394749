"""playground.compat: the page's set-up, on the server and in the browser's own Python."""

import sys

import streamlit as st
import streamlit.delta_generator as elements

from playground import compat


def set_up(monkeypatch, platform: str) -> dict:
    calls = []
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(st, "set_page_config", lambda **kwargs: calls.append(kwargs))
    monkeypatch.setattr(elements, "_use_warning_has_been_displayed", False, raising=False)
    compat.set_page_config("A title", "🧠")
    assert len(calls) == 1
    return calls[0]


def test_on_the_server_the_page_has_its_icon_and_streamlit_its_checks(monkeypatch):
    assert set_up(monkeypatch, "linux") == {"page_title": "A title", "page_icon": "🧠", "layout": "wide"}
    assert elements._use_warning_has_been_displayed is False


def test_in_the_browser_the_repl_check_is_skipped(monkeypatch):
    assert set_up(monkeypatch, "emscripten") == {"page_title": "A title", "page_icon": "🧠", "layout": "wide"}
    assert elements._use_warning_has_been_displayed is True

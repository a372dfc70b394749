"""Numbers and values as text, written once for the command line, the URL, messages and the page."""

from __future__ import annotations

import math

MAX_SHOWN = 40  # characters of a value a message echoes back
_MAX_BITS = 128  # an integer longer than this is described, not printed


def shorten(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def printable(text: str) -> str:
    """``text`` with control characters (line breaks among them) written as escapes: one line, always."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def show(value, limit: int = MAX_SHOWN) -> str:
    """A value as a message quotes it: its repr, cut to ``limit`` characters.

    A huge integer is described rather than printed (Python refuses to print
    one of over 4,300 digits, and nobody wants to read one of 400).
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > _MAX_BITS:
        return f"a {len(str(abs(value))) if value.bit_length() < 14_000 else 'many'}-digit number"
    return shorten(repr(value), limit)


def format_number(v, digits: int = 6) -> str:
    """A number for people: whole numbers with thousands separators, others to ``digits`` significant digits."""
    if v is None:
        return "–"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    if not math.isfinite(v):
        return str(v)
    return f"{v:.{digits}g}"


def format_percent(v, digits: int = 1) -> str:
    """A fraction in [0, 1] as a percentage, or a dash for None."""
    return "–" if v is None else f"{100 * v:.{digits}f}%"


def number_text(v) -> str:
    """A number as text that reads back to exactly the same value (for URLs and flags)."""
    return str(int(v)) if isinstance(v, int) else repr(float(v))

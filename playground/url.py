"""The experiment in the URL: every URL key of the page, and the page from a link's query and back.

Every setting goes into the query string under its declared key (:data:`nn_core.SETTINGS`), so a shared
link rebuilds the same data and the same initial network. Besides the settings, the URL holds the main
area's view options (one key each, :data:`VIEW_OPTIONS`), ``speed=`` (how fast a run plays), ``hide=`` (the
parts of the page a teacher's link hides), ``x=`` (the open explore view) and ``pin=`` (run A of an A/B
comparison). :func:`page_query` writes
all of it; :func:`page_from_query` reads it.

Values from a URL are untrusted: unknown keys are ignored, and a bad value is replaced by the default, or
moved into the page's range, with a warning that names it. Reading never raises. Plain Python (no Streamlit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl, urlencode

from nn_core import DATASETS, SETTINGS, Config, SettingError
from nn_core.settings import Number
from nn_core.text import show

from .challenge import GoalError, goal_text, parse_goal
from .page_config import DEFAULT, explicit, into_page, make_consistent

# The main area's view options (how the charts draw), declared once: each option as the page offers it, in
# that order, and its URL key (1 on, 0 off).
DISCRETIZE, SHOW_TEST, LOG_SCALE = "Discretize output", "Show test data", "Log scale"
VIEW_OPTIONS = {DISCRETIZE: "disc", SHOW_TEST: "test", LOG_SCALE: "log"}
VIEW_DEFAULT = (SHOW_TEST,)  # the options on unless a link says otherwise
SPEED_KEY, SPEEDS, SPEED_DEFAULT = "speed", ("slow", "normal", "fast"), "normal"  # how fast a run plays
# (playground.tempo): speed=slow, normal or fast
HIDE_KEY = "hide"  # hide=lr,ds,network: the parts of the page a shared link hides, by name
GOAL_KEY = "goal"  # goal=test_acc>=0.95,epochs<=500: a challenge the link sets (playground.challenge)
EXPLORE_KEY = "x"  # the open explore view, one of:
EXPLORE_KEYS = {"Timeline": "timeline", "Gradients": "gradients", "Transformed space": "space",
                "Convergence odds": "odds", "A/B": "ab", "Export script": "script"}  # playground.explore.VIEWS
PINNED_KEY = "pin"  # run A of an A/B comparison: its settings where they differ, and ...
AT_KEY = "at"  # ... inside pin=, the epoch run A was pinned at

_SOURCES = {d.source for d in DATASETS.values() if d.source}  # the settings a dataset is made from


def config_to_query(c: Config) -> dict[str, str]:
    """Every setting of ``c`` under its URL key, as plain strings that read back exactly; but a value a link
    does not carry (``Setting.fits_url``: more points than nn_core.userdata.URL_POINTS) is left out, and so is
    a dataset's text (the formula, the points) while another dataset is chosen: it would lengthen every link."""
    c = explicit(c)
    values = c.values()
    return {s.url: s.text(getattr(c, s.name)) for s in SETTINGS.values() if s.fits_url(getattr(c, s.name))
            and (s.name not in _SOURCES or s.shown(values))}


def _first(v) -> str:
    """A query value given once, or the first of several."""
    if isinstance(v, (list, tuple)):
        return str(v[0]) if v else ""
    return str(v)


def _rounded(s, raw: str, v) -> str:
    """What was lost if the number ``raw`` became ``v`` by more than a float's rounding: the fraction of
    a whole-number setting (a seed of 7.0000001), or all of a number too small for a float (1e-400)."""
    if not isinstance(s.kind, Number):
        return ""
    try:
        exact = Decimal(raw)
    except (InvalidOperation, ValueError):
        return ""
    if not exact.is_finite() or exact == v:
        return ""
    if s.kind.integer:
        return f"must be a whole number, not {show(raw)}"
    return f"is too close to 0 for a float, not {show(raw)}" if v == 0 else ""


def _from_text(s, raw: str, default, warnings: list[str]):
    """The value of setting ``s`` written as ``raw``; the default, or the nearest value the page allows,
    with a warning naming it if ``raw`` is not a valid value or is not kept as written."""
    where = f"{s.url}={show(raw)}"
    if not raw:  # "h=" would otherwise mean no hidden layer, unlike every other key's empty value
        warnings.append(f"{where}: no value; using {s.text(default)}")
        return default
    try:
        v = s.parse(raw)
    except SettingError as e:
        warnings.append(f"{where}: {e.reason}; using {s.text(default)}")
        return default
    if isinstance(v, float) and v == 0:
        v = 0.0  # -0.0 would be written back as "-0.0"
    v, why = into_page(s, v, default)
    lost = "" if why else _rounded(s, raw, v)
    if lost:
        why = f"{lost}; changed to {s.text(v)}"
    if why:
        warnings.append(f"{where}: {why}")
    return v


def config_from_query(params: Mapping[str, object], base: Config = DEFAULT) -> tuple[Config, list[str]]:
    """(config, warnings) from query parameters; anything missing comes from ``base``. Never raises."""
    warnings: list[str] = []
    values = {s.name: _from_text(s, _first(params[s.url]).strip(), getattr(base, s.name), warnings)
              for s in SETTINGS.values() if s.url in params}
    for s in SETTINGS.values():
        if s.follows in values and s.name not in values:
            values[s.name] = s.default
    return make_consistent(explicit(replace(base, **values)), warnings), warnings


# ---------------------------------------------------------------- the whole page
_ON, _OFF = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
MAX_WARNINGS = 5  # lines of warnings about a link's values the page shows; the rest are counted


def page_query(c: Config, view: Sequence[str], hide: Sequence[str] = (), explore: str | None = None,
               pinned: tuple[Config, int] | None = None, speed: str = SPEED_DEFAULT, goal: str = "") -> dict[str, str]:
    """The whole query string of the page: every setting of ``c``, each view option (on if in ``view``), the
    speed, ``hide=`` if a shared link hides parts of the page (``hide``: their names, in order), the open
    explore view (``x=``), run A of an A/B comparison (``pin=``: its config and epoch, see
    :func:`pinned_to_query`) and the goal (``goal=``)."""
    query = config_to_query(c)
    query.update({key: "1" if option in view else "0" for option, key in VIEW_OPTIONS.items()})
    query[SPEED_KEY] = speed if speed in SPEEDS else SPEED_DEFAULT
    if hide:
        query[HIDE_KEY] = ",".join(hide)
    if explore in EXPLORE_KEYS:
        query[EXPLORE_KEY] = EXPLORE_KEYS[explore]
    if pinned is not None:
        query[PINNED_KEY] = pinned_to_query(*pinned, c)
    if goal:
        query[GOAL_KEY] = goal
    return query


# ---------------------------------------------------------------- the explore view and run A
MAX_PINNED_EPOCHS = 100_000  # a link's run A is trained again up to this epoch at most


def pinned_to_query(a: Config, epoch: int, b: Config) -> str:
    """Run A in one query value: the settings where it differs from ``b`` (as ``key=value`` pairs joined
    by ``&``, URL-encoded once more in the page's URL) and the epoch it was pinned at."""
    diff = explicit(a)
    pairs = {SETTINGS[n].url: SETTINGS[n].text(getattr(diff, n)) for n in diff.diff(explicit(b))
             if SETTINGS[n].fits_url(getattr(diff, n))}
    pairs[AT_KEY] = str(int(epoch))
    return urlencode(pairs)


def explore_from_query(params: Mapping[str, object], warnings: list[str]) -> str | None:
    """The explore view a URL opens (``x=``), or None; an unknown one is named in ``warnings``."""
    if EXPLORE_KEY not in params:
        return None
    raw = _first(params[EXPLORE_KEY]).strip()
    views = {v: k for k, v in EXPLORE_KEYS.items()}
    if raw not in views:
        warnings.append(f"{EXPLORE_KEY}={show(raw)}: must be one of {', '.join(views)}; ignored")
        return None
    return views[raw]


def pinned_from_query(params: Mapping[str, object], b: Config, warnings: list[str]) -> tuple[Config, int] | None:
    """Run A from a URL's ``pin=`` (its settings over ``b``'s, and its epoch), or None; its bad values are
    named in ``warnings`` (as ``pin.key=value``) and replaced as the page's own are."""
    if PINNED_KEY not in params:
        return None
    inner = dict(parse_qsl(_first(params[PINNED_KEY])[:4000], keep_blank_values=True))
    config, a_warnings = config_from_query({k: v for k, v in inner.items() if k != AT_KEY}, b)
    warnings.extend(f"{PINNED_KEY}.{w}" for w in a_warnings)
    raw = inner.get(AT_KEY, "")
    try:
        epoch = int(raw)
        if not 0 <= epoch <= MAX_PINNED_EPOCHS:
            raise ValueError
    except ValueError:
        warnings.append(f"{PINNED_KEY}.{AT_KEY}={show(raw)}: must be a whole number of epochs from 0 to "
                        f"{MAX_PINNED_EPOCHS:,}; using {config.epochs:,}")
        epoch = min(config.epochs, MAX_PINNED_EPOCHS)
    return config, epoch


def view_from_query(params: Mapping[str, object], warnings: list[str]) -> list[str]:
    """The view options a URL turns on (those it does not name keep their default); a bad value is
    named in ``warnings`` and the option keeps its default."""
    view = []
    for option, key in VIEW_OPTIONS.items():
        on = option in VIEW_DEFAULT
        if key in params:
            raw = _first(params[key]).strip()
            if raw.lower() in _ON + _OFF:
                on = raw.lower() in _ON
            else:
                warnings.append(f"{key}={show(raw)}: must be 1 (on) or 0 (off); using {int(on)}")
        if on:
            view.append(option)
    return view


def goal_from_query(params: Mapping[str, object], warnings: list[str]) -> str:
    """The challenge a URL sets (``goal=``), written as playground.challenge writes it, or ""; a bad goal is
    named in ``warnings`` and the page has none."""
    if GOAL_KEY not in params:
        return ""
    raw = _first(params[GOAL_KEY])
    try:
        return goal_text(parse_goal(raw))
    except GoalError as e:
        warnings.append(f"{GOAL_KEY}={show(raw)}: {e}; no goal")
        return ""


def speed_from_query(params: Mapping[str, object], warnings: list[str]) -> str:
    """The speed a URL sets (``speed=``), or the default; a bad value is named in ``warnings``."""
    if SPEED_KEY not in params:
        return SPEED_DEFAULT
    raw = _first(params[SPEED_KEY]).strip()
    if raw.lower() in SPEEDS:
        return raw.lower()
    warnings.append(f"{SPEED_KEY}={show(raw)}: must be {', '.join(SPEEDS[:-1])} or {SPEEDS[-1]}; using {SPEED_DEFAULT}")
    return SPEED_DEFAULT


def hide_from_query(params: Mapping[str, object], names: Sequence[str], warnings: list[str]) -> list[str]:
    """The parts a URL's ``hide=`` names, each once, in the order of ``names`` (every part that can be
    hidden). A setting may be named by its URL key or its name (``lr``, ``dataset``); the result holds
    URL keys. Names of no part are named in ``warnings`` and ignored."""
    if HIDE_KEY not in params:
        return []
    aliases = {s.name: s.url for s in SETTINGS.values() if s.name not in names}
    chosen = set()
    for part in _first(params[HIDE_KEY]).split(","):
        part = part.strip()
        name = aliases.get(part, part)
        if name in names:
            chosen.add(name)
        elif part:
            warnings.append(f"{HIDE_KEY}={show(part)}: no part of the page has that name; ignored")
    return [n for n in names if n in chosen]


def page_from_query(params: Mapping[str, object], names: Sequence[str], base: Config = DEFAULT):
    """(config, view options on, hidden parts, warnings) from a URL's query; ``names``: every part of
    the page a link may hide. Never raises."""
    c, warnings = config_from_query(params, base)
    view = view_from_query(params, warnings)
    return c, view, hide_from_query(params, names, warnings), warnings


def warning_lines(warnings: Sequence[str], limit: int = MAX_WARNINGS) -> list[str]:
    """The lines of the page's one warning about a link's values (plain text: playground.messages escapes
    what the URL put in them): at most ``limit``, then how many more."""
    more = [f"and {len(warnings) - limit:,} more"] if len(warnings) > limit else []
    return [*warnings[:limit], *more]

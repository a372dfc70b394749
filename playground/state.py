"""The experiment in the URL, in the widgets and from a model file: each made from the declarations.

Every setting goes into the query string under its declared key
(:data:`nn_core.SETTINGS`), so a shared link rebuilds the same data and the same
initial network. Values from a URL or a model file are untrusted: unknown keys
are ignored, and a bad value is replaced by the default, or moved into the
page's range, with a warning that names it. Parsing never raises.

Besides the settings, the URL holds the main area's view options (one key
each, :data:`VIEW_KEYS`) and ``hide=``: the parts of the page a shared link
hides (a teacher's link for a class). :func:`page_query` writes all of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl, urlencode

from nn_core import DATASETS, SETTINGS, Config, ConfigError, SettingError
from nn_core.config import check_together
from nn_core.network import layer_activations
from nn_core.settings import Number
from nn_core.text import show

DEFAULT = Config(dataset="circles", samples=300, noise=DATASETS["circles"].noise, hidden=(6, 6),
                 activations=("tanh",), epochs=1000)


def own_value(s, dataset: str):
    """What an optional setting's None stands for: the dataset's own value of it (its noise, say)."""
    return getattr(DATASETS[dataset], s.name)


def explicit(c: Config) -> Config:
    """``c`` with every optional setting left at None given the dataset's own value, as the page shows it."""
    own = {s.name: own_value(s, c.dataset) for s in SETTINGS.values() if getattr(c, s.name) is None}
    return replace(c, **own) if own else c


# ---------------------------------------------------------------- URL
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


def _into_page(s, v, default) -> tuple[object, str]:
    """Setting ``s``'s value ``v`` as the page may hold it, and "" or what was wrong with ``v`` and what
    became of it: the nearest value within the page's bounds, or else ``default``."""
    try:
        return s.check(v, page=True), ""
    except SettingError as e:
        try:
            near = s.check(s.kind.nearest(v, page=True), page=True)
            return near, f"{e.reason}; changed to {s.text(near)}"
        except SettingError:
            return default, f"{e.reason}; using {s.text(default)}"


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
    v, why = _into_page(s, v, default)
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


# ---------------------------------------------------------------- view options and hidden parts
# Each view option of the main area (playground.panel.VIEW_OPTIONS) has a URL key: 1 on, 0 off.
VIEW_KEYS = {"Discretize output": "disc", "Show test data": "test", "Log scale": "log"}
VIEW_DEFAULT = ("Show test data",)
HIDE_KEY = "hide"  # hide=lr,ds,network: the parts of the page a shared link hides, by name
_ON, _OFF = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
MAX_WARNINGS = 5  # lines of warnings about a link's values the page shows; the rest are counted


def page_query(c: Config, view: Sequence[str], hide: Sequence[str] = (), explore: str | None = None,
               pinned: tuple[Config, int] | None = None) -> dict[str, str]:
    """The whole query string of the page: every setting of ``c``, each view option (on if in ``view``),
    ``hide=`` if a shared link hides parts of the page (``hide``: their names, in order), the open explore
    view (``x=``) and run A of an A/B comparison (``pin=``: its config and epoch, see :func:`pinned_to_query`)."""
    query = config_to_query(c)
    query.update({key: "1" if option in view else "0" for option, key in VIEW_KEYS.items()})
    if hide:
        query[HIDE_KEY] = ",".join(hide)
    if explore in EXPLORE_KEYS:
        query[EXPLORE_KEY] = EXPLORE_KEYS[explore]
    if pinned is not None:
        query[PINNED_KEY] = pinned_to_query(*pinned, c)
    return query


# ---------------------------------------------------------------- the explore view and run A
EXPLORE_KEY, PINNED_KEY = "x", "pin"
EXPLORE_KEYS = {"Timeline": "timeline", "Gradients": "gradients", "Transformed space": "space",
                "Convergence odds": "odds", "A/B": "ab", "Export script": "script"}  # playground.explore.VIEWS
AT_KEY = "at"  # inside pin=: the epoch run A was pinned at
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
    for option, key in VIEW_KEYS.items():
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


def make_consistent(c: Config, warnings: list[str]) -> Config:
    """Repair settings that are each valid but do not fit together, saying what changed."""
    for _ in range(len(SETTINGS)):
        try:
            check_together(c)
            return c
        except SettingError as e:
            s = SETTINGS[e.name]
            fixed = s.options(c.values())[0] if s.options else s.default
            warnings.append(f"{s.url}={show(s.text(getattr(c, s.name)))}: {e.reason}; using {s.text(fixed)}")
            c = replace(c, **{s.name: fixed})
    return DEFAULT  # pragma: no cover - each repair fixes one setting for good


def fit_page(c: Config, warnings: list[str]) -> Config:
    """``c`` with every setting inside the page's bounds; each one moved is named in ``warnings``."""
    changes = {}
    for s in SETTINGS.values():
        v, why = _into_page(s, getattr(c, s.name), s.default)
        if why:
            changes[s.name] = v
            warnings.append(f"{s.label.lower()} {why}")
    return replace(c, **changes)


def _activations_fit(names, arch) -> bool:
    try:
        return layer_activations(names, len(arch.hidden)) == arch.activations
    except ValueError:
        return False


def config_for_model(network, training: Mapping[str, object], base: Config) -> tuple[Config, list[str]]:
    """The settings to continue from an uploaded model: its training settings (each already checked by
    the loader) over ``base``, its architecture, inside the page's bounds; and what was changed to get
    there. ConfigError if the model cannot be trained on the resulting dataset."""
    a = network.arch
    c = replace(base, **{n: v for n, v in training.items() if n in SETTINGS})
    c = replace(c, features=a.features, hidden=a.hidden, output=a.output,
                activations=c.activations if _activations_fit(c.activations, a) else a.activations or c.activations)
    if replace(c, output="auto").output_kind == a.output:
        c = replace(c, output="auto")
    warnings: list[str] = []
    c = fit_page(explicit(c), warnings)
    c = make_consistent(c, warnings)
    if c.architecture() != a:
        raise ConfigError(f"the model has {a.n_outputs} outputs, which does not fit the {c.dataset} dataset")
    return c, warnings


# ---------------------------------------------------------------- widgets
# The page's widgets keep their values in st.session_state under "w_" + the setting's name. The layer
# editor keeps the count in "w_layers", widths in "w_width_0", ..., and the activations in "w_same_act",
# "w_act_all" and "w_act_0", ...
def widget_key(name: str) -> str:
    return f"w_{name}"


def widget_state(c: Config) -> dict[str, object]:
    """The widget values that show config ``c``."""
    c = explicit(c)
    state: dict[str, object] = {}
    for s in SETTINGS.values():
        v = getattr(c, s.name)
        if s.widget_kind == "layers":
            state["w_layers"] = len(v)
            state.update({f"w_width_{i}": w for i, w in enumerate(v)})
        elif s.widget_kind == "layer_activations":
            acts = c.layer_activations or v
            state.update(w_same_act=len(set(acts)) <= 1, w_act_all=acts[0])
            state.update({f"w_act_{i}": a for i, a in enumerate(acts)})
        else:
            state[widget_key(s.name)] = list(v) if isinstance(v, tuple) else v
    return state


def _widget_value(s, state: Mapping[str, object]):
    if s.widget_kind == "layers":
        return tuple(state.get(f"w_width_{i}", 4) for i in range(int(state["w_layers"])))
    if s.widget_kind == "layer_activations":
        if state["w_same_act"]:
            return (state["w_act_all"],)
        return tuple(state.get(f"w_act_{i}", state["w_act_all"]) for i in range(int(state["w_layers"]))) or (
            state["w_act_all"],)
    v = state[widget_key(s.name)]
    return tuple(v) if isinstance(v, list) else v


def widget_values(state: Mapping[str, object]) -> dict[str, object]:
    """Every setting's value as the widgets hold it, unchecked (what the widgets' own rules look at)."""
    return {s.name: _widget_value(s, state) for s in SETTINGS.values()}


def config_from_widgets(state: Mapping[str, object]) -> Config:
    """The config the widgets show; ConfigError if a value is refused or the settings do not fit together."""
    values = widget_values(state)
    for s in SETTINGS.values():
        values[s.name] = s.check(values[s.name], page=True)
    return Config(**values).check(page=True)

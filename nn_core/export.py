"""An experiment as one runnable Python script that needs NumPy only: :func:`script`.

The script is made of real code: the pieces of :mod:`nn_core.reference` its experiment uses (its dataset,
activations, output, loss, initialisation, optimizer, training loop), copied as they are with
``inspect.getsource``, with the pieces and constants they call. Before them come the experiment's numbers,
a constant for each setting the script uses with its declared help (:mod:`nn_core.settings`) as comment;
after them a ``main`` of a dozen calls that puts the pieces together as the experiment's recipe
(:func:`nn_core.recipe.recipe`) says. A header names the experiment and its ``python -m nn_core train``
command.

The pieces do the engine's sums in the engine's order (see :mod:`nn_core.reference`), so the script ends at
the engine's final losses to 1e-9: tests/test_export.py and tests/test_walk.py run the scripts.
"""

from __future__ import annotations

import dis
import inspect
import shlex
from functools import cache

import numpy as np

from . import reference
from .config import Config, build_data
from .datasets import DATASETS
from .features import DEFAULT_FEATURES, FEATURES
from .formula import check_formula
from .losses import LOSSES
from .recipe import recipe
from .settings import SETTINGS, Choice, Number, Text
from .text import number_text
from .userdata import CLASSES, parse_points

RULE = "# " + "-" * 64


def _checked(config) -> Config:
    if not isinstance(config, Config):
        raise TypeError(f"expected an nn_core.Config, not {type(config).__name__}")
    return config.check()


# ---------------------------------------------------------------- the reference's pieces
def piece(name: str):
    """The piece of :mod:`nn_core.reference` called ``name`` (a function or a class); KeyError if there is none."""
    found = getattr(reference, name, None) if not name.startswith("_") else None
    if not (inspect.isfunction(found) or inspect.isclass(found)):
        raise KeyError(f"nn_core.reference has no piece {name!r}")
    return found


def optimizer_piece(name: str):
    """The reference's optimizer class for the engine's optimizer ``name`` (its ``name`` attribute)."""
    for _, cls in inspect.getmembers(reference, inspect.isclass):
        if cls.__module__ == reference.__name__ and getattr(cls, "name", None) == name:
            return cls
    raise KeyError(f"nn_core.reference has no optimizer named {name!r}")


def _codes(obj):
    """The code objects of a function or of a class's methods, nested ones (comprehensions, lambdas) too."""
    todo = [obj.__code__] if inspect.isfunction(obj) else [f.__code__ for f in vars(obj).values()
                                                            if inspect.isfunction(f)]
    while todo:
        code = todo.pop()
        yield code
        todo += [c for c in code.co_consts if inspect.iscode(c)]


def _globals(obj) -> set[str]:
    """The module-level names ``obj``'s code reads (not attributes: np.tanh reads np)."""
    return {i.argval for code in _codes(obj) for i in dis.get_instructions(code)
            if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")}


def _reads(function, name: str) -> bool:
    """Whether ``function`` reads its argument ``name`` (one it may take and ignore)."""
    return any(i.opname.startswith("LOAD_FAST") and name in (i.argval if isinstance(i.argval, tuple) else (i.argval,))
               for i in dis.get_instructions(function))  # Python 3.13 loads two locals at once, as a tuple


def needed(pieces) -> tuple[list, list[str]]:
    """The reference pieces ``pieces`` call, themselves included, in the reference's order; and the
    reference constants they read."""
    found, constants, todo = {}, set(), list(pieces)
    while todo:
        p = todo.pop()
        if p.__name__ in found:
            continue
        found[p.__name__] = p
        for name in _globals(p):
            if name in reference.CONSTANTS:
                constants.add(name)
            elif inspect.isfunction(getattr(reference, name, None)) or inspect.isclass(getattr(reference, name, None)):
                todo.append(getattr(reference, name))
    order = sorted(found.values(), key=lambda p: _located(p)[0])
    return order, [c for c in reference.CONSTANTS if c in constants]


@cache  # finding a class's source parses the whole module: once is enough
def _located(p) -> tuple[int, str]:
    """(line, source) of a piece: where it starts in the reference, and its code with the comment above it (but
    no section rule)."""
    comments = [line for line in (inspect.getcomments(p) or "").splitlines(True) if not line.startswith("# ---")]
    return inspect.getsourcelines(p)[1], "".join(comments) + inspect.getsource(p)


@cache
def _sections() -> list[tuple[int, str]]:
    """(line, title) of each section rule of the reference's source ("# ------ data"), in order."""
    lines = inspect.getsource(reference).splitlines()
    return [(i + 1, line.split("- ", 1)[1]) for i, line in enumerate(lines) if line.startswith("# -------")]


def _literal(v) -> str:
    """A dataset's own argument as Python: a NumPy function by its name, numbers and lists as written."""
    return f"np.{v.__name__}" if isinstance(v, np.ufunc) else repr(v)


# ---------------------------------------------------------------- the plan of a script
class _Plan:
    """What the script of a config holds: its settings' constants, the lines of its main and the pieces they
    call, and code made from a setting's text (a formula's function, the points)."""

    def __init__(self, c: Config):
        self.c, self.spec, self.recipe = c, DATASETS[c.dataset], recipe(c)
        _, train, test = build_data(c)
        self.n_train, self.n_test = len(train), len(test)
        self.batch = self.recipe.batch(self.n_train)
        self.constants: dict[str, str] = {}  # setting name: its value, as Python
        self.pieces: list = []
        self.made: list[str] = []  # code made from a setting's text
        self.main = self._data() + self._network() + self._training()

    def use(self, name: str) -> str:
        """Setting ``name``'s constant, by its upper-case name: its value is written once, at the top."""
        v = getattr(self.c, name)
        v = self.spec.noise if name == "noise" and v is None else v
        self.constants[name] = repr(list(v)) if isinstance(v, tuple) else number_text(v)
        return name.upper()

    def ref(self, name: str) -> str:
        """The reference piece ``name``, which the script then holds, by its name."""
        self.pieces.append(piece(name))
        return name

    def _data(self) -> list[str]:
        c, spec = self.c, self.spec
        if spec.source == "points":
            points = parse_points(c.points)
            self.constants["points"] = _points_constant(points.text)
            make = f"{self.ref('points_classes' if points.text.startswith(CLASSES) else 'points_values')}(POINTS)"
        else:
            args = [] if spec.fixed else [self.use("samples"), self.use("noise"),
                                          f"np.random.default_rng({self.use('data_seed')})"]
            if spec.source == "formula":
                f = check_formula(c.formula)
                self.made.append(f'def formula(x1, x2):\n    """The formula {f.text}, of the columns x1 and x2."""\n'
                                 f"    return {f.code()}\n")
                name, args = "formula_classes" if f.classes else "formula_values", [*args, "formula"]
            else:
                name = spec.make.__name__
            args += [f"{k}={_literal(v)}" for k, v in spec.params.items()]
            make = f"{self.ref(name)}({', '.join(args)})"
        lines = [f"X, y = {make}  # the points (n, 2), and their labels or values (n,)"]
        if self.n_test:
            lines.append(f"train_rows, test_rows = {self.ref('split')}(len(X), {self.use('test_ratio')}, "
                         f"np.random.default_rng({self.use('data_seed')}))")
        else:
            lines.append("train_rows = slice(None)  # no test set: every point trains")
        F = "X" if c.features == DEFAULT_FEATURES else (
            f"{self.ref('features')}(X, [{', '.join(self.ref(FEATURES[f].__name__) for f in c.features)}])")
        out = self.recipe.output
        lines += [f"F = {F}  # what the network sees of each point",
                  f"Y = {self.ref(f'{out}_targets')}(y, {self.recipe.n_outputs})  # and what it should output"]
        for part in ("train", "test")[:1 + bool(self.n_test)]:
            lines.append(f"F_{part}, Y_{part}, y_{part} = F[{part}_rows], Y[{part}_rows], y[{part}_rows]")
        return lines

    def _network(self) -> list[str]:
        c, r = self.c, self.recipe
        pairs = [f"({self.ref(a)}, {self.ref(a + '_derivative')})" for a in c.layer_activations]
        hidden = f"[{', '.join(pairs)}]" if len(set(pairs)) != 1 else f"[{pairs[0]}] * len(HIDDEN)"
        if len(hidden) > 90:  # one layer a line
            hidden = "[\n" + "".join(f"    {pair},\n" for pair in pairs) + "]"
        delta = piece(LOSSES[r.loss].delta.__name__)
        backward = self.ref(f"{r.output}_backward") if _reads(delta, "output_backward") else "None"
        init = self.ref(f"{c.init}_init")
        return [f"layers = {init}([F.shape[1], *{self.use('hidden')}, {r.n_outputs}], "
                f"np.random.default_rng({self.use('seed')}))",
                f"hidden = {hidden}  # each hidden layer's activation f and its derivative f'",
                f"net = {self.ref('Network')}(layers, hidden, {self.ref(r.output)}, {backward}, {self.ref(r.loss)}, "
                f"{self.ref(delta.__name__)})"]

    def _training(self) -> list[str]:
        r = self.recipe
        optimizer = optimizer_piece(r.optimizer)
        self.pieces.append(optimizer)
        hyper = ", ".join(self.use(h) for h, _ in r.hyperparameters)
        batches = self.ref("full_batch") if self.batch is None else (
            f"{self.ref('MiniBatches')}({self.use('batch_size')}, np.random.default_rng({self.use('seed')}))"
            "  # the mini-batch order: its own generator, seeded as the weights")
        rates = [self.use(name) if getattr(r, name) else "0.0" for name in ("l1", "l2")]  # a rate of 0: no constant
        penalty = f"{self.ref('Penalty')}({', '.join(rates)})" if r.penalised else "None"
        epochs, accuracy = self.use("epochs"), f"{r.output}_accuracy"
        accuracy = self.ref(accuracy) if hasattr(reference, accuracy) else "None"
        parts = ", ".join(f'("{p}", F_{p}, Y_{p}, y_{p})' for p in ("train", "test")[:1 + bool(self.n_test)])
        return [f"optimizer = {optimizer.__name__}(net.layers, {hyper})",
                f"batches = {batches}",
                f"penalty = {penalty}",
                f"parts = [{parts}]  # what the results are measured on",
                'with np.errstate(over="ignore", invalid="ignore"):  # a diverging run overflows: it is caught below',
                f"    trained, stopped = {self.ref('train')}(net, optimizer, F_train, Y_train, {epochs}, batches, "
                f"penalty, max(1, {epochs} // 10))",
                f"    {self.ref('report')}(net, trained, parts, {accuracy})",
                "if stopped:",
                '    raise SystemExit(f"training stopped: {stopped}")']


def _points_constant(text: str) -> str:
    """The points text as a parenthesised string over lines of at most 90 characters (it holds digits, signs,
    points, e, commas and semicolons only)."""
    lines, line = [], ""
    for part in text.split(";"):
        if line and len(line) + len(part) > 84:
            lines.append(line)
            line = ""
        line += part + ";"
    lines.append(line.rstrip(";"))
    return "(\n" + "\n".join(f'    "{x}"' for x in lines) + "\n)"


# ---------------------------------------------------------------- the script
def script(config) -> str:
    """The experiment ``config`` (an :class:`nn_core.Config`, checked) as one Python script that needs NumPy only.

    Run, it prints its progress and then, in lines that stay the same, ``epochs: N``, ``train loss: x``
    (and ``train accuracy``, ``test loss``, ``test accuracy`` where there are some); losses are written
    as Python floats, in full. A diverged run stops as the engine's does, prints the results of its
    last finite epoch and exits with status 1. ConfigError if ``config`` is invalid.
    """
    plan = _Plan(_checked(config))
    pieces, constants = needed(plan.pieces)
    parts = [_header(plan), "import numpy as np\n\n" + _constants(plan, constants), *plan.made, *_pieces(pieces),
             f"{RULE} the experiment\ndef main():\n"
             '    """Draw the data, train the network and print the results, with the numbers above."""\n'
             + "".join(_fitted(line, "    ") for line in plan.main),
             'if __name__ == "__main__":\n    main()\n']
    return "\n\n\n".join(p.strip("\n") for p in parts) + "\n"


def _fitted(line: str, indent: str, width: int = 120) -> str:
    """A line of main (perhaps of several), indented, its closing comment above it if it would be too long."""
    code, _, comment = line.partition("  # ")
    deeper = indent + " " * (len(code) - len(code.lstrip()))
    lines = [indent + part for part in code.splitlines()]
    if comment and (len(lines) > 1 or len(lines[-1]) + len(comment) + 4 > width):
        return f"{deeper}# {comment}\n" + "\n".join(lines) + "\n"
    return "\n".join(lines) + (f"  # {comment}" if comment else "") + "\n"


def _pieces(pieces: list) -> list[str]:
    """Each piece's source (with the comment above it), a section's rule and title before its first piece."""
    sections, out, current = _sections(), [], None
    for p in pieces:
        line, source = _located(p)
        title = next((t for start, t in reversed(sections) if start < line), "")
        if title != current:
            source, current = f"{RULE} {title}\n{source}", title
        out.append(source)
    return out


def _constants(plan: _Plan, constants: list[str]) -> str:
    """The experiment's numbers (settings, with their help), then the pieces' constants (with what they are)."""
    lines = ["# The experiment's numbers: change them and run it again. (Its pieces are this experiment's:",
             "# another dataset, activation, output, loss or optimizer is another export.)"]
    for s in SETTINGS.values():
        if s.name in plan.constants:
            lines.append(f"{s.name.upper()} = {plan.constants[s.name]}  # {s.help or s.label}")
    lines += [f"{c} = {number_text(reference.CONSTANTS[c][0])}  # {reference.CONSTANTS[c][1]}" for c in constants]
    return "\n".join(lines)


def train_command(config) -> str:
    """``config`` as a ``python -m nn_core train`` command line: a flag for each setting off its default."""
    c = _checked(config)
    words = ["python", "-m", "nn_core", "train"]
    for s in SETTINGS.values():
        v = getattr(c, s.name)
        if v != s.default:
            text = s.text(v) if not isinstance(v, tuple) else ""
            if text.startswith("-"):  # a formula such as -x1 > 0: --formula=... reads as a value
                words.append(f"{s.flag}={text}")
            else:
                words += [s.flag, *(map(str, v) if isinstance(v, tuple) else [text])]
    return shlex.join(words)


def _wrapped(command: str, indent: str, width: int = 96) -> str:
    """A shell command over lines of at most ``width`` characters (a longer word alone), each but the
    last ending in a backslash."""
    lines, line = [], ""
    for word in map(shlex.quote, shlex.split(command)):
        if line and len(indent) + len(line) + len(word) + 3 > width:
            lines.append(line + " \\")
            line = "    "
        line += (" " if line.strip() else "") + word
    return "\n".join(indent + line for line in [*lines, line])


def _setting_text(plan: _Plan, s) -> str:
    """A setting's value as the header's table shows it: with its title where its kind has titles, what "auto"
    stands for, the points counted rather than listed."""
    v = getattr(plan.c, s.name)
    if isinstance(s.kind, Text) and s.name in plan.constants:
        return f"{plan.n_train + plan.n_test} points, in {s.name.upper()} below"
    if v is None:
        return f"{plan.constants.get(s.name, 'none')} (the dataset's own)"
    if v == "auto":
        return f"auto: {getattr(plan.recipe, s.name)}"
    if isinstance(s.kind, Choice) and s.kind.titles(v) != v:
        return f"{v}, {s.kind.titles(v).removeprefix(f'{v}: ')}"
    return ", ".join(v) if isinstance(v, tuple) and v and isinstance(v[0], str) else s.text(v)


def _header(plan: _Plan) -> str:
    """The script's docstring: what it is, the command it equals, and a table of the settings it uses (those
    that apply: shown and enabled for these settings, and the numbers its main reads)."""
    c, values = plan.c, plan.c.values()
    rows = [f"    {s.name:<12} {_setting_text(plan, s)}" for s in SETTINGS.values()
            if (s.shown is None or s.shown(values)) and (s.enabled is None or s.enabled(values))
            and (not isinstance(s.kind, Number) or s.name in plan.constants)
            and not (s.name == "activations" and not c.hidden)]
    sizes = "-".join(map(str, c.architecture().sizes))
    command = train_command(c)
    return "\n".join([
        f'r"""{plan.spec.title}, learnt by a {sizes} network written from scratch with NumPy.',
        "",
        "One nn_core experiment written out as a plain script: the same data, the same initial weights and",
        "the same training maths, sum for sum, so that on the same machine it ends at the final losses of",
        "",
        _wrapped(command, "    "),
        "",
        f"({'every setting at its default; ' if command.endswith(' train') else ''}to 1e-9 or closer). "
        "It needs NumPy only. The experiment:",
        "",
        *rows,
        '"""',
    ])

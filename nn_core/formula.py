"""Formulas of x1 and x2, typed by a person and read safely: the labels of the formula dataset.

:func:`parse` reads the text with Python's own parser (``ast.parse`` builds a tree and runs nothing)
and keeps the tree only if every part of it is on a short list:

- numbers (at most 1,000,000 in size), the names ``x1`` and ``x2``, and the constants ``pi`` and ``e``;
- ``+ - * / %`` and ``**`` (an exponent must not depend on x1 or x2, and lies within ±10), unary ``-`` and ``+``;
- comparisons ``< <= > >= == !=``, chained as in ``-0.5 < x1 < 0.5``, joined by ``and``, ``or``, ``not``;
- the functions of :data:`FUNCTIONS`, called by name with their number of arguments.

The text is at most :data:`MAX_LENGTH` characters, and the tree at most :data:`MAX_NODES` parts and
:data:`MAX_DEPTH` deep. Anything else is refused with a :class:`FormulaError` naming the part
(``x1.__class__: attribute access is not allowed``). The parts that depend on neither x1 nor x2 are
worked out once, as NumPy works them out (``9**9`` is 387420489.0, never a Python integer), which is how a
too large exponent such as ``9**9**9``'s is caught before anything is computed.

:meth:`Formula.evaluate` walks the tree with NumPy over the points; nothing is ever evaluated as Python
code. A formula whose top is a comparison (or ``and``, ``or``, ``not``) gives two classes, 1 where it holds
and 0 elsewhere; any other formula gives regression values, and a comparison used as a number counts 1 or 0.
A formula must be defined wherever it is evaluated: a comparison of a value that is not a number (the square
root of a negative number, 0/0) is refused, and so is a regression value that is not finite (1/0).
:func:`check_formula` also evaluates it over the square [-1, 1]^2 that the dataset samples (a
:data:`GRID` x :data:`GRID` grid with the axes on it): a comparison must hold somewhere and fail somewhere.
"""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass
from functools import lru_cache, reduce

import numpy as np

from .checks import is_number
from .text import format_number, printable, shorten

MAX_LENGTH = 200  # characters
MAX_NODES = 100  # numbers, names, operations and calls
MAX_DEPTH = 20  # nested parts
MAX_POWER = 10  # the largest exponent, in size
MAX_NUMBER = 1e6  # the largest number written, in size
GRID = 65  # points a side over [-1, 1]^2 that check_formula evaluates on: -1, ..., 0, ..., 1
DEFAULT_FORMULA = "x1*x2 > 0"

FUNCTIONS = {
    "sin": (np.sin, 1), "cos": (np.cos, 1), "tan": (np.tan, 1), "tanh": (np.tanh, 1), "exp": (np.exp, 1),
    "log": (np.log, 1), "sqrt": (np.sqrt, 1), "abs": (np.abs, 1), "sign": (np.sign, 1), "floor": (np.floor, 1),
    "min": (np.minimum, 2), "max": (np.maximum, 2), "atan2": (np.arctan2, 2), "hypot": (np.hypot, 2),
}
"""name: (NumPy function, number of arguments). ``min``/``max`` are element-wise, of two values."""
CONSTANTS = {"pi": math.pi, "e": math.e}
VARIABLES = ("x1", "x2")

_ARITHMETIC = {ast.Add: ("+", operator.add), ast.Sub: ("-", operator.sub), ast.Mult: ("*", operator.mul),
               ast.Div: ("/", operator.truediv), ast.Mod: ("%", operator.mod), ast.Pow: ("**", operator.pow)}
_COMPARISONS = {ast.Lt: ("<", operator.lt), ast.LtE: ("<=", operator.le), ast.Gt: (">", operator.gt),
                ast.GtE: (">=", operator.ge), ast.Eq: ("==", operator.eq), ast.NotEq: ("!=", operator.ne)}
_SIGNS = {ast.USub: ("-", operator.neg), ast.UAdd: ("+", operator.pos)}
_LOGIC = {ast.And: ("&", np.logical_and), ast.Or: ("|", np.logical_or)}
_OPERATOR_HINTS = {
    ast.BitXor: "^ is not a power here: write x1**2 for x1 squared",
    ast.BitAnd: "& is not allowed: join comparisons with and", ast.BitOr: "| is not allowed: join comparisons with or",
    ast.FloorDiv: "// is not allowed: write floor(a / b)", ast.Invert: "~ is not allowed: write not",
}
_PARTS = {ast.Attribute: "attribute access", ast.Lambda: "lambda", ast.Subscript: "indexing",
          ast.ListComp: "a comprehension", ast.SetComp: "a comprehension", ast.DictComp: "a comprehension",
          ast.GeneratorExp: "a comprehension", ast.JoinedStr: "an f-string", ast.NamedExpr: "assignment (:=)",
          ast.IfExp: "if ... else", ast.Tuple: "a tuple", ast.List: "a list", ast.Set: "a set", ast.Dict: "a dict",
          ast.Starred: "a starred argument", ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield",
          ast.Slice: "a slice", ast.FormattedValue: "an f-string"}


class FormulaError(ValueError):
    """A formula that is refused: not one of the allowed parts, too long, or not defined where it is used."""


def _array(X) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"expected points of shape (n, 2), not {X.shape}")
    return X


def _number(v):
    """A value as a number: a comparison's True and False count 1 and 0."""
    return v.astype(np.float64) if getattr(v, "dtype", None) == np.bool_ else v


@dataclass(frozen=True, eq=False)
class Formula:
    """A parsed formula: ``text`` as typed (stripped), its checked tree with the constant parts worked out."""

    text: str
    tree: ast.expr
    classes: bool  # the top is a comparison: two classes; otherwise regression values

    @property
    def task(self) -> str:
        return "binary" if self.classes else "regression"

    @property
    def n_classes(self) -> int:
        return 2 if self.classes else 0

    def evaluate(self, X) -> np.ndarray:
        """The formula at points X (n, 2): (n,) float64, 1.0 or 0.0 for a comparison.

        FormulaError, naming the first such point, where it is not defined (a comparison of a value that
        is not a number) or a regression value is not finite."""
        X = _array(X)
        with np.errstate(all="ignore"):
            v = _Walk(X).value(self.tree)
        v = np.broadcast_to(_number(np.asarray(v)), (len(X),)).astype(np.float64)
        bad = ~np.isfinite(v)
        if bad.any():
            raise FormulaError(f"{shorten(self.text)} is {_what(v[bad][0])} at {_where(X, bad)}")
        return v

    def labels(self, X) -> np.ndarray:
        """Labels of points X (n, 2): int64 classes 0/1 for a comparison, float64 values otherwise."""
        v = self.evaluate(X)
        return v.astype(np.int64) if self.classes else v

    def code(self) -> str:
        """The formula as a NumPy expression of the arrays ``x1`` and ``x2`` (for a script to read), which
        computes what :meth:`evaluate` does, operation for operation."""
        if not _uses_variables(self.tree):
            return f"np.full(len(x1), {_code_number(self.tree, bare=True)})"
        return _code(self.tree, bare=True)


def _what(v) -> str:
    return "not a number" if np.isnan(v) else "infinite"


def _where(X, bad) -> str:
    x1, x2 = X[np.argmax(bad)]
    return f"(x1, x2) = ({format_number(float(x1), 4)}, {format_number(float(x2), 4)})"


class _Walk:
    """Evaluates a checked tree over columns x1, x2 with NumPy; operations as :func:`_code` writes them."""

    def __init__(self, X):
        # Over points, a constant stays a Python float, as in the code; folding works on NumPy scalars,
        # whose 1/0 is inf (a Python float's raises) and whose 9**9 is a float (a Python int's is exact)
        self.env = {"x1": X[:, 0], "x2": X[:, 1]} if X is not None else {}
        self.X, self.scalar = X, float if X is not None else np.float64

    def value(self, node):
        if isinstance(node, ast.Constant):
            return np.bool_(node.value) if isinstance(node.value, bool) else self.scalar(node.value)
        if isinstance(node, ast.Name):
            return self.env[node.id]
        if isinstance(node, ast.BinOp):
            return _ARITHMETIC[type(node.op)][1](_number(self.value(node.left)), _number(self.value(node.right)))
        if isinstance(node, ast.UnaryOp):
            operand = self.value(node.operand)
            if isinstance(node.op, ast.Not):
                return np.logical_not(operand)
            return _SIGNS[type(node.op)][1](_number(operand))
        if isinstance(node, ast.BoolOp):
            return reduce(_LOGIC[type(node.op)][1], [self.value(v) for v in node.values])
        if isinstance(node, ast.Compare):
            return self.compare(node)
        fn = FUNCTIONS[node.func.id][0]
        return fn(*[_number(self.value(a)) for a in node.args])

    def compare(self, node: ast.Compare):
        values = [_number(self.value(v)) for v in [node.left, *node.comparators]]
        for part, v in zip([node.left, *node.comparators], values):
            nan = np.isnan(v)
            if np.any(nan):
                where = f" at {_where(self.X, np.broadcast_to(nan, (len(self.X),)))}" if self.X is not None else ""
                raise FormulaError(f"{shorten(getattr(part, 'source', '') or 'a value')} is not a number{where}, "
                                   "so it cannot be compared")
        pairs = [_COMPARISONS[type(op)][1](a, b) for op, a, b in zip(node.ops, values, values[1:])]
        return reduce(np.logical_and, pairs)


# ---------------------------------------------------------------- reading the text
def parse(text: str) -> Formula:
    """The formula written in ``text``; FormulaError naming the first part that is not allowed."""
    if not isinstance(text, str):
        raise FormulaError(f"a formula is text, not {type(text).__name__}")
    return _parse(text)


@lru_cache(maxsize=64)
def _parse(text: str) -> Formula:
    text = text.strip()
    if not text:
        raise FormulaError("the formula is empty: write a formula of x1 and x2, such as x1*x2 > 0")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is longer than {MAX_LENGTH} characters")
    odd = next((c for c in text if not c.isprintable() or c in "#\\"), None)
    if odd is not None:  # ast.parse would skip a comment; a formula is one line, safe to quote in a script
        what = {"#": "a comment (#)", "\\": "a backslash"}.get(odd, "a line break or control character")
        raise FormulaError(f"a formula is one line of numbers, names and operators: it may not hold {what}")
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as e:
        raise FormulaError(f"not a formula: {e.msg} at character {e.offset or 1}") from None
    except (ValueError, RecursionError, MemoryError):  # a lone surrogate, say; nesting the parser refuses
        raise FormulaError("not a formula: it cannot be read") from None
    _check_size(tree)
    tree = _Check(text).node(tree)
    return Formula(text, tree, _is_logical(tree) and _uses_variables(tree))


def _check_size(tree: ast.expr) -> None:
    """MAX_NODES and MAX_DEPTH, counted without recursion (the tree may be deep)."""
    count, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise FormulaError(f"the formula nests deeper than {MAX_DEPTH}")
        if count > MAX_NODES:
            raise FormulaError(f"the formula has more than {MAX_NODES} parts")
        stack.extend((c, depth + 1) for c in ast.iter_child_nodes(node) if isinstance(c, (ast.expr, ast.keyword)))


def _is_logical(node) -> bool:
    """Whether the node's value is a truth value: a comparison, and/or/not, or a constant one."""
    return (isinstance(node, (ast.Compare, ast.BoolOp)) or isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.Not) or isinstance(node, ast.Constant) and isinstance(node.value, bool))


def _uses_variables(node) -> bool:
    return any(isinstance(n, ast.Name) and n.id in VARIABLES for n in ast.walk(node))


class _Check:
    """Checks each part of a tree against the list, bottom up, and works out the parts without x1 or x2."""

    def __init__(self, text: str):
        self.text = text

    def part(self, node) -> str:
        return printable(shorten(ast.get_source_segment(self.text, node) or type(node).__name__))

    def refuse(self, node, why: str):
        raise FormulaError(f"{self.part(node)}: {why}")

    def node(self, node):
        check = getattr(self, f"_{type(node).__name__}", None)
        if check is None:
            self.refuse(node, f"{_PARTS.get(type(node), type(node).__name__)} is not allowed in a formula")
        source = self.part(node)
        node = check(node)
        if not isinstance(node, ast.Constant) and not _uses_variables(node):
            node = self.fold(node)
        node.source = source  # for messages about the part as it was written
        return node

    def fold(self, node) -> ast.Constant:
        """A part without x1 or x2 as the number (or truth value) NumPy makes of it."""
        with np.errstate(all="ignore"):
            try:
                v = _Walk(None).value(node)
            except FormulaError:
                raise FormulaError(f"{self.part(node)} is not a number") from None
        if isinstance(v, np.bool_):
            return ast.copy_location(ast.Constant(bool(v)), node)
        if not np.isfinite(v):
            raise FormulaError(f"{self.part(node)} is {_what(v)}")
        return ast.copy_location(ast.Constant(float(v)), node)

    def _Constant(self, node):
        v = node.value
        if not is_number(v):
            kind = "a string" if isinstance(v, (str, bytes)) else "a complex number" if isinstance(v, complex) else None
            self.refuse(node, f"{kind or str(v)} is not allowed; a formula uses numbers, x1, x2, pi and e")
        if not abs(v) <= MAX_NUMBER:  # also NaN, and inf (1e400)
            self.refuse(node, f"numbers must lie within ±{MAX_NUMBER:,.0f}")
        return ast.copy_location(ast.Constant(float(v)), node)

    def _Name(self, node):
        if node.id in CONSTANTS:
            return ast.copy_location(ast.Constant(CONSTANTS[node.id]), node)
        if node.id not in VARIABLES:
            self.refuse(node, f"unknown name; a formula uses {', '.join(VARIABLES)}, {', '.join(CONSTANTS)}")
        return node

    def _BinOp(self, node):
        if type(node.op) not in _ARITHMETIC:
            self.refuse(node, _OPERATOR_HINTS.get(type(node.op), "this operator is not allowed"))
        node.left, node.right = self.node(node.left), self.node(node.right)
        if isinstance(node.op, ast.Pow):
            if not isinstance(node.right, ast.Constant):
                self.refuse(node, f"the exponent {node.right.source} depends on x1 or x2; an exponent must be a "
                                  "number (write exp(x1 * log(2)) for 2**x1)")
            if not abs(node.right.value) <= MAX_POWER:
                self.refuse(node, f"the exponent {node.right.source} is too large: an exponent lies within "
                                  f"±{MAX_POWER}")
        return node

    def _UnaryOp(self, node):
        if isinstance(node.op, ast.Not):
            return self._logical(node, [node.operand], "not")
        if type(node.op) not in _SIGNS:
            self.refuse(node, _OPERATOR_HINTS.get(type(node.op), "this operator is not allowed"))
        node.operand = self.node(node.operand)
        return node

    def _BoolOp(self, node):
        return self._logical(node, node.values, "and" if isinstance(node.op, ast.And) else "or")

    def _logical(self, node, operands, word: str):
        checked = [self.node(v) for v in operands]
        for v in checked:
            if not _is_logical(v):
                self.refuse(node, f"{word} takes comparisons (such as x1 > 0), not {v.source}")
        if isinstance(node, ast.UnaryOp):
            node.operand = checked[0]
        else:
            node.values = checked
        return node

    def _Compare(self, node):
        bad = next((op for op in node.ops if type(op) not in _COMPARISONS), None)
        if bad is not None:
            word = {ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not"}.get(type(bad), "this")
            self.refuse(node, f"{word} is not allowed: compare with < <= > >= == !=")
        node.left, node.comparators = self.node(node.left), [self.node(c) for c in node.comparators]
        return node

    def _Call(self, node):
        if isinstance(node.func, ast.Attribute):
            self.refuse(node, "attribute access is not allowed; call a function by its name, such as sin(x1)")
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            self.refuse(node, f"only these functions: {', '.join(FUNCTIONS)}")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            self.refuse(node, "keyword and starred arguments are not allowed")
        n = FUNCTIONS[name][1]
        if len(node.args) != n:
            self.refuse(node, f"{name} takes {n} argument{'s' if n > 1 else ''}")
        node.args = [self.node(a) for a in node.args]
        return node


# ---------------------------------------------------------------- as NumPy code
def _code(node, bare: bool = False) -> str:
    """``node`` as a NumPy expression; compound parts in parentheses unless ``bare``."""
    if isinstance(node, ast.Constant):
        return repr(node.value)
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Call):
        fn = FUNCTIONS[node.func.id][0]
        return f"np.{fn.__name__}({', '.join(_code_number(a, bare=True) for a in node.args)})"
    if isinstance(node, ast.BinOp):
        text = f"{_code_number(node.left)} {_ARITHMETIC[type(node.op)][0]} {_code_number(node.right)}"
    elif isinstance(node, ast.UnaryOp):
        text = f"~{_code(node.operand)}" if isinstance(node.op, ast.Not) else \
            f"{_SIGNS[type(node.op)][0]}{_code_number(node.operand)}"
    elif isinstance(node, ast.BoolOp):
        text = f" {_LOGIC[type(node.op)][0]} ".join(_code(v) for v in node.values)
    else:
        parts = [_code_number(v) for v in [node.left, *node.comparators]]
        pairs = [f"{a} {_COMPARISONS[type(op)][0]} {b}" for op, a, b in zip(node.ops, parts, parts[1:])]
        text = pairs[0] if len(pairs) == 1 else " & ".join(f"({p})" for p in pairs)
    return text if bare else f"({text})"


def _code_number(node, bare: bool = False) -> str:
    """``node`` used as a number: a truth value as 1.0 or 0.0."""
    if _is_logical(node) and not isinstance(node, ast.Constant):
        return f"{_code(node)}.astype(np.float64)"
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return repr(float(node.value))
    return _code(node, bare)


# ---------------------------------------------------------------- over the square
def check_formula(text: str) -> Formula:
    """:func:`parse`, and the formula evaluated over the square [-1, 1]^2: defined everywhere on the grid,
    and a comparison true somewhere and false somewhere. FormulaError says what is wrong, and where."""
    return _checked(parse(text))


@lru_cache(maxsize=64)
def _checked(f: Formula) -> Formula:
    if not _uses_variables(f.tree):
        raise FormulaError(f"{shorten(f.text)} uses neither x1 nor x2: every point would get the same "
                           f"{'class' if _is_logical(f.tree) else 'value'}")
    axis = np.linspace(-1.0, 1.0, GRID)
    grid = np.column_stack([np.repeat(axis, GRID), np.tile(axis, GRID)])
    v = f.evaluate(grid)
    if f.classes and v.min() == v.max():
        raise FormulaError(f"{shorten(f.text)} is {'true' if v[0] else 'false'} everywhere on the square "
                           "[-1, 1]^2 where the points are drawn: one class only")
    return f

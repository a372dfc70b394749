"""Data a person brings: points drawn by hand or read from a CSV file, held as one compact text.

The points text
---------------
The ``custom`` dataset's points live in the ``points`` setting as one line of text, so that a Config
holds its data and a link, a model file and a flag carry it like any other setting::

    c;x1,x2,class;x1,x2,class;...     classes: a class index from 0 to 19 per point
    v;x1,x2,value;x1,x2,value;...     values, for regression

``c;-.5,.25,1;.3,.4,0`` is two points, of classes 1 and 0. Coordinates are in the plane's units (the
built-in datasets lie within ±2, their noise included; at most ±10 here), rounded to 3 decimals; values are rounded to 4
significant digits; every number is written as short as it reads back (``.5``, ``-1.25``, ``1.235e6``).
Blanks around the parts, and empty parts (a trailing ``;``), are ignored. ``c`` or ``v`` alone holds no
points yet. :func:`parse_points` reads a text (:class:`PointsError` naming the point and the problem),
:func:`points_text` writes one, :func:`add_point` and :func:`undo_point` grow and shrink one.

A config holds at most :data:`MAX_POINTS` points (the page :data:`PAGE_POINTS`). A link carries them
when there are at most :data:`URL_POINTS` (:func:`fits_url`): some 2 kB of URL; more travel as a CSV file.

CSV files
---------
:func:`read_csv` reads ``x1,x2,label`` (classes) or ``x1,x2,value`` (regression) rows, separated by
commas, semicolons or tabs (one of them throughout), with an optional header. A header row holds no
number; its third name decides: ``label`` or ``class`` for classes, ``value`` for values; without one of
those, whole numbers of at most 20 kinds are classes and anything else values. A fourth column named
``split`` (the page's download has one) is ignored: the test ratio and data seed split the data. Class
labels that are not 0 to k-1 (-1 and 1, say) become 0 to k-1 in sorted order. The points are moved into
the plane as the built-in datasets lie: centred and scaled, proportions kept, so that the wider of x1 and x2
spans -1 to 1; unless they already lie within ±2 and spread over 1 at least (a file the page wrote reads
back unchanged). The result's notes say in a sentence each what was done. A bad file raises
:class:`DataFileError`, one message naming the row (counted from 1, as a spreadsheet shows it) and the
problem; nothing is pickled or evaluated. :func:`to_csv` writes the file back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from .text import format_number, printable, shorten, show

MAX_POINTS = 100_000  # points a config holds (the command line's --data takes this many rows)
PAGE_POINTS = 2_000  # the page's bound
URL_POINTS = 100  # points a link carries
MAX_CLASSES = 20
MAX_COORDINATE = 10.0  # in the plane's units
MAX_VALUE = 1e6  # a regression value's size
PLANE = 2.0  # points within ±PLANE that spread over MIN_SPREAD at least are kept as they are
MIN_SPREAD = 1.0
MAX_FILE_BYTES = 20_000_000  # a CSV file the command line reads (100,000 rows take some 5 MB)
PAGE_FILE_BYTES = 1_000_000  # one the page reads (2,000 rows take some 100 kB)
CLASSES, VALUES = "c", "v"  # the kind marks; each alone is a text with no points yet
DEFAULT_POINTS = "c;-.6,-.5,0;-.4,-.7,0;.5,.6,0;.7,.4,0;-.5,.6,1;-.7,.4,1;.6,-.5,1;.4,-.7,1"
"""Eight points in two classes, XOR's corners: what the custom dataset holds until a person brings theirs."""

LABEL_NAMES, VALUE_NAMES = ("label", "class"), ("value",)
SPLIT_NAME = "split"
SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs"}
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_LINES = re.compile(r"\r\n|\r|\n")
_MAX_TEXT = 40  # characters a point may take in a text (with blanks): bounds the text before it is read


class PointsError(ValueError):
    """A points text that cannot be read; the message names the point (counted from 1) and the problem."""


class DataFileError(ValueError):
    """A data file that cannot be used; the message names the row (counted from 1) and the problem."""


# ---------------------------------------------------------------- the points text
@dataclass(frozen=True, eq=False)
class Points:
    """Points X (n, 2) float64 in the plane's units and labels y (n,): int64 classes or float64 values."""

    X: np.ndarray
    y: np.ndarray
    classes: bool

    def __len__(self) -> int:
        return len(self.X)

    @property
    def n_classes(self) -> int:
        """The classes a network outputs: the largest class index + 1 (2 at least); 0 for values."""
        return max(int(self.y.max()) + 1 if len(self.y) else 0, 2) if self.classes else 0

    @property
    def task(self) -> str:
        return "regression" if not self.classes else "binary" if self.n_classes == 2 else "multiclass"

    @cached_property
    def text(self) -> str:
        """The points as text, in canonical form."""
        return points_text(self.X, self.y, self.classes)

    def problem(self) -> str:
        """What the points lack before a network can learn them, or "" if nothing."""
        if self.classes and len(np.unique(self.y)) < 2:
            return "add points of two classes at least" if len(self) else "no points yet: add two classes at least"
        if not self.classes and len(self) < 2:
            return "add two points at least"
        return ""


def _short(text: str) -> str:
    """A formatted number written shorter: 0.500 as .5, -0.25 as -.25, 1.235e+06 as 1.235e6."""
    mantissa, e, exponent = text.partition("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    if mantissa.startswith(("0.", "-0.")):
        mantissa = mantissa.replace("0.", ".", 1)
    if mantissa in ("-0", ""):
        mantissa = "0"
    return mantissa + (f"e{int(exponent)}" if e else "")


def points_text(X, y, classes: bool) -> str:
    """Points X (n, 2) and labels y (n,) as a points text: coordinates to 3 decimals, values to 4 digits."""
    X = np.asarray(X, dtype=np.float64).reshape(-1, 2)
    labels = [str(int(v)) for v in np.asarray(y).tolist()] if classes else \
        [_short(f"{v:.4g}") for v in np.asarray(y, dtype=np.float64).tolist()]
    coords = [_short(f"{v:.3f}") for v in X.ravel().tolist()]
    parts = [CLASSES if classes else VALUES]
    parts += [f"{a},{b},{k}" for a, b, k in zip(coords[0::2], coords[1::2], labels)]
    return ";".join(parts)


def parse_points(text: str, max_points: int = MAX_POINTS) -> Points:
    """The points a text holds, rounded as its canonical form rounds them (``.text``); PointsError
    naming the first bad point. Up to ``max_points`` points."""
    if not isinstance(text, str):
        raise PointsError(f"points are text, not {type(text).__name__}")
    if len(text) > _MAX_TEXT * max_points + 2:
        raise PointsError(f"more than {max_points:,} points")
    return _parse_points(text, max_points)


@lru_cache(maxsize=8)
def _parse_points(text: str, max_points: int) -> Points:
    kind, _, rest = text.strip().partition(";")
    kind = kind.strip()
    if kind not in (CLASSES, VALUES):
        raise PointsError(f"points start with {CLASSES} (classes) or {VALUES} (values), not {show(kind)}")
    parts = [p for p in rest.split(";") if p.strip()]
    if len(parts) > max_points:
        raise PointsError(f"more than {max_points:,} points")
    table = _point_numbers(parts)
    X, y = table[:, :2], table[:, 2]
    _check_points(parts, X, y, kind == CLASSES)
    y = y.astype(np.int64) if kind == CLASSES else y
    canonical = points_text(X, y, kind == CLASSES)  # the rounding, done once, as the text writes it
    table = _point_numbers(canonical.split(";")[1:]).reshape(-1, 3)
    points = Points(table[:, :2].copy(), table[:, 2].astype(np.int64) if kind == CLASSES else table[:, 2].copy(),
                    kind == CLASSES)
    points.X.flags.writeable = points.y.flags.writeable = False  # shared by every caller of the cache
    points.__dict__["text"] = canonical
    return points


def _point_numbers(parts: Sequence[str]) -> np.ndarray:
    """(n, 3) float64 of x1,x2,label parts; PointsError naming the first that is not three numbers."""
    rows = [p.split(",") for p in parts]
    try:
        if all(len(r) == 3 for r in rows):
            return np.array(rows, dtype=np.float64).reshape(-1, 3)
    except ValueError:
        pass
    for i, (part, row) in enumerate(zip(parts, rows)):
        try:
            if len(row) != 3:
                raise ValueError
            [float(v) for v in row]
        except ValueError:
            raise PointsError(f"point {i + 1}: {show(printable(part.strip()))} is not x1,x2,label "
                              "(three numbers)") from None
    raise AssertionError("unreachable")  # pragma: no cover - NumPy refused what float() reads


def _check_points(parts: Sequence[str], X: np.ndarray, y: np.ndarray, classes: bool) -> None:
    """PointsError naming the first point whose numbers are out of bounds."""
    checks = [(~np.isfinite(X).all(axis=1) | (np.abs(X) > MAX_COORDINATE).any(axis=1),
               f"coordinates must be finite and lie within ±{MAX_COORDINATE:g}"),
              (~np.isfinite(y), "the label must be a finite number")]
    if classes:
        checks.append(((y != np.floor(y)) | (y < 0) | (y >= MAX_CLASSES),
                       f"a class must be a whole number from 0 to {MAX_CLASSES - 1}"))
    else:
        checks.append((np.abs(y) > MAX_VALUE, f"a value must lie within ±{MAX_VALUE:,.0f}"))
    for bad, why in checks:
        if bad.any():
            i = int(np.argmax(bad))
            raise PointsError(f"point {i + 1}: {show(printable(parts[i].strip()))}: {why}")


def add_point(text: str, x1: float, x2: float, label, max_points: int = PAGE_POINTS) -> str:
    """``text`` with one more point (x1, x2) of class or value ``label``, last; PointsError if the text
    cannot hold it (a class from 0 to 19 for classes, a value for values, coordinates within ±10, at most
    ``max_points`` points)."""
    points = parse_points(text, max_points)
    if len(points) >= max_points:
        raise PointsError(f"at most {max_points:,} points")
    try:
        if points.classes and not float(label).is_integer():
            raise ValueError
        y = [int(label)] if points.classes else [float(label)]
    except (TypeError, ValueError, OverflowError):
        kind = f"a class from 0 to {MAX_CLASSES - 1}" if points.classes else "a value"
        raise PointsError(f"the label must be {kind}, not {show(label)}") from None
    return points.text + parse_points(points_text([[x1, x2]], y, points.classes), 1).text[1:]


def undo_point(text: str) -> str:
    """``text`` without its last point (the one added last); unchanged if it holds none."""
    points = parse_points(text)
    head, _, _ = points.text.rpartition(";")
    return head if len(points) else points.text


def fits_url(text: str) -> bool:
    """Whether a link carries these points: at most URL_POINTS of them (a text that cannot be read: no)."""
    try:
        return len(parse_points(text)) <= URL_POINTS
    except PointsError:
        return False


# ---------------------------------------------------------------- CSV files
@dataclass(frozen=True, eq=False)
class UserData:
    """A data file's points, in the plane (``points.text`` goes into a Config), and ``notes``: a sentence
    for each thing done to them (read as classes or values, relabelled, moved into the plane)."""

    points: Points
    notes: tuple[str, ...]

    @property
    def text(self) -> str:
        """The points text: ``config.replace(dataset="custom", points=data.text)``."""
        return self.points.text

    @property
    def X(self) -> np.ndarray:
        return self.points.X

    @property
    def y(self) -> np.ndarray:
        return self.points.y

    @property
    def task(self) -> str:
        return self.points.task

    @property
    def n_classes(self) -> int:
        return self.points.n_classes


@dataclass
class _Table:
    """A file's rows of numbers: X (n, 2), the third column, the rows' numbers in the file, the header."""

    X: np.ndarray
    labels: np.ndarray
    rows: np.ndarray
    header: list[str] | None


def read_csv(data: bytes | str, *, max_rows: int = MAX_POINTS, max_bytes: int = MAX_FILE_BYTES) -> UserData:
    """The points of a CSV file's contents (see the module's docstring); DataFileError naming the row
    and the problem. The page passes PAGE_POINTS and PAGE_FILE_BYTES; ``max_rows`` is at most MAX_POINTS."""
    table = _table(_decode(data, max_bytes), min(max_rows, MAX_POINTS))
    classes, notes = _kind(table)
    y = _classes(table, notes) if classes else _values(table)
    X, where = _to_plane(table.X)
    notes = [f"Read {len(y):,} rows of {'classes' if classes else 'values'}.", *notes, where]
    if table.header is not None and len(table.header) == 4:
        notes.append(f"The {SPLIT_NAME} column is ignored: the test ratio and the data seed split the data.")
    try:  # what the points text refuses is the file's problem: one kind of error from a file
        return UserData(parse_points(points_text(X, y, classes), MAX_POINTS), tuple(notes))
    except PointsError as e:
        raise DataFileError(str(e)) from None


def read_csv_file(path, *, max_rows: int = MAX_POINTS, max_bytes: int = MAX_FILE_BYTES) -> UserData:
    """:func:`read_csv` of the file at ``path``; a file larger than ``max_bytes`` is refused unread."""
    try:
        with open(path, "rb") as f:
            size = Path(path).stat().st_size
            data = f.read(max_bytes + 1) if size <= max_bytes else b""
    except OSError as e:
        raise DataFileError(f"cannot read {printable(shorten(str(path), 80))}: {e.strerror}") from None
    if size > max_bytes:
        raise DataFileError(_too_large(size, max_bytes))
    return read_csv(data, max_rows=max_rows, max_bytes=max_bytes)


def _too_large(size: int, max_bytes: int) -> str:
    return f"the file is larger than {max_bytes / 1e6:g} MB ({size / 1e6:.1f} MB)"


def _row_of(data, index: int) -> int:
    return data.count(b"\n", 0, index) + 1


def _decode(data: bytes | str, max_bytes: int) -> str:
    """The file's text; DataFileError if it is too large, binary or not UTF-8, or empty."""
    if len(data) > max_bytes:
        raise DataFileError(_too_large(len(data), max_bytes))
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise DataFileError(f"a binary file, not CSV text: row {_row_of(data, nul)} holds a NUL byte")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DataFileError(f"not UTF-8 text (a binary file?): row {_row_of(data, e.start)} holds the byte "
                            f"0x{data[e.start]:02x}") from None
    if not text.strip():
        raise DataFileError("the file is empty")
    return text


def _separator(line: str, row: int) -> str:
    present = [s for s in SEPARATORS if s in line]
    if len(present) > 1:
        raise DataFileError(f"row {row} mixes separators ({' and '.join(SEPARATORS[s] for s in present)}): "
                            "use one of commas, semicolons or tabs throughout")
    if not present:
        raise DataFileError(f"row {row} has one column: expected x1, x2 and a label or value, separated by "
                            "commas, semicolons or tabs")
    return present[0]


def _cells(line: str, row: int, sep: str, first: int) -> list[str]:
    other = next((s for s in SEPARATORS if s != sep and s in line), None)
    if other is not None:
        comma = any(re.fullmatch(r"[+-]?\d*,\d+", c.strip()) for c in line.split(sep))
        hint = " (write decimals with a point)" if comma else ""
        raise DataFileError(f"row {row} has {SEPARATORS[other]} but row {first} is separated by "
                            f"{SEPARATORS[sep]}: a file takes one separator throughout{hint}")
    return [c.strip().strip('"').strip() for c in line.split(sep)]


def _table(text: str, max_rows: int) -> _Table:
    """The rows of numbers; DataFileError naming the first row that is not one (or one too many)."""
    lines = [(i + 1, line) for i, line in enumerate(_LINES.split(text)) if line.strip()]
    first, line = lines[0]
    sep = _separator(line, first)
    header = _cells(line, first, sep, first)
    if any(_NUMBER.fullmatch(c) for c in header):
        header = None
    else:
        lines = lines[1:]
        _check_header(header, first)
    if not lines:
        raise DataFileError(f"the file has a header (row {first}) but no rows of data")
    if len(lines) > max_rows:
        raise DataFileError(f"row {lines[max_rows][0]}: more than {max_rows:,} rows of data (the most allowed here)")
    width = len(header) if header else 3
    values = np.empty((len(lines), 3))
    for k, (row, line) in enumerate(lines):
        cells = _cells(line, row, sep, first)
        if len(cells) != width:
            raise DataFileError(f"row {row} has {len(cells)} column{'s' if len(cells) != 1 else ''}; expected "
                                f"{width}: x1, x2 and a label or value" + (f", {SPLIT_NAME}" if width == 4 else ""))
        if k == 0 and header and not any(_NUMBER.fullmatch(c) for c in cells[:3]):
            raise DataFileError(f"no numeric columns: rows {first} and {row} hold text, not numbers")
        values[k] = [_cell(c, row, j) for j, c in enumerate(cells[:3])]
    rows = np.array([row for row, _ in lines], dtype=np.int64)
    return _Table(values[:, :2], values[:, 2], rows, [h.lower() for h in header] if header else None)


def _check_header(header: list[str], row: int) -> None:
    if len(header) == 3 or len(header) == 4 and header[3].lower() == SPLIT_NAME:
        return
    raise DataFileError(f"row {row} (the header) has {len(header)} column{'s' if len(header) != 1 else ''}; "
                        f"expected 3: x1, x2 and label or value (and an optional fourth, {SPLIT_NAME})")


_COLUMNS = ("x1", "x2", "label or value")


def _cell(text: str, row: int, column: int) -> float:
    """One number; DataFileError naming the row and column if it is not a finite one."""
    where = f"row {row}, column {column + 1} ({_COLUMNS[column]})"
    if _NUMBER.fullmatch(text):
        v = float(text)
        if abs(v) < float("inf"):
            return v
        raise DataFileError(f"{where}: {show(text)} is too large for a number (infinite)")
    word = text.lower().lstrip("+-")
    if word == "nan":
        raise DataFileError(f"{where}: NaN (not a number) is not allowed: every value must be known")
    if word in ("inf", "infinity"):
        raise DataFileError(f"{where}: infinite values are not allowed")
    if not text:
        raise DataFileError(f"{where} is empty")
    raise DataFileError(f"{where}: {show(printable(text))} is not a number")


def _kind(table: _Table) -> tuple[bool, list[str]]:
    """(classes?, notes): the header's third name decides; without one, whole numbers of 20 kinds at most
    are classes."""
    name = table.header[2] if table.header else ""
    if name in LABEL_NAMES or name in VALUE_NAMES:
        return name in LABEL_NAMES, []
    labels = table.labels
    kinds = len(np.unique(labels))
    column = f"The third column{f' ({show(name)})' if name else ''}"
    if np.all(labels == np.floor(labels)) and kinds <= MAX_CLASSES:
        return True, [f"{column} holds whole numbers of {kinds} kind{'s' if kinds > 1 else ''}: read as classes "
                      "(a header x1,x2,value reads them as values)."]
    return False, [f"{column} holds {'more than 20 whole numbers' if kinds > MAX_CLASSES else 'fractions'}: read "
                   "as values (a header x1,x2,label reads whole numbers as classes)."]


def _classes(table: _Table, notes: list[str]) -> np.ndarray:
    """The labels as classes 0 to k-1 in sorted order (a note if they were not); DataFileError if they are
    not whole, are of one class, or of more than MAX_CLASSES."""
    labels, rows = table.labels, table.rows
    bad = labels != np.floor(labels)
    if bad.any():
        i = int(np.argmax(bad))
        raise DataFileError(f"row {rows[i]}: the label {format_number(float(labels[i]))} is not a whole number "
                            "(a header x1,x2,value reads the third column as values)")
    kinds, first = np.unique(labels, return_index=True)
    if len(kinds) > MAX_CLASSES:
        i = int(np.sort(first)[MAX_CLASSES])
        raise DataFileError(f"row {rows[i]}: more than {MAX_CLASSES} classes (its label "
                            f"{format_number(float(labels[i]))} is the {MAX_CLASSES + 1}st)")
    if len(kinds) < 2:
        raise DataFileError(f"one class only: every row's label is {format_number(float(kinds[0]))}; a classifier "
                            "needs two classes or more")
    if not np.array_equal(kinds, np.arange(len(kinds))):
        old = ", ".join(format_number(float(k)) for k in kinds)
        notes.append(f"The classes {old} are relabelled {', '.join(map(str, range(len(kinds))))}.")
    return np.searchsorted(kinds, labels).astype(np.int64)


def _values(table: _Table) -> np.ndarray:
    bad = np.abs(table.labels) > MAX_VALUE
    if bad.any():
        i = int(np.argmax(bad))
        raise DataFileError(f"row {table.rows[i]}: the value {format_number(float(table.labels[i]))} is larger "
                            f"than {MAX_VALUE:,.0f} in size: scale the values down")
    return table.labels


def _to_plane(X: np.ndarray) -> tuple[np.ndarray, str]:
    """The points in the plane as the built-in datasets lie, and a sentence saying how."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    with np.errstate(over="ignore"):
        half = float(np.max(hi - lo)) / 2
    if half == 0:
        raise DataFileError(f"every point is at (x1, x2) = ({format_number(float(lo[0]))}, "
                            f"{format_number(float(lo[1]))}): the points need some spread")
    if not np.isfinite(half):
        raise DataFileError("the coordinates span more than a float can hold")
    if np.all(np.abs(X) <= PLANE) and 2 * half >= MIN_SPREAD:
        return X, f"x1 and x2 are kept as they are: they already lie in the plane (within ±{PLANE:g})."
    centre = lo + (hi - lo) / 2  # (lo + hi) / 2 overflows for points near the largest float
    new_lo, new_hi = (lo - centre) / half, (hi - centre) / half

    def span(a, b):
        return f"{format_number(float(a), 4)}..{format_number(float(b), 4)}"

    scaled = f" and scaled by 1/{format_number(half, 4)}" if half != 1 else ""
    return (X - centre) / half, (
        f"x1 and x2 are moved into the plane as the built-in datasets lie, proportions kept: centred on "
        f"({format_number(float(centre[0]), 4)}, {format_number(float(centre[1]), 4)}){scaled}, x1 from "
        f"{span(lo[0], hi[0])} to {span(new_lo[0], new_hi[0])} and x2 from {span(lo[1], hi[1])} to "
        f"{span(new_lo[1], new_hi[1])} (rounded to 3 decimals).")


def to_csv(X, y, task: str, split: Sequence[str] | None = None) -> str:
    """Points X (n, 2) and labels y (n,) as a CSV file that :func:`read_csv` reads back: a header
    ``x1,x2,label`` (classes) or ``x1,x2,value`` (``task`` "regression"), an optional ``split`` column
    (train or test, per point), numbers written so that they read back exactly."""
    classes = task != "regression"
    X = np.asarray(X, dtype=np.float64).reshape(-1, 2).tolist()
    y = np.asarray(y).tolist()
    head = ["x1", "x2", LABEL_NAMES[0] if classes else VALUE_NAMES[0], *([SPLIT_NAME] if split is not None else [])]
    lines = [",".join(head)]
    for i, ((a, b), v) in enumerate(zip(X, y)):
        label = str(int(v)) if classes else repr(float(v))
        lines.append(f"{a!r},{b!r},{label}" + (f",{split[i]}" if split is not None else ""))
    return "\n".join(lines) + "\n"

"""Load and save data as CSV, read with the standard library's :mod:`csv`.

Reading (:func:`read_table`, then :meth:`CSVTable.select`; or :func:`load_csv` in one go):

- The delimiter is sniffed among ``,`` ``;`` and tab: the one that splits the first lines
  into the same number (at least 2) of columns; when several do, tab wins over ``;`` over
  ``,``. With ``;`` or tab, decimal commas (``1,5``) are read as decimal points.
- Quoted fields (``"a, b"``, doubled quotes inside), a UTF-8 byte-order mark, CRLF line
  ends, blank lines and spaces around cells are tolerated.
- The first line is a header when it holds text in a column whose next line holds a number,
  or when all of it is text; otherwise the columns are named ``x1``, ``x2``, … and the last
  one ``label``.
- The target is the last column unless ``target`` names another (by header name or 0-based
  index). The inputs are the other two columns of a 3-column file; with more columns choose
  them with ``inputs`` (names or indices), or ``inputs="all"`` for every other column.
- Target cells that are text make a classification with those class names (sorted; 2..10
  classes). Integer-valued numbers with 2..10 distinct values make a classification too
  (labels renumbered 0..k-1 in sorted order); a target column headed ``target`` or
  ``y_value``, or any non-integer target, makes a regression.

Hostile input is refused before proportional work where possible (file size, row count,
column count, cell length), and every failure is a :class:`CSVError` whose message names the
file's line (1-based, counting the header) and quotes at most :data:`QUOTE_CHARS` characters
of the file. Every value must be finite and within ±1,000,000.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mlpviz.engine.datasets import MAX_SAMPLES, Dataset, DatasetError

MAX_CLASSES = 10
MAX_COLUMNS = 64
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_CELL_CHARS = 200
MAX_VALUE = 1e6
QUOTE_CHARS = 60
REGRESSION_HEADERS: tuple[str, ...] = ("target", "y_value")
DELIMITERS: tuple[str, ...] = ("\t", ";", ",")  # in order of preference on a tie
_SNIFF_LINES = 20
_BOM = b"\xef\xbb\xbf"
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_NOT_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


class CSVError(DatasetError):
    """A CSV file that cannot be read as data; the message names the line."""


def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` in single quotes, cut to ``limit`` characters with "…" (for messages)."""
    cut = text if len(text) <= limit else text[:limit] + "…"
    return repr(cut)


@dataclass(frozen=True)
class CSVData:
    """Selected columns of a CSV file: ``X`` (n, d) float64 inputs named ``input_names``;
    ``y`` (n,) int64 class indices or float64 regression targets; ``kind`` binary,
    multiclass or regression; ``class_names`` the text labels (empty for numeric labels)."""

    X: np.ndarray
    y: np.ndarray
    kind: str
    n_classes: int
    name: str
    input_names: tuple[str, ...]
    target_name: str
    class_names: tuple[str, ...]

    def dataset(self) -> Dataset:
        """This data as a 2-D Dataset (CSVError unless there are exactly two inputs)."""
        if self.X.shape[1] != 2:
            raise CSVError(f"{self.name}: a 2-D dataset needs exactly two input columns; "
                           f"{self.X.shape[1]} are chosen")
        return Dataset(self.X, self.y, self.kind, self.n_classes, self.name, self.class_names)

    @property
    def Y(self) -> np.ndarray:
        """Network targets (n, k): a 0/1 column, one-hot rows, or the regression targets."""
        if self.kind == "multiclass":
            return np.eye(self.n_classes)[self.y]
        return self.y.astype(np.float64)[:, None]


@dataclass(frozen=True)
class CSVTable:
    """A CSV file split into cells: ``columns`` (header names, or x1, x2, …, label when the
    file has no header), ``rows`` of stripped cells with their ``lines`` (1-based)."""

    filename: str
    name: str
    delimiter: str
    has_header: bool
    first_line: int
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    lines: tuple[int, ...]

    def _where(self, line: int) -> str:
        return f"{self.filename}, line {line}"

    def _column(self, key: str | int, role: str) -> int:
        if isinstance(key, bool) or not isinstance(key, str | int):
            raise CSVError(f"{self.filename}: the {role} column must be a name or an index; "
                           f"got {quote(repr(key))}")
        if isinstance(key, int):
            if not -len(self.columns) <= key < len(self.columns):
                raise CSVError(f"{self.filename}: there is no column {key}; the file has "
                               f"{len(self.columns)} columns")
            return key % len(self.columns)
        matches = [i for i, c in enumerate(self.columns) if c == key]
        if not matches:
            matches = [i for i, c in enumerate(self.columns) if c.lower() == key.lower()]
        if len(matches) != 1:
            what = "no column" if not matches else f"{len(matches)} columns"
            raise CSVError(f"{self.filename}: {what} named {quote(key)} ({role}); the columns "
                           f"are {self.describe_columns()}")
        return matches[0]

    def describe_columns(self) -> str:
        """The column names for a message: quoted, cut, at most 8 then "…"."""
        shown = ", ".join(quote(c, 20) for c in self.columns[:8])
        return shown + (", …" if len(self.columns) > 8 else "")

    def select(self, inputs: Sequence[str | int] | str | None = None,
               target: str | int | None = None) -> CSVData:
        """The data with ``target`` (default: the last column) and ``inputs`` (default:
        the other two columns of a 3-column file; a list of names/indices, or "all")."""
        t = self._column(-1 if target is None else target, "target")
        others = [i for i in range(len(self.columns)) if i != t]
        if inputs is None:
            if len(self.columns) < 3:
                raise CSVError(
                    f"{self._where(self.first_line)}: found {len(self.columns)} columns, "
                    "expected 3 (two inputs, then the label)")
            if len(others) != 2:
                raise CSVError(
                    f"{self.filename}: the file has {len(self.columns)} columns "
                    f"({self.describe_columns()}); choose the input columns")
            chosen = others
        elif isinstance(inputs, str):
            if inputs != "all":
                raise CSVError(f"{self.filename}: inputs must be a list of columns or "
                               f"\"all\"; got {quote(inputs)}")
            chosen = others
        else:
            chosen = [self._column(key, "input") for key in inputs]
        if not chosen:
            raise CSVError(f"{self.filename}: choose at least one input column")
        if len(set(chosen)) != len(chosen) or t in chosen:
            raise CSVError(f"{self.filename}: a column is chosen twice (inputs and target "
                           f"must be different columns)")
        X = np.empty((len(self.rows), len(chosen)))
        for r, (row, line) in enumerate(zip(self.rows, self.lines, strict=True)):
            for c, col in enumerate(chosen):
                X[r, c] = self._number(row[col], line, col, "input")
        kind, y, n_classes, names = self._targets(t)
        return CSVData(X, y, kind, n_classes, self.name,
                       tuple(self.columns[i] for i in chosen), self.columns[t], names)

    def _number(self, cell: str, line: int, col: int, role: str) -> float:
        text = cell.replace(",", ".") if self.delimiter != "," else cell
        where = f"{self._where(line)}: column {col + 1}"
        if _NOT_FINITE.fullmatch(text):
            raise CSVError(f"{where} is {quote(cell)}; values must be finite")
        if not _NUMBER.fullmatch(text):
            raise CSVError(f"{where} is not a number: {quote(cell)}"
                           + (" (an empty cell)" if not cell else ""))
        value = float(text)
        if not math.isfinite(value) or abs(value) > MAX_VALUE:
            raise CSVError(f"{where} is {quote(cell)}; {role} values must lie within "
                           f"±{MAX_VALUE:,.0f}")
        return value

    def _targets(self, t: int) -> tuple[str, np.ndarray, int, tuple[str, ...]]:
        cells = [row[t] for row in self.rows]
        if not all(self._numeric(c) for c in cells):
            return self._text_classes(cells)
        values = np.array([self._number(c, line, t, "target")
                           for c, line in zip(cells, self.lines, strict=True)])
        regression = self.columns[t].strip().lower() in REGRESSION_HEADERS \
            or not np.all(values == np.round(values))
        if regression:
            return "regression", values, 1, ()
        classes, index = np.unique(values, return_index=True)
        if len(classes) > MAX_CLASSES:
            eleventh = self.lines[int(np.sort(index)[MAX_CLASSES])]
            raise CSVError(
                f"{self._where(eleventh)}: more than {MAX_CLASSES} different labels; "
                f"name the target column '{REGRESSION_HEADERS[0]}' for a regression target")
        if len(classes) < 2:
            raise CSVError(f"{self._where(self.lines[0])}: every row has the label "
                           f"{classes[0]:g}; a classification needs at least two classes")
        y = np.searchsorted(classes, values).astype(np.int64)
        return ("binary" if len(classes) == 2 else "multiclass"), y, len(classes), ()

    def _text_classes(self, cells: list[str]) -> tuple[str, np.ndarray, int, tuple[str, ...]]:
        first_line: dict[str, int] = {}
        for cell, line in zip(cells, self.lines, strict=True):
            first_line.setdefault(cell, line)
        if len(first_line) > MAX_CLASSES:
            eleventh = sorted(first_line.values())[MAX_CLASSES]
            raise CSVError(f"{self._where(eleventh)}: more than {MAX_CLASSES} different class "
                           "names")
        empty = first_line.get("")
        if empty is not None:
            raise CSVError(f"{self._where(empty)}: the class name is empty")
        if len(first_line) < 2:
            raise CSVError(f"{self._where(self.lines[0])}: every row has the class "
                           f"{quote(cells[0])}; a classification needs at least two classes")
        names = tuple(sorted(first_line))
        number = {name: i for i, name in enumerate(names)}
        y = np.array([number[c] for c in cells], dtype=np.int64)
        return ("binary" if len(names) == 2 else "multiclass"), y, len(names), names

    def _numeric(self, cell: str) -> bool:
        text = cell.replace(",", ".") if self.delimiter != "," else cell
        return bool(_NUMBER.fullmatch(text) or _NOT_FINITE.fullmatch(text))


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n} bytes"


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode(data: bytes, filename: str) -> str:
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CSVError(f"{filename}, line {_line_of(data, exc.start)}: not UTF-8 text (save "
                       "the file as UTF-8)") from None


def _records(text: str, delimiter: str, filename: str, limit: int | None = None
             ) -> list[tuple[int, tuple[str, ...]]]:
    """(first line, stripped cells) of each non-blank record; at most ``limit`` records."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                        skipinitialspace=True, strict=False)
    out: list[tuple[int, tuple[str, ...]]] = []
    line = 1
    try:
        for row in reader:
            cells = tuple(cell.strip() for cell in row)
            if any(cells):
                if len(cells) > MAX_COLUMNS:
                    raise CSVError(f"{filename}, line {line}: more than {MAX_COLUMNS} columns")
                long = next((c for c in cells if len(c) > MAX_CELL_CHARS), None)
                if long is not None:
                    raise CSVError(f"{filename}, line {line}: a cell is longer than "
                                   f"{MAX_CELL_CHARS} characters: {quote(long)}")
                out.append((line, cells))
                if limit is not None and len(out) >= limit:
                    break
                if len(out) > MAX_SAMPLES + 1:
                    break
            line = reader.line_num + 1
    except csv.Error as exc:
        raise CSVError(f"{filename}, line {reader.line_num or 1}: unreadable CSV "
                       f"({quote(str(exc))})") from None
    return out


def sniff_delimiter(text: str) -> str:
    """The delimiter among ``DELIMITERS`` that splits the first lines into the same number
    (at least 2) of columns; else the one for which most lines agree; "," when none splits."""
    candidates = []
    for preference, delimiter in enumerate(DELIMITERS):
        try:
            sample = _records(text, delimiter, "", limit=_SNIFF_LINES)
        except CSVError:
            continue
        counts = [len(cells) for _, cells in sample]
        if counts and counts[0] >= 2:
            agree = sum(c == counts[0] for c in counts)
            candidates.append((agree == len(counts), agree, -preference, delimiter))
    return max(candidates)[3] if candidates else ","


def read_table(path: str | os.PathLike[str]) -> CSVTable:
    """Read ``path`` into cells: check its size, decode, sniff the delimiter, find the header
    and check that every row has as many cells as the first."""
    path = Path(path)
    filename = path.name
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CSVError(f"{filename}: the file is {_size(size)}; at most "
                           f"{_size(MAX_FILE_BYTES)} can be imported")
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise CSVError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise CSVError(f"{filename}: the file is larger than {_size(MAX_FILE_BYTES)}")
    text = _decode(data, filename)
    delimiter = sniff_delimiter(text)
    records = _records(text, delimiter, filename)
    if not records:
        raise CSVError(f"{filename}, line 1: the file is empty; expected rows such as "
                       "'x1,x2,label' then one row per sample")
    first_line, first = records[0]
    if len(first) < 2:
        raise CSVError(f"{filename}, line {first_line}: found 1 column, expected at least 2 "
                       "separated by commas, semicolons or tabs (inputs, then the label)")
    table = CSVTable(filename, path.stem, delimiter, False, first_line, (), (), ())
    second = records[1][1] if len(records) > 1 else None
    has_header = _is_header(table, first, second)
    if has_header:
        columns, body = first, records[1:]
        if not body:
            raise CSVError(f"{filename}, line {first_line}: only a header, no data rows follow")
    else:
        columns = tuple(f"x{i + 1}" for i in range(len(first) - 1)) + ("label",)
        body = records
    if len(body) > MAX_SAMPLES:
        raise CSVError(f"{filename}, line {body[MAX_SAMPLES][0]}: more than {MAX_SAMPLES} "
                       "data rows")
    for line, cells in body:
        if len(cells) != len(columns):
            raise CSVError(f"{filename}, line {line}: expected {len(columns)} "
                           f"{_DELIMITER_NAMES[delimiter]}-separated values like the first "
                           f"line, found {len(cells)}")
    return CSVTable(filename, path.stem, delimiter, has_header, first_line, tuple(columns),
                    tuple(cells for _, cells in body), tuple(line for line, _ in body))


def _is_header(table: CSVTable, first: tuple[str, ...], second: tuple[str, ...] | None) -> bool:
    numeric = [table._numeric(c) for c in first]
    if all(numeric):
        return False
    if second is None or not any(numeric):
        return True
    return any(not a and table._numeric(b) for a, b in zip(numeric, second, strict=False))


def load_csv(path: str | os.PathLike[str], inputs: Sequence[str | int] | None = None,
             target: str | int | None = None) -> Dataset:
    """Read ``path`` into a 2-D Dataset named after the file's stem (two ``inputs``; see
    the module docstring)."""
    return read_table(path).select(inputs, target).dataset()


def save_csv(ds: Dataset, path: str | os.PathLike[str]) -> None:
    """Write ``ds`` so that :func:`load_csv` reads it back: header ``x1,x2,label`` (or
    ``x1,x2,target`` for regression), floats written exactly (shortest round-trip form),
    class names (quoted where needed) when the dataset has them.

    The file is replaced atomically. A classification subset missing some class reloads
    with its labels renumbered.
    """
    path = Path(path)
    last = "label" if ds.is_classification else REGRESSION_HEADERS[0]
    if ds.class_names:
        labels = [ds.class_names[int(v)] for v in ds.y]
    elif ds.is_classification:
        labels = [str(int(v)) for v in ds.y]
    else:
        labels = [repr(float(v)) for v in ds.y]
    out_text = io.StringIO()
    writer = csv.writer(out_text, lineterminator="\n")
    writer.writerow(["x1", "x2", last])
    writer.writerows([repr(x1), repr(x2), label]
                     for (x1, x2), label in zip(ds.X.tolist(), labels, strict=True))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise CSVError(f"{path}: cannot write the file: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(out_text.getvalue())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CSVError(f"{path}: cannot write the file: {exc.strerror or exc}") from None

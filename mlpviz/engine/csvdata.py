"""Load and save a Dataset as CSV: a header line, then rows ``x1,x2,label``.

Exactly two input columns and the label last; header names are free. Integer-valued labels
with 2..10 distinct values make a classification set (labels renumbered 0..k-1 in sorted
order). A last column headed ``target`` or ``y_value``, or any non-integer label, makes a
regression set. Blank lines, spaces around cells, double quotes around cells, CRLF line ends
and a UTF-8 byte-order mark are tolerated. Every error names the file's line (1-based,
counting the header).
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

import numpy as np

from mlpviz.engine.datasets import MAX_SAMPLES, Dataset, DatasetError

MAX_CLASSES = 10
REGRESSION_HEADERS: tuple[str, ...] = ("target", "y_value")
_BOM = b"\xef\xbb\xbf"


class CSVError(DatasetError):
    """A CSV file that cannot be read as a dataset; the message names the line."""


def _cells(text: str) -> list[str]:
    return [cell.strip().strip('"').strip() for cell in text.split(",")]


def _where(path: Path, number: int) -> str:
    return f"{path.name}, line {number}"


def _row(cells: list[str], path: Path, number: int) -> tuple[float, float, float]:
    """The three numbers of a data row; CSVError naming the line and column if one is bad."""
    if len(cells) != 3:
        raise CSVError(
            f"{_where(path, number)}: expected 3 comma-separated values (x1, x2, label) like "
            f"the header, found {len(cells)}"
        )
    values = []
    for column, cell in enumerate(cells, start=1):
        try:
            value = float(cell)
        except ValueError:
            raise CSVError(
                f"{_where(path, number)}: column {column} is not a number: {cell!r}"
            ) from None
        if not math.isfinite(value):
            raise CSVError(
                f"{_where(path, number)}: column {column} is {cell!r}; values must be finite"
            )
        values.append(value)
    return values[0], values[1], values[2]


def load_csv(path: str | os.PathLike[str]) -> Dataset:
    """Read ``path`` into a Dataset named after the file's stem (see the module docstring)."""
    path = Path(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise CSVError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    header: list[str] | None = None
    header_line = 0
    rows: list[tuple[float, float, float]] = []
    label_lines: dict[float, int] = {}
    with handle:
        try:
            for number, raw in enumerate(handle, start=1):
                if number == 1 and raw.startswith(_BOM):
                    raw = raw[len(_BOM):]
                try:
                    text = raw.decode("utf-8").strip()
                except UnicodeDecodeError:
                    raise CSVError(
                        f"{_where(path, number)}: not UTF-8 text (save the file as UTF-8)"
                    ) from None
                if not text:
                    continue
                cells = _cells(text)
                if header is None:
                    header, header_line = _check_header(cells, _where(path, number)), number
                    continue
                if len(rows) == MAX_SAMPLES:
                    raise CSVError(f"{_where(path, number)}: more than {MAX_SAMPLES} data rows")
                row = _row(cells, path, number)
                rows.append(row)
                if row[2] not in label_lines:
                    label_lines[row[2]] = number
        except OSError as exc:
            raise CSVError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    if header is None:
        raise CSVError(
            f"{path.name}, line 1: the file is empty; expected a header such as "
            "'x1,x2,label' and then one row per sample"
        )
    if not rows:
        raise CSVError(f"{path.name}, line {header_line}: only a header, no data rows follow")
    data = np.array(rows, dtype=np.float64)
    name = path.stem
    labels = data[:, 2]
    regression = header[2].lower() in REGRESSION_HEADERS or not np.all(labels == np.round(labels))
    if regression:
        return Dataset(data[:, :2], labels, "regression", 1, name)
    classes = sorted(label_lines)
    if len(classes) > MAX_CLASSES:
        eleventh = sorted(label_lines.values())[MAX_CLASSES]
        raise CSVError(
            f"{path.name}, line {eleventh}: more than {MAX_CLASSES} different labels; "
            f"name the last column '{REGRESSION_HEADERS[0]}' for a regression target"
        )
    if len(classes) < 2:
        raise CSVError(
            f"{path.name}, line {label_lines[classes[0]]}: every row has the label "
            f"{classes[0]:g}; "
            "a classification needs at least two classes"
        )
    y = np.searchsorted(np.array(classes), labels)
    kind = "binary" if len(classes) == 2 else "multiclass"
    return Dataset(data[:, :2], y, kind, len(classes), name)


def _check_header(cells: list[str], where: str) -> list[str]:
    if len(cells) != 3:
        raise CSVError(
            f"{where}: the header must name 3 comma-separated columns (two inputs, then the "
            f"label), found {len(cells)}"
        )
    try:
        [float(cell) for cell in cells]
    except ValueError:
        return cells
    raise CSVError(f"{where}: the first line must be a header such as 'x1,x2,label', not numbers")


def save_csv(ds: Dataset, path: str | os.PathLike[str]) -> None:
    """Write ``ds`` so that :func:`load_csv` reads it back: header ``x1,x2,label`` (or
    ``x1,x2,target`` for regression), floats written exactly (shortest round-trip form).

    The file is replaced atomically. A classification subset missing some class reloads
    with its labels renumbered.
    """
    path = Path(path)
    last = "label" if ds.is_classification else REGRESSION_HEADERS[0]
    lines = [f"x1,x2,{last}"]
    labels = [str(int(v)) for v in ds.y] if ds.is_classification else [repr(float(v)) for v in ds.y]
    lines += [f"{x1!r},{x2!r},{label}" for (x1, x2), label in zip(ds.X.tolist(), labels,
                                                                   strict=True)]
    text = "\n".join(lines) + "\n"
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise CSVError(f"{path}: cannot write the file: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CSVError(f"{path}: cannot write the file: {exc.strerror or exc}") from None

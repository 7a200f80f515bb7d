"""Validation issues and the report that gathers them.

Every rule returns a list of :class:`Issue`; a :class:`ValidationReport` gathers all of them so
that the user fixes the files once. An issue names the file, layer, column and rows, says what
was found and how to fix it.

Rows are numbered from 1 in the order of the file: row 1 is the first feature of a GeoPackage or
Shapefile layer (the first line of QGIS's attribute table), or the first data line of a CSV
after its header.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

__all__ = ["Issue", "ValidationReport", "ERROR", "WARNING", "INFO", "format_rows"]

log = logging.getLogger(__name__)

ERROR = "error"
WARNING = "warning"
INFO = "info"
_SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}
_MAX_ROWS_SHOWN = 10


def format_rows(rows: Sequence[int], limit: int = _MAX_ROWS_SHOWN) -> str:
    """``"rows 3, 7, 12"`` or ``"rows 3, 7, … (25 rows)"``; ``""`` for no rows."""
    if not rows:
        return ""
    shown = ", ".join(str(r) for r in rows[:limit])
    word = "row" if len(rows) == 1 else "rows"
    more = f", … ({len(rows)} rows)" if len(rows) > limit else ""
    return f"{word} {shown}{more}"


@dataclass(frozen=True)
class Issue:
    """One problem found in an input.

    Attributes
    ----------
    severity
        ``"error"`` (the input cannot be used), ``"warning"`` (usable, but check it) or
        ``"info"`` (what the reader did, e.g. which alias matched a column).
    code
        Stable identifier of the rule (``missing_column``, ``duplicate_id`` …), for filtering.
    layer, file, column
        Where: the scenario layer name, the file path and the canonical column (``""`` if none).
    rows
        1-based row numbers concerned (all of them; the text shows the first ten).
    message
        What was found.
    fix
        How to fix it.
    """

    severity: str
    code: str
    layer: str
    file: str
    message: str
    column: str = ""
    rows: tuple[int, ...] = ()
    fix: str = ""

    def to_text(self) -> str:
        """One line: ``ERROR [code] file (layer), column, rows: message. Fix: …``."""
        where = [f"{self.file} (layer {self.layer})" if self.file else f"layer {self.layer}"]
        if self.column:
            where.append(f"column {self.column!r}")
        if self.rows:
            where.append(format_rows(self.rows))
        text = f"{self.severity.upper()} [{self.code}] {', '.join(where)}: {self.message}"
        if self.fix:
            text += f" Fix: {self.fix}"
        return text

    def to_record(self) -> dict[str, object]:
        """A flat dict for CSV/JSON (rows joined with spaces)."""
        record = asdict(self)
        record["rows"] = " ".join(str(r) for r in self.rows)
        record["n_rows"] = len(self.rows)
        return record


@dataclass
class ValidationReport:
    """All issues found in a scenario's inputs.

    Attributes
    ----------
    issues
        Issues in the order the rules found them.
    strict
        Whether warnings count as errors (``phusong check --strict``).
    """

    issues: list[Issue] = field(default_factory=list)
    strict: bool = False

    def extend(self, issues: Iterable[Issue]) -> None:
        """Add issues, logging each one at its level."""
        for issue in issues:
            level = {ERROR: logging.ERROR, WARNING: logging.WARNING}.get(issue.severity, logging.INFO)
            # the log line carries the level already: the text without its severity word
            log.log(level, "%s", issue.to_text().removeprefix(f"{issue.severity.upper()} "))
            self.issues.append(issue)

    def effective(self) -> list[Issue]:
        """Issues with warnings promoted to errors when ``strict``."""
        if not self.strict:
            return list(self.issues)
        return [replace(i, severity=ERROR) if i.severity == WARNING else i for i in self.issues]

    @property
    def errors(self) -> list[Issue]:
        """Issues that block the run (warnings included when ``strict``)."""
        return [i for i in self.effective() if i.severity == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        """Warnings (none when ``strict``: they are errors then)."""
        return [i for i in self.effective() if i.severity == WARNING]

    @property
    def ok(self) -> bool:
        """True when there is no error."""
        return not self.errors

    def codes(self) -> set[str]:
        """The rule codes present."""
        return {i.code for i in self.issues}

    def find(self, code: str, layer: str | None = None) -> list[Issue]:
        """Issues with this code (and layer)."""
        return [i for i in self.issues if i.code == code and (layer is None or i.layer == layer)]

    def summary(self) -> str:
        """``"2 errors, 3 warnings"``."""
        n_e, n_w = len(self.errors), len(self.warnings)
        return f"{n_e} error{'s' * (n_e != 1)}, {n_w} warning{'s' * (n_w != 1)}"

    def to_text(self, include_info: bool = False) -> str:
        """The report as lines of text, errors first."""
        shown = [i for i in self.effective() if include_info or i.severity != INFO]
        shown.sort(key=lambda i: _SEVERITY_ORDER.get(i.severity, 3))
        lines = [i.to_text() for i in shown]
        lines.append(f"Validation: {self.summary()}.")
        return "\n".join(lines)

    def to_frame(self):  # -> pandas.DataFrame
        """The report as a table (one row per issue)."""
        import pandas as pd

        cols = ["severity", "code", "layer", "file", "column", "rows", "n_rows", "message", "fix"]
        return pd.DataFrame([i.to_record() for i in self.effective()], columns=cols)

    def write(self, path: str | Path, overwrite: bool = False) -> Path:
        """Write the report as CSV (``.csv``) or JSON (``.json``), atomically."""
        from phusong._io import write_csv, write_json

        path = Path(path)
        if path.suffix.lower() == ".json":
            payload = {"summary": self.summary(), "strict": self.strict,
                       "issues": [i.to_record() for i in self.effective()]}
            return write_json(path, payload, overwrite)
        return write_csv(path, self.to_frame(), overwrite)

"""Errors as data: every problem carries where it was found.

Nothing here prints or exits; the CLI turns these into messages and exit codes.
"""
from __future__ import annotations

from dataclasses import dataclass, field


def format_path(path: tuple) -> str:
    """``('projects', 2, 'spent')`` -> ``projects[3].spent``.

    List indexes are shown counting from 1, like the 序号 column of the report.

    >>> format_path(('projects', 2, 'spent'))
    'projects[3].spent'
    >>> format_path(())
    ''
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file (data or template), a line and column (1-based), a data path.

    In a workbook, ``sheet`` and ``cell`` (``"C7"``) take the place of line and column.
    """

    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: tuple = ()
    sheet: str | None = None
    cell: str | None = None

    def __str__(self) -> str:
        """``file:line:column: [path]`` (``file:sheet!cell: [path]`` in a workbook), leaving out what is unknown.

        >>> str(Location("unit.xlsx", path=("funds", "spent"), sheet="资金情况", cell="C5"))
        'unit.xlsx:资金情况!C5: [funds.spent]'
        """
        if self.sheet is not None:
            where = ":".join(p for p in (self.file, self.sheet + (f"!{self.cell}" if self.cell else "")) if p)
        else:
            where = ":".join(str(p) for p in (self.file, self.line, self.column) if p is not None)
        if self.path:
            return f"{where}: [{format_path(self.path)}]" if where else f"[{format_path(self.path)}]"
        return where


@dataclass(frozen=True)
class Problem:
    """One finding: a stable code, a message for a finance clerk, where it is, how bad it is."""

    code: str
    message: str
    location: Location = field(default_factory=Location)
    level: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        """``file:line:column: [path] message``, the form editors and CI systems recognise."""
        where = str(self.location)
        if not where:
            return self.message
        return f"{where} {self.message}" if self.location.path else f"{where}: {self.message}"


class PerfReportError(Exception):
    """Base of every error perfreport raises on purpose; carries one or more problems."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class DataError(PerfReportError):
    """The unit file cannot be read, parsed or validated."""


class TemplateError(PerfReportError):
    """A template cannot be found, parsed or rendered, or renders invalid markup."""


class OutputError(PerfReportError):
    """The report cannot be written where it was asked to go."""

    exit_code = 3

"""The batch manifest: what each report in an output folder was made from.

``perfreport batch`` keeps ``OUTDIR/.perfreport-batch.json``. For each unit
file whose report it wrote or found up to date it records the report's name,
the size and modification time of the unit file and of the report, the format
and rule set used with every file they are read from (templates, format.yml,
style, reference document, rule files, each with its size and modification
time), the run's options (perfreport version, message language, ``--name``,
``--format``, ``--template-dir``) and the unit's warnings and summary rows.

A re-run skips a unit whose record still holds — same options, unit file,
report, format and rule files — without reading the unit file. Otherwise the
unit is loaded as without a manifest, and its report is rendered again when
the record shows that the existing report was made from another version of
the unit file or of the format or rule files (or another format); a unit with
no record keeps the old rule, "skip when the report is newer than the unit
file". A missing, unreadable or foreign manifest counts as no records.
"""
from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

from .. import __version__
from ..errors import Location, OutputError, PerfReportError, Problem
from ..i18n import language
from ..write import write_atomic

NAME = ".perfreport-batch.json"
_LAYOUT = 1   # bumped when a record's shape changes: older manifests are then ignored
MADE_FROM = ("output", "output_file", "unit_file", "format", "rules", "depends")


def stamp(path: Path, status: os.stat_result | None = None) -> list[int]:
    """What shows that a file changed: its size and modification time in nanoseconds."""
    status = status or path.stat()
    return [status.st_size, status.st_mtime_ns]


def unit_stamp(path: Path) -> list[int] | None:
    """The unit file's stamp, taken before it is read; ``None`` if it cannot be (loading will say why)."""
    try:
        return stamp(path)
    except OSError:
        return None


def options(pattern: str, format: str | None, template_dirs) -> dict:
    """The options of a run that decide what is rendered and what its messages say."""
    return {"perfreport": __version__, "language": language(), "pattern": pattern, "format": format,
            "template_dirs": [str(Path(d).resolve()) for d in template_dirs]}


def dependencies(fmt, rules: str | None) -> list[list] | None:
    """``[path, size, mtime_ns]`` of each file that a report in format ``fmt`` under the rule set ``rules`` is
    made from besides the unit file: everything in the format's folders, a style or reference document kept
    elsewhere, rule files. Built-in rule sets and style profiles come with perfreport (its version is an option).
    ``None`` when they cannot all be found."""
    from ..scoring.rules import rule_files

    try:
        paths = {path for folder in fmt.chain for path in folder.rglob("*") if path.is_file()}
        paths.update(Path(style) for style in fmt.styles if "/" in style or os.sep in style)
        paths.update(Path(file) for file in rule_files(rules))
        if fmt.reference is not None:
            paths.add(Path(fmt.reference))
        return sorted([str(path.resolve()), *stamp(path)] for path in paths)
    except (OSError, PerfReportError):
        return None


def made_from(output_name: str, output: Path, unit: list[int] | None, fmt, rules: str | None,
              depends: list | None) -> dict | None:
    """The part of a record that says what the report ``output`` was made from (``None``: not known)."""
    if unit is None or depends is None:
        return None
    return {"output": output_name, "output_file": stamp(output), "unit_file": unit, "format": fmt.name,
            "rules": rules, "depends": depends}


def stale(previous: dict | None, now: dict | None) -> bool:
    """Whether the report ``now`` describes is known to be out of date: the previous record is about the same
    report file, unchanged since, and it was made from another unit file, format or dependencies."""
    if previous is None or now is None:
        return False
    same_report = [previous.get(key) for key in ("output", "output_file")] == [now["output"], now["output_file"]]
    return same_report and any(previous.get(key) != now[key] for key in ("unit_file", "format", "rules", "depends"))


def _encode(value):
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    raise TypeError(f"{type(value).__name__} in a manifest record")


def _decode(mapping: dict):
    return Decimal(mapping["decimal"]) if len(mapping) == 1 and "decimal" in mapping else mapping


def _plain(problem: Problem) -> dict:
    return {"code": problem.code, "message": problem.message, "location": dict(vars(problem.location)),
            "level": problem.level}


def _problem(data: dict, recorded_file: str, file: Path) -> Problem:
    where = dict(data["location"], path=tuple(data["location"]["path"]))
    if where["file"] == recorded_file:   # the unit file, named as in this run
        where["file"] = str(file)
    return Problem(data["code"], data["message"], Location(**where), data["level"])


class Manifest:
    """The records of one output folder, keyed by the unit file's absolute path."""

    def __init__(self, outdir: Path, run_options: dict, template_dirs=()):
        self.path = Path(outdir) / NAME
        self.options = run_options
        self.template_dirs = list(template_dirs)
        self.records = self._read()
        self.held: set[str] = set()   # the units whose record held in this run: nothing to record again
        self._dependencies: dict[tuple, list | None] = {}

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_bytes(), object_hook=_decode)
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("layout") != _LAYOUT or not isinstance(data.get("units"), dict):
            return {}
        return data["units"]

    @staticmethod
    def key(file: Path) -> str:
        return os.path.abspath(file)

    def previous(self, file: Path) -> dict | None:
        """What the record of ``file`` says its report was made from (``None``: no usable record)."""
        record = self.records.get(self.key(file))
        try:
            return {key: record[key] for key in MADE_FROM}
        except (KeyError, TypeError):
            return None

    def up_to_date(self, file: Path, outdir: Path) -> dict | None:
        """When the record of ``file`` still holds: its report (``output``), ``warnings``, summary rows
        (``unit``, ``projects``) and ``made_from``; else ``None``."""
        key = self.key(file)
        record = self.records.get(key)
        try:
            if record is None or record["options"] != self.options:
                return None
            name = Path(record["output"])
            if name.is_absolute() or ".." in name.parts:   # not a name this manifest writes
                return None
            unit, output = file.stat(), outdir / name
            report = output.stat()
            if [stamp(file, unit), stamp(output, report)] != [record["unit_file"], record["output_file"]] \
                    or not report.st_mtime > unit.st_mtime:
                return None
            if self._depends(record["format"], record["rules"]) != record["depends"]:
                return None
            found = {"output": output, "warnings": [_problem(w, record["file"], file) for w in record["warnings"]],
                     "unit": record["unit"], "projects": record["projects"],
                     "made_from": {name: record[name] for name in MADE_FROM}}
            self.held.add(key)
            return found
        except (OSError, KeyError, TypeError, ValueError, AttributeError):
            return None

    def _depends(self, format_name: str, rules: str | None) -> list | None:
        """The dependencies of a format and rule set as they are now; ``None`` if they cannot be found."""
        key = (format_name, rules)
        if key not in self._dependencies:
            from ..templating import formats

            try:
                fmt = formats.resolve(format_name, self.template_dirs)
            except (PerfReportError, OSError):
                self._dependencies[key] = None
            else:
                self._dependencies[key] = dependencies(fmt, rules)
        return self._dependencies[key]

    def save(self, results) -> None:
        """Record the units of ``results`` (UnitResults, the last one for each unit file) and write the manifest.

        A unit that failed loses its record. Nothing is written when every record held. If the manifest cannot
        be written, the next run loads every unit.
        """
        changed = False
        for result in results:
            key = self.key(result.file)
            if result.failed or result.made_from is None:
                changed |= self.records.pop(key, None) is not None
            elif key not in self.held or result.status != "skipped":
                changed = True
                self.records[key] = dict(
                    result.made_from, options=self.options, file=str(result.file), unit=result.unit,
                    projects=result.projects, warnings=[_plain(w) for w in result.warnings])
        if not changed:
            return
        text = json.dumps({"layout": _LAYOUT, "units": self.records}, ensure_ascii=False, separators=(",", ":"),
                          default=_encode)
        try:
            write_atomic(self.path, lambda handle: handle.write(text.encode("utf-8")))
        except OutputError:
            pass

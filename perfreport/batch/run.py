"""Many unit files at once: find them, render them in parallel processes, never let one stop the others.

Nothing here prints: :func:`run` yields a :class:`UnitResult` for each unit as
it finishes (and again for a unit whose output name turns out to collide with
another's), which ``cli.py`` displays. Reports are rendered into a staging
folder inside the output folder and moved to their names only when the whole
run knows that no two units want the same name. The workers write the staged
files without waiting for the disk; the main process syncs each one in a
helper thread meanwhile (:class:`_Durable`), before it is moved into place.
"""
from __future__ import annotations

import functools
import glob
import os
import re
import shutil
import string
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from . import manifest
from ..errors import Location, OutputError, PerfReportError, Problem
from ..i18n import _
from ..write import unwritable

DEFAULT_NAME = "{short_name}-{year}年度绩效自评报告.docx"
NAME_FIELDS = {
    "short_name": "单位简称（unit.short_name）",
    "name": "单位全称（unit.name）",
    "year": "自评年度（year）",
    "stem": "数据文件名（不含扩展名）",
    "format": "报告格式名称",
}
UNIT_SUFFIXES = (".yaml", ".yml", ".xlsx")


@dataclass
class UnitResult:
    """What became of one unit file.

    ``status`` is ``"written"`` (rendered in this run), ``"skipped"`` (its
    output is up to date) or ``"failed"`` (``problems`` say why, each
    located). ``unit`` and ``projects`` are the summary rows (plain values)
    when the unit could be loaded; ``made_from`` is what the output was made
    from, for the manifest (:mod:`perfreport.batch.manifest`).
    """

    file: Path
    status: str
    output: Path | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    unit: dict | None = None
    projects: list[dict] = field(default_factory=list)
    internal: bool = False
    staged: Path | None = None
    made_from: dict | None = None

    @property
    def failed(self) -> bool:
        return self.status == "failed"


def find_units(inputs, exclude=()) -> tuple[list[Path], list[UnitResult]]:
    """The unit files named by ``inputs`` (files, folders searched recursively, globs), sorted, each once.

    A folder or a glob yields .yaml, .yml and .xlsx files, but not Excel's lock files (``~$unit.xlsx``,
    present while a workbook is open), batch summary workbooks (:func:`summary.is_summary`) nor the
    files in ``exclude`` (the summary this run writes). An input that names nothing is returned as a
    failed result, located at the input.
    """
    from .summary import is_summary

    skipped = {Path(p).resolve() for p in exclude}

    def unit_file(path: Path) -> bool:
        return (path.suffix.lower() in UNIT_SUFFIXES and path.is_file() and path.resolve() not in skipped
                and not path.name.startswith("~$") and not (path.suffix.lower() == ".xlsx" and is_summary(path)))

    found: dict[Path, Path] = {}
    missing: list[UnitResult] = []
    for item in map(str, inputs):
        if os.path.isfile(item):
            matches = [Path(item)]
        else:
            candidates = [item] if os.path.isdir(item) else sorted(glob.glob(item, recursive=True))
            matches = []
            for candidate in map(Path, candidates):
                if candidate.is_dir():
                    matches += sorted(p for p in candidate.rglob("*") if unit_file(p)
                                      and not any(part.startswith(".") for part in p.relative_to(candidate).parts))
                elif unit_file(candidate) or candidate.is_file() and candidate.suffix.lower() not in UNIT_SUFFIXES:
                    matches.append(candidate)
        if not matches:
            missing.append(UnitResult(Path(item), "failed", problems=[Problem(
                "PR701", _("没有找到数据文件（.yaml、.yml 或 .xlsx）"), Location(item))]))
        for path in matches:
            found.setdefault(path.resolve(), path)
    return sorted(found.values()), missing


MAX_NAME_BYTES = 255     # one file or folder name, in UTF-8 bytes: the limit of Linux, macOS and Windows file systems
MAX_PATH_CHARS = 1000    # the name below the output folder, with its subfolders
_WIDTH = re.compile(r"\d+")


def check_pattern(pattern: str) -> None:
    """Refuse a ``--name`` pattern with an unknown field, a path leaving the output folder or a huge
    width, before any unit is rendered."""
    problem = None
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        problem = _("输出文件名模式“{pattern}”有误：{reason}").format(pattern=pattern, reason=exc)
    else:
        names = [name for _text, name, _spec, _conv in parsed if name is not None]
        specs = [spec for _text, name, spec, _conv in parsed if spec]
        unknown = [name for name in names if name not in NAME_FIELDS]
        example = "".join(text + ("x" if name is not None else "") for text, name, _spec, _conv in parsed)
        if unknown:
            problem = _("输出文件名模式“{pattern}”中的“{{{name}}}”不是可用字段；可用字段：{fields}").format(
                pattern=pattern, name=unknown[0], fields="、".join(f"{{{n}}}" for n in NAME_FIELDS))
        elif _leaves(example):
            problem = _("输出文件名模式“{pattern}”会把报告写到输出文件夹之外（不能用 ..、/ 开头的绝对路径或盘符）").format(
                pattern=pattern)
        elif max(len(part.encode("utf-8")) for part in example.replace("\\", "/").split("/")) > MAX_NAME_BYTES:
            problem = _("输出文件名模式“{pattern}”中的文字过长（一段文件名最多 {limit} 字节）").format(
                pattern=pattern[:100], limit=MAX_NAME_BYTES)
        elif any("{" in spec or any(int(w) > MAX_NAME_BYTES for w in _WIDTH.findall(spec)) for spec in specs):
            problem = _("输出文件名模式“{pattern}”中的宽度过大或有误（最多 {limit}）").format(pattern=pattern, limit=MAX_NAME_BYTES)
    if problem:
        from ..errors import DataError

        raise DataError(Problem("PR703", problem, Location(path=("--name",))))


def output_name(pattern: str, fields: dict) -> str:
    """The output file name for a unit: ``pattern`` filled in, values made safe as file names, ``.docx`` ensured.

    >>> output_name(DEFAULT_NAME, {"short_name": "树人镇", "year": 2023})
    '树人镇-2023年度绩效自评报告.docx'
    >>> output_name("{year}/{name}", {"name": "a/b", "year": 2023})
    '2023/a_b.docx'
    """
    safe = {key: str(value).replace("/", "_").replace("\\", "_").replace("\0", "") for key, value in fields.items()}
    name = pattern.format(**safe)
    return name if name.lower().endswith(".docx") else name + ".docx"


def _leaves(name: str) -> bool:
    """Whether a name below the output folder would leave it: an absolute path, a drive, or ``..``."""
    name = name.replace("\\", "/")
    return name.startswith("/") or re.match(r"[A-Za-z]:", name) is not None or ".." in name.split("/")


def name_problem(name: str, file: Path) -> Problem | None:
    """Why the output name ``name`` (below the output folder) cannot be used for the unit in ``file``, or None."""
    if _leaves(name):
        return Problem("PR704", _("输出文件名“{name}”会写到输出文件夹之外（单位名称或简称是“..”或以 / 开头？）；请改正名称，或用 --name 换用其他字段").format(
            name=name[:200]), Location(str(file)))
    longest = max(name.replace("\\", "/").split("/"), key=lambda part: len(part.encode("utf-8")))
    if len(longest.encode("utf-8")) > MAX_NAME_BYTES or len(name) > MAX_PATH_CHARS:
        return Problem("PR704", _("输出文件名过长（“{name}…”有 {size} 字节，文件系统最多 {limit} 字节）；请用 --name 换用较短的字段，如 {{short_name}}").format(
            name=longest[:40], size=len(longest.encode("utf-8")), limit=MAX_NAME_BYTES), Location(str(file)))
    return None


def _number(value):
    return None if value is None else float(value)


def summary_rows(report) -> tuple[dict, list[dict]]:
    """The unit's row and its projects' rows for the summary workbook, as plain numbers and text."""
    unit, figures = report.unit, report.figures
    score = figures.unit_score
    row = {
        "name": unit["unit"]["name"], "year": unit["year"],
        "budget": figures.budget, "spent": figures.spent, "execution_rate": _number(figures.execution_rate),
        "projects": figures.project_count, "score": score.score if score else None,
        "grade": score.grade if score else None,
    }
    projects = [{
        "unit": unit["unit"]["name"], "year": unit["year"], "index": p.index, "name": p.name,
        "budget": p.budget, "spent": p.spent, "execution_rate": _number(p.execution_rate),
        "score": _number(p.score), "grade": p.grade,
    } for p in figures.projects]
    return row, projects


def _what_was_read(file: Path) -> dict | None:
    """The 单位名称 and 年度 of a unit that failed, if its file can be read and they are usable (for the summary)."""
    from .. import api

    try:
        source = api.read_source(file)
    except PerfReportError:
        return None
    data = source.data if isinstance(source.data, dict) else {}
    unit = data.get("unit") if isinstance(data.get("unit"), dict) else {}
    row = {"name": unit.get("name") if isinstance(unit.get("name"), str) and unit["name"].strip() else None,
           "year": data.get("year") if type(data.get("year")) is int else None}
    return {k: v for k, v in row.items() if v is not None} or None


def _render_one(file: Path, outdir: Path, staging: Path, pattern: str, format: str | None,
                template_dirs: list[Path], force: bool, previous: dict | None = None) -> UnitResult:
    """Load and render one unit (runs in a worker process). Never raises.

    ``previous`` is what the manifest says the unit's report was made from; a report known to be made
    from other inputs is rendered again even when it is newer than the unit file.
    """
    try:
        from .. import api

        unit_stamp = manifest.unit_stamp(file)
        report = api.load(file, format=format, template_dirs=template_dirs)
        fields = {"short_name": report.unit["unit"]["short_name"], "name": report.unit["unit"]["name"],
                  "year": report.unit["year"], "stem": file.stem, "format": report.format.name}
        name = output_name(pattern, fields)
        problem = name_problem(name, file)
        if problem is not None:
            return UnitResult(file, "failed", problems=[problem], warnings=list(report.warnings))
        output = outdir / name
        row, projects = summary_rows(report)
        result = UnitResult(file, "skipped", output, warnings=list(report.warnings), unit=row, projects=projects)
        rules = report.unit.get("rules") or report.format.rules
        depends = _dependencies(staging, report.format, rules)
        if not force and output.exists() and output.stat().st_mtime > file.stat().st_mtime:
            result.made_from = manifest.made_from(name, output, unit_stamp, report.format, rules, depends)
            if not manifest.stale(previous, result.made_from):
                return result
        fd, staged = tempfile.mkstemp(dir=staging, suffix=".docx")
        result.staged = Path(staged)
        try:
            with os.fdopen(fd, "wb") as handle:   # not synced here: see _Durable
                api.render_into(report, handle)
            os.chmod(staged, _file_mode())
        except OSError as exc:
            raise OutputError(unwritable(exc, output)) from None
        result.status = "written"
        result.made_from = manifest.made_from(name, result.staged, unit_stamp, report.format, rules, depends)
        return result
    except PerfReportError as error:
        return UnitResult(file, "failed", problems=error.problems, unit=_what_was_read(file))
    except Exception as error:  # a bug: report it for this unit, keep going with the others
        return UnitResult(file, "failed", internal=True, problems=[Problem(
            "PR790", _("内部错误（请连同输入文件报告此问题）：{error}").format(error=f"{type(error).__name__}: {error}"),
            Location(str(file)))])


_DEPENDS: dict[tuple, list | None] = {}


def _dependencies(staging: Path, fmt, rules: str | None) -> list | None:
    """:func:`manifest.dependencies`, found once per run (``staging`` is the run's own folder) in each process
    for each format and rule set, not once per report: listing and stamping the format's files took about 2 ms
    of each report. Stamps taken at the run's first report can only be older than the files a later report is
    made from, so a template edited during the run makes the next run render again, never skip."""
    key = (str(staging), fmt.name, tuple(map(str, fmt.chain)), rules)
    if key not in _DEPENDS:
        if not any(k[0] == key[0] for k in _DEPENDS):
            _DEPENDS.clear()   # an earlier run's
        _DEPENDS[key] = manifest.dependencies(fmt, rules)
    return _DEPENDS[key]


@functools.lru_cache(maxsize=None)
def _file_mode() -> int:
    """The mode of a new file under the process's umask (a staged report, made by mkstemp with 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _Durable:
    """Makes staged reports durable (fsync) in a helper thread of the main process while the workers go on
    rendering, so that no worker waits for the disk (about 3 ms a report here, more on a slow disk); a report
    is moved into place only once its data is on disk, as :func:`~perfreport.write.write_atomic` would."""

    def __init__(self):
        self.pool = None
        self.pending: dict[Path, object] = {}

    def add(self, staged: Path) -> None:
        if self.pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self.pool = ThreadPoolExecutor(1, thread_name_prefix="perfreport-fsync")
        self.pending[staged] = self.pool.submit(_fsync, staged)

    def wait(self, staged: Path) -> None:
        """Return when ``staged`` is on disk; raise the OSError that syncing it met."""
        future = self.pending.pop(staged, None)
        if future is not None:
            future.result()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _collision(result: UnitResult, other: UnitResult) -> UnitResult:
    problem = Problem("PR702", _("输出文件“{output}”与数据文件 {other} 的输出同名，两者都未写入；请用 --name 区分").format(
        output=result.output.name, other=other.file), Location(str(result.file)))
    return UnitResult(result.file, "failed", result.output, [problem], result.warnings, result.unit, result.projects,
                      staged=result.staged)


def run(files: list[Path], outdir: Path, *, pattern: str = DEFAULT_NAME, format: str | None = None,
        template_dirs=(), jobs: int | None = None, force: bool = False) -> Iterator[UnitResult]:
    """Render every unit file into ``outdir``, yielding a :class:`UnitResult` per unit as it finishes.

    A unit whose output name collides with another's is yielded a second
    time, failed (PR702); neither of the two is written. Reports are moved
    into place when all units are done; then the manifest is written. Units
    that the manifest shows up to date are yielded first, without loading
    them (unless ``force``).
    """
    check_pattern(pattern)
    outdir = Path(outdir)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=outdir, prefix=".perfreport-batch-"))
    except OSError as exc:
        raise OutputError(unwritable(exc, outdir)) from None
    template_dirs = [Path(d) for d in template_dirs]
    records = manifest.Manifest(outdir, manifest.options(pattern, format, template_dirs), template_dirs)
    args = (outdir, staging, pattern, format, template_dirs, force)
    latest: dict[Path, UnitResult] = {}
    durable = _Durable()
    try:
        for result in _placed(_results(files, args, jobs or os.cpu_count() or 1, records), durable):
            latest[result.file] = result
            yield result
        records.save(latest.values())
    finally:
        durable.close()
        shutil.rmtree(staging, ignore_errors=True)


def _placed(results: Iterator[UnitResult], durable: _Durable) -> Iterator[UnitResult]:
    """Yield ``results``, failing both units of each collision; then move the rendered reports into place,
    each once ``durable`` has synced it."""
    claimed: dict[Path, UnitResult] = {}
    for result in results:
        if result.status == "written" and result.staged is not None:
            durable.add(result.staged)
        if not result.failed:
            key = Path(os.path.normcase(result.output.resolve()))
            other = claimed.get(key)
            if other is not None:
                if not other.failed:
                    claimed[key] = other = _collision(other, result)
                    yield other
                result = _collision(result, other)
            else:
                claimed[key] = result
        yield result
    for result in claimed.values():
        if result.status == "written":
            try:
                durable.wait(result.staged)
                result.output.parent.mkdir(parents=True, exist_ok=True)
                os.replace(result.staged, result.output)
            except OSError as exc:
                result.status, result.problems = "failed", [unwritable(exc, result.output)]
                yield result


def _results(files: list[Path], args: tuple, jobs: int, records: manifest.Manifest) -> Iterator[UnitResult]:
    """The units the manifest shows up to date, then the others as they are loaded and rendered."""
    outdir, force = args[0], args[-1]
    todo = []
    for file in files:
        found = None if force else records.up_to_date(file, outdir)
        if found is not None:
            yield UnitResult(file, "skipped", **found)
        else:
            todo.append((file, records.previous(file)))
    if jobs <= 1 or len(todo) <= 1:
        for file, previous in todo:
            yield _render_one(file, *args, previous)
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from .. import cache

    # the workers keep compiled templates and base packages where this process does (also when not forked)
    with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), initializer=cache.configure,
                             initargs=(cache.folder(),)) as pool:
        futures = [pool.submit(_render_one, file, *args, previous) for file, previous in todo]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise

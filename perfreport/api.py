"""The public API: load a unit file into a :class:`Report`, render a report to .docx.

The pipeline runs one way: source -> validate -> compute -> render -> build -> write.
"""
from __future__ import annotations

import functools
import gc
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import cache
from .templating import formats
from .checks.consistency import check
from .scoring.compute import Figures, compute
from .checks.limits import check as check_data
from .errors import DataError, Location, OutputError, Problem
from .i18n import _
from .scoring.rules import load_rules
from .read.source import Source, load_file
from .word.style import number_settings
from .checks.schema import complete, validate


@dataclass
class Report:
    """A validated unit with its computed figures, ready to render.

    ``unit`` is the unit file's data with every documented key present
    (absent ones as ``None``); ``figures`` is everything computed from it
    under the rule set in force; ``format`` is the report format it was
    prepared for; ``warnings`` lists problems that do not stop a render.
    ``rules`` and ``template_dirs`` are what :func:`load` was given, kept
    for rendering the same unit in another format.
    """

    unit: dict
    figures: Figures
    source: Source
    format: formats.Format
    settings: dict
    problems: list[Problem] = field(default_factory=list)
    rules: str | None = None
    template_dirs: tuple = ()

    @property
    def file(self) -> str | None:
        return self.source.file

    @property
    def errors(self) -> list[Problem]:
        """Findings that stop a render (a rule set can raise a check to an error)."""
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level != "error"]


def _collector_paused(function):
    """Run ``function`` with Python's cycle collector paused, and resumed (if it was running) after.

    The pipeline makes millions of small objects for a large unit and no
    reference cycles that need collecting before it returns; the collector
    would walk all live objects again and again, which made loading and
    rendering a 5,000-project unit take about 40 % and 20 % longer.
    """
    @functools.wraps(function)
    def paused(*args, **kwargs):
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()
    return paused


@_collector_paused
def load(path: str | Path, *, format: str | None = None, template_dirs: list[str | Path] = (),
         rules: str | None = None) -> Report:
    """Read, validate and compute the unit file at ``path`` (YAML, or an Excel workbook ending in .xlsx).

    ``format`` (default: the unit file's ``format``, else ``standard``) decides
    the style and the default rule set; ``rules`` (default: the unit file's
    ``rules``, else the format's, else ``standard``) decides scoring. Raises
    :class:`~perfreport.DataError` listing every problem, each located.
    """
    return prepare(read_source(path), format=format, template_dirs=template_dirs, rules=rules)


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def read_source(path: str | Path) -> Source:
    """The unit file at ``path`` as a :class:`Source`: an Excel workbook by its suffix, else YAML."""
    if Path(path).suffix.lower() in WORKBOOK_SUFFIXES:
        from .read.excel import read_workbook

        return read_workbook(path)
    return load_file(path)


@_collector_paused
def prepare(source: Source, *, format: str | None = None, template_dirs: list[str | Path] = (),
            rules: str | None = None) -> Report:
    """A :class:`Report` from an already read :class:`~perfreport.read.source.Source`."""
    named = source.data.get("format") if isinstance(source.data, dict) else None
    try:  # first the format: it may declare data keys of its own (format.yml `data`)
        fmt = formats.resolve(format or (named if isinstance(named, str) and named else None), template_dirs)
    except DataError:
        validate(source)  # the unit file's own errors first
        raise
    unit = complete(validate(source, fmt.data), extra=fmt.data)
    found = check_data(unit, source)
    errors = [p for p in found if p.level == "error"]
    if errors:
        raise DataError(errors)
    settings = number_settings(fmt.profile, unit.get("settings"))
    settings.setdefault("placeholder", fmt.profile["table"].get("placeholder", "—"))
    rule_set = load_rules(rules or unit.get("rules") or fmt.rules)
    figures = compute(unit, rule_set, settings.get("percent_decimals", 2), settings.get("money_decimals", 2))
    return Report(unit, figures, source, fmt, settings, list(source.warnings) + found
                  + check(unit, figures, source, formats.data_paths(fmt)), rules, tuple(template_dirs))


def render_markup(report: Report) -> str:
    """The report markup that the report's format produces."""
    context = dict(report.unit)
    context.update(figures=report.figures, settings=report.settings, format=report.format.name,
                   unit_table=report.format.unit_table)
    from .templating.jinja import render_template

    return render_template(_environment(tuple(report.format.search_path), cache.folder()), formats.ENTRY_TEMPLATE,
                           context)


@lru_cache(maxsize=32)
def _environment(search_path: tuple, cache_dir):
    """One Jinja environment per search path, so templates are compiled once per process, not per report
    (and, with a cache folder, once per template file and text, not per process).

    Jinja's loader still checks each template file's modification time, so an edited template is reloaded.
    """
    from .templating.jinja import environment

    return environment(list(search_path), cache_dir)


def build(*args, **kwargs):
    """:func:`perfreport.word.build.build`, imported on first use: loading and checking need neither lxml nor python-docx."""
    from .word.build import build as build_document

    return build_document(*args, **kwargs)


@_collector_paused
def render(report: Report | str | Path, output: str | Path, *, format: str | None = None,
           template_dirs: list[str | Path] = (), force: bool = False) -> Path:
    """Render ``report`` (a :class:`Report` or the path of a unit file) to the .docx file ``output``.

    ``format`` names the report format (default: the unit file's ``format``,
    else ``standard``); ``template_dirs`` are searched for formats before the
    built-in ones. A :class:`Report` rendered in another format is prepared
    again with the rule set and template folders :func:`load` was given. The file is written atomically; an existing file that is
    not a .docx is replaced only with ``force``, and never the unit file
    itself (:func:`~perfreport.write.check_target`). Returns the output path.
    """
    if not isinstance(report, Report):
        report = load(report, format=format, template_dirs=template_dirs)
    elif format and format != report.format.name or template_dirs:
        report = prepare(report.source, format=format or report.format.name,
                         template_dirs=template_dirs or report.template_dirs, rules=report.rules)
    if report.errors:
        raise DataError(report.errors)
    if report.file and Path(output).resolve() == Path(report.file).resolve():
        raise OutputError(Problem("PR402", _("输出文件不能是输入的数据文件本身"), Location(str(output))))
    from .write import check_target, write_atomic

    check_target(output, force=force)
    return write_atomic(output, _document(report).save)


@_collector_paused
def render_into(report: Report, handle) -> None:
    """Render ``report`` (a loaded :class:`Report`) and write the .docx into ``handle``, an open binary file.

    What :func:`render` does short of choosing, syncing and renaming the file: ``perfreport batch``
    writes each report into its staging folder this way and makes the files durable itself
    (:mod:`perfreport.batch.run`). Raises :class:`~perfreport.DataError` for a report with errors.
    """
    if report.errors:
        raise DataError(report.errors)
    _document(report).save(handle)


def _document(report: Report):
    """The built .docx of ``report`` (a python-docx-like document with ``save(path_or_file)``)."""
    from .word import markup

    entry = str(report.format.templates()[formats.ENTRY_TEMPLATE])
    return build(markup.stream(render_markup(report), entry), report.format.profile, entry, report.format.reference,
                 cache_dir=cache.folder())

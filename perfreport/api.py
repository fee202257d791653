"""The public API: load a unit file into a :class:`Report`, render a report to .docx.

The pipeline runs one way: load -> validate -> compute -> render -> build -> write.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import formats, markup
from .build import build
from .compute import Figures, compute
from .datacheck import check
from .errors import DataError, Location, OutputError, Problem
from .i18n import _
from .source import Source, load_file
from .style import number_settings
from .templating import environment, render_template
from .validate import complete, validate
from .write import check_target, write_atomic


@dataclass
class Report:
    """A validated unit with its computed figures, ready to render.

    ``unit`` is the unit file's data with every documented key present
    (absent ones as ``None``); ``figures`` is everything computed from it;
    ``warnings`` lists problems that do not stop a render.
    """

    unit: dict
    figures: Figures
    source: Source
    warnings: list[Problem] = field(default_factory=list)

    @property
    def file(self) -> str | None:
        return self.source.file


def load(path: str | Path) -> Report:
    """Read, validate and compute the unit file at ``path``.

    Raises :class:`~perfreport.DataError` listing every problem, each located.
    """
    source = load_file(path)
    return report_from_source(source)


def report_from_source(source: Source) -> Report:
    """Validate, check and compute a parsed unit file; warnings go to :attr:`Report.warnings`."""
    unit = complete(validate(source))
    found = check(unit, source)
    errors = [p for p in found if p.level == "error"]
    if errors:
        raise DataError(errors)
    return Report(unit, compute(unit), source, list(source.warnings) + found)


def render_markup(report: Report, fmt: formats.Format) -> str:
    """The report markup that the format's templates produce for ``report``."""
    settings = number_settings(fmt.profile, report.unit.get("settings"))
    settings.setdefault("placeholder", fmt.profile["table"].get("placeholder", "—"))
    context = dict(report.unit)
    context.update(figures=report.figures, settings=settings, format=fmt.name)
    env = environment(fmt.search_path)
    return render_template(env, formats.ENTRY_TEMPLATE, context)


def render(report: Report | str | Path, output: str | Path, *, format: str | None = None,
           template_dirs: list[str | Path] = (), force: bool = False) -> Path:
    """Render ``report`` (a :class:`Report` or the path of a unit file) to the .docx file ``output``.

    ``format`` names the report format (default: the unit file's ``format``,
    else ``standard``); ``template_dirs`` are searched for formats before the
    built-in ones. The file is written atomically; an existing file that is
    not a .docx is replaced only with ``force``, and never the unit file
    itself (:func:`~perfreport.write.check_target`). Returns the output path.
    """
    if not isinstance(report, Report):
        report = load(report)
    if report.file and Path(output).resolve() == Path(report.file).resolve():
        raise OutputError(Problem("PR402", _("输出文件不能是输入的数据文件本身"), Location(str(output))))
    check_target(output, force=force)
    fmt = formats.resolve(format or report.unit.get("format"), template_dirs)
    text = render_markup(report, fmt)
    document = build(markup.parse(text, str(fmt.chain[0] / formats.ENTRY_TEMPLATE)), fmt.profile,
                     str(fmt.chain[0] / formats.ENTRY_TEMPLATE))
    return write_atomic(output, document.save)

"""The ``perfreport`` command. The only module that prints or exits.

Exit codes: 0 success; 2 bad input (data file, format or template) or bad
usage; 3 the output cannot be written; 70 an internal error (a bug: please
report it with the input that caused it).
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__

EXIT_INTERNAL = 70


def _report_problems(error) -> None:
    """Print the problems of an error or batch result, or one problem."""
    for problem in getattr(error, "problems", [error]):
        level = "错误" if problem.level == "error" else "警告"
        click.echo(f"{problem} [{problem.code} {level}]", err=True)


class _Group(click.Group):
    """Turns perfreport's errors into located messages and exit codes; never a traceback."""

    def invoke(self, ctx):
        from .errors import PerfReportError

        try:
            return super().invoke(ctx)
        except PerfReportError as error:
            _report_problems(error)
            ctx.exit(error.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except Exception as error:  # a bug: say so briefly, with what to report
            click.echo(f"perfreport: 内部错误（请连同输入文件报告此问题）：{type(error).__name__}: {error}", err=True)
            ctx.exit(EXIT_INTERNAL)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="perfreport")
def cli():
    """perfreport：由单位数据文件（YAML）生成预算绩效自评报告（.docx）。"""


_template_dir_option = click.option(
    "--template-dir", "template_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
    help="先于内置格式查找的格式文件夹（可多次给出）。")
_pdf_option = click.option(
    "--pdf", is_flag=True, help="另用 LibreOffice 转换为同名 PDF（需要安装 LibreOffice）。")


@cli.command()
@click.argument("unit", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="输出的 .docx 文件；默认为当前文件夹下与数据文件同名的 .docx。")
@click.option("--format", "format_name", metavar="NAME", help="报告格式名称；默认取数据文件的 format，否则为 standard。")
@_template_dir_option
@_pdf_option
def render(unit: Path, output: Path | None, format_name: str | None, template_dirs: tuple[Path, ...], pdf: bool):
    """由数据文件 UNIT 生成报告。"""
    from .api import load, render as render_report

    if pdf:
        from .pdf import find_soffice

        find_soffice()
    report = load(unit)
    for warning in report.warnings:
        click.echo(f"{warning} [{warning.code} 警告]", err=True)
    output = output or Path(unit.stem + ".docx")
    written = render_report(report, output, format=format_name, template_dirs=list(template_dirs))
    click.echo(f"已生成 {written}")
    if pdf:
        from .errors import OutputError
        from .pdf import convert

        pdfs, problems = convert([written])
        if problems:
            raise OutputError(problems)
        click.echo(f"已生成 {pdfs[0]}")


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output-dir", "outdir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="报告写入的文件夹（不存在时创建）。")
@click.option("--format", "format_name", metavar="NAME", help="报告格式名称；默认取各数据文件的 format，否则为 standard。")
@_template_dir_option
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="同时运行的进程数；默认为 CPU 核数。")
@_pdf_option
@click.option("--summary", type=click.Path(dir_okay=False, path_type=Path),
              help="另写一个汇总工作簿（.xlsx）：每个单位一行、每个项目一行。")
@click.option("--force", is_flag=True, help="全部重新生成；默认跳过比数据文件新的已有报告。")
@click.option("--name", "pattern", metavar="PATTERN", default=None,
              help="输出文件名模式；默认「{short_name}-{year}年度绩效自评报告.docx」，"
                   "可用字段 {short_name} {name} {year} {stem} {format}。")
def batch(inputs, outdir, format_name, template_dirs, jobs, pdf, summary, force, pattern):
    """为 INPUTS（数据文件、文件夹或通配符）中的每个单位生成报告，多进程并行。"""
    import time

    from . import batch as batching

    if pdf:
        from .pdf import find_soffice

        find_soffice()
    started = time.monotonic()
    files, missing = batching.find_units(inputs)
    if not files:
        raise _data_error(missing)
    progress = _Progress(len(files) + len(missing), started)
    for result in missing:
        progress.show(result)
    for result in batching.run(files, outdir, pattern=pattern or batching.DEFAULT_NAME, format=format_name,
                               template_dirs=template_dirs, jobs=jobs, force=force):
        progress.show(result)
    progress.finish()
    results = progress.results
    if pdf:
        _batch_pdf(results, jobs, progress)
    if summary:
        from .summary import write_summary

        click.echo(f"已生成 {write_summary(summary, sorted(results.values(), key=lambda r: str(r.file)))}")
    counts = {status: sum(r.status == status for r in results.values()) for status in ("written", "skipped", "failed")}
    click.echo(f"共 {len(results)} 个单位：生成 {counts['written']}，跳过 {counts['skipped']}（已是最新），"
               f"失败 {counts['failed']}；用时 {time.monotonic() - started:.1f} 秒")
    if any(r.internal for r in results.values()):
        click.get_current_context().exit(EXIT_INTERNAL)
    if counts["failed"]:
        click.get_current_context().exit(2)


def _data_error(results):
    from .errors import DataError

    return DataError([p for r in results for p in r.problems])


def _batch_pdf(results: dict, jobs: int | None, progress: "_Progress") -> None:
    """Convert the reports written now, and older ones whose PDF is missing or stale, one LibreOffice run per folder."""
    import os

    from .pdf import convert_many

    folders: dict[Path, list[Path]] = {}
    for result in results.values():
        if result.failed:
            continue
        document = result.output
        pdf = document.with_suffix(".pdf")
        if result.status == "written" or not pdf.exists() or pdf.stat().st_mtime < document.stat().st_mtime:
            folders.setdefault(document.parent, []).append(document)
    for folder, documents in folders.items():
        pdfs, problems = convert_many(documents, folder, jobs or os.cpu_count() or 1)
        click.echo(f"已生成 {len(pdfs)} 个 PDF（{folder}）")
        by_file = {str(r.output): r for r in results.values() if r.output}
        for problem in problems:
            result = by_file[problem.location.file]
            result.status = "failed"
            result.problems.append(problem)
            _report_problems(problem)


class _Progress:
    """Per-unit lines, or on a terminal a single updating line: done/total, failures, rate, time left."""

    def __init__(self, total: int, started: float):
        self.total, self.started = total, started
        self.results: dict = {}
        self.tty = sys.stderr.isatty()

    def show(self, result) -> None:
        import time

        self._clear()
        self.results[result.file] = result
        for warning in result.warnings if not result.failed else ():
            click.echo(f"{warning} [{warning.code} 警告]", err=True)
        if result.failed:
            _report_problems(result)
        elif not self.tty:
            done = "已是最新，跳过" if result.status == "skipped" else "→"
            click.echo(f"[{len(self.results)}/{self.total}] {result.file} {done} {result.output}")
        if self.tty:
            done = len(self.results)
            failed = sum(r.failed for r in self.results.values())
            elapsed = max(time.monotonic() - self.started, 1e-6)
            rate = done / elapsed
            left = (self.total - done) / rate
            click.echo(f"\r{done}/{self.total} 个单位，失败 {failed}，{rate:.1f} 个/秒，剩余约 {left:.0f} 秒",
                       err=True, nl=False)

    def _clear(self) -> None:
        if self.tty:
            click.echo("\r\033[K", err=True, nl=False)

    def finish(self) -> None:
        self._clear()


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    cli.main(args=argv, prog_name="perfreport")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])

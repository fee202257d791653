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
    for problem in error.problems:
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
    """perfreport：由单位数据文件（YAML 或 Excel 工作簿）生成预算绩效自评报告（.docx）。"""


@cli.command()
@click.argument("unit", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="输出的 .docx 文件；默认为当前文件夹下与数据文件同名的 .docx。")
@click.option("--format", "format_name", metavar="NAME", help="报告格式名称；默认取数据文件的 format，否则为 standard。")
@click.option("--template-dir", "template_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="先于内置格式查找的格式文件夹（可多次给出）。")
def render(unit: Path, output: Path | None, format_name: str | None, template_dirs: tuple[Path, ...]):
    """由数据文件 UNIT 生成报告。"""
    from .api import load, render as render_report

    report = load(unit)
    for warning in report.warnings:
        click.echo(f"{warning} [{warning.code} 警告]", err=True)
    output = output or Path(unit.stem + ".docx")
    written = render_report(report, output, format=format_name, template_dirs=list(template_dirs))
    click.echo(f"已生成 {written}")


def _write_text(path: Path, text: str) -> None:
    from .write import write_atomic

    write_atomic(path, lambda handle: handle.write(text.encode("utf-8")))


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--kind", type=click.Choice(["department", "project"]), default="department", show_default=True,
              help="department：部门（单位）整体支出；project：一个项目（只用于 .yaml）。")
@click.option("--force", is_flag=True, help="文件已存在时覆盖它。")
def new(file: Path, kind: str, force: bool):
    """写出一个待填写的数据文件 FILE：.yaml（带中文注释）或 .xlsx（Excel 工作簿）。"""
    from .errors import Location, OutputError, Problem
    from .i18n import _

    suffix = file.suffix.lower()
    if suffix not in (".yaml", ".yml", ".xlsx"):
        raise click.BadParameter("文件名应以 .yaml、.yml 或 .xlsx 结尾", param_hint="FILE")
    if file.exists() and not force:
        raise OutputError(Problem("PR621", _("文件已存在，未覆盖；确需覆盖请加 --force"), Location(str(file))))
    if suffix == ".xlsx":
        from .excelwrite import write_workbook

        write_workbook({}, file)
    else:
        from .starter import starting_file

        _write_text(file, starting_file(kind))
    click.echo(f"已生成 {file}")


def _convert(source: Path, output: Path | None, suffix: str, write) -> None:
    """Load and check ``source``, then ``write(data, output)``; the output defaults to the source's name + suffix."""
    from .api import load
    from .errors import Location, OutputError, Problem
    from .i18n import _

    report = load(source)
    for warning in report.warnings:
        click.echo(f"{warning} [{warning.code} 警告]", err=True)
    output = output or Path(source.stem + suffix)
    if output.resolve() == source.resolve():
        raise OutputError(Problem("PR622", _("输出文件不能是输入文件本身"), Location(str(output))))
    write(report.source.data, output)
    click.echo(f"已生成 {output}")


@cli.command("import")
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="输出的 .yaml 文件；默认为当前文件夹下与工作簿同名的 .yaml。")
def import_(workbook: Path, output: Path | None):
    """把填好的工作簿 WORKBOOK（.xlsx）检查后转换为 YAML 数据文件。"""
    from .starter import dump

    header = f"由 {workbook.name} 转换（perfreport import）"
    _convert(workbook, output, ".yaml", lambda data, path: _write_text(path, dump(data, header)))


@cli.command("export")
@click.argument("unit", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="输出的 .xlsx 文件；默认为当前文件夹下与数据文件同名的 .xlsx。")
def export(unit: Path, output: Path | None):
    """把数据文件 UNIT 检查后转换为 Excel 工作簿。"""
    from .excelwrite import write_workbook

    _convert(unit, output, ".xlsx", write_workbook)


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    cli.main(args=argv, prog_name="perfreport")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])

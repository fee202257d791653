"""The ``perfreport`` command. The only module that prints or exits.

Exit codes: 0 success; 2 bad input (data file, format or template) or bad
usage; 3 the output cannot be written; 70 an internal error (a bug: please
report it with the input that caused it); 130 interrupted (Ctrl-C).
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__

EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130


def _report_problems(problems) -> None:
    for problem in problems:
        level = "错误" if problem.level == "error" else "警告"
        click.echo(f"{problem} [{problem.code} {level}]", err=True)


class _Group(click.Group):
    """Turns perfreport's errors into located messages and exit codes; never a traceback."""

    def invoke(self, ctx):
        from .errors import PerfReportError

        try:
            return super().invoke(ctx)
        except PerfReportError as error:
            _report_problems(error.problems)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("perfreport: 已中断；输出文件保持原样，未留下临时文件", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as error:  # a bug: say so briefly, with what to report
            click.echo(f"perfreport: 内部错误（请连同输入文件报告此问题）：{type(error).__name__}: {error}", err=True)
            ctx.exit(EXIT_INTERNAL)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="perfreport")
def cli():
    """perfreport：由单位数据文件（YAML）生成预算绩效自评报告（.docx）。"""


@cli.command()
@click.argument("unit", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="输出的 .docx 文件；默认为当前文件夹下与数据文件同名的 .docx。")
@click.option("--format", "format_name", metavar="NAME", help="报告格式名称；默认取数据文件的 format，否则为 standard。")
@click.option("--template-dir", "template_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="先于内置格式查找的格式文件夹（可多次给出）。")
@click.option("--force", is_flag=True, help="输出文件已存在且不是 .docx 时也覆盖（数据文件本身始终不会被覆盖）。")
def render(unit: Path, output: Path | None, format_name: str | None, template_dirs: tuple[Path, ...], force: bool):
    """由数据文件 UNIT 生成报告。"""
    from .api import load, render as render_report

    report = load(unit)
    _report_problems(report.warnings)
    output = output or Path(unit.stem + ".docx")
    written = render_report(report, output, format=format_name, template_dirs=list(template_dirs), force=force)
    click.echo(f"已生成 {written}")


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    cli.main(args=argv, prog_name="perfreport")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])

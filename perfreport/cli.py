"""The ``perfreport`` command. The only module that prints or exits.

Exit codes: 0 success; 2 bad input (data file, format or template) or bad
usage; 3 the output cannot be written; 70 an internal error (a bug: please
report it with the input that caused it); 130 interrupted (Ctrl-C).
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .clicktext import TranslatedGroup, install as install_click_wording
from .i18n import N_, _, language_from_environment, set_language

EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130


def _level(problem) -> str:
    return _("错误") if problem.level == "error" else _("警告")


def _report_warnings(problems) -> None:
    """Print the warnings among ``problems`` (such as a font replaced in the PDF, PR712)."""
    for problem in problems:
        if problem.level == "warning":
            click.echo(f"{problem} [{problem.code} {_level(problem)}]", err=True)


def _report_problems(error) -> None:
    """Print the problems of an error or batch result, or one problem."""
    problems = error if isinstance(error, list) else getattr(error, "problems", [error])
    for problem in problems:
        click.echo(f"{problem} [{problem.code} {_level(problem)}]", err=True)


WARNINGS_PER_CODE = 20  # a 5,000-project unit can have thousands of warnings of one code


def _echo_problems(problems, err: bool = False) -> None:
    """Print problems one per line: every error, but of the warnings of one code only the first
    :data:`WARNINGS_PER_CODE`, then one line per code saying how many more were left out."""
    counts: dict[str, int] = {}
    for problem in problems:
        if problem.level != "error":
            counts[problem.code] = counts.get(problem.code, 0) + 1
            if counts[problem.code] > WARNINGS_PER_CODE:
                continue
        click.echo(f"{problem} [{problem.code} {_level(problem)}]", err=err)
    for code, count in counts.items():
        if count > WARNINGS_PER_CODE:
            click.echo(_("（另有 {count} 条 {code} 警告未列出；perfreport check --output-format json 可列出全部）").format(
                count=count - WARNINGS_PER_CODE, code=code), err=err)


class _Group(TranslatedGroup):
    """Turns perfreport's errors into located messages and exit codes; never a traceback.

    Messages, click's own included, are in the environment's language until ``--lang`` says otherwise.
    Compiled templates and prepared base packages are kept in the cache folder the environment names.
    """

    def main(self, *args, **kwargs):
        from . import cache

        install_click_wording()
        set_language(language_from_environment())
        cache.configure(cache.folder_from_environment())
        return super().main(*args, **kwargs)

    def invoke(self, ctx):
        from .errors import PerfReportError

        try:
            return super().invoke(ctx)
        except PerfReportError as error:
            _report_problems(error.problems)
            ctx.exit(error.exit_code)
        except BrokenPipeError:  # the reader went away (e.g. `| head`): stop quietly
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo("perfreport: " + _("已中断；输出文件保持原样，未留下临时文件"), err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as error:  # a bug: say so briefly, with what to report
            click.echo("perfreport: " + _("内部错误（请连同输入文件报告此问题）：{error}").format(
                error=f"{type(error).__name__}: {error}"), err=True)
            ctx.exit(EXIT_INTERNAL)


def _choose_language(ctx, param, value):
    if value:
        set_language(value)
    return value


def _show_version(ctx, param, value):
    if value and not ctx.resilient_parsing:
        from .__main__ import version_line

        click.echo(version_line())
        ctx.exit()


# --lang is eager (read before --help and before other values are checked) so that help and usage errors are in it
_LANG_OPTION = click.option("--lang", metavar="LANG", is_eager=True, expose_value=False, callback=_choose_language,
                            help=N_("消息语言：zh（默认）或 en；默认取环境的 LC_ALL / LC_MESSAGES / LANG。"))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]},
             help=N_("perfreport：由单位数据文件（YAML 或 Excel 工作簿）生成预算绩效自评报告（.docx）。"))
@click.option("-V", "--version", is_flag=True, is_eager=True, expose_value=False, callback=_show_version,
              help=N_("显示版本并退出。"))
@_LANG_OPTION
def cli():
    pass


_TEMPLATE_DIRS = click.option("--template-dir", "template_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
                              help=N_("先于内置格式查找的格式文件夹（可多次给出）。"))


_pdf_option = click.option(
    "--pdf", is_flag=True, help=N_("另用 LibreOffice 转换为同名 PDF（需要安装 LibreOffice）。"))


@cli.command(help=N_("由数据文件 UNIT 生成报告。"))
@click.argument("unit", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help=N_("输出的 .docx 文件；默认为当前文件夹下与数据文件同名的 .docx。"))
@click.option("--format", "format_name", metavar="NAME", help=N_("报告格式名称；默认取数据文件的 format，否则为 standard。"))
@_TEMPLATE_DIRS
@_pdf_option
@click.option("--force", is_flag=True, help=N_("输出文件已存在且不是 .docx 时也覆盖（数据文件本身始终不会被覆盖）。"))
def render(unit: Path, output: Path | None, format_name: str | None, template_dirs: tuple[Path, ...], pdf: bool,
           force: bool):
    from .api import load, render as render_report

    if pdf:
        from .word.pdf import find_soffice

        find_soffice()
    report = load(unit, format=format_name, template_dirs=list(template_dirs))
    _echo_problems(report.warnings, err=True)
    output = output or Path(unit.stem + ".docx")
    written = render_report(report, output, force=force)
    click.echo(_("已生成 {path}").format(path=written))
    if pdf:
        from .errors import OutputError
        from .word.pdf import convert

        pdfs, problems = convert([written])
        _report_warnings(problems)
        errors = [p for p in problems if p.level == "error"]
        if errors:
            raise OutputError(errors)
        click.echo(_("已生成 {path}").format(path=pdfs[0]))


@cli.command(help=N_("检查数据文件 UNIT（和/或模板），列出全部错误和警告。\n\n退出码：0 无问题；1 只有警告且给出了 --strict；2 有错误。"))
@click.argument("unit", type=click.Path(path_type=Path), required=False)
@click.option("--output-format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help=N_("输出方式：text 每行一条；json 供县级系统汇总。"))
@click.option("--format", "old_output_format", type=click.Choice(["text", "json"]),
              help=N_("已弃用，请改用 --output-format（下一版本起不再接受）。"))
@click.option("--strict", is_flag=True, help=N_("有警告时也以 1 退出。"))
@click.option("--report-format", "report_format", metavar="NAME", help=N_("按哪个报告格式（及其评分规则）检查；默认取数据文件的 format。"))
@_TEMPLATE_DIRS
@click.option("--template", "template_format", metavar="NAME", help=N_("检查报告格式 NAME 的模板（语法、未定义的数据字段）。"))
@_LANG_OPTION
def check(unit, output_format, old_output_format, strict, report_format, template_dirs, template_format):
    from .api import load
    from .errors import DataError

    if old_output_format:
        click.echo(_("提示：check 的 --format 已改名为 --output-format，旧写法只再保留一个版本；"
                     "--format 在 render 和 batch 中指报告格式"), err=True)
        output_format = old_output_format
    if unit is None and template_format is None:
        raise click.UsageError(_("请给出数据文件 UNIT，或用 --template NAME 检查模板。"))
    problems = []
    if template_format:
        from .checks.templates import check_templates
        problems += check_templates(template_format, list(template_dirs))
    if unit is not None:
        try:
            problems += load(unit, format=report_format, template_dirs=list(template_dirs)).problems
        except DataError as error:
            problems += error.problems
    _print_problems(problems, output_format)
    if any(p.level == "error" for p in problems):
        sys.exit(2)
    if strict and problems:
        sys.exit(1)


def _print_problems(problems, output_format: str) -> None:
    if output_format == "json":
        import json

        click.echo(json.dumps([{
            "level": p.level, "code": p.code, "message": p.message, "file": p.location.file,
            "line": p.location.line, "column": p.location.column,
            "path": _path_text(p.location.path)} for p in problems], ensure_ascii=False, indent=2))
        return
    _echo_problems(problems)
    errors = sum(p.level == "error" for p in problems)
    click.echo(_("共 {errors} 个错误，{warnings} 个警告").format(errors=errors, warnings=len(problems) - errors)
               if problems else _("未发现问题"))


def _path_text(path) -> str:
    from .errors import format_path

    return format_path(path)


@cli.group(help=N_("报告格式：列出、查看、新建县（区）格式。"))
def formats():
    pass


@formats.command("list", help=N_("列出可用的报告格式及其说明。"))
@_TEMPLATE_DIRS
def formats_list(template_dirs: tuple[Path, ...]):
    from .templating.formats import available

    found = available(list(template_dirs))
    width = max(_display_width(info.name) for info in found)
    for info in found:
        where = _("内置") if info.builtin else str(info.folder.parent)
        padding = " " * (width - _display_width(info.name))
        click.echo(f"{info.name}{padding}  {info.description}  [{where}]")


def _display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Chinese characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


@formats.command("show", help=N_("显示格式 NAME 的继承链、模板、样式配置、规则集和参考文档。"))
@click.argument("name")
@_TEMPLATE_DIRS
def formats_show(name: str, template_dirs: tuple[Path, ...]):
    from .templating.formats import resolve

    fmt = resolve(name, list(template_dirs))
    click.echo(_("格式：{name}").format(name=fmt.name))
    click.echo(_("说明：{description}").format(description=fmt.description or "—"))
    click.echo(_("文件夹：{folder}").format(folder=fmt.chain[0]))
    click.echo(_("继承：{chain}").format(chain=" → ".join(fmt.names)))
    click.echo(_("模板："))
    for template, path in fmt.templates().items():
        click.echo(f"  {template}  ← {path.parent.name}/{path.name}")
    click.echo(_("样式配置：{styles}").format(styles=" + ".join(fmt.styles)))
    click.echo(_("规则集：{rules}").format(rules=fmt.rules or "—"))
    click.echo(_("参考文档：{reference}").format(reference=fmt.reference or "—"))
    if fmt.data:
        from .schema import kind_text

        click.echo(_("本格式的数据字段（写在数据文件最外层）："))
        for key, rules in fmt.data.items():
            meta = rules["meta"]
            note = "：" + str(meta["note"]) if meta.get("note") else ""
            example = _("。例：{example}").format(example=meta["example"]) if meta.get("example") is not None else ""
            click.echo(f"  {key}  {meta['label']}（{kind_text(rules)}）{note}{example}")


@formats.command("init", help=N_("新建县（区）格式文件夹 DIR/NAME/：format.yml 和继承 --from 格式、列出全部 block 的 report.xml.j2。"))
@click.argument("name")
@click.option("--from", "base", default="standard", show_default=True, metavar="FORMAT", help=N_("在哪个格式的基础上修改。"))
@click.option("--dir", "directory", default=".", type=click.Path(file_okay=False, path_type=Path),
              help=N_("在此文件夹中建立 NAME/（默认当前文件夹）；渲染时把它交给 --template-dir。"))
@_TEMPLATE_DIRS
def formats_init(name: str, base: str, directory: Path, template_dirs: tuple[Path, ...]):
    from .templating.formats import init

    folder = init(name, base, directory, list(template_dirs))
    click.echo(_("已建立 {folder}").format(folder=folder))
    click.echo(_("生成报告：perfreport render 数据文件.yaml --template-dir {directory} --format {name}").format(
        directory=directory, name=name))


def _write_text(path: Path, text: str) -> None:
    from .write import write_atomic

    write_atomic(path, lambda handle: handle.write(text.encode("utf-8")))


@cli.command(help=N_("写出一个待填写的数据文件 FILE：.yaml（带中文注释）或 .xlsx（Excel 工作簿）。"))
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--kind", type=click.Choice(["department", "project"]), default="department", show_default=True,
              help=N_("department：部门（单位）整体支出；project：一个项目（只用于 .yaml）。"))
@click.option("--force", is_flag=True, help=N_("文件已存在时覆盖它。"))
def new(file: Path, kind: str, force: bool):
    from .errors import Location, OutputError, Problem
    from .i18n import _

    suffix = file.suffix.lower()
    if suffix not in (".yaml", ".yml", ".xlsx"):
        raise click.BadParameter(_("文件名应以 .yaml、.yml 或 .xlsx 结尾"), param_hint="FILE")
    from .write import occupied

    if occupied(file) and not force:
        raise OutputError(Problem("PR621", _("文件已存在，未覆盖；确需覆盖请加 --force"), Location(str(file))))
    if suffix == ".xlsx":
        from .tools.excelwrite import write_workbook

        write_workbook({}, file)
    else:
        from .tools.starter import starting_file

        _write_text(file, starting_file(kind))
    click.echo(_("已生成 {path}").format(path=file))


def _convert(source: Path, output: Path | None, suffix: str, write, force: bool = False) -> None:
    """Load and check ``source``, then ``write(data, output)``; the output defaults to the source's name + suffix.
    An existing output of another kind is not replaced without ``force``."""
    from .api import load
    from .errors import Location, OutputError, Problem
    from .i18n import _
    from .write import check_replaceable, is_imported, is_workbook

    report = load(source)
    _echo_problems(report.warnings, err=True)
    output = output or Path(source.stem + suffix)
    if output.resolve() == source.resolve():
        raise OutputError(Problem("PR622", _("输出文件不能是输入文件本身"), Location(str(output))))
    if suffix == ".xlsx":
        check_replaceable(output, is_workbook, _("Excel 工作簿（.xlsx）"), force=force)
    else:
        check_replaceable(output, is_imported, _("perfreport import 生成的 YAML 文件"), force=force)
    write(report.source.data, output)
    click.echo(_("已生成 {path}").format(path=output))


@cli.command("import", help=N_("把填好的工作簿 WORKBOOK（.xlsx）检查后转换为 YAML 数据文件。"))
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help=N_("输出的 .yaml 文件；默认为当前文件夹下与工作簿同名的 .yaml。"))
@click.option("--force", is_flag=True, help=N_("输出文件已存在且不是 perfreport import 生成的 YAML 时也覆盖。"))
def import_(workbook: Path, output: Path | None, force: bool):
    from .tools.starter import dump

    header = _("由 {name} 转换（perfreport import）").format(name=workbook.name)
    _convert(workbook, output, ".yaml", lambda data, path: _write_text(path, dump(data, header)), force)


@cli.command("export", help=N_("把数据文件 UNIT 检查后转换为 Excel 工作簿。"))
@click.argument("unit", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help=N_("输出的 .xlsx 文件；默认为当前文件夹下与数据文件同名的 .xlsx。"))
@click.option("--force", is_flag=True, help=N_("输出文件已存在且不是 Excel 工作簿时也覆盖。"))
def export(unit: Path, output: Path | None, force: bool):
    from .tools.excelwrite import write_workbook

    _convert(unit, output, ".xlsx", write_workbook, force)


@cli.command(help=N_("为 INPUTS（数据文件、文件夹或通配符）中的每个单位生成报告，多进程并行。"))
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output-dir", "outdir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help=N_("报告写入的文件夹（不存在时创建）。"))
@click.option("--format", "format_name", metavar="NAME", help=N_("报告格式名称；默认取各数据文件的 format，否则为 standard。"))
@_TEMPLATE_DIRS
@click.option("-j", "--jobs", type=click.IntRange(min=1), help=N_("同时运行的进程数；默认为 CPU 核数。"))
@_pdf_option
@click.option("--summary", type=click.Path(dir_okay=False, path_type=Path),
              help=N_("另写一个汇总工作簿（.xlsx）：每个单位一行、每个项目一行。"))
@click.option("--force", is_flag=True,
              help=N_("全部重新生成；默认跳过已是最新的报告（比数据文件新，且数据文件、格式和模板都未改动）。"))
@click.option("--name", "pattern", metavar="PATTERN", default=None,
              help=N_("输出文件名模式；默认「{short_name}-{year}年度绩效自评报告.docx」，"
                      "可用字段 {short_name} {name} {year} {stem} {format}。"))
def batch(inputs, outdir, format_name, template_dirs, jobs, pdf, summary, force, pattern):
    import time

    from .batch import run as batching

    if pdf:
        from .word.pdf import find_soffice

        find_soffice()
    started = time.monotonic()
    files, missing = batching.find_units(inputs, exclude=[summary] if summary else ())
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
        from .batch.summary import write_summary

        click.echo(_("已生成 {path}").format(path=write_summary(summary, sorted(results.values(), key=lambda r: str(r.file)))))
    counts = {status: sum(r.status == status for r in results.values()) for status in ("written", "skipped", "failed")}
    click.echo(_("共 {total} 个单位：生成 {written}，跳过 {skipped}（已是最新），失败 {failed}；用时 {seconds:.1f} 秒").format(
        total=len(results), seconds=time.monotonic() - started, **counts))
    if any(r.internal for r in results.values()):
        click.get_current_context().exit(EXIT_INTERNAL)
    if counts["failed"]:
        click.get_current_context().exit(2)


@cli.command(help=N_("启动本机网页：上传数据文件、查看检查结果、下载报告；县级页面可一次处理多个单位（见 docs/serve.md）。"))
@click.option("--host", default="127.0.0.1", show_default=True, metavar="HOST",
              help=N_("监听的地址；局域网使用请给 0.0.0.0，此时需要口令。"))
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), metavar="PORT", help=N_("监听的端口。"))
@click.option("--format", "format_name", metavar="NAME", help=N_("报告格式名称；默认取各数据文件的 format，否则为 standard。"))
@_TEMPLATE_DIRS
@click.option("--token", metavar="TOKEN",
              help=N_("登录口令；监听本机以外的地址时必须有口令，未给出时自动生成并显示。"))
@click.option("--max-size", "max_size", type=click.IntRange(min=1), default=10, show_default=True, metavar="MB",
              help=N_("每个上传文件的大小上限（MB）。"))
@click.option("--max-files", "max_files", type=click.IntRange(min=1), default=200, show_default=True, metavar="N",
              help=N_("县级页面一次最多上传的文件数。"))
@click.option("--keep", type=click.IntRange(min=1), default=30, show_default=True, metavar="MINUTES",
              help=N_("上传的文件和生成的报告无人查看时保留的分钟数。"))
def serve(host, port, format_name, template_dirs, token, max_size, max_files, keep):
    from . import serve as web

    missing = web.missing()
    if missing:
        click.echo("perfreport: " + _("网页界面需要另外安装：{packages}。请运行：python -m pip install \"perfreport[serve]\"").format(
            packages="、".join(missing)), err=True)
        sys.exit(2)
    if template_dirs or format_name:
        from .templating.formats import resolve

        resolve(format_name or "standard", list(template_dirs))  # a wrong format or folder stops here, not per upload
    reason = web.bind_problem(host, port)
    if reason:
        raise click.UsageError(_("无法监听 {host}:{port}：{reason}（端口已被占用时请用 --port 换一个）").format(
            host=host, port=port, reason=reason))
    generated = token is None and not web.is_loopback(host)
    if generated:
        import secrets

        token = secrets.token_urlsafe(12)
    from .serve.app import Settings
    from .serve.uploads import MB, Limits

    limits = Limits(file_size=max_size * MB, files=max_files, request_size=max(100, max_size * 10) * MB)
    settings = Settings(format=format_name, template_dirs=tuple(template_dirs), token=token, limits=limits,
                        timeout=keep * 60)
    shown = "[" + host + "]" if ":" in host else host
    address = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else shown}:{port}/"

    def started():
        click.echo(_("perfreport 网页已启动：{address}（按 Ctrl-C 停止）").format(address=address))
        if host in ("0.0.0.0", "::"):
            click.echo(_("局域网中的其他电脑请用本机的 IP 地址访问，端口 {port}").format(port=port))
        if generated:
            click.echo(_("登录口令：{token}").format(token=token))
        if not settings.pdf:
            click.echo(_("未找到 LibreOffice，网页上不提供 PDF 下载"))

    web.run(host, port, settings, on_start=started)


def _data_error(results):
    from .errors import DataError

    return DataError([p for r in results for p in r.problems])


def _batch_pdf(results: dict, jobs: int | None, progress: "_Progress") -> None:
    """Convert the reports written now, and older ones whose PDF is missing or stale, one LibreOffice run per folder."""
    import os

    from .word.pdf import convert_many

    folders: dict[Path, list[Path]] = {}
    for result in results.values():
        if result.failed:
            continue
        document = result.output
        pdf = document.with_suffix(".pdf")
        if result.status == "written" or not pdf.exists() or pdf.stat().st_mtime < document.stat().st_mtime:
            folders.setdefault(document.parent, []).append(document)
    converted = progress.pdf_counter(sum(map(len, folders.values())))
    for folder, documents in folders.items():
        pdfs, problems = convert_many(documents, folder, jobs or os.cpu_count() or 1, progress=converted)
        progress.finish()
        click.echo(_("已生成 {count} 个 PDF（{folder}）").format(count=len(pdfs), folder=folder))
        by_file = {str(r.output): r for r in results.values() if r.output}
        _report_warnings(problems)
        for problem in (p for p in problems if p.level == "error"):
            result = by_file[problem.location.file]
            result.status = "failed"
            result.problems.append(problem)
            _report_problems(problem)


def _on_terminal() -> bool:
    return sys.stderr.isatty()


class _Progress:
    """Per-unit lines, or on a terminal a single updating line: done/total, failures, rate, time left."""

    def __init__(self, total: int, started: float):
        self.total, self.started = total, started
        self.results: dict = {}
        self.tty = _on_terminal()

    def show(self, result) -> None:
        import time

        self._clear()
        self.results[result.file] = result
        if not result.failed:
            _echo_problems(result.warnings, err=True)
        if result.failed:
            _report_problems(result)
        elif not self.tty:
            done = _("已是最新，跳过") if result.status == "skipped" else "→"
            click.echo(f"[{len(self.results)}/{self.total}] {result.file} {done} {result.output}")
        if self.tty:
            done = len(self.results)
            failed = sum(r.failed for r in self.results.values())
            elapsed = max(time.monotonic() - self.started, 1e-6)
            rate = done / elapsed
            left = (self.total - done) / rate
            click.echo("\r" + _("{done}/{total} 个单位，失败 {failed}，{rate:.1f} 个/秒，剩余约 {left:.0f} 秒").format(
                done=done, total=self.total, failed=failed, rate=rate, left=left),
                       err=True, nl=False)

    def pdf_counter(self, total: int):
        """A function to call with each document converted to PDF: shows PDFs done / total and the time left."""
        import threading
        import time

        started, lock, done = time.monotonic(), threading.Lock(), []
        if self.tty and total:
            click.echo("\r" + _("PDF：0/{total} 个，正在启动 LibreOffice…").format(total=total), err=True, nl=False)

        def converted(document: Path) -> None:
            with lock:  # LibreOffice runs side by side report from their own threads
                done.append(document)
                if not self.tty:
                    click.echo(f"[PDF {len(done)}/{total}] {document} → {document.with_suffix('.pdf')}")
                    return
                rate = len(done) / max(time.monotonic() - started, 1e-6)
                self._clear()
                click.echo("\r" + _("PDF：{done}/{total} 个，{rate:.1f} 个/秒，剩余约 {left:.0f} 秒").format(
                    done=len(done), total=total, rate=rate, left=(total - len(done)) / rate), err=True, nl=False)

        return converted

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

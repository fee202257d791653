import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from perfreport import __version__
from perfreport.cli import cli

from conftest import EXAMPLES, MINIMAL, ROOT


def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)))


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_render_example(tmp_path):
    out = tmp_path / "out.docx"
    result = run("render", EXAMPLES[0], "-o", out)
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 5000 and str(out) in result.output


def test_default_output_name_in_current_folder(write_unit, tmp_path, monkeypatch):
    unit = write_unit()
    monkeypatch.chdir(tmp_path)
    result = run("render", unit)
    assert result.exit_code == 0 and (tmp_path / "unit.docx").exists()


def test_schema_error_message_location_and_exit_code(write_unit, tmp_path):
    unit = write_unit(MINIMAL.replace("spent: 62.5", "spent: 约20万"))
    result = run("render", unit, "-o", tmp_path / "out.docx")
    assert result.exit_code == 2
    assert f"{unit}:9:10: [funds.spent] 全年执行数：应为数字，实际为“约20万”" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.docx").exists()


def test_missing_file(tmp_path):
    result = run("render", tmp_path / "nope.yaml")
    assert result.exit_code == 2 and "文件不存在" in result.output and "Traceback" not in result.output


def test_unknown_format(write_unit, tmp_path):
    result = run("render", write_unit(), "--format", "nope", "-o", tmp_path / "o.docx")
    assert result.exit_code == 2 and "nope" in result.output


def test_unwritable_output_exit_code_3(write_unit, tmp_path):
    blocker = tmp_path / "f"
    blocker.write_text("x")
    result = run("render", write_unit(), "-o", blocker / "o.docx")
    assert result.exit_code == 3 and "无法写入" in result.output


def test_output_cut_short_by_a_pipe_is_not_an_internal_error(write_unit):
    import subprocess
    import sys

    many = MINIMAL + "projects:\n" + "  - {name: 重复项目, budget: 1, spent: 1}\n" * 3000  # 2,999 warnings, far more than a pipe holds
    unit = write_unit(many)
    command = f"{sys.executable} -m perfreport.cli check --format json {unit} | head -c 1"  # JSON lists every warning
    result = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=120)
    assert "内部错误" not in result.stderr and "Traceback" not in result.stderr and "Broken" not in result.stderr


def duplicated_projects(count: int) -> str:
    """A unit whose ``count`` projects share one name: ``count - 1`` warnings PR504."""
    return MINIMAL + "projects:\n" + "  - {name: 重复项目, budget: 1, spent: 1}\n" * count


def lines_of(output: str, code: str) -> list[str]:
    return [line for line in output.splitlines() if line.endswith(f"[{code} 警告]")]


def test_check_shows_twenty_warnings_of_a_code_then_how_many_more_json_all(write_unit):
    unit = write_unit(duplicated_projects(1000))
    result = run("check", unit)
    assert result.exit_code == 0, result.output
    shown = lines_of(result.output, "PR504")
    assert len(shown) == 20 and shown[0].startswith(f"{unit}:12:") and shown[-1].startswith(f"{unit}:31:")
    assert "（另有 979 条 PR504 警告未列出；perfreport check --output-format json 可列出全部）" in result.output.splitlines()
    assert len(lines_of(result.output, "PR511")) == 7  # other codes are counted on their own
    assert result.output.splitlines()[-1] == "共 0 个错误，1006 个警告"
    import json
    listed = json.loads(run("check", "--output-format", "json", unit).output)
    assert sum(p["code"] == "PR504" for p in listed) == 999


def test_render_shows_twenty_warnings_of_a_code_and_still_writes(write_unit, tmp_path):
    result = run("render", write_unit(duplicated_projects(30)), "-o", tmp_path / "o.docx")
    assert result.exit_code == 0 and (tmp_path / "o.docx").exists()
    assert len(lines_of(result.stderr, "PR504")) == 20
    assert "（另有 9 条 PR504 警告未列出；perfreport check --output-format json 可列出全部）" in result.stderr.splitlines()


def test_twenty_warnings_of_a_code_are_all_shown_and_errors_never_summarised(write_unit):
    result = run("check", write_unit(duplicated_projects(21)))
    assert len(lines_of(result.output, "PR504")) == 20 and "另有" not in result.output
    wrong = MINIMAL + "projects:\n" + "".join(f"  - {{name: p{i}, budget: 1, spent: 约20万}}\n" for i in range(30))
    result = run("check", write_unit(wrong, "wrong.yaml"))
    assert result.exit_code == 2 and result.output.count("[PR103 错误]") == 30 and "另有" not in result.output


# --- the command's own wording: Chinese by default, English with --lang en ------------------------------

import re

import click

NO_LOCALE = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": None}
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
NOT_WORDS = re.compile(r"\{[^{}]*\}|'[^']*'|\[[^\]]*\]|(?<![\w])-{1,2}[\w-]+|\S+\.\w+|\b[A-Z][A-Z_]+\b")
COMMAND_WORDS = {"perfreport", "LibreOffice", "Excel", "YAML", *click.Group.list_commands(cli, None),
                 "list", "show", "init", "text", "json", "department", "project", "standard", "format", "zh", "en"}


def english_sentences(output: str) -> list[str]:
    """Runs of English prose in ``output``: two or more English words, or one followed by a colon (``Usage:``).

    Option names, metavars (UNIT), quoted values, {fields}, file names and command names are not prose.
    """
    found = []
    for line in output.splitlines():
        for segment in CJK.split(NOT_WORDS.sub(" ", line)):
            words = [w for w in re.findall(r"[A-Za-z][A-Za-z']+:?", segment) if w.rstrip(":") not in COMMAND_WORDS]
            if len(words) >= 2 or any(w.endswith(":") for w in words):
                found.append(segment.strip())
    return found


def _every_help():
    def walk(group, path):
        for name, command in group.commands.items():
            yield [*path, name, "--help"]
            if isinstance(command, click.Group):
                yield from walk(command, [*path, name])
    return [["--help"], *walk(cli, [])]


USAGE = [["render"], ["render", "--bogus"], ["check", "x.yaml", "--format", "nope"],
         ["check", "x.yaml", "--output-format", "nope"], ["nosuch"], ["batch", "a", "-o", "out", "-j", "0"],
         ["new", "x.txt"], ["formats", "show"], ["render", "a", "b"], [], ["formats"], ["new", "x.xlsx", "--kind", "x"]]


@pytest.mark.parametrize("args", USAGE + _every_help(), ids=" ".join)
def test_the_command_speaks_chinese_throughout(args):
    result = CliRunner().invoke(cli, args, env=NO_LOCALE)
    assert result.exit_code in (0, 2) and result.output
    assert english_sentences(result.output) == [], result.output
    english = CliRunner().invoke(cli, ["--lang", "en", *args], env=NO_LOCALE)
    assert english.exit_code == result.exit_code
    assert english_sentences(english.output), "the detector must see click's English"
    chinese_lines = [line for line in english.output.splitlines() if CJK.search(line)]
    assert all("年度绩效自评报告" in line for line in chinese_lines), english.output  # only the default --name pattern


def test_version_in_either_language():
    assert CliRunner().invoke(cli, ["--version"], env=NO_LOCALE).output == f"perfreport，版本 {__version__}\n"
    assert CliRunner().invoke(cli, ["--lang", "en", "-V"], env=NO_LOCALE).output == f"perfreport, version {__version__}\n"


def test_usage_errors_in_chinese():
    result = CliRunner().invoke(cli, ["render"], env=NO_LOCALE)
    assert result.exit_code == 2 and "错误：缺少参数 'UNIT'" in result.output and "render --help」查看帮助" in result.output
    result = CliRunner().invoke(cli, ["check", "x.yaml", "--format", "nope"], env=NO_LOCALE)
    assert "'--format' 的值无效：'nope' 不是可选的值；可选：'text', 'json'" in result.output
    english = CliRunner().invoke(cli, ["check", "x.yaml", "--format", "nope"], env={**NO_LOCALE, "LANG": "en_US.UTF-8"})
    assert "Error: Invalid value for '--format': 'nope' is not one of 'text', 'json'." in english.output


# --- start-up: each command imports only what it needs -------------------------------------------

HEAVY = {"lxml", "docx", "openpyxl", "jinja2"}


def imported_by(code: str, *args: str, cache="") -> set[str]:
    """The top-level packages a fresh Python process has imported after running ``code`` with ``args``
    (with the cache folder ``cache``, by default none)."""
    probe = ("import atexit, sys\natexit.register(lambda: print(' '.join(sorted({m.split('.')[0] for m in sys.modules})),"
             " file=sys.stderr))\n" + code)
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ, PERFREPORT_CACHE_DIR=str(cache)))
    assert done.returncode in (0, 1), done.stderr
    return set(done.stderr.splitlines()[-1].split())


def test_version_imports_no_document_template_or_workbook_library():
    found = imported_by("from perfreport.cli import cli\ncli.main(['--version'], prog_name='perfreport')")
    assert "click" in found and not found & HEAVY


def test_the_command_answers_version_without_click():
    found = imported_by("from perfreport.__main__ import main\nmain()", "--version")
    assert "perfreport" in found and not found & (HEAVY | {"click", "yaml"})


def test_help_imports_no_document_template_or_workbook_library():
    assert not imported_by("from perfreport.__main__ import main\nmain()", "--help") & HEAVY


def test_check_of_a_valid_unit_imports_only_what_it_needs(tmp_path):
    """As on every run after the first: with what earlier runs kept in the cache folder."""
    for _run in range(2):
        found = imported_by("from perfreport.__main__ import main\nmain()", "check", str(EXAMPLES[0]),
                            cache=tmp_path / "cache")
    assert "yaml" in found and not found & (HEAVY | {"cerberus", "babel"})

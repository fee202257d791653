"""Bad input end to end: every mistake a clerk or a template author makes gets a located message, and
nothing is lost (docs/errors.md lists these cases)."""
import errno
import os
import subprocess
import sys
from decimal import Decimal

import docx
import pytest
from click.testing import CliRunner

import perfreport
from perfreport.cli import cli
from perfreport.errors import DataError, OutputError, TemplateError

from conftest import MINIMAL, ROOT, TAGGED, body_text, standard_with


SPECIAL = "A & B < C > D \" E ' F {{ unit.name }} {% if x %} G"
CONTROLS = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n")


def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)))


def codes(excinfo):
    return [p.code for p in excinfo.value.problems]


def all_text(path) -> str:
    """Every w:t of the document body: paragraphs and table cells."""
    document = docx.Document(str(path))
    return "".join(node.text or "" for node in document.element.body.iter(docx.oxml.ns.qn("w:t")))


# --- YAML tags --------------------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["background", "date"])
@pytest.mark.parametrize("value", TAGGED)
def test_check_answers_every_tag_with_located_problems_never_an_internal_error(write_unit, value, field):
    unit = write_unit(MINIMAL + f"{field}: {value}\n")
    result = run("check", unit)
    assert result.exit_code in (0, 2) and "内部错误" not in result.output, result.output
    problems = [line for line in result.output.splitlines() if line.endswith(("错误]", "警告]"))]
    assert problems and all(line.startswith(f"{unit}:") and line.split(":")[1].isdigit() for line in problems)
    expected = TAGGED[value]
    if isinstance(expected, str) and expected.startswith("PR") and expected[2:].isdigit():
        assert any(line.startswith(f"{unit}:10:") and f"[{field}]" in line and f"[{expected} 错误]" in line
                   for line in problems), result.output


# --- figures that a schema cannot judge -------------------------------------------------------------

def test_spending_over_budget_is_allowed_with_located_warnings(write_unit, tmp_path):
    unit = write_unit(MINIMAL.replace("spent: 62.5", "spent: 120\n  received: 101") +
                      "projects:\n  - {name: a, budget: 1, spent: 2}\n")
    report = perfreport.load(unit)
    data_checks = [w for w in report.warnings if w.code < "PR500"]  # not the consistency checks (test_check.py)
    assert [(w.code, w.level, w.location.line, w.location.path) for w in data_checks] == [
        ("PR112", "warning", 9, ("funds", "spent")),
        ("PR113", "warning", 10, ("funds", "received")),
        ("PR112", "warning", 12, ("projects", 0, "spent")),
    ]
    assert data_checks[0].message == "全年执行数 120 大于全年预算数（下达指标） 100，执行率超过 100%；请核对"
    result = run("render", unit, "-o", tmp_path / "o.docx")
    assert result.exit_code == 0 and f"{unit}:9:10: [funds.spent]" in result.output and "[PR112 警告]" in result.output
    assert "资金执行率为120.00%" in body_text(docx.Document(str(tmp_path / "o.docx")))


def test_zero_budget_is_allowed_its_rate_is_a_dash(write_unit, tmp_path):
    report = perfreport.load(write_unit(MINIMAL.replace("budget: 100", "budget: 0")))
    assert [(w.code, w.location.path) for w in report.warnings if w.code < "PR500"] == [("PR111", ("funds", "budget"))]
    assert report.figures.execution_rate is None
    text = body_text(docx.Document(str(perfreport.render(report, tmp_path / "o.docx"))))
    assert "资金执行率为—" in text


def budget_unit(write_unit, amount: str, money_unit: str):
    return write_unit(MINIMAL.replace("budget: 100", f"budget: {amount}") + f"settings: {{money_unit: {money_unit}}}\n")


@pytest.mark.parametrize("amount, money_unit, code", [
    ("10000000000.01", "万元", "PR108"),
    ("1.0e+30", "万元", "PR108"),
    ("100000000000000.01", "元", "PR108"),
    ("1.1234567", "万元", "PR109"),
    ("1.123", "元", "PR109"),
])
def test_absurd_amounts_and_too_many_decimals_are_refused(write_unit, amount, money_unit, code):
    with pytest.raises(DataError) as exc:
        perfreport.load(budget_unit(write_unit, amount, money_unit))
    (problem,) = exc.value.problems
    assert (problem.code, problem.location.line, problem.location.path) == (code, 8, ("funds", "budget"))
    assert money_unit in problem.message


@pytest.mark.parametrize("amount, money_unit", [("10000000000", "万元"), ("1.123456", "万元"), ("1.120000000", "元"),
                                                ("99999999999999.99", "元")])
def test_amounts_at_the_limits_are_accepted(write_unit, amount, money_unit):
    assert perfreport.load(budget_unit(write_unit, amount, money_unit)).figures.budget == Decimal(amount)


def test_other_numbers_out_of_range_are_refused(write_unit):
    text = MINIMAL + "goals:\n  indicators:\n    - {level1: a, level2: b, name: c, target: 1.0e+20}\n"
    with pytest.raises(DataError) as exc:
        perfreport.load(write_unit(text))
    assert codes(exc) == ["PR110"] and exc.value.problems[0].location.path == ("goals", "indicators", 0, "target")


def test_ten_thousand_projects_load_and_render(write_unit, tmp_path):
    projects = "".join(f"  - {{name: 项目{i}, budget: {i % 97}.25, spent: {i % 89}.5}}\n" for i in range(10_000))
    report = perfreport.load(write_unit(MINIMAL + "projects:\n" + projects))
    assert report.figures.project_count == 10_000
    assert perfreport.render(report, tmp_path / "o.docx").exists()


# --- text that XML, Jinja or Word could misread ------------------------------------------------------

def special_unit(write_unit):
    escaped = "".join(f"\\x{ord(c):02x}" for c in CONTROLS)
    quoted = SPECIAL.replace('"', '\\"')
    return write_unit(MINIMAL + f'background: "{quoted}{escaped}H"\n'
                      f'functions:\n  "{quoted}{escaped}": "{escaped}职责"\n'
                      f"other: |\n  raw{CONTROLS.replace(chr(13), '')}text {SPECIAL}\n")


def test_every_xml_special_and_control_character_renders_literally(write_unit, tmp_path):
    report = perfreport.load(special_unit(write_unit))
    assert {w.code for w in report.warnings if w.code < "PR500"} == {"PR011"}
    text = all_text(perfreport.render(report, tmp_path / "o.docx"))
    assert SPECIAL + "H" in text and SPECIAL + "职责" in text and "rawtext " + SPECIAL in text
    assert not any(c in text for c in CONTROLS)


def test_libreoffice_opens_a_report_with_every_special_character(soffice, write_unit, tmp_path):  # noqa: F811
    out = perfreport.render(special_unit(write_unit), tmp_path / "special.docx")
    profile = tmp_path / "profile"
    for target in ("pdf", "txt:Text (encoded):UTF8"):
        subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", target,
                        "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=300)
    assert (tmp_path / "special.pdf").stat().st_size > 1000
    converted = (tmp_path / "special.txt").read_text(encoding="utf-8-sig")
    assert SPECIAL + "\nH" in converted and "rawtext " + SPECIAL in converted  # \r (kept) breaks the line


# --- output safety -----------------------------------------------------------------------------------

def test_a_non_docx_file_is_not_overwritten_without_force(write_unit, tmp_path):
    unit, target = write_unit(), tmp_path / "notes.txt"
    target.write_text("重要笔记", encoding="utf-8")
    result = run("render", unit, "-o", target)
    assert result.exit_code == 3 and "PR403" in result.output and "--force" in result.output
    assert target.read_text(encoding="utf-8") == "重要笔记"
    result = run("render", unit, "-o", target, "--force")
    assert result.exit_code == 0 and docx.Document(str(target))


def test_an_existing_report_and_an_empty_file_are_replaced(write_unit, tmp_path):
    unit, target, empty = write_unit(), tmp_path / "o.docx", tmp_path / "empty.docx"
    empty.touch()
    for out in (target, target, empty):
        assert run("render", unit, "-o", out).exit_code == 0


def test_the_unit_file_is_never_overwritten_even_with_force(write_unit):
    unit = write_unit()
    result = run("render", unit, "-o", unit, "--force")
    assert result.exit_code == 3 and "PR402" in result.output and "unit:" in unit.read_text(encoding="utf-8")


def test_a_read_only_target_is_a_clear_error(write_unit, tmp_path):
    target = tmp_path / "o.docx"
    perfreport.render(write_unit(), target)
    before = target.read_bytes()
    target.chmod(0o444)
    result = run("render", write_unit(), "-o", target, "--force")
    assert result.exit_code == 3 and "PR404" in result.output and "只读" in result.output
    assert target.read_bytes() == before


def test_a_folder_as_target_and_a_file_in_the_path_are_clear_errors(write_unit, tmp_path):
    result = run("render", write_unit(), "-o", tmp_path)
    assert result.exit_code == 3 and "PR405" in result.output
    (tmp_path / "f").write_text("x")
    result = run("render", write_unit(), "-o", tmp_path / "f" / "sub" / "o.docx")
    assert result.exit_code == 3 and "无法写入：路径中有一部分是文件而不是文件夹" in result.output


def test_a_full_disk_leaves_the_old_file_and_no_temporary_file(write_unit, tmp_path, monkeypatch):
    target = tmp_path / "out" / "o.docx"
    perfreport.render(write_unit(), target)
    before = target.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("perfreport.write.os.fsync", full)
    with pytest.raises(OutputError) as exc:
        perfreport.render(write_unit(), target)
    assert exc.value.problems[0].message == "无法写入：磁盘空间不足"
    assert target.read_bytes() == before and os.listdir(target.parent) == ["o.docx"]


def test_ctrl_c_during_the_write_keeps_the_previous_report(write_unit, tmp_path, monkeypatch):
    unit, target = write_unit(), tmp_path / "out" / "o.docx"
    perfreport.render(unit, target)
    before = target.read_bytes()

    def interrupted(self, stream):
        stream.write(b"PK half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr("perfreport.word.build.Docx.save", interrupted)
    result = run("render", unit, "-o", target)
    assert result.exit_code == 130 and "已中断" in result.output and "Traceback" not in result.output
    assert target.read_bytes() == before and os.listdir(target.parent) == ["o.docx"]


def test_a_real_ctrl_c_exits_130(write_unit, tmp_path):
    """The installed command, interrupted by SIGINT while it loads (a slow stand-in for any stage)."""
    code = ("import signal, os, perfreport.api as api, perfreport.cli as cli\n"
            "def load(path, **options): os.kill(os.getpid(), signal.SIGINT)\n"
            "api.load = load\n"
            "cli.main(['render', %r, '-o', %r])\n") % (str(write_unit()), str(tmp_path / "o.docx"))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 130 and "已中断" in done.stderr and not (tmp_path / "o.docx").exists()


# --- template author mistakes --------------------------------------------------------------------------

def broken_format(tmp_path, body: str):
    return standard_with(tmp_path, "broken", "{% block title %}\n<title>\n" + body + "\n</title>\n{% endblock %}\n")


@pytest.mark.parametrize("body, code, expected", [
    ("{{ unit.nmae }}", "PR304", "[unit.nmae] 模板使用了不存在的数据 unit.nmae：unit 中没有 nmae，是否为 name？"),
    ("{{ figures.executon_rate|percent }}", "PR304", "figures 中没有 executon_rate，是否为 execution_rate？"),
    ("{{ unit.name|percent }}", "PR305", "[unit.name] 过滤器 percent 不能用于 unit.name 的值“测试镇人民政府”（文字）"),
    ("{% for p in projects %}{{ p.nmae }}{% endfor %}", "PR304", "p 中没有 nmae，是否为 name？"),
    ("{% if %}", "PR301", "模板语法错误"),
])
def test_template_errors_name_file_line_and_data(write_unit, tmp_path, body, code, expected):
    folder = broken_format(tmp_path, body)
    unit = write_unit(MINIMAL + "projects:\n  - {name: a, budget: 1, spent: 1}\n")
    result = run("render", unit, "--template-dir", folder.parent, "--format", "broken", "-o", tmp_path / "o.docx")
    assert result.exit_code == 2 and f"[{code} 错误]" in result.output and expected in result.output
    assert f"{folder / 'report.xml.j2'}:4" in result.output and body in result.output
    with pytest.raises(TemplateError):
        perfreport.render(unit, tmp_path / "o.docx", format="broken", template_dirs=[folder.parent])
    assert not (tmp_path / "o.docx").exists()

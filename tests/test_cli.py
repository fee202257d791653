from click.testing import CliRunner

from perfreport import __version__
from perfreport.cli import cli

from conftest import EXAMPLES, MINIMAL


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
    command = f"{sys.executable} -m perfreport.cli check {unit} | head -c 1"
    result = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=120)
    assert "内部错误" not in result.stderr and "Traceback" not in result.stderr and "Broken" not in result.stderr

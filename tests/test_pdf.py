"""PDF through LibreOffice: a batch of three in one LibreOffice run, render --pdf, the missing-LibreOffice message.

Conversions are skipped only where LibreOffice is not installed *and* this is
not CI; in CI (CI=true) a missing LibreOffice is a failure (see test_libreoffice.py).
"""
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from lxml import etree

from perfreport import OutputError
from perfreport.word import pdf
from perfreport.cli import cli
from perfreport.batch.manifest import NAME as MANIFEST

from conftest import EXAMPLES
from test_libreoffice import pdf_pages


def test_batch_of_three_converted_in_one_libreoffice_run(soffice, tmp_path, monkeypatch):
    runs = []
    real_run = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda command, **kw: (runs.append(command) if command[0] == soffice else None)
                        or real_run(command, **kw))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", *map(str, EXAMPLES[:3]), "-o", str(out), "--pdf", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert len(runs) == 1 and any(a.startswith("-env:UserInstallation=file://") for a in runs[0])
    for docx in out.glob("*.docx"):
        assert pdf_pages(docx.with_suffix(".pdf")) >= 1
    assert len(list(out.glob("*.pdf"))) == 3
    assert not [p for p in out.iterdir() if p.name.startswith(".") and p.name != MANIFEST], "temporary folder left behind"


def test_render_pdf(soffice, tmp_path):
    result = CliRunner().invoke(cli, ["render", str(EXAMPLES[0]), "-o", str(tmp_path / "r.docx"), "--pdf"])
    assert result.exit_code == 0, result.output
    assert pdf_pages(tmp_path / "r.pdf") >= 1 and str(tmp_path / "r.pdf") in result.output


def test_unconvertible_document_is_located_and_others_converted(soffice, rendered, tmp_path):
    broken = tmp_path / "removed.docx"  # gone by the time LibreOffice looks for it
    good = shutil.copy(rendered[EXAMPLES[0].stem], tmp_path / "good.docx")
    written, problems = pdf.convert([good, broken], tmp_path / "pdf")
    assert written == [tmp_path / "pdf" / "good.pdf"]
    assert [(p.code, p.location.file) for p in problems if p.level == "error"] == [("PR711", str(broken))]


def test_missing_libreoffice_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(OutputError) as caught:
        pdf.find_soffice()
    assert caught.value.problems[0].code == "PR710" and pdf.INSTALL_HINT in str(caught.value)
    result = CliRunner().invoke(cli, ["batch", str(EXAMPLES[0]), "-o", str(tmp_path / "out"), "--pdf"])
    assert result.exit_code == 3 and "libreoffice-writer-nogui" in result.output
    assert not (tmp_path / "out").exists(), "nothing rendered when the PDF cannot be made"


FAKE_SOFFICE = """#!{python}
import sys, time
from pathlib import Path
args = sys.argv[1:]
outdir = Path(args[args.index("--outdir") + 1])
for document in args[args.index("--outdir") + 2:]:
    time.sleep(0.3)
    (outdir / (Path(document).stem + ".pdf")).write_bytes(b"%PDF-1.4 fake")
"""


@pytest.fixture
def fake_soffice(tmp_path, monkeypatch):
    """A stand-in for LibreOffice that writes its PDFs one by one, so progress can be watched without it."""
    import sys

    folder = tmp_path / "bin"
    folder.mkdir()
    program = folder / "soffice"
    program.write_text(FAKE_SOFFICE.format(python=sys.executable), encoding="utf-8")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}:/usr/bin:/bin")
    return program


def test_batch_pdf_progress_off_a_terminal_is_a_line_per_document(fake_soffice, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", *map(str, EXAMPLES[:3]), "-o", str(out), "--pdf", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("[PDF ")]
    assert [line.split("]")[0] for line in lines] == [f"[PDF {i}/3" for i in (1, 2, 3)]
    assert {line.split(" → ")[1] for line in lines} == {str(p) for p in out.glob("*.pdf")}
    assert "\r" not in result.output


def test_batch_pdf_progress_on_a_terminal_counts_the_conversions(fake_soffice, tmp_path, monkeypatch):
    from perfreport import cli as cli_module

    monkeypatch.setattr(cli_module, "_on_terminal", lambda: True)
    result = CliRunner().invoke(cli, ["batch", *map(str, EXAMPLES[:3]), "-o", str(tmp_path / "out"), "--pdf", "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert "PDF：0/3 个，正在启动 LibreOffice" in result.stderr
    shown = [part.split("，")[0] for part in result.stderr.split("\r") if part.startswith("PDF：")]
    assert shown[-1] == "PDF：3/3 个" and sorted(shown) == shown and len(shown) == 4
    assert "剩余约 0 秒" in result.stderr.split("PDF：3/3")[1]
    assert "[PDF " not in result.stdout


# --- the 公文 fonts in the PDF ------------------------------------------------------------------------

def test_missing_gongwen_fonts_get_the_first_installed_stand_in_of_their_kind():
    installed = {"Noto Serif CJK SC", "Noto Sans CJK SC", "AR PL UKai CN", "宋体"}
    chosen = pdf.substitutions(["仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体", "Arial"], installed)
    assert chosen == {"仿宋_GB2312": "Noto Serif CJK SC", "方正小标宋简体": "Noto Serif CJK SC:bold",
                      "黑体": "Noto Sans CJK SC", "楷体_GB2312": "AR PL UKai CN"}   # 宋体 installed; Arial unknown
    assert pdf.substitutions(["楷体_GB2312"], {"Noto Serif CJK SC"}) == {"楷体_GB2312": None}


def test_fontconfig_maps_each_font_and_includes_the_system_configuration():
    config = pdf.fontconfig({"方正小标宋简体": "Noto Serif CJK SC:bold", "楷体_GB2312": None, "A&B": "X"}, "/etc/fonts/fonts.conf")
    root = etree.fromstring(config.encode("utf-8"))
    rules = {m.find("test/string").text: (m.find("edit/string").text, m.find("edit[@name='weight']") is not None)
             for m in root.findall("match")}
    assert rules == {"方正小标宋简体": ("Noto Serif CJK SC", True), "A&B": ("X", False)}
    assert root.find("include").text == "/etc/fonts/fonts.conf"


def test_the_fonts_a_report_asks_for(rendered):
    fonts = pdf.documents_fonts([rendered[EXAMPLES[0].stem]])
    assert {"仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "Times New Roman"} <= set(fonts)


def test_render_pdf_warns_for_each_font_it_replaces(soffice, tmp_path):
    installed = pdf.installed_fonts()
    if installed is None or "仿宋_GB2312" in installed:
        pytest.skip("仿宋_GB2312 is installed here (or fontconfig is not used): nothing is replaced")
    result = CliRunner().invoke(cli, ["render", str(EXAMPLES[0]), "-o", str(tmp_path / "r.docx"), "--pdf"])
    assert result.exit_code == 0, result.output
    stand_in = pdf.substitutions(["仿宋_GB2312"], installed)["仿宋_GB2312"]
    assert f"“仿宋_GB2312”，PDF 中以“{stand_in}”代替" in result.output and "PR712" in result.output

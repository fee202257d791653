"""PDF through LibreOffice: a batch of three in one LibreOffice run, render --pdf, the missing-LibreOffice message.

Conversions are skipped only where LibreOffice is not installed *and* this is
not CI; in CI (CI=true) a missing LibreOffice is a failure (see test_libreoffice.py).
"""
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from perfreport import OutputError, pdf
from perfreport.cli import cli
from perfreport.manifest import NAME as MANIFEST

from conftest import EXAMPLES
from test_libreoffice import pdf_pages


def test_batch_of_three_converted_in_one_libreoffice_run(soffice, tmp_path, monkeypatch):
    runs = []
    real_run = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda command, **kw: runs.append(command) or real_run(command, **kw))
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
    assert [(p.code, p.location.file) for p in problems] == [("PR711", str(broken))]


def test_missing_libreoffice_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(OutputError) as caught:
        pdf.find_soffice()
    assert caught.value.problems[0].code == "PR710" and pdf.INSTALL_HINT in str(caught.value)
    result = CliRunner().invoke(cli, ["batch", str(EXAMPLES[0]), "-o", str(tmp_path / "out"), "--pdf"])
    assert result.exit_code == 3 and "libreoffice-writer-nogui" in result.output
    assert not (tmp_path / "out").exists(), "nothing rendered when the PDF cannot be made"

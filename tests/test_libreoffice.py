"""LibreOffice is our real client: every example must open and convert to PDF in it.

Skipped only where LibreOffice is not installed *and* this is not CI; in CI
(CI=true) a missing LibreOffice is a failure, since .ci/run installs it.
"""
import re
import subprocess

from conftest import EXAMPLES


def pdf_pages(path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", path.read_bytes()))


def test_every_example_converts_to_pdf(soffice, rendered, tmp_path):
    profile = tmp_path / "profile"
    docs = [rendered[p.stem] for p in EXAMPLES]
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), *map(str, docs)], check=True, capture_output=True, timeout=300)
    for doc in docs:
        pdf = tmp_path / (doc.stem + ".pdf")
        assert pdf.exists(), f"LibreOffice did not convert {doc.name}"
        assert pdf_pages(pdf) >= 1


def test_every_shipped_format_converts_to_pdf(soffice, tmp_path):
    import perfreport
    from perfreport.templating.formats import available

    names = [info.name for info in available() if info.builtin]
    docs = [perfreport.render(EXAMPLES[0], tmp_path / f"{name}.docx", format=name) for name in names]
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), *map(str, docs)], check=True, capture_output=True, timeout=300)
    for doc in docs:
        assert pdf_pages(tmp_path / (doc.stem + ".pdf")) >= 1, f"LibreOffice did not convert {doc.name}"

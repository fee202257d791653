"""Shared fixtures: example paths, a minimal valid unit, rendered example documents read back."""
from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import docx
import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))

MINIMAL = """\
unit:
  name: 测试镇人民政府
  short_name: 测试镇
year: 2023
notice:
  title: 测试县财政局关于开展2023年预算绩效自评工作的通知
funds:
  budget: 100
  spent: 62.5
"""


def standard_with(tmp_path, name: str, blocks: str) -> Path:
    """A format folder ``formats/<name>`` extending standard, its report.xml.j2 overriding ``blocks``."""
    folder = tmp_path / "formats" / name
    folder.mkdir(parents=True)
    (folder / "format.yml").write_text("description: 测试\nextends: standard\n", encoding="utf-8")
    (folder / "report.xml.j2").write_text('{% extends "standard/report.xml.j2" %}\n' + blocks, encoding="utf-8")
    return folder


@pytest.fixture
def write_unit(tmp_path):
    """Write YAML text (dedented) to a unit file and return its path."""
    def write(text: str = MINIMAL, name: str = "unit.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path
    return write


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """Each example rendered once per test session: {stem: Path to .docx}."""
    import perfreport

    out = tmp_path_factory.mktemp("rendered")
    return {p.stem: perfreport.render(p, out / f"{p.stem}.docx") for p in EXAMPLES}


@pytest.fixture(scope="session")
def shuren(rendered):
    return docx.Document(str(rendered["shuren-2023"]))


def body_text(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


@pytest.fixture(autouse=True)
def chinese_messages(monkeypatch):
    """Every test starts with Chinese messages, whatever the locale of the machine running the suite."""
    from perfreport.i18n import set_language

    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    set_language(None)
    yield
    set_language(None)


@pytest.fixture(scope="session")
def soffice():
    """The LibreOffice program; a skip where it is not installed, a failure in CI (CI=true), where .ci/run installs it."""
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is not installed; .ci/run must install libreoffice-writer-nogui")
        pytest.skip("LibreOffice not installed (apt-get install libreoffice-writer-nogui fonts-noto-cjk)")
    return program

"""Shared fixtures: example paths, a minimal valid unit, rendered example documents read back."""
from __future__ import annotations

import datetime
import os
import shutil
import textwrap
from decimal import Decimal
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

# YAML tags a clerk or a hostile file may write after "x: ", and what the value reads as: a value, or the code of
# the located problem that refuses it (docs/errors.md). Both readers and `perfreport check` are tested with them.
TAGGED = {
    "!!timestamp 2024-03-05": datetime.date(2024, 3, 5),
    "!!timestamp 2024-1-1": datetime.date(2024, 1, 1),
    "!!timestamp 2001-12-14t21:59:43.10-05:00": datetime.datetime(
        2001, 12, 14, 21, 59, 43, 100000, datetime.timezone(datetime.timedelta(hours=-5))),
    "!!timestamp 010": "PR009",
    "!!timestamp abc": "PR009",
    "!!timestamp ''": "PR009",
    "!!timestamp 99999-01-01": "PR009",
    "!!timestamp 2024-13-40": "PR009",
    "!!timestamp 2023-02-30": "PR009",
    "!!timestamp 0000-01-01": "PR009",
    "!!timestamp 2024-01-01T25:00:00": "PR009",
    "!!timestamp 2001-12-14 21:59:43.10 +25:00": "PR009",
    "!<tag:yaml.org,2002:timestamp> 010": "PR009",
    "!!timestamp [2024]": "PR010",
    "!!binary aGVsbG8=": "PR010",
    "!!binary 树": "PR010",
    "!!set {a, b}": "PR010",
    "!!set x": "PR010",
    "!!omap [a: 1]": "PR010",
    "!!omap x": "PR010",
    "!!pairs [a: 1]": "PR010",
    "!!map x": "PR010",
    "!!seq {a: 1}": "PR010",
    "!!str [1]": "PR010",
    "!!python/object/apply:os.system [ls]": "PR010",
    "!!python/object:os.system {}": "PR010",
    "!!python/name:os.system ''": "PR010",
    "!!python/tuple [1]": "PR010",
    "!!python/str x": "PR010",
    "!custom x": "PR010",
    "!!merge x": "x",  # YAML 1.1's !!merge and !!value mean something only as a key: as values, text
    "<<": "<<",
    "=": "=",
    "!!float nan": "PR009",
    "!!float .inf": "PR009",
    "!!float -.Inf": "PR009",
    "!!float x": "PR009",
    "!!float 0x1F": "PR009",
    "!!float 1e400": Decimal("1e400"),
    "!!float 1_0.5": Decimal("10.5"),
    "!!int 0x1F": "0x1F",
    "!!int 0o17": "0o17",
    "!!int 017": 17,
    "!!int x": "x",
    "!!bool yes": "yes",
    "!!bool TRUE": True,
    "!!null ~": None,
    "!!null x": "PR009",
    "!!str 010": "010",
    "! 010": 10,  # PyYAML resolves a plain scalar with the non-specific tag "!" as if untagged
    "{<<: {a: 1}}": "PR006",
    "{<<: [{a: 1}, {b: 2}]}": "PR006",
    "{!!binary aGk=: 1}": "PR010",
    "{!!python/str k: 1}": "PR010",
    "{!!int 1: a}": {"1": "a"},
}


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
def session_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def private_cache(session_cache, monkeypatch):
    """The command (in-process or as a subprocess) keeps compiled templates and base packages in one
    folder of the test session, never in the user's ~/.cache; library calls keep nothing unless a test says so."""
    from perfreport import cache

    monkeypatch.setenv("PERFREPORT_CACHE_DIR", str(session_cache))
    monkeypatch.setattr(cache, "_folder", None)


@pytest.fixture(scope="session")
def soffice():
    """The LibreOffice program; a skip where it is not installed, a failure in CI (CI=true), where .ci/run installs it."""
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is not installed; .ci/run must install libreoffice-writer-nogui")
        pytest.skip("LibreOffice not installed (apt-get install libreoffice-writer-nogui fonts-noto-cjk)")
    return program


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live_server():
    """The web page (`perfreport serve`) under uvicorn on 127.0.0.1 and a free port, in a thread: its URL and app."""
    import threading
    import time

    import uvicorn

    from perfreport.serve.app import Settings, create_app

    application = create_app(Settings(pdf=False))
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive()
        time.sleep(0.05)
    yield f"http://127.0.0.1:{server.config.port}", application
    server.should_exit = True
    thread.join()

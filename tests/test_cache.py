"""The per-user cache: compiled templates and base packages reused by later runs, never stale, never in the way."""
from __future__ import annotations

import datetime
import os
import subprocess
import sys
import zipfile

import docx
import pytest

import perfreport
from perfreport import api, cache
from perfreport.word import build
from perfreport.templating import jinja as templating
from perfreport.cache import folder_from_environment, subfolder

from conftest import MINIMAL, ROOT


def fresh_process_state():
    """Forget what this process keeps in memory, as a new process would start."""
    api._environment.cache_clear()
    build._prepared.clear()


@pytest.fixture
def counted(monkeypatch):
    """How many templates were compiled and base packages prepared (not found in a cache)."""
    counts = {"compiled": 0, "prepared": 0}
    compile_, prepare = templating._Sandbox.compile, build._prepare

    def compiling(self, *args, **kwargs):
        counts["compiled"] += 1
        return compile_(self, *args, **kwargs)

    def preparing(*args, **kwargs):
        counts["prepared"] += 1
        return prepare(*args, **kwargs)

    monkeypatch.setattr(templating._Sandbox, "compile", compiling)
    monkeypatch.setattr(build, "_prepare", preparing)
    fresh_process_state()
    yield counts
    fresh_process_state()


def county(tmp_path, title: str) -> str:
    """A county format whose report title is ``title``; returns its template folder."""
    folder = tmp_path / "formats" / "某县"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "format.yml").write_text("description: 测试格式\nextends: standard\n", encoding="utf-8")
    (folder / "report.xml.j2").write_text(
        '{% extends "standard/report.xml.j2" %}{% block title %}<title>' + title + "</title>{% endblock %}",
        encoding="utf-8")
    return str(tmp_path / "formats")


def title(path) -> str:
    return docx.Document(str(path)).paragraphs[0].text


def body(path) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read("word/document.xml")


def test_a_second_run_uses_the_compiled_templates_and_base_package(write_unit, tmp_path, counted):
    cache.configure(tmp_path / "cache")
    unit = write_unit(MINIMAL)
    perfreport.render(unit, tmp_path / "first.docx")
    assert counted["compiled"] >= 3 and counted["prepared"] == 1   # report, macros, tables
    assert list((tmp_path / "cache").glob("templates-*/*.cache")) and list((tmp_path / "cache").glob("base/*.cache"))
    fresh_process_state()
    counted.update(compiled=0, prepared=0)
    perfreport.render(unit, tmp_path / "second.docx")
    assert counted == {"compiled": 0, "prepared": 0}
    assert body(tmp_path / "second.docx") == body(tmp_path / "first.docx")
    with zipfile.ZipFile(tmp_path / "first.docx") as a, zipfile.ZipFile(tmp_path / "second.docx") as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        assert all(a.read(name) == b.read(name) for name in a.namelist() if name != "docProps/core.xml")


def test_without_a_cache_folder_nothing_is_kept(write_unit, tmp_path, counted):
    perfreport.render(write_unit(MINIMAL), tmp_path / "first.docx")
    fresh_process_state()
    counted.update(compiled=0, prepared=0)
    perfreport.render(write_unit(MINIMAL), tmp_path / "second.docx")
    assert counted["compiled"] >= 3 and counted["prepared"] == 1


def test_a_template_edited_between_runs_is_compiled_again(write_unit, tmp_path, counted):
    cache.configure(tmp_path / "cache")
    unit, dirs = write_unit(MINIMAL), county(tmp_path, "第一稿")
    assert title(perfreport.render(unit, tmp_path / "a.docx", format="某县", template_dirs=[dirs])) == "第一稿"
    fresh_process_state()
    county(tmp_path, "第二稿")
    assert title(perfreport.render(unit, tmp_path / "b.docx", format="某县", template_dirs=[dirs])) == "第二稿"


def test_a_template_edited_while_the_process_runs_is_read_again(write_unit, tmp_path, counted):
    unit, dirs = write_unit(MINIMAL), county(tmp_path, "第一稿")
    assert title(perfreport.render(unit, tmp_path / "a.docx", format="某县", template_dirs=[dirs])) == "第一稿"
    template = tmp_path / "formats" / "某县" / "report.xml.j2"
    county(tmp_path, "第二稿")
    later = template.stat().st_mtime_ns + 2_000_000_000   # file systems with coarse times: a later modification time
    os.utime(template, ns=(later, later))
    assert title(perfreport.render(unit, tmp_path / "b.docx", format="某县", template_dirs=[dirs])) == "第二稿"


def test_a_changed_style_profile_is_not_served_from_the_cache(write_unit, tmp_path, counted):
    cache.configure(tmp_path / "cache")
    unit, dirs = write_unit(MINIMAL), county(tmp_path, "标题")
    perfreport.render(unit, tmp_path / "a.docx", format="某县", template_dirs=[dirs])
    (tmp_path / "formats" / "某县" / "style.yml").write_text("body: {size: 四号}\n", encoding="utf-8")
    with open(tmp_path / "formats" / "某县" / "format.yml", "a", encoding="utf-8") as meta:
        meta.write("style: style.yml\n")
    fresh_process_state()
    counted.update(prepared=0)
    perfreport.render(unit, tmp_path / "b.docx", format="某县", template_dirs=[dirs])
    assert counted["prepared"] == 1
    sizes = [style.font.size.pt for style in docx.Document(str(tmp_path / "b.docx")).styles
             if style.name == "Body Text"]
    assert sizes == [14]


def test_an_unwritable_cache_folder_still_renders(write_unit, tmp_path, counted):
    if os.name == "posix" and os.geteuid() == 0:
        blocked = tmp_path / "a-file"   # root may write anywhere: a file where the folder should be
        blocked.write_text("", encoding="utf-8")
    else:
        blocked = tmp_path / "locked"
        blocked.mkdir(mode=0o500)
    cache.configure(blocked / "cache")
    path = perfreport.render(write_unit(MINIMAL), tmp_path / "o.docx")
    assert title(path) == "测试镇人民政府"
    assert counted["compiled"] >= 3


def test_unreadable_cache_entries_are_made_again(write_unit, tmp_path, counted):
    cache.configure(tmp_path / "cache")
    unit = write_unit(MINIMAL)
    perfreport.render(unit, tmp_path / "first.docx")
    for entry in (tmp_path / "cache").rglob("*.*"):
        entry.write_bytes(b"\x00garbage")
    fresh_process_state()
    counted.update(compiled=0, prepared=0)
    perfreport.render(unit, tmp_path / "second.docx")
    assert counted["compiled"] >= 3 and counted["prepared"] == 1
    assert body(tmp_path / "second.docx") == body(tmp_path / "first.docx")


def test_the_unit_schema_kept_as_json_is_the_schema(tmp_path):
    from perfreport import schema
    import yaml

    cache.configure(tmp_path / "cache")
    written = schema.unit_schema.__wrapped__()
    assert list((tmp_path / "cache" / "schema").iterdir())
    read_back = schema.unit_schema.__wrapped__()
    assert read_back == written == yaml.safe_load((ROOT / "perfreport" / "schema" / "unit.yml").read_text(encoding="utf-8"))
    assert any(isinstance(v, datetime.date) for v in _leaves(read_back))   # the examples' dates come back as dates


def _leaves(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


@pytest.mark.skipif(os.name != "posix", reason="folder permissions are POSIX")
def test_a_folder_others_can_write_to_is_not_used(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    assert subfolder(shared, "templates") is None
    mine = tmp_path / "mine"
    assert subfolder(mine, "templates") == mine / "templates"
    assert (mine / "templates").stat().st_mode & 0o077 == 0


def test_the_folder_comes_from_the_environment_when_the_command_runs(tmp_path):
    home = {"HOME": str(tmp_path)}
    assert folder_from_environment(home) == tmp_path / ".cache" / "perfreport"
    assert folder_from_environment({**home, "XDG_CACHE_HOME": "relative"}) == tmp_path / ".cache" / "perfreport"
    assert folder_from_environment({"HOME": str(tmp_path / "nobody")}) is None
    assert folder_from_environment({**home, "XDG_CACHE_HOME": str(tmp_path / "x")}) == tmp_path / "x" / "perfreport"
    assert folder_from_environment({**home, "PERFREPORT_CACHE_DIR": str(tmp_path / "c")}) == tmp_path / "c"
    assert folder_from_environment({**home, "PERFREPORT_CACHE_DIR": ""}) is None


def run_command(args, environ) -> set[str]:
    """Run ``perfreport ARGS`` in a fresh Python process; the top-level packages it imported."""
    code = ("import atexit, sys; atexit.register(lambda: print(' '.join(sorted({m.split('.')[0] for m in sys.modules})), "
            "file=sys.stderr)); from perfreport.__main__ import main; main()")
    done = subprocess.run([sys.executable, "-c", code, *args], env=environ, capture_output=True, text=True,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return set(done.stderr.splitlines()[-1].split())


def test_the_command_keeps_its_cache_where_the_environment_says(tmp_path):
    environ = dict(os.environ, PERFREPORT_CACHE_DIR=str(tmp_path / "cache"))
    args = ["render", str(ROOT / "examples" / "shuren-2023.yaml"), "-o", str(tmp_path / "o.docx")]
    assert "docx" in run_command(args, environ)
    assert "docx" not in run_command(args, environ)   # the base package came from the cache
    assert list((tmp_path / "cache").glob("templates-*/*.cache"))
    off = dict(environ, PERFREPORT_CACHE_DIR="")
    assert "docx" in run_command(args, off)

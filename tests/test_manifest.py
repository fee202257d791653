"""The batch manifest: re-runs skip up-to-date units without loading them, and stay correct."""
import os
import shutil

import openpyxl
import pytest

from perfreport import api
from perfreport.templating import formats
from perfreport.batch.run import find_units, run
from perfreport.batch.manifest import NAME

from conftest import EXAMPLES, MINIMAL


@pytest.fixture
def units(tmp_path):
    """Two example units and a minimal one in a folder of their own."""
    folder = tmp_path / "units"
    folder.mkdir()
    for example in EXAMPLES[:2]:
        shutil.copy(example, folder / example.name)
    (folder / "minimal.yaml").write_text(MINIMAL, encoding="utf-8")
    return folder


@pytest.fixture
def loads(monkeypatch):
    """The unit files loaded from now on."""
    loaded = []
    real = api.load

    def spy(path, **options):
        loaded.append(path.name)
        return real(path, **options)
    monkeypatch.setattr(api, "load", spy)
    return loaded


def batch(folder, out, **options):
    files, _missing = find_units([folder])
    return {r.file.name: r for r in run(files, out, jobs=1, **options)}


def older(path, than):
    """Give ``path`` a modification time before ``than``'s, so that by time alone it looks up to date."""
    stamp = than.stat().st_mtime - 100
    os.utime(path, (stamp, stamp))


def test_rerun_skips_without_loading_and_keeps_warnings_and_rows(units, tmp_path, loads):
    first = batch(units, tmp_path / "out")
    assert {r.status for r in first.values()} == {"written"} and (tmp_path / "out" / NAME).is_file()
    loads.clear()
    again = batch(units, tmp_path / "out")
    assert loads == [] and {r.status for r in again.values()} == {"skipped"}
    for name, result in again.items():
        assert result.output == first[name].output and result.warnings == first[name].warnings
        assert (result.unit, result.projects) == (first[name].unit, first[name].projects)


def test_summary_of_a_rerun_is_the_same(units, tmp_path, loads):
    from click.testing import CliRunner

    from perfreport.cli import cli

    def summary(name):
        result = CliRunner().invoke(cli, ["batch", str(units), "-o", str(tmp_path / "out"), "--jobs", "1",
                                          "--summary", str(tmp_path / name)])
        assert result.exit_code == 0, result.stderr
        workbook = openpyxl.load_workbook(tmp_path / name)
        return [[(c.value, c.number_format) for c in row] for sheet in workbook for row in sheet.iter_rows()]
    first = summary("first.xlsx")
    loads.clear()
    assert summary("again.xlsx") == first and loads == []


def test_changed_unit_is_rendered_again_even_if_older_than_its_report(units, tmp_path, loads):
    batch(units, tmp_path / "out")
    unit = units / "minimal.yaml"
    report = tmp_path / "out" / "测试镇-2023年度绩效自评报告.docx"
    unit.write_text(MINIMAL.replace("spent: 62.5", "spent: 70"), encoding="utf-8")
    older(unit, report)
    loads.clear()
    results = batch(units, tmp_path / "out")
    assert loads == ["minimal.yaml"] and results["minimal.yaml"].status == "written"
    assert results["minimal.yaml"].unit["spent"] == 70
    assert {results[e.name].status for e in EXAMPLES[:2]} == {"skipped"}


def test_changed_template_renders_again(units, tmp_path):
    templates = tmp_path / "formats"
    formats.init("county", directory=templates)
    out = tmp_path / "out"
    assert {r.status for r in batch(units, out, format="county", template_dirs=[templates]).values()} == {"written"}
    assert {r.status for r in batch(units, out, format="county", template_dirs=[templates]).values()} == {"skipped"}
    template = templates / "county" / "report.xml.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert {r.status for r in batch(units, out, format="county", template_dirs=[templates]).values()} == {"written"}


def test_other_format_renders_again(units, tmp_path):
    out = tmp_path / "out"
    batch(units, out)
    results = batch(units, out, format="songti")
    assert {r.status for r in results.values()} == {"written"}


def test_force_renders_everything(units, tmp_path, loads):
    batch(units, tmp_path / "out")
    assert {r.status for r in batch(units, tmp_path / "out", force=True).values()} == {"written"}


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"layout": 1, "units": []}', b"[1, 2]",
                                     b'{"layout": 1, "units": {"x": 1}}'])
def test_corrupt_manifest_is_ignored(units, tmp_path, loads, content):
    out = tmp_path / "out"
    first = batch(units, out)
    (out / NAME).write_bytes(content)
    loads.clear()
    again = batch(units, out)
    assert sorted(loads) == sorted(first) and {r.status for r in again.values()} == {"skipped"}
    loads.clear()
    batch(units, out)
    assert loads == [], "the manifest is written again"


def test_corrupt_record_is_ignored(units, tmp_path, loads):
    out = tmp_path / "out"
    batch(units, out)
    text = (out / NAME).read_text(encoding="utf-8")
    (out / NAME).write_text(text.replace('"depends":', '"dependencies":'), encoding="utf-8")
    loads.clear()
    assert {r.status for r in batch(units, out).values()} == {"skipped"} and len(loads) == 3


def test_missing_report_is_rendered_again(units, tmp_path):
    out = tmp_path / "out"
    batch(units, out)
    (out / "测试镇-2023年度绩效自评报告.docx").unlink()
    assert batch(units, out)["minimal.yaml"].status == "written"


def test_failed_unit_loses_its_record(units, tmp_path, loads):
    out = tmp_path / "out"
    batch(units, out)
    (units / "minimal.yaml").write_text(MINIMAL.replace("spent: 62.5", "spent: 约20万"), encoding="utf-8")
    assert batch(units, out)["minimal.yaml"].failed
    (units / "minimal.yaml").write_text(MINIMAL, encoding="utf-8")
    older(units / "minimal.yaml", out / "测试镇-2023年度绩效自评报告.docx")
    loads.clear()
    assert batch(units, out)["minimal.yaml"].status == "skipped" and loads == ["minimal.yaml"]


def test_other_language_loads_again_for_its_messages(units, tmp_path, loads):
    from perfreport.i18n import set_language

    out = tmp_path / "out"
    chinese = batch(units, out)
    loads.clear()
    set_language("en")
    try:
        english = batch(units, out)
    finally:
        set_language(None)
    assert sorted(loads) == sorted(chinese) and {r.status for r in english.values()} == {"skipped"}
    messages = [w.message for r in english.values() for w in r.warnings]
    assert messages and messages != [w.message for r in chinese.values() for w in r.warnings]

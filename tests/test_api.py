"""The public API and the pipeline end to end on small units."""
import docx
import pytest

import perfreport
from perfreport.errors import DataError, OutputError

from conftest import MINIMAL, body_text, standard_with


def test_public_api_is_small_and_explicit():
    assert set(perfreport.__all__) == {"load", "render", "Report", "PerfReportError", "DataError", "TemplateError",
                                       "OutputError", "Problem", "Location", "__version__"}
    for name in perfreport.__all__:
        assert getattr(perfreport, name) is not None


def test_load_then_render(write_unit, tmp_path):
    report = perfreport.load(write_unit())
    assert isinstance(report, perfreport.Report)
    out = perfreport.render(report, tmp_path / "out.docx")
    text = body_text(docx.Document(str(out)))
    assert "资金执行率为62.50%" in text  # 62.5 / 100, default 2 decimals


def test_render_accepts_a_path(write_unit, tmp_path):
    out = perfreport.render(write_unit(), tmp_path / "x.docx")
    assert out.exists()


def test_missing_optional_sections_render_as_wu(write_unit, tmp_path):
    text = body_text(docx.Document(str(perfreport.render(write_unit(), tmp_path / "x.docx"))))
    assert text.count("无。") >= 10
    assert "None" not in text


def test_schema_errors_stop_the_render_and_leave_no_file(write_unit, tmp_path):
    out = tmp_path / "out.docx"
    out.write_bytes(b"previous")
    with pytest.raises(DataError):
        perfreport.render(write_unit(MINIMAL.replace("spent: 62.5", "spent: 很多")), out)
    assert out.read_bytes() == b"previous"


def test_refuses_to_write_over_the_input(write_unit):
    path = write_unit()
    with pytest.raises(OutputError):
        perfreport.render(path, path)
    assert "unit" in path.read_text(encoding="utf-8")


def test_user_text_with_markup_characters_appears_literally(write_unit, tmp_path):
    unit = write_unit(MINIMAL + 'background: "A & B <c> {{ d }} {% e %} \'f\' \\"g\\""\n')
    text = body_text(docx.Document(str(perfreport.render(unit, tmp_path / "x.docx"))))
    assert "A & B <c> {{ d }} {% e %} 'f' \"g\"" in text


def test_signature_follows_gbt9704(write_unit, tmp_path):
    """7.3.5.1: blank lines for the seal, the date 右空四字, the name centred over the date."""
    from docx.oxml.ns import qn
    doc = docx.Document(str(perfreport.render(write_unit(MINIMAL + "date: 2024-03-05\n"), tmp_path / "x.docx")))
    *before, name, date = doc.paragraphs
    assert [p.text for p in before[-2:]] == ["", ""]
    char = 16 * 20 - 5    # 三号, condensed to 28 characters a line
    date_right = int(date._p.pPr.find(qn("w:ind")).get(qn("w:right")))
    name_right = int(name._p.pPr.find(qn("w:ind")).get(qn("w:right")))
    assert date_right == 4 * char
    # 2024年3月5日: 6 digits at half a character and 3 characters = 6; 测试镇人民政府 7 characters
    assert name_right == round((4 + (6 - 7) / 2) * char)
    assert all(p.alignment == 2 for p in (name, date))


def test_opening_sentence_uses_the_units_own_name_for_itself(write_unit, tmp_path):
    unit = MINIMAL.replace("  short_name: 测试镇\n", "  short_name: 测试镇\n  self_name: 我镇\n")
    text = body_text(docx.Document(str(perfreport.render(write_unit(unit), tmp_path / "x.docx"))))
    assert "文件要求，我镇对2023年项目资金开展了绩效自评工作" in text and "我单位" not in text


def test_signature_with_date(write_unit, tmp_path):
    text = body_text(docx.Document(str(perfreport.render(write_unit(MINIMAL + "date: 2024-03-05\n"), tmp_path / "x.docx"))))
    assert text.endswith("测试镇人民政府\n2024年3月5日")


# 65% spent, the one indicator achieved: 96.5 under standard, capped at 79 under sichuan
CAPPED = MINIMAL.replace("spent: 62.5", "spent: 65") + """\
projects:
  - name: p
    budget: 100
    spent: 65
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: i, target: 1, actual: 1, weight: 90}
"""


def test_rule_set_from_unit_file_format_or_argument(write_unit, tmp_path):
    text = CAPPED
    path = write_unit(text)
    assert perfreport.load(path).figures.projects[0].score == 96.5          # standard: no cap
    assert perfreport.load(path, rules="sichuan").figures.projects[0].score == 79
    assert perfreport.load(write_unit(text + "rules: sichuan\n", "u2.yaml")).figures.projects[0].score == 79
    county = tmp_path / "formats" / "county"
    county.mkdir(parents=True)
    (county / "format.yml").write_text("extends: standard\nrules: county-rules.yml\n", encoding="utf-8")
    (county / "report.xml.j2").write_text('{% extends "standard/report.xml.j2" %}', encoding="utf-8")
    (county / "county-rules.yml").write_text("extends: standard\ncap_by_execution: [{below: 0.7, cap: 60}]\n", encoding="utf-8")
    report = perfreport.load(path, format="county", template_dirs=[tmp_path / "formats"])
    assert report.figures.projects[0].score == 60


def test_rendering_in_another_format_keeps_the_rule_set_and_template_folders_asked_for(write_unit, tmp_path):
    text = CAPPED
    report = perfreport.load(write_unit(text), rules="sichuan")
    document = docx.Document(str(perfreport.render(report, tmp_path / "songti.docx", format="songti")))
    scores = [row.cells[5].text for table in document.tables for row in table.rows if row.cells[1].text == "p"]
    assert scores[0] == "79"  # the projects table: sichuan's cap by execution rate, not standard's 96.5
    county = standard_with(tmp_path, "county", "")
    report = perfreport.load(write_unit(text, "u2.yaml"), template_dirs=[county.parent])
    perfreport.render(report, tmp_path / "county.docx", format="county")  # found where load() was told to look


def test_unknown_rule_set_is_a_data_error(write_unit):
    with pytest.raises(DataError) as exc:
        perfreport.load(write_unit(MINIMAL + "rules: nowhere\n"))
    assert exc.value.problems[0].code == "PR210"


def test_the_cycle_collector_is_paused_while_the_pipeline_runs_and_restored_after(write_unit, tmp_path, monkeypatch):
    import gc

    import perfreport.api as api
    seen = []
    real_compute, real_build = api.compute, api.build
    monkeypatch.setattr(api, "compute", lambda *a, **k: seen.append(gc.isenabled()) or real_compute(*a, **k))
    monkeypatch.setattr(api, "build", lambda *a, **k: seen.append(gc.isenabled()) or real_build(*a, **k))
    assert gc.isenabled()
    perfreport.render(perfreport.load(write_unit()), tmp_path / "o.docx")
    assert seen == [False, False] and gc.isenabled()
    with pytest.raises(DataError):
        perfreport.load(write_unit("year: 2023\n"))
    assert gc.isenabled()
    gc.disable()
    try:   # a caller that paused it itself keeps it paused
        perfreport.load(write_unit())
        assert not gc.isenabled()
    finally:
        gc.enable()

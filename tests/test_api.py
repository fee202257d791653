"""The public API and the pipeline end to end on small units."""
import docx
import pytest

import perfreport
from perfreport.errors import DataError, OutputError

from conftest import MINIMAL, body_text


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


def test_signature_with_date(write_unit, tmp_path):
    text = body_text(docx.Document(str(perfreport.render(write_unit(MINIMAL + "date: 2024-03-05\n"), tmp_path / "x.docx"))))
    assert text.endswith("测试镇人民政府\n2024年3月5日")


def test_rule_set_from_unit_file_format_or_argument(write_unit, tmp_path):
    text = MINIMAL.replace("spent: 62.5", "spent: 65") + """\
projects:
  - name: p
    budget: 100
    spent: 65
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: i, target: 1, actual: 1, weight: 90}
"""
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


def test_unknown_rule_set_is_a_data_error(write_unit):
    with pytest.raises(DataError) as exc:
        perfreport.load(write_unit(MINIMAL + "rules: nowhere\n"))
    assert exc.value.problems[0].code == "PR210"


def test_load_leaves_the_garbage_collector_as_it_found_it(write_unit, tmp_path):
    import gc

    assert gc.isenabled()
    perfreport.load(write_unit())
    with pytest.raises(DataError):
        perfreport.load(tmp_path / "missing.yaml")
    assert gc.isenabled()
    gc.disable()
    try:
        perfreport.load(write_unit())
        assert not gc.isenabled()
    finally:
        gc.enable()

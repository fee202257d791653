"""Printed figures agree with each other (issue 13): the grade follows the printed score, every printed
column adds up to its printed total, and a project list that disagrees with a stated 自评项目总金额 is
never printed. Each test renders a unit and reads the .docx back."""
import docx
import pytest

import perfreport
from perfreport.batch.run import summary_rows
from perfreport.errors import DataError
from test_tables import grid, plain

HEAD = """\
unit: {name: 测试镇人民政府, short_name: 测试镇}
year: 2023
notice: {title: 测试县财政局关于开展2023年预算绩效自评工作的通知}
funds: {budget: 200, spent: 190, total_expenditure: 500}
"""

# exact total 9.9965 + 80 = 89.9965: printed 90, so the grade is 优 (not 良)
BORDER = HEAD + """\
projects:
  - name: 边界项目
    budget: 100
    spent: 99.965
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: 完成量, target: 9, unit: 个, actual: 8, weight: 90}
"""

# three indicators earning 40/3 each, then 20 and 10: 13.33 × 3 + 20 + 10 = 69.99 as printed
THIRDS = HEAD + """\
projects:
  - name: 三分项目
    budget: 100
    spent: 100
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: 甲, target: 3, actual: 2, weight: 20}
      - {level1: 产出指标, level2: 数量指标, name: 乙, target: 3, actual: 2, weight: 20}
      - {level1: 产出指标, level2: 数量指标, name: 丙, target: 3, actual: 2, weight: 20}
      - {level1: 效益指标, level2: 社会效益指标, name: 丁, target: 1, actual: 1, weight: 20}
      - {level1: 满意度指标, level2: 满意度指标, name: 戊, target: 90, unit: "%", actual: 95, weight: 10}
  - name: 均分项目
    budget: 1.0051
    spent: 1.0051
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: 子, target: 1, actual: 1}
      - {level1: 产出指标, level2: 数量指标, name: 丑, target: 1, actual: 1}
      - {level1: 产出指标, level2: 质量指标, name: 寅, target: 1, actual: 1}
      - {level1: 效益指标, level2: 社会效益指标, name: 卯, target: 1, actual: 1}
      - {level1: 满意度指标, level2: 满意度指标, name: 辰, target: 1, actual: 1}
  - name: 零头项目
    budget: 1.0051
    spent: 1.0051
    score: 95
"""


def render(tmp_path, text, name="unit", rules=None):
    source = tmp_path / f"{name}.yaml"
    source.write_text(text + (f"rules: {rules}\n" if rules else ""), encoding="utf-8")
    report = perfreport.load(source)
    output = perfreport.render(report, tmp_path / f"{name}.docx")
    return report, docx.Document(str(output))


def exact_rules(tmp_path):
    path = tmp_path / "exact.yml"
    path.write_text("name: exact\nextends: standard\ntotals: exact\n", encoding="utf-8")
    return path


def project_tables(document):
    return [grid(t) for t in document.tables if plain(grid(t)[0])[0] == "项目名称"]


def number(text):
    return round(float(text), 6)


def scored_rows(table):
    """(分值, 得分) of the execution row and each indicator row, and of the 总分 row."""
    rows = [plain(r) for r in table]
    execution = rows[3]
    indicators = [r for r in rows[rows.index(next(r for r in rows if r[0] == "一级指标")) + 1:] if len(r) >= 5 and r[0] not in ("总分", "自评等级")]
    total = next(r for r in rows if r[0] == "总分")
    return (number(execution[5]), number(execution[7])), [(number(r[-3]), number(r[-2])) for r in indicators], (number(total[1]), number(total[2]))


def test_the_grade_follows_the_printed_score_everywhere(tmp_path):
    for rules in (None, exact_rules(tmp_path)):
        report, document = render(tmp_path, BORDER, rules=rules)
        table = project_tables(document)[0]
        rows = [plain(r) for r in table]
        assert next(r for r in rows if r[0] == "总分")[2] == "90"
        assert next(r for r in rows if r[0] == "自评等级")[1] == "优"
        summary = next(plain(r) for t in document.tables for r in grid(t) if plain(r)[1:2] == ["边界项目"])
        assert summary[5:7] == ["90", "优"]
        text = "".join(p.text for p in document.paragraphs)
        assert "“优”1个，占100.00%" in text
        _unit, projects = summary_rows(report)   # the batch summary workbook's project row
        assert (projects[0]["score"], projects[0]["grade"]) == (90.0, "优")


def test_the_batch_summary_workbook_prints_the_same_score_and_grade(tmp_path):
    import openpyxl
    from click.testing import CliRunner
    from perfreport.cli import cli

    (tmp_path / "units").mkdir()
    (tmp_path / "units" / "a.yaml").write_text(BORDER, encoding="utf-8")
    result = CliRunner().invoke(cli, ["batch", str(tmp_path / "units"), "-o", str(tmp_path / "out"),
                                      "--summary", str(tmp_path / "summary.xlsx")])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(tmp_path / "summary.xlsx")["项目"]
    header = [c.value for c in sheet[1]]
    row = [c.value for c in sheet[2]]
    assert (row[header.index("自评得分")], row[header.index("自评等级")]) == (90, "优")


def test_every_printed_score_column_adds_up_to_its_printed_total(tmp_path):
    _report, document = render(tmp_path, THIRDS)
    tables = project_tables(document)
    for table in tables[:2]:
        execution, indicators, total = scored_rows(table)
        assert round(execution[0] + sum(w for w, _s in indicators), 6) == total[0] == 100
        assert round(execution[1] + sum(s for _w, s in indicators), 6) == total[1]
    assert scored_rows(tables[0])[1][:3] == [(20, 13.33)] * 3 and scored_rows(tables[0])[2] == (100, 79.99)
    # 50 points shared by three 产出 indicators: 16.67 + 16.67 + 16.66
    assert [w for w, _s in scored_rows(tables[1])[1]] == [16.67, 16.67, 16.66, 30, 10]


def test_exact_totals_are_a_rule_set_option(tmp_path):
    _report, document = render(tmp_path, THIRDS, rules=exact_rules(tmp_path))
    _execution, indicators, total = scored_rows(project_tables(document)[0])
    assert indicators[:3] == [(20, 13.33)] * 3 and total == (100, 80)   # summed exactly: 10 + 40 + 20 + 10, while the column prints 79.99


def test_amount_totals_add_up_as_printed(tmp_path):
    report, document = render(tmp_path, THIRDS)
    summary = next(grid(t) for t in document.tables if plain(grid(t)[0])[:3] == ["序号", "项目名称", "预算数"])
    rows = [plain(r) for r in summary]
    assert [r[2] for r in rows[1:4]] == ["100.00", "1.01", "1.01"]
    assert rows[-1][:4] == ["合计", "102.02", "102.02", "100.00%"]   # exact 102.0102 would print 102.01
    assert "预算102.02万元" in "".join(p.text for p in document.paragraphs)


def test_a_project_list_disagreeing_with_the_stated_total_is_an_error_and_not_rendered(tmp_path):
    text = THIRDS + "stated: {assessed_budget_total: 50}\n"
    source = tmp_path / "unit.yaml"
    source.write_text(text, encoding="utf-8")
    report = perfreport.load(source)
    assert [(p.code, p.level, p.location.path) for p in report.errors] == [
        ("PR515", "error", ("stated", "assessed_budget_total"))]
    with pytest.raises(DataError) as raised:
        perfreport.render(report, tmp_path / "unit.docx")
    assert "PR515" in str(raised.value.problems[0].code)
    assert not (tmp_path / "unit.docx").exists()
    agreeing = perfreport.load(_write(tmp_path, THIRDS + "stated: {assessed_budget_total: 102.01}\n"))
    assert not agreeing.errors


def test_a_share_over_100_percent_is_an_error(tmp_path):
    report = perfreport.load(_write(tmp_path, THIRDS.replace("total_expenditure: 500", "total_expenditure: 80")))
    assert [(p.code, p.level) for p in report.errors] == [("PR516", "error")]
    assert "127.5" in str(report.errors[0]) or "127.52%" in str(report.errors[0])
    with pytest.raises(DataError):
        perfreport.render(report, tmp_path / "unit.docx")


def _write(tmp_path, text):
    path = tmp_path / "other.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("rule", ["totals: rounded", "score_decimals: 9", "reverse: linear",
                                  "qualitative_ranges: {达成年度指标: {min: 0.9, max: 1, default: 0.5}}"])
def test_a_wrong_rounding_or_scoring_option_in_a_rule_set_is_refused(tmp_path, rule):
    path = tmp_path / "bad.yml"
    path.write_text(f"name: bad\nextends: standard\n{rule}\n", encoding="utf-8")
    with pytest.raises(DataError) as raised:
        render(tmp_path, BORDER, rules=path)
    assert raised.value.problems[0].code == "PR212"

"""The official 项目支出绩效自评表 (财预〔2020〕10号 attachment, as provinces use it), rendered and read back:
comparison signs, funding rows, year lines, qualitative tiers, reverse indicators, missing categories,
and the target-based 部门整体支出绩效自评表 (issue 13)."""
import docx
import pytest

import perfreport
from test_tables import grid, plain

BASE = """\
unit: {name: 测试镇人民政府, short_name: 测试镇}
year: 2023
notice: {title: 测试县财政局关于开展2023年预算绩效自评工作的通知}
"""

HEAD = BASE + """\
funds: {budget: 200, spent: 190}
goals:
  indicators:
    - {level1: 产出指标, level2: 数量指标, name: 巡查次数, target: 50, unit: 次}
    - {level1: 产出指标, level2: 成本指标, name: 单次成本, nature: "≤", target: 90, unit: 万元}
    - {level1: 效益指标, level2: 社会效益指标, name: 群众反映, target: 良好}
"""

SIGNS = HEAD + """\
projects:
  - name: 巡查项目
    budget: 100
    spent: 100
    deviation_reason: 执行偏差的说明
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: 巡查次数, target: 50, unit: 个, actual: 52, weight: 30}
      - {level1: 产出指标, level2: 成本指标, name: 成本, nature: "≤", target: 90, unit: 万元, actual: 88, weight: 20}
      - {level1: 产出指标, level2: 数量指标, name: 站点数, nature: "=", target: 8, unit: 个, actual: 8, weight: 10}
      - {level1: 效益指标, level2: 社会效益指标, name: 群众反映, target: 良好, actual: 良好, weight: 20}
      - {level1: 满意度指标, level2: 满意度指标, name: 满意度, target: 90, unit: "%", actual: 95, weight: 10}
  - name: 第二项目
    budget: 100
    spent: 90
    deviation_reason: 部分资金未支付
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: 完成量, target: 10, unit: 个, actual: 10, weight: 90}
"""


def render(tmp_path, text, name="unit", **options):
    source = tmp_path / f"{name}.yaml"
    source.write_text(text, encoding="utf-8")
    report = perfreport.load(source, **options)
    output = perfreport.render(report, tmp_path / f"{name}.docx")
    return report, docx.Document(str(output))


def project_tables(document):
    return [[plain(r) for r in grid(t)] for t in document.tables if plain(grid(t)[0])[0] == "项目名称"]


def indicator_rows(rows):
    start = next(i for i, r in enumerate(rows) if r[0] == "一级指标") + 1
    return [r for r in rows[start:] if r[0] not in ("总分", "自评等级")]


def cell(rows, name, column):
    """The cell ``column`` counted from the end of the indicator row named ``name``."""
    return next(r for r in indicator_rows(rows) if name in r)[column]


def test_annual_target_keeps_its_comparison_sign_in_tables_and_text(tmp_path):
    _report, document = render(tmp_path, SIGNS)
    rows = project_tables(document)[0]
    targets = {r[-6]: r[-5] for r in indicator_rows(rows)}
    assert targets == {"巡查次数": "≥50个", "成本": "≤90万元", "站点数": "=8个", "群众反映": "良好", "满意度": "≥90%"}
    actuals = [r[-4] for r in indicator_rows(rows)]
    assert actuals == ["52个", "88万元", "8个", "良好", "95%"]   # 实际完成值: no sign
    text = [p.text for p in document.paragraphs]
    assert "指标值：≥50次" in text and "指标值：≤90万元" in text and "指标值：良好" in text


def test_year_line_under_each_table_title_and_no_deviation_text_in_the_total_row(tmp_path):
    _report, document = render(tmp_path, SIGNS)
    text = [p.text for p in document.paragraphs if p.text]
    title = text.index("测试镇2023年度项目支出绩效自评表")
    assert text[title + 1] == "（2023年度）"
    assert text[title + 2:title + 4] == ["项目支出绩效自评表", "（2023年度）"]   # the second project's page
    assert text.count("（2023年度）") == 2
    for rows in project_tables(document):
        total = next(r for r in rows if r[0] == "总分")
        assert total[-1] == "" and "部分资金未支付" not in total and "执行偏差的说明" not in total


SOURCES = HEAD + """\
projects:
  - name: 来源项目
    budget: 100
    initial_budget: 90
    spent: 95
    deviation_reason: 无
    sources:
      appropriation: {initial_budget: 70, budget: 80, spent: 76}
      other: {initial_budget: 20, budget: 20, spent: 19}
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: 完成量, target: 10, unit: 个, actual: 10, weight: 90}
  - name: 无来源项目
    budget: 10
    spent: 10
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: 完成量, target: 10, unit: 个, actual: 10, weight: 90}
"""


def test_funding_rows_under_the_annual_total_appear_when_given(tmp_path):
    report, document = render(tmp_path, SOURCES)
    assert not [p for p in report.warnings if p.code == "PR517"]
    first, second = project_tables(document)
    assert first[3] == ["", "年度资金总额", "90.00", "100.00", "95.00", "10", "95.00%", "9.5"]
    assert first[4] == ["", "其中：本年财政拨款", "70.00", "80.00", "76.00", "—", "95.00%", "—"]
    assert first[5] == ["", "其他资金", "20.00", "20.00", "19.00", "—", "95.00%", "—"]
    assert first[6][0] == "年度总体目标"
    table = next(t for t in document.tables if plain(grid(t)[0])[:2] == ["项目名称", "来源项目"])
    assert grid(table)[2][0] == ("项目资金（万元）", 1, "restart") and [r[0][2] for r in grid(table)[3:6]] == ["continue"] * 3
    assert second[3][1] == "年度资金总额" and second[4][0] == "年度总体目标"   # no sources: no rows


def test_funding_sources_that_do_not_add_up_are_reported(tmp_path):
    report, _document = render(tmp_path, SOURCES.replace("other: {initial_budget: 20, budget: 20, spent: 19}",
                                                         "other: {initial_budget: 20, budget: 10, spent: 19}"))
    found = [(p.code, p.location.path) for p in report.warnings if p.code == "PR517"]
    assert found == [("PR517", ("projects", 0, "sources"))]
    assert "各资金来源的全年预算数相加为 90" in str(next(p for p in report.warnings if p.code == "PR517"))


def test_funding_sources_and_the_stated_total_round_trip_through_a_workbook(tmp_path):
    from perfreport.read.excel import read_workbook
    from perfreport.tools.excelwrite import write_workbook
    from perfreport.read.source import load_text

    original = load_text(SOURCES + "stated: {assessed_budget_total: 110}\n").data
    read = read_workbook(write_workbook(original, tmp_path / "unit.xlsx"))
    assert read.data["projects"][0]["sources"] == original["projects"][0]["sources"]
    assert read.data["stated"] == original["stated"] and read.warnings == []
    _report, from_yaml = render(tmp_path, SOURCES, name="from_yaml")
    from_book = docx.Document(str(perfreport.render(tmp_path / "unit.xlsx", tmp_path / "from_book.docx")))
    assert project_tables(from_book) == project_tables(from_yaml)


TIERS = HEAD + """\
projects:
  - name: 定性项目
    budget: 100
    spent: 100
    indicators:
      - {level1: 产出指标, level2: 质量指标, name: 工程质量, target: 验收合格, actual: 达成年度指标, weight: 30}
      - {level1: 产出指标, level2: 时效指标, name: 完成时限, target: 年底前完成, actual: 部分达成年度指标并具有一定效果, weight: 20, score: 14, deviation_reason: 延期一月}
      - {level1: 效益指标, level2: 社会效益指标, name: 群众出行, target: 明显改善, actual: 未达成年度指标且效果较差, weight: 20, score: 15, deviation_reason: 未完工}
      - {level1: 满意度指标, level2: 满意度指标, name: 满意度, target: 90, unit: "%", actual: 部分达成年度指标并具有一定效果, weight: 20}
"""


def test_official_qualitative_tiers_keep_a_stated_score_within_the_range(tmp_path):
    report, document = render(tmp_path, TIERS)
    assert not [p for p in report.problems if p.code in ("PR521", "PR522")]
    rows = project_tables(document)[0]
    scores = [r[-2] for r in indicator_rows(rows)]
    # full for 达成年度指标; 14 of 20 kept (60–80%); 15 of 20 outside 0–60%: 12 and a note; no score: the default 70%
    assert scores == ["30", "14", "12", "14"]
    assert next(r for r in rows if r[0] == "总分")[-2] == "80"          # 10 + 30 + 14 + 12 + 14
    assert next(r for r in rows if r[0] == "自评等级")[-1] == "良"
    found = [(p.code, p.location.path) for p in report.warnings if p.code == "PR524"]
    assert found == [("PR524", ("projects", 0, "indicators", 2, "score"))]
    assert "0–12 分之间" in str(next(p for p in report.warnings if p.code == "PR524"))
    assert [p.location.path for p in report.warnings if p.code == "PR507"] == [("projects", 0, "indicators", 3)]


REVERSE = HEAD + """\
projects:
  - name: 成本项目
    budget: 100
    spent: 100
    indicators:
      - {level1: 产出指标, level2: 成本指标, name: 单位成本, nature: "≤", target: 80, unit: 万元, actual: 100, weight: 40, deviation_reason: 材料涨价}
      - {level1: 产出指标, level2: 成本指标, name: 维修费用, nature: "≤", target: 10, unit: 万元, actual: 25, weight: 10, deviation_reason: 超支}
      - {level1: 效益指标, level2: 社会效益指标, name: 覆盖人数, target: 100, unit: 人, actual: 100, weight: 40}
"""


@pytest.mark.parametrize("reverse, scores, total", [
    (None, ["32", "4", "40"], "86"),            # default ratio: 40 × 80/100, 10 × 10/25
    ("deviation", ["30", "0", "40"], "80"),    # 40 × (1 − 20/80); 25 is over twice 10: 0
])
def test_reverse_indicator_formula_is_a_rule_set_option(tmp_path, reverse, scores, total):
    text = REVERSE
    if reverse:
        (tmp_path / "rules.yml").write_text(f"name: r\nextends: standard\nreverse: {reverse}\n", encoding="utf-8")
        text += f"rules: {tmp_path / 'rules.yml'}\n"
    _report, document = render(tmp_path, text)
    rows = project_tables(document)[0]
    assert [r[-2] for r in indicator_rows(rows)] == scores
    assert [r[-5] for r in indicator_rows(rows)][:2] == ["≤80万元", "≤10万元"]
    assert next(r for r in rows if r[0] == "总分")[-2] == total


MISSING = HEAD + """\
projects:
  - name: 防汛项目
    budget: 1
    spent: 1
    indicators:
      - {level1: 产出指标, level2: 质量指标, name: 河道洪泛区保护率, nature: "≥", target: 90, unit: "%", actual: 90}
      - {level1: 满意度指标, level2: 服务对象满意度指标, name: 社会公众满意度, target: 高, actual: 高}
"""


def test_missing_categories_keep_the_weights_as_given_and_check_says_so(tmp_path):
    report, document = render(tmp_path, MISSING)
    rows = project_tables(document)[0]
    assert [(r[-3], r[-2]) for r in indicator_rows(rows)] == [("50", "50"), ("10", "10")]   # not 75 and 15
    assert next(r for r in rows if r[0] == "总分")[-3:-1] == ["70", "70"]
    found = [p for p in report.warnings if p.code == "PR518"]
    assert [p.location.path for p in found] == [("projects", 0, "indicators")]
    assert "没有“效益指标”的指标" in str(found[0]) and "满分为 70 分" in str(found[0])


TARGETS = BASE + """\
funds: {budget: 200, spent: 180}
goals:
  overall: 全年完成道路维护20公里。
  indicators:
    - {level1: 产出指标, level2: 数量指标, name: 维护里程, target: 20, unit: 公里, actual: 18, weight: 40, deviation_reason: 雨季停工}
    - {level1: 产出指标, level2: 成本指标, name: 每公里成本, nature: "≤", target: 9, unit: 万元, actual: 9, weight: 20}
    - {level1: 效益指标, level2: 社会效益指标, name: 通行条件, target: 明显改善, actual: 达成年度指标, weight: 20}
    - {level1: 满意度指标, level2: 满意度指标, name: 群众满意度, target: 90, unit: "%", actual: 95, weight: 10}
analysis:
  overall: 完成道路维护18公里。
  deviation: 雨季停工两周。
unit_scoring:
  - {level1: 预算执行, name: 预算执行率, weight: 100, deduction: 10, reason: 执行偏慢}
"""


def unit_tables(document):
    return [[plain(r) for r in grid(t)] for t in document.tables if plain(grid(t)[0])[0] in ("部门（单位）名称", "一级指标")]


def test_a_format_chooses_the_target_based_unit_table(tmp_path):
    _report, document = render(tmp_path, TARGETS, name="targets", format="unit-targets")
    [rows] = unit_tables(document)
    assert rows[0] == ["部门（单位）名称", "测试镇人民政府"]
    assert rows[1] == ["年度资金（万元）", "调整后预算", "执行数", "分值", "执行率", "得分"]
    assert rows[2] == ["", "200.00", "180.00", "10", "90.00%", "9"]
    assert rows[4] == ["", "全年完成道路维护20公里。", "完成道路维护18公里。"]
    assert rows[5] == ["一级指标", "二级指标", "三级指标", "分值", "指标值", "实际完成值", "得分", "说明"]
    assert rows[6] == ["产出指标", "数量指标", "维护里程", "40", "≥20公里", "18公里", "36", "雨季停工"]
    assert rows[7][-6:] == ["每公里成本", "20", "≤9万元", "9万元", "20", "—"]
    assert rows[8][-5:] == ["20", "明显改善", "达成年度指标", "20", "—"]
    assert rows[10][:2] == ["总分", "100"] and rows[10][-2] == "95"          # 9 + 36 + 20 + 20 + 10
    assert rows[11] == ["自评等级", "优"] and rows[12] == ["偏差原因分析及改进措施", "雨季停工两周。"]
    text = [p.text for p in document.paragraphs]
    assert "测试镇2023年度部门整体支出绩效自评表" in text


def test_the_deduction_unit_table_stays_the_default(tmp_path):
    _report, document = render(tmp_path, TARGETS, name="deduction")
    [rows] = unit_tables(document)
    assert rows[0] == ["一级指标", "二级指标", "三级指标", "分值", "扣分", "得分", "扣分原因"]


def test_an_unknown_unit_table_in_format_yml_is_refused(tmp_path):
    folder = tmp_path / "formats" / "bad"
    folder.mkdir(parents=True)
    (folder / "format.yml").write_text("extends: standard\nunit_table: 目标\n", encoding="utf-8")
    source = tmp_path / "unit.yaml"
    source.write_text(TARGETS, encoding="utf-8")
    with pytest.raises(perfreport.DataError) as raised:
        perfreport.load(source, format="bad", template_dirs=[tmp_path / "formats"])
    assert raised.value.problems[0].code == "PR204" and "unit_table" in str(raised.value.problems[0])

"""Rule sets as data: the shipped provincial rule sets scored on test units (expected scores worked out by
hand from the rule text), step functions, caps and bands written in a rule file, and located mistakes."""
from fractions import Fraction

import docx
import pytest

import perfreport
from perfreport.errors import DataError
from perfreport.scoring.rules import BUILTIN, load_rules

HEAD = """\
unit: {name: 测试镇人民政府, short_name: 测试镇}
year: 2023
notice: {title: 测试县财政局关于开展2023年预算绩效自评工作的通知}
funds: {budget: 1000, spent: 900}
"""


def met(level1="产出指标", level2="数量指标", name="完成任务", target=10, actual=10, extra=""):
    return f"      - {{level1: {level1}, level2: {level2}, name: {name}, target: {target}, actual: {actual}{extra}}}\n"


ALL_MET = (met() + met("效益指标", "社会效益指标", "受益人数", 100, 100)
           + met("满意度指标", "满意度指标", "群众满意度", 90, 95))


def project(name, budget, spent, indicators=ALL_MET, extra=""):
    return f"  - name: {name}\n    budget: {budget}\n    spent: {spent}\n{extra}    indicators:\n{indicators}"


def summary_rows(path):
    """{项目名称: (执行率, 得分, 等级)} from the 项目支出绩效自评汇总表 of the rendered report."""
    document = docx.Document(str(path))
    table = next(t for t in document.tables if [c.text for c in t.rows[0].cells][:2] == ["序号", "项目名称"])
    return {cells[1]: (cells[4], cells[5], cells[6]) for cells in ([c.text for c in r.cells] for r in table.rows[1:])
            if cells[0] != "合计"}


def execution_scores(path):
    """{项目名称: 执行率得分} from each 项目支出绩效自评表 (the row under 年度资金总额)."""
    document = docx.Document(str(path))
    found = {}
    for table in document.tables:
        rows = [[c.text for c in r.cells] for r in table.rows]
        if rows[0][0] == "项目名称" and len(rows) > 3:
            funds = next(r for r in rows if r[1] == "年度资金总额")
            found[rows[0][1]] = (funds[5], funds[7])  # 分值, 得分
    return found


def test_every_shipped_rule_set_loads():
    assert set(BUILTIN) == {"standard", "sichuan", "hubei", "jiangxi", "guangxi"}
    for name in BUILTIN:
        assert load_rules(name).name == name


# ------------------------------------------------------------------ 湖北: 预算执行率 20 分，得分 = 20 × 执行率

HUBEI = HEAD + "rules: hubei\nprojects:\n" + project(
    "道路维护", 200, 180,
    met(name="维护里程", target=20, actual=18, extra=", deviation_reason: 雨季停工")
    + met(level2="质量指标", name="验收合格率", target=100, actual=100)
    + met("效益指标", "社会效益指标", "受益人数", 1000, 900, ", deviation_reason: 部分村组未完工")
    + met("满意度指标", "满意度指标", "群众满意度", 90, 95)) + project("环境整治", 100, 45, extra="    deviation_reason: 招标延期\n")


def test_hubei_execution_is_20_points_times_the_rate(write_unit, tmp_path):
    # By hand, from the rule text (执行率 20 分 = 20 × 执行率; 产出 40、效益 30、满意度 10 shared equally):
    # 道路维护: 执行率 180/200 = 90% → 20 × 0.9 = 18; 产出 two indicators of 20: 20 × 18/20 = 18 and 20;
    #           效益 30 × 900/1000 = 27; 满意度 10 → 18 + 18 + 20 + 27 + 10 = 93, 优.
    # 环境整治: 执行率 45/100 = 45% → 20 × 0.45 = 9; indicators all met 40 + 30 + 10 → 89, 良.
    path = perfreport.render(write_unit(HUBEI), tmp_path / "hubei.docx")
    assert summary_rows(path) == {"道路维护": ("90.00%", "93", "优"), "环境整治": ("45.00%", "89", "良")}
    assert execution_scores(path) == {"道路维护": ("20", "18"), "环境整治": ("20", "9")}
    # the same unit under the standard rules scores differently (10 × 0.9 = 9 and 50/30/10 weights)
    standard = perfreport.load(write_unit(HUBEI.replace("rules: hubei\n", ""), "std.yaml")).figures.projects
    assert [p.score for p in standard] == [Fraction(935, 10), Fraction(945, 10)]


# ------------------------------------------------------------------ 江西: 执行率分档计分

JIANGXI_RATES = [("全额", 100), ("超支", 105), ("九五", 95), ("八成", 80), ("差一点八成", Fraction(7999, 100)),
                 ("六成", 60), ("不足六成", Fraction(5999, 100)), ("一半", 50)]
JIANGXI = HEAD + "rules: jiangxi\nprojects:\n" + "".join(
    project(name, 100, float(spent) if isinstance(spent, Fraction) else spent, extra="    deviation_reason: 进度偏慢\n")
    for name, spent in JIANGXI_RATES)


def test_jiangxi_stepped_execution_score(write_unit, tmp_path):
    # By hand, from the rule text (100% → 10, 80–<100% → 7, 60–<80% → 5, < 60% → 0) plus 90 for indicators all met
    expected = {"全额": "100", "超支": "100", "九五": "97", "八成": "97", "差一点八成": "95", "六成": "95",
                "不足六成": "90", "一半": "90"}
    path = perfreport.render(write_unit(JIANGXI), tmp_path / "jiangxi.docx")
    assert {name: score for name, (_rate, score, _grade) in summary_rows(path).items()} == expected
    assert {name: got for name, (_weight, got) in execution_scores(path).items()} == {
        "全额": "10", "超支": "10", "九五": "7", "八成": "7", "差一点八成": "5", "六成": "5", "不足六成": "0", "一半": "0"}


# ------------------------------------------------------------------ 广西: 实际 ≥ 130% 目标须说明原因，不扣分

GUANGXI = HEAD + "rules: guangxi\nprojects:\n" + project(
    "村道建设", 100, 100,
    met(name="新建里程", target=100, actual=130)
    + met(name="修缮里程", target=100, actual=129)
    + met("效益指标", "社会效益指标", "受益人数", 10, 15, ", deviation_reason: 邻村并入受益范围")
    + met("满意度指标", "满意度指标", "群众满意度", 90, 95))


def test_guangxi_over_achievement_needs_a_reason_but_loses_nothing(write_unit, tmp_path):
    unit = write_unit(GUANGXI)
    report = perfreport.load(unit)
    findings = [(p.code, p.level, p.location.line, p.location.path) for p in report.problems if p.code == "PR519"]
    # 新建里程 130/100 = 130% reaches the line; 修缮里程 129% does not; 受益人数 150% has its reason
    assert findings == [("PR519", "warning", 11, ("projects", 0, "indicators", 0, "actual"))]
    message = next(p.message for p in report.problems if p.code == "PR519")
    assert "新建里程" in message and "130.00%" in message
    # By hand: no deduction — 执行率 100% → 10; 产出 50 (25 + 25), 效益 30, 满意度 10, all met → 100, 优
    path = perfreport.render(unit, tmp_path / "guangxi.docx")
    assert summary_rows(path) == {"村道建设": ("100.00%", "100", "优")}
    standard = perfreport.load(write_unit(GUANGXI.replace("rules: guangxi\n", ""), "std.yaml"))
    assert not [p for p in standard.problems if p.code == "PR519"]
    assert perfreport.load(unit, rules="sichuan").figures.projects[0].score < 100  # sichuan deducts instead


# ------------------------------------------------------------------ any step, cap or band as data

def rule_file(tmp_path, text, name="county.yml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_steps_caps_and_bands_with_inclusive_and_exclusive_bounds(write_unit, tmp_path):
    path = rule_file(tmp_path, """\
extends: standard
execution:
  weight: 10
  steps:
    - {above: 90%, score: 10}     # more than 90%
    - {min: 0.5, score: 6}        # 50% to 90% inclusive
    - {min: 0, score: 0}
cap_by_execution:
  - {at_most: 0.5, cap: 59}       # 50% or less
grades:
  - {above: 85, grade: 好}
  - {min: 0, grade: 一般}
""")
    rules = load_rules(path)
    assert [rules.execution_score(Fraction(r, 100)) for r in (100, 91, 90, 50, 49)] == [10, 10, 6, 6, 0]
    text = HEAD + "projects:\n" + "".join(project(n, 100, s) for n, s in (("甲", 95), ("乙", 90), ("丙", 50), ("丁", 51)))
    projects = perfreport.load(write_unit(text), rules=path).figures.projects
    # 甲 10 + 90 = 100 好; 乙 6 + 90 = 96 好; 丙 6 + 90 = 96, capped at 59 (50% ≤ 50%) 一般; 丁 96 好
    assert [(p.score, p.grade) for p in projects] == [(100, "好"), (96, "好"), (59, "一般"), (96, "好")]
    edge = load_rules(rule_file(tmp_path, "extends: standard\ngrades: [{above: 85, grade: 好}, {min: 0, grade: 一般}]\n",
                                "edge.yml"))
    assert (edge.grade(85), edge.grade(Fraction(8501, 100))) == ("一般", "好")


def test_existing_rule_sets_keep_their_results():
    sichuan = load_rules("sichuan")
    assert [c.cap for c in sichuan.cap_by_execution] == [69, 79, 89]
    assert (sichuan.execution_score(Fraction(1, 2)), load_rules("standard").execution_score(Fraction(3, 2))) == (5, 10)


# ------------------------------------------------------------------ mistakes in a rule file

def test_a_malformed_rule_file_is_located_in_chinese(tmp_path):
    path = rule_file(tmp_path, """\
extends: standard
excution:
  weight: 10
execution:
  weight: 10
  steps:
    - {min: 100%, score: 12}
    - {score: 7}
    - {min: 60%, score: 5}
cap_by_execution:
  - {below: 八成, cap: 69}
grades:
  - {min: 90, grade: 优}
  - {min: 90, grade: 良}
""")
    with pytest.raises(DataError) as exc:
        load_rules(path)
    found = [(p.code, p.location.line, p.location.column, p.location.path) for p in exc.value.problems]
    assert found == [  # in the order of the file
        ("PR213", 3, 3, ("excution",)),
        ("PR212", 8, 7, ("execution", "steps", 1)),
        ("PR212", 11, 13, ("cap_by_execution", 0, "below")),
        ("PR212", 14, 5, ("grades", 1)),
    ]
    assert all(str(p.location).startswith(f"{path}:") for p in exc.value.problems)
    messages = {p.location.path: p.message for p in exc.value.problems}
    assert "是否为 execution" in messages[("excution",)]
    assert "min 或 above" in messages[("execution", "steps", 1)]
    assert "八成" in messages[("cap_by_execution", 0, "below")]
    assert "与第 1 档的下限相同" in messages[("grades", 1)]


def test_step_scores_must_fit_the_weight_and_reach_down_to_zero(tmp_path):
    path = rule_file(tmp_path, "extends: standard\nexecution:\n  weight: 10\n  steps:\n"
                               "    - {min: 1, score: 12}\n    - {min: 0.6, score: 5}\n")
    with pytest.raises(DataError) as exc:
        load_rules(path)
    assert [(p.code, p.location.line, p.location.path) for p in exc.value.problems] == [
        ("PR212", 6, ("execution", "steps", 1))]
    assert "min: 0" in exc.value.problems[0].message
    path = rule_file(tmp_path, "extends: standard\nexecution:\n  weight: 10\n  steps:\n"
                               "    - {min: 1, score: 12}\n    - {min: 0, score: 0}\n", "over.yml")
    with pytest.raises(DataError) as exc:
        load_rules(path)
    assert [(p.code, p.location.line, p.location.path) for p in exc.value.problems] == [
        ("PR212", 5, ("execution", "steps", 0, "score"))]
    assert "score 应在 0 与 10 之间" in exc.value.problems[0].message
    path = rule_file(tmp_path, "extends: standard\nover_achievement: {above: 0, deduct: 0, reason_abve: 0.3}\n", "typo.yml")
    with pytest.raises(DataError) as exc:
        load_rules(path)
    assert [(p.code, p.location.path) for p in exc.value.problems] == [("PR213", ("over_achievement", "reason_abve"))]
    assert "是否为 reason_above" in exc.value.problems[0].message


def test_check_prints_the_rule_file_mistake_with_its_line(write_unit, tmp_path):
    from click.testing import CliRunner

    from perfreport.cli import cli

    rules = rule_file(tmp_path, "extends: standard\nexecution:\n  weight: 10\n  steps:\n"
                                "    - {min: 100%, score: 10}\n    - {min: 八成, score: 7}\n    - {min: 0, score: 0}\n")
    unit = write_unit(HEAD + f"rules: {rules}\n")
    result = CliRunner().invoke(cli, ["check", str(unit)])
    assert result.exit_code == 2
    assert f"{rules}:6:13: [execution.steps[2].min] 评分规则有误：应为数字或百分数（如 0.8 或 80%），实际为“八成” [PR212 错误]" \
        in result.output
    assert "Traceback" not in result.output


def test_over_achievement_deductions_by_steps(write_unit, tmp_path):
    path = rule_file(tmp_path, """\
extends: standard
over_achievement:
  steps:
    - {min: 50%, deduct: 0.2}     # 50% or more over target: lose 20% of the 分值
    - {min: 30%, deduct: 0.1}     # 30% to under 50%: lose 10%
    - {min: 0, deduct: 0}
""")
    actuals = (100, 125, 129, 130, 149, 150, 300)
    text = HEAD + "projects:\n" + project("超额", 100, 100, "".join(
        met(name=f"指标{a}", target=100, actual=a, extra=", weight: 10") for a in actuals))
    indicators = perfreport.load(write_unit(text), rules=path).figures.projects[0].indicators
    # By hand: 分值 10 each; met → 10, minus 10% (1) from 30% over, minus 20% (2) from 50% over
    assert [i.score for i in indicators] == [10, 10, 10, 9, 9, 8, 8]
    both = rule_file(tmp_path, "extends: standard\nover_achievement:\n  above: 0.3\n  deduct: 0.1\n"
                               "  steps: [{min: 0.3, deduct: 0.1}, {min: 0, deduct: 0}]\n", "both.yml")
    with pytest.raises(DataError) as exc:
        load_rules(both)
    assert [(p.code, p.location.line, p.location.path) for p in exc.value.problems] == [
        ("PR212", 3, ("over_achievement",))]
    too_much = rule_file(tmp_path, "extends: standard\nover_achievement:\n  steps: [{min: 0.3, deduct: 1.5}, {min: 0, deduct: 0}]\n",
                         "much.yml")
    with pytest.raises(DataError) as exc:
        load_rules(too_much)
    assert [p.location.path for p in exc.value.problems] == [("over_achievement", "steps", 0, "deduct")]


def test_a_rule_set_is_read_once_per_process_and_again_when_a_file_of_it_changes(tmp_path, monkeypatch):
    """A batch loads the same rule set for every unit (issue 18): it is read once, but an edit to any file
    along its ``extends`` is seen at once, even one of the same size within the file system's clock tick."""
    from perfreport.scoring import rules as rules_module

    assert load_rules("standard") is load_rules("standard")
    base = rule_file(tmp_path, "extends: standard\ngrades: [{above: 85, grade: 好}, {min: 0, grade: 差}]\n", "base.yml")
    county = rule_file(tmp_path, f"extends: {base}\n", "county.yml")
    first = load_rules(county)
    assert load_rules(county) is first and first.grade(90) == "好"
    reads = []
    monkeypatch.setattr(rules_module, "_merged", lambda *a, _m=rules_module._merged: reads.append(a) or _m(*a))
    rule_file(tmp_path, "extends: standard\ngrades: [{above: 85, grade: 优}, {min: 0, grade: 差}]\n", "base.yml")  # same size
    assert load_rules(county).grade(90) == "优" and reads   # read again
    count = len(reads)
    assert load_rules(county).grade(90) == "优" and len(reads) == count   # and then kept
    (tmp_path / "base.yml").unlink()
    with pytest.raises(perfreport.DataError):
        load_rules(county)

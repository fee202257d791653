"""Every formula and rule with hand-checked values, and properties that must hold for any data."""
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfreport.scoring.compute import compute as _compute
from perfreport.scoring.compute import (change, largest_remainder, ratio, round_amount, score_indicators, total,
                               unit_score)
from perfreport.templating.filters import percent_text
from perfreport.scoring.rules import load_rules
from perfreport.read.source import load_text
from perfreport.checks.schema import complete, validate

from conftest import MINIMAL

STANDARD = load_rules("standard")
SICHUAN = load_rules("sichuan")


def compute(unit, rules=STANDARD, *args):
    """compute() takes the rule set from its caller: here the standard one unless a test passes another."""
    return _compute(unit, rules, *args)


def unit(extra=""):
    return complete(validate(load_text(MINIMAL + extra)))


def ind(target, actual, weight=10, nature=None, level1="产出指标", **more):
    return {"level1": level1, "level2": "数量指标", "name": "x", "target": target, "actual": actual,
            "weight": None if weight is None else Decimal(weight), "nature": nature, "applicable": True, **more}


# --- rates -------------------------------------------------------------------------------------

@pytest.mark.parametrize("spent, budget, shown", [
    ("3117.78", "3336.96", "93.43%"),        # reference 000 (printed there with 1 decimal: 93.4%)
    ("3789.9671", "6024.595024", "62.91%"),  # reference 002 printed 56%: wrong
    ("238.17", "383", "62.19%"),             # 62.185…% rounds half up
    ("1", "8", "12.50%"),
])
def test_execution_rate_is_exact(spent, budget, shown):
    assert percent_text(ratio(Decimal(spent), Decimal(budget)), 2) == shown


def test_zero_or_missing_denominator_is_not_applicable_never_zero():
    assert ratio(Decimal(5), Decimal(0)) is None and ratio(None, Decimal(5)) is None
    assert change(Decimal(10), None) is None and change(Decimal(10), Decimal(0)) is None


def test_optional_rates_are_computed_only_when_their_inputs_are_present():
    absent = compute(unit())
    for name in ("arrival_rate", "adjustment_rate", "control_rate", "carryover_rate", "three_public_change",
                 "staff_control_rate", "procurement_rate", "coverage", "assessed_share", "unit_score"):
        assert getattr(absent, name) is None, name
    text = MINIMAL.replace("  spent: 62.5\n", """\
  spent: 62.5
  received: 90
  initial_budget: 80
  adjustment: 8
  supplementary: 20
  carryover: 12.5
  three_public: 9
  three_public_last_year: 12
  procurement_budget: 40
  procurement_actual: 30
""") + "staff: {actual: 45, authorized: 50}\n"
    f = compute(complete(validate(load_text(text))))
    assert (f.arrival_rate, f.adjustment_rate, f.control_rate, f.carryover_rate) == (
        Fraction(9, 10), Fraction(1, 10), Fraction(1, 4), Fraction(1, 8))
    assert (f.three_public_change, f.staff_control_rate, f.procurement_rate) == (Fraction(-1, 4), Fraction(9, 10), Fraction(3, 4))


def test_execution_rate_denominator_is_a_rule():
    u = unit().copy()
    u["funds"] = {**u["funds"], "initial_budget": Decimal(50)}
    rules = load_rules("standard")
    import dataclasses
    initial = dataclasses.replace(rules, denominator="initial_budget")
    assert compute(u, rules).execution_rate == Fraction(5, 8)
    assert compute(u, initial).execution_rate == Fraction(5, 4)  # over 100% is reported as computed


def test_carryover_denominator_variant():
    import dataclasses
    u = unit()
    u["funds"] = {**u["funds"], "carryover": Decimal(25)}
    assert compute(u).carryover_rate == Fraction(1, 4)
    assert compute(u, dataclasses.replace(STANDARD, carryover_denominator="spent")).carryover_rate == Fraction(2, 5)


# --- projects, buckets, grades ---------------------------------------------------------------------

PROJECTS = """\
projects:
  - {name: a, budget: 10, spent: 10}
  - {name: b, budget: 0, spent: 0}
  - {name: c, budget: 2.5, spent: 1.25, score: 85}
  - {name: d, budget: 4, spent: 3.6, score: 95, assessed: false}
  - {name: e, budget: 1, spent: 1.1, score: 59.99}
"""


def test_project_figures_buckets_and_totals():
    f = compute(unit(PROJECTS))
    assert [p.execution_rate for p in f.projects] == [1, None, Fraction(1, 2), Fraction(9, 10), Fraction(11, 10)]
    assert [p.bucket for p in f.projects] == ["执行率100%", None, "执行率80%以下", "执行率80%（含）至100%", "执行率100%"]
    assert [(g.count, g.budget, g.spent) for g in f.buckets] == [
        (2, Decimal("11"), Decimal("11.1")), (1, Decimal("4"), Decimal("3.6")), (1, Decimal("2.5"), Decimal("1.25"))]
    assert f.project_budget_total == Decimal("17.5") and f.project_spent_total == Decimal("15.95")
    assert f.project_count == 5 and f.assessed_count == 4 and f.coverage == Fraction(4, 5)
    assert [p.grade for p in f.projects] == [None, None, "良", "优", "差"]
    assert [(g.label, g.count) for g in f.grades] == [("优", 1), ("良", 1), ("中", 0), ("差", 1)]
    assert [n.code for n in f.notes] == ["PR523"]


def test_assessed_share_of_total_expenditure():
    u = unit(PROJECTS)
    u["funds"]["total_expenditure"] = Decimal(20)
    f = compute(u)
    assert f.assessed_budget_total == Decimal("13.5") and f.assessed_share == Fraction(27, 40)


def test_grade_distribution_plain_rounding_reproduces_the_reference():
    shares = [Fraction(c, 36) for c in (13, 3, 17, 3)]
    assert [percent_text(s, 2) for s in shares] == ["36.11%", "8.33%", "47.22%", "8.33%"]  # sums to 99.99


def test_largest_remainder_sums_to_exactly_100():
    shares = largest_remainder([13, 3, 17, 3], 2)
    assert sum(shares) == 1
    assert [percent_text(s, 2) for s in shares] == ["36.11%", "8.34%", "47.22%", "8.33%"]


@pytest.mark.parametrize("stated, grade", [(90, "优"), (Decimal("89.99"), "良"), (80, "良"), (Decimal("79.99"), "中"),
                                           (60, "中"), (Decimal("59.99"), "差"), (0, "差")])
def test_grade_bands(stated, grade):
    assert STANDARD.grade(Fraction(stated)) == grade


# --- indicator scoring -------------------------------------------------------------------------------

@pytest.mark.parametrize("indicator, score, achieved", [
    (ind(100, 105, nature="≥"), 10, True),                 # positive, over target: capped at weight
    (ind(100, 80, nature="≥"), 8, False),                  # positive: weight × actual / target
    (ind(Decimal("22.5"), Decimal("22.545"), nature="≥"), 10, True),
    (ind(50, 40, nature="≤"), 10, True),                   # reverse, under target
    (ind(50, 100, nature="≤"), 5, False),                  # reverse: weight × target / actual
    (ind(50, 0, nature="≤"), 10, True),                    # reverse, actual 0: full
    (ind(100, 100, nature="="), 10, True),
    (ind(100, 80, nature="="), 8, False),                  # equality: proportional
    (ind(100, 125, nature="="), 8, False),
    (ind("好", "好"), 10, True),                           # qualitative equal to target: 达成
    (ind("好", "部分达成"), 7, False),
    (ind("好", "未达成"), 3, False),
    (ind(90, 90), 10, True),                               # numeric target: ≥ by default
])
def test_indicator_scores(indicator, score, achieved):
    (result,) = score_indicators([indicator], STANDARD)
    assert result.score == score and result.achieved is achieved


def test_qualitative_tiers_are_configurable():
    (result,) = score_indicators([ind("好", "部分达成")], SICHUAN)
    assert result.score == 5


def test_over_achievement_deduction_in_sichuan_rules():
    (plain,) = score_indicators([ind(100, 130, nature="≥")], STANDARD)
    (deducted,) = score_indicators([ind(100, 130, nature="≥")], SICHUAN)
    (just_under,) = score_indicators([ind(100, 129, nature="≥")], SICHUAN)
    assert (plain.score, deducted.score, just_under.score) == (10, 9, 10)


def test_not_applicable_indicators_are_dropped_and_the_rest_rescaled():
    results = score_indicators([ind(10, 10, weight=30), ind(10, 5, weight=30), ind(10, 10, weight=30, applicable=False)],
                               STANDARD)
    assert [r.weight for r in results] == [45, 45, None]
    assert [r.score for r in results] == [45, Fraction(45, 2), None]


def test_category_weights_are_shared_and_kept_when_a_category_is_missing():
    results = score_indicators([ind(1, 1, weight=None), ind(1, 1, weight=None), ind("高", "高", weight=None, level1="满意度指标")],
                               STANDARD)
    # 产出 50 shared by two, 满意度 10; the missing 效益 30 is not made up by the others (issue 13)
    assert [r.weight for r in results] == [25, 25, 10]


def test_unscorable_indicators_are_noted_with_their_path():
    notes = []
    score_indicators([ind(10, None), ind(10, "很好", nature="≥"), ind(10, 1, weight=None, level1="其他指标")],
                     STANDARD, ("projects", 0, "indicators"), notes)
    assert [(n.code, n.path) for n in notes] == [
        ("PR520", ("projects", 0, "indicators", 2, "weight")),
        ("PR521", ("projects", 0, "indicators", 0, "actual")),
        ("PR522", ("projects", 0, "indicators", 1, "actual"))]


def project_with(spent, indicators):
    return unit(f"projects:\n  - name: p\n    budget: 100\n    spent: {spent}\n    indicators:\n" + "".join(
        f"      - {{level1: 产出指标, level2: 数量指标, name: i{i}, target: {t}, actual: {a}, weight: {w}}}\n"
        for i, (t, a, w) in enumerate(indicators)))


def test_project_total_execution_score_and_grade():
    f = compute(project_with(95, [(100, 100, 45), (100, 80, 45)]))
    p = f.projects[0]
    assert p.execution_score == Fraction(19, 2) and p.computed_score == Fraction(19, 2) + 45 + 36
    assert p.grade == "优"  # 9.5 + 45 + 36 = 90.5
    assert compute(project_with(95, [(100, 100, 45), (100, 70, 45)])).projects[0].grade == "良"  # 86


def test_project_full_marks():
    assert compute(project_with(95, [(100, 100, 45), (100, 80, 40)])).projects[0].full == 10 + 45 + 40
    assert compute(unit("projects:\n  - {name: p, budget: 1, spent: 1}\n"), SICHUAN).projects[0].full == SICHUAN.total

def test_total_capped_by_execution_rate_in_sichuan_rules():
    u = project_with(65, [(100, 100, 45), (100, 100, 45)])
    assert compute(u, STANDARD).projects[0].computed_score == Fraction(13, 2) + 90
    assert compute(u, SICHUAN).projects[0].computed_score == 79


def test_unit_score_lists_lost_points():
    result = unit_score([
        {"level1": "预算执行", "name": "预算执行率", "weight": Decimal(10), "deduction": Decimal(3), "reason": "部分项目未按进度执行"},
        {"level1": "产出", "name": "完成率", "weight": Decimal(90), "deduction": Decimal(0)},
        {"level1": "效益", "name": "满意度", "weight": Decimal(5), "deduction": Decimal(9)},  # capped at its weight
    ], STANDARD)
    assert (result.full, result.score, result.grade) == (Decimal(105), Decimal(97), "优")
    assert [(i.name, i.deduction) for i in result.lost] == [("预算执行率", 3), ("满意度", 5)]


def test_total_is_exact():
    assert total([Decimal("0.1")] * 10) == Decimal("1.0")


# --- properties ------------------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False)
project = st.fixed_dictionaries({"name": st.text(min_size=1, max_size=5), "budget": amounts, "spent": amounts,
                                 "score": st.none() | st.decimals(min_value=0, max_value=100, places=2)})


def unit_with(projects):
    u = unit()
    u["projects"] = [complete(p, {"name": {}, "budget": {}, "spent": {}, "score": {}}) for p in projects]
    return u


@settings(max_examples=60, deadline=None)
@given(st.lists(project, max_size=30))
def test_buckets_partition_the_projects_and_their_amounts(projects):
    f = compute(unit_with(projects))
    rated = [p for p in f.projects if p.execution_rate is not None]
    assert sum(g.count for g in f.buckets) == len(rated)
    # amounts as printed (2 decimals) are summed: the bucket amounts add up to the printed project amounts
    assert sum((g.budget for g in f.buckets), Decimal(0)) == total(round_amount(p.budget, 2) for p in rated)
    assert sum((g.spent for g in f.buckets), Decimal(0)) == total(round_amount(p.spent, 2) for p in rated)


@settings(max_examples=60, deadline=None)
@given(st.lists(project, max_size=30))
def test_grade_counts_sum_to_the_graded_projects(projects):
    f = compute(unit_with(projects))
    assert sum(g.count for g in f.grades) == f.graded_count == sum(1 for p in projects if p["score"] is not None)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=8), st.integers(min_value=0, max_value=3))
def test_largest_remainder_shares_always_sum_to_exactly_100(counts, decimals):
    shares = largest_remainder(counts, decimals)
    assert sum(shares) == (1 if sum(counts) else 0)
    for share, count in zip(shares, counts):  # each within one unit of its exact share
        if sum(counts):
            assert abs(share - Fraction(count, sum(counts))) < Fraction(1, 10 ** (decimals + 2))


numbers = st.decimals(min_value=0, max_value=1000, places=2)
indicator = st.builds(lambda t, a, w, n: ind(t, a, weight=w, nature=n), numbers, numbers,
                      st.decimals(min_value=0, max_value=50, places=1), st.sampled_from(["≥", "≤", "="]))


@settings(max_examples=100, deadline=None)
@given(st.lists(indicator, min_size=1, max_size=10), st.sampled_from([STANDARD, SICHUAN]))
def test_no_score_exceeds_its_weight(indicators, rules):
    for result in score_indicators(indicators, rules):
        assert result.score is None or 0 <= result.score <= result.weight


@settings(max_examples=40, deadline=None)
@given(st.lists(project, max_size=20), st.randoms())
def test_results_do_not_depend_on_project_order(projects, rnd):
    shuffled = list(projects)
    rnd.shuffle(shuffled)
    a, b = compute(unit_with(projects)), compute(unit_with(shuffled))
    for name in ("buckets", "grades", "project_budget_total", "project_spent_total", "coverage", "graded_count"):
        assert getattr(a, name) == getattr(b, name), name


# --- departmental figures and what is stated (issue 14) -----------------------------------------------

def figures(extra=""):
    return compute(unit(extra))


def test_budget_unknown_gives_no_rate_and_no_budget():
    f = compute(complete(validate(load_text(MINIMAL.replace("  budget: 100\n", "")))))
    assert f.budget is None and f.execution_rate is None and f.arrival_rate is None and f.spent == Decimal("62.5")


def test_staff_in_post_is_given_or_the_sum_of_its_kinds():
    assert figures("staff: {administrative: 30, institutional: 15, agency: 2, contract: 1, authorized: 50}\n").staff_in_post == 48
    f = figures("staff: {actual: 47, administrative: 30, authorized: 50}\n")
    assert (f.staff_in_post, f.staff_control_rate) == (47, Fraction(47, 50))
    assert figures("staff: {retired: 20}\n").staff_in_post is None


def test_transfers_three_public_and_mid_year_additions():
    f = figures()
    assert f.transfers == () and f.three_public_rate is None
    f = compute(complete(validate(load_text(MINIMAL.replace("  spent: 62.5", """\
  spent: 62.5
  initial_budget: 80
  supplementary: 20
  supplementary_count: 3
  three_public_budget: 15
  three_public: 12.3
  transfers:
    common: {central: 120.5, city: 10}
    bonds: {province: 200}
""")))))
    assert [(t.key, t.central, t.province, t.city, t.total) for t in f.transfers] == [
        ("common", Decimal("120.5"), None, Decimal("10"), Decimal("130.5")), ("bonds", None, Decimal("200"), None, Decimal("200"))]
    assert (f.control_rate, f.three_public_rate, f.three_public_change) == (Fraction(1, 4), Fraction(41, 50), None)


def test_a_stated_three_public_change_is_used_only_without_last_year():
    assert figures("stated: {three_public_change: -12.77}\n").three_public_change == Fraction(-1277, 10000)
    f = compute(complete(validate(load_text(MINIMAL.replace("  spent: 62.5", "  spent: 62.5\n  three_public: 9\n  three_public_last_year: 12")
                                            + "stated: {three_public_change: -30}\n"))))
    assert f.three_public_change == Fraction(-1, 4)


def test_grades_without_scores_count_and_stated_counts_stand_in_for_a_list():
    f = figures("projects:\n  - {name: a, budget: 1, spent: 1, grade: 良}\n  - {name: b, budget: 1, spent: 1, score: 95}\n")
    assert [(g.label, g.count) for g in f.grades if g.count] == [("优", 1), ("良", 1)] and f.graded_count == 2
    f = figures("project_count: 36\nstated: {assessed_budget_total: 660.00, grade_counts: {优: 13, 良: 3, 中: 17, 差: 3}}\n")
    assert [g.count for g in f.grades] == [13, 3, 17, 3] and f.graded_count == 36
    assert f.assessed_budget_total == Decimal("660.00") and f.assessed_share is None  # no 财政支出总额

"""Figures computed from a valid unit: pure functions, exact arithmetic, no formatting, no I/O.

Amounts stay :class:`~decimal.Decimal` as read; rates and scores are exact
:class:`~fractions.Fraction` values (a rate is 0.9343…, not 93.43) and are
rounded half up only when a template formats them. A figure whose inputs are
absent is ``None``; a rate whose denominator is zero is ``None`` too ("not
applicable", printed as the placeholder 「—」), never 0. Every formula is
documented in docs/scoring.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .i18n import _
from .scoring_rules import Rules, load_rules


def ratio(numerator, denominator) -> Fraction | None:
    """``numerator / denominator`` exactly; ``None`` when either is missing or the denominator is 0.

    >>> ratio(Decimal("3117.78"), Decimal("3336.96"))
    Fraction(51963, 55616)
    >>> ratio(1, 0) is None
    True
    """
    if numerator is None or denominator is None or denominator == 0:
        return None
    return Fraction(numerator) / Fraction(denominator)


def change(current, previous) -> Fraction | None:
    """``(current − previous) / previous``, e.g. the "三公"经费变动率."""
    if current is None:
        return None
    return ratio(Fraction(current) - Fraction(previous), previous) if previous is not None else None


def total(values) -> Decimal:
    """The exact sum of amounts."""
    return sum((Decimal(v) for v in values), Decimal(0))


@dataclass(frozen=True)
class Note:
    """Something the computation noticed that a checker should report: a code, words, a data path."""

    code: str
    message: str
    path: tuple


@dataclass(frozen=True)
class Transfer:
    """One kind of transfer or bond funds (``key`` as in the schema) and its amount from each level."""

    key: str                       # common, special, bonds
    central: Decimal | None
    province: Decimal | None
    city: Decimal | None
    total: Decimal


@dataclass(frozen=True)
class IndicatorScore:
    index: int
    level1: str
    level2: str
    name: str
    nature: str                 # ≥ ≤ = 定性
    unit: str | None
    target: object
    actual: object
    weight: Fraction | None     # the 分值 used, after sharing category weights and rescaling
    score: Fraction | None      # None: not applicable or not computable
    achieved: bool | None
    applicable: bool
    stated_score: Decimal | None
    deviation_reason: str | None


@dataclass(frozen=True)
class ProjectFigures:
    """One project's figures; ``index`` counts from 1 in the order of the unit file."""

    index: int
    name: str
    budget: Decimal
    spent: Decimal
    initial_budget: Decimal | None
    execution_rate: Fraction | None
    bucket: str | None
    assessed: bool
    execution_weight: Fraction
    execution_score: Fraction | None
    indicators: tuple[IndicatorScore, ...]
    computed_score: Fraction | None   # from the indicators, when the project has them
    stated_score: Decimal | None      # as the unit file states it
    score: Fraction | None            # computed when possible, else stated
    full: Fraction                    # full marks: 执行率 分值 + the indicators' 分值, or the rule set's total
    grade: str | None
    stated_grade: str | None
    deviation_reason: str | None


@dataclass(frozen=True)
class Group:
    """Projects sharing a bucket or a grade: how many, what share of all, their amounts."""

    label: str
    count: int
    share: Fraction | None
    budget: Decimal
    spent: Decimal


@dataclass(frozen=True)
class UnitScoreItem:
    index: int
    level1: str
    level2: str | None
    name: str
    weight: Decimal
    deduction: Decimal
    score: Decimal
    reason: str | None


@dataclass(frozen=True)
class UnitScore:
    """The 部门整体 score: full marks, score, the items that lost points, grade."""

    full: Decimal
    score: Decimal
    items: tuple[UnitScoreItem, ...]
    lost: tuple[UnitScoreItem, ...]
    grade: str | None


@dataclass(frozen=True)
class Figures:
    """Everything a report states that can be derived from the data."""

    rules: Rules
    budget: Decimal | None               # None: the unit file gives no 全年预算数
    spent: Decimal
    received: Decimal | None
    initial_budget: Decimal | None
    execution_rate: Fraction | None      # 预算执行率
    arrival_rate: Fraction | None        # 资金到位率
    adjustment_rate: Fraction | None     # 预算调整率
    control_rate: Fraction | None        # 预算控制率
    carryover_rate: Fraction | None      # 结转结余率
    three_public_change: Fraction | None  # "三公"经费变动率 (the stated one when last year's amount is not given)
    three_public_rate: Fraction | None   # "三公"经费执行率：本年实际 / 预算数
    staff_control_rate: Fraction | None  # 在职人员控制率
    staff_in_post: int | None            # 在职人数: as given, else the sum of its kinds
    transfers: tuple[Transfer, ...]      # 转移支付和债券资金 given, in schema order
    procurement_rate: Fraction | None    # 政府采购执行率
    project_count: int | None
    assessed_count: int
    coverage: Fraction | None            # 自评覆盖率
    assessed_budget_total: Decimal       # 自评项目总金额 (without a project list: as stated, if stated)
    assessed_share: Fraction | None      # 自评项目金额占财政支出总额的比例
    projects: tuple[ProjectFigures, ...]
    project_budget_total: Decimal
    project_spent_total: Decimal
    project_execution_rate: Fraction | None
    buckets: tuple[Group, ...]
    grades: tuple[Group, ...]
    graded_count: int
    unit_score: UnitScore | None
    notes: tuple[Note, ...]


# --- indicators and projects ---------------------------------------------------------------------

_ONE = Fraction(1)


def _is_number(value) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def _nature(indicator: dict) -> str:
    return indicator.get("nature") or ("≥" if _is_number(indicator.get("target")) else "定性")


def _weights(indicators: list[dict], rules: Rules, path: tuple, notes: list) -> tuple[Fraction | None, ...]:
    """The 分值 of each indicator: its own, or an equal share of its 一级指标's weight; rescaled over
    the applicable ones so that they still add up to the same total."""
    own = tuple(None if i.get("weight") is None else Fraction(i["weight"]) for i in indicators)
    keys = tuple(i["level1"] if i["level1"] in rules.categories else "*" for i in indicators)
    for i, (indicator, weight, key) in enumerate(zip(indicators, own, keys)):
        if weight is None and key not in rules.categories:
            notes.append(Note("PR520", _("指标“{name}”没有分值，评分规则也没有一级指标“{level1}”的分值").format(
                name=indicator["name"], level1=indicator["level1"]), path + (i, "weight")))
    layout = (own, keys, tuple(bool(i.get("applicable", True)) for i in indicators))
    weights = rules.layouts.get(layout)
    if weights is None:  # projects mostly share a few layouts: compute each once per rule set
        weights = rules.layouts[layout] = _layout_weights(*layout, rules)
    return weights


def _layout_weights(own: tuple, keys: tuple, applicable: tuple, rules: Rules) -> tuple[Fraction | None, ...]:
    """:func:`_weights` for indicators with weights ``own``, 一级指标 ``keys`` and applicability ``applicable``."""
    shared: dict[str, int] = {}
    for key, weight in zip(keys, own):
        if weight is None:
            shared[key] = shared.get(key, 0) + 1
    weights = tuple(weight if weight is not None else rules.categories[key] / shared[key] if key in rules.categories else None
                    for key, weight in zip(keys, own))
    if any(w is None for w in weights):
        return weights
    if weights and all(w is None for w in own):
        # only category weights: the categories a project has share the indicators' full score
        present = sum(weights, Fraction(0))
        weights = tuple(w * (rules.total - rules.execution_weight) / present for w in weights)
    all_weight = sum(weights, Fraction(0))
    applicable_weight = sum((w for w, counts in zip(weights, applicable) if counts), Fraction(0))
    factor = all_weight / applicable_weight if applicable_weight else Fraction(0)
    return tuple(w * factor for w in weights)


def _fraction_earned(indicator: dict, nature: str, rules: Rules) -> tuple[Fraction | None, bool | None]:
    """The fraction of its 分值 an indicator earns (before capping), and whether it met its target."""
    target, actual = indicator.get("target"), indicator.get("actual")
    if actual is None:
        return None, None
    if nature == "定性":
        tiers = rules.qualitative
        tier = str(actual) if str(actual) in tiers else (next(iter(tiers)) if str(actual) == str(target) else None)
        if tier is None:
            return None, None
        return tiers[tier], tier == next(iter(tiers))
    if not (_is_number(target) and _is_number(actual)):
        return None, None
    if nature == "≥" and actual >= target and not rules.over_above or nature == "≤" and actual <= target \
            or nature == "=" and actual == target:  # met: the common case, without fractions (the same results)
        return _ONE, True
    t, a = Fraction(target), Fraction(actual)
    if nature == "≥":
        earned = Fraction(1) if t <= 0 else min(a / t, Fraction(1))
        if rules.over_above and t > 0 and a / t - 1 >= rules.over_above:
            earned -= rules.over_deduct
        return max(earned, Fraction(0)), a >= t
    if nature == "≤":
        if a <= t:
            return Fraction(1), True
        return (t / a if t > 0 else Fraction(0)), False
    # "="
    if a == t:
        return Fraction(1), True
    high, low = max(a, t), min(a, t)
    return (max(low, Fraction(0)) / high if high > 0 else Fraction(0)), False


def score_indicators(indicators: list[dict], rules: Rules, path: tuple = (), notes: list | None = None) -> tuple[IndicatorScore, ...]:
    """Each indicator's score, capped at its 分值; not-applicable indicators score ``None``."""
    notes = [] if notes is None else notes
    weights = _weights(indicators, rules, path, notes)
    out = []
    for i, (indicator, weight) in enumerate(zip(indicators, weights)):
        nature = _nature(indicator)
        applicable = indicator.get("applicable", True) is not False
        score = achieved = None
        if applicable:
            earned, achieved = _fraction_earned(indicator, nature, rules)
            if earned is None:
                if indicator.get("actual") is None:
                    notes.append(Note("PR521", _("指标“{name}”缺少实际完成值，无法计分").format(name=indicator["name"]), path + (i, "actual")))
                else:
                    notes.append(Note("PR522", _("指标“{name}”的实际完成值无法与指标值比较（性质 {nature}）").format(
                        name=indicator["name"], nature=nature),
                                      path + (i, "actual")))
            elif weight is not None:
                score = weight if earned is _ONE else min(weight * earned, weight)
        out.append(IndicatorScore(
            i + 1, indicator["level1"], indicator["level2"], indicator["name"], nature, indicator.get("unit"),
            indicator.get("target"), indicator.get("actual"), weight if applicable else None, score, achieved,
            applicable, indicator.get("score"), indicator.get("deviation_reason")))
    return tuple(out)


def _execution_rate(spent, budget, initial_budget, rules: Rules) -> Fraction | None:
    return ratio(spent, initial_budget if rules.denominator == "initial_budget" else budget)


def _cap(score: Fraction, rate: Fraction | None, rules: Rules) -> Fraction:
    if rate is None:
        return score
    for below, cap in rules.cap_by_execution:
        if rate < below:
            return min(score, cap)
    return score


def score_project(index: int, project: dict, rules: Rules, notes: list) -> ProjectFigures:
    path = ("projects", index - 1)
    rate = _execution_rate(project["spent"], project["budget"], project.get("initial_budget"), rules)
    execution_score = None if rate is None else min(rules.execution_weight * rate, rules.execution_weight)
    indicators = score_indicators(project.get("indicators") or [], rules, path + ("indicators",), notes)
    computed = None
    applicable = [i for i in indicators if i.applicable]
    if applicable and execution_score is not None and all(i.score is not None for i in applicable):
        computed = _cap(execution_score + sum((i.score for i in applicable), Fraction(0)), rate, rules)
    stated = project.get("score")
    score = computed if computed is not None else (None if stated is None else Fraction(stated))
    if rate is None and project["budget"] == 0:
        notes.append(Note("PR523", _("项目“{name}”预算数为 0，执行率不适用").format(name=project["name"]), path + ("budget",)))
    return ProjectFigures(
        index=index, name=project["name"], budget=Decimal(project["budget"]), spent=Decimal(project["spent"]),
        initial_budget=None if project.get("initial_budget") is None else Decimal(project["initial_budget"]),
        execution_rate=rate, bucket=rules.bucket(rate), assessed=project.get("assessed", True) is not False,
        execution_weight=rules.execution_weight, execution_score=execution_score, indicators=indicators,
        computed_score=computed, stated_score=stated, score=score,
        grade=rules.grade(score) if score is not None else project.get("grade"),  # a stated grade counts without a score
        full=rules.execution_weight + sum((i.weight for i in indicators if i.weight), Fraction(0)) if indicators else rules.total,
        stated_grade=project.get("grade"), deviation_reason=project.get("deviation_reason"))


# --- groups ---------------------------------------------------------------------------------------

def largest_remainder(counts: list[int], decimals: int) -> list[Fraction]:
    """Shares of ``sum(counts)`` rounded to ``decimals`` places of a percentage so that they add up to
    exactly 100%: round all down, then give the spare units to the largest remainders (ties: first).

    >>> [float(s * 100) for s in largest_remainder([13, 3, 17, 3], 2)]
    [36.11, 8.34, 47.22, 8.33]
    """
    n = sum(counts)
    if not n:
        return [Fraction(0) for _c in counts]
    unit = 10 ** (decimals + 2)  # units of the last shown digit in 100%
    exact = [Fraction(c * unit, n) for c in counts]
    floors = [e.numerator // e.denominator for e in exact]
    spare = unit - sum(floors)
    order = sorted(range(len(counts)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:spare]:
        floors[i] += 1
    return [Fraction(f, unit) for f in floors]


def _groups(labels: list[str], projects: list[ProjectFigures], key, shares: str, decimals: int) -> tuple[Group, ...]:
    members = {label: [p for p in projects if key(p) == label] for label in labels}
    counts = [len(members[label]) for label in labels]
    n = sum(counts)
    if shares == "largest_remainder":
        fractions = largest_remainder(counts, decimals)
    else:
        fractions = [ratio(c, n) for c in counts]
    return tuple(Group(label, count, fraction if n else None, total(p.budget for p in members[label]),
                       total(p.spent for p in members[label]))
                 for label, count, fraction in zip(labels, counts, fractions))


def unit_score(items: list[dict], rules: Rules) -> UnitScore | None:
    """The 部门整体 score from its indicator table: 分值 − 扣分 per item (not below 0)."""
    if not items:
        return None
    scored = []
    for i, item in enumerate(items, start=1):
        weight = Decimal(item["weight"])
        deduction = min(Decimal(item.get("deduction") or 0), weight)
        scored.append(UnitScoreItem(i, item["level1"], item.get("level2"), item["name"], weight, deduction,
                                    weight - deduction, item.get("reason")))
    full = total(s.weight for s in scored)
    score = total(s.score for s in scored)
    return UnitScore(full, score, tuple(scored), tuple(s for s in scored if s.deduction),
                     rules.grade(Fraction(score) * 100 / Fraction(full)) if full else None)


# --- the unit --------------------------------------------------------------------------------------

def compute(unit: dict, rules: Rules | None = None, percent_decimals: int = 2) -> Figures:
    """All figures of a validated (and completed) unit under ``rules`` (default: standard)."""
    rules = rules or load_rules()
    notes: list[Note] = []
    funds = unit["funds"]
    projects = tuple(score_project(i, p, rules, notes) for i, p in enumerate(unit.get("projects") or (), start=1))
    count = len(projects) if projects else unit.get("project_count")
    assessed = [p for p in projects if p.assessed]
    assessed_budget = total(p.budget for p in assessed)
    graded = [p for p in projects if p.grade is not None]
    staff = unit.get("staff") or {}
    stated = unit.get("stated") or {}
    grade_labels = [g.label for g in rules.grades]
    stated_counts = stated.get("grade_counts") or {}
    # no project list: the stated grade counts are the only source of the distribution
    grade_counts = ([stated_counts.get(label) or 0 for label in grade_labels]
                    if not projects and any(stated_counts.get(label) for label in grade_labels) else None)
    share_base = assessed_budget if projects else stated.get("assessed_budget_total")
    spent_or_budget = funds["spent"] if rules.carryover_denominator == "spent" else funds["budget"]
    project_budget, project_spent = total(p.budget for p in projects), total(p.spent for p in projects)
    return Figures(
        rules=rules,
        budget=None if funds.get("budget") is None else Decimal(funds["budget"]),
        spent=Decimal(funds["spent"]),
        received=None if funds.get("received") is None else Decimal(funds["received"]),
        initial_budget=None if funds.get("initial_budget") is None else Decimal(funds["initial_budget"]),
        execution_rate=_execution_rate(funds["spent"], funds.get("budget"), funds.get("initial_budget"), rules),
        arrival_rate=ratio(funds.get("received"), funds.get("budget")),
        adjustment_rate=ratio(funds.get("adjustment"), funds.get("initial_budget")),
        control_rate=ratio(funds.get("supplementary"), funds.get("initial_budget")),
        carryover_rate=ratio(funds.get("carryover"), spent_or_budget),
        three_public_change=_three_public_change(funds, stated),
        three_public_rate=ratio(funds.get("three_public"), funds.get("three_public_budget")),
        staff_control_rate=ratio(in_post(staff), staff.get("authorized")),
        staff_in_post=in_post(staff),
        transfers=transfers(funds.get("transfers") or {}),
        procurement_rate=ratio(funds.get("procurement_actual"), funds.get("procurement_budget")),
        project_count=count,
        assessed_count=len(assessed),
        coverage=ratio(len(assessed), len(projects)) if projects else None,
        assessed_budget_total=assessed_budget if projects or share_base is None else Decimal(share_base),
        assessed_share=ratio(share_base, funds.get("total_expenditure")),
        projects=projects,
        project_budget_total=project_budget,
        project_spent_total=project_spent,
        project_execution_rate=ratio(project_spent, project_budget),
        buckets=_groups([b.label for b in rules.buckets], list(projects), lambda p: p.bucket, "plain", percent_decimals),
        grades=_groups(grade_labels, graded, lambda p: p.grade, rules.grade_shares, percent_decimals) if grade_counts is None
        else _counted_groups(grade_labels, grade_counts, rules.grade_shares, percent_decimals),
        graded_count=len(graded) if grade_counts is None else sum(grade_counts),
        unit_score=unit_score(unit.get("unit_scoring") or [], rules),
        notes=tuple(notes),
    )


IN_POST_KINDS = ("administrative", "institutional", "agency", "contract")  # 在职: 行政编制、事业编制、人事代理、聘用
TRANSFER_KINDS = ("common", "special", "bonds")


def in_post(staff: dict) -> int | None:
    """在职人数: as given, else the sum of the kinds given (None when neither is given)."""
    if staff.get("actual") is not None:
        return staff["actual"]
    kinds = [staff[k] for k in IN_POST_KINDS if staff.get(k) is not None]
    return sum(kinds) if kinds else None


def _three_public_change(funds: dict, stated: dict) -> Fraction | None:
    """The "三公"经费变动率 computed from this and last year's amounts; without last year's, the stated rate."""
    computed = change(funds.get("three_public"), funds.get("three_public_last_year"))
    if computed is None and stated.get("three_public_change") is not None:
        return Fraction(stated["three_public_change"]) / 100
    return computed


def transfers(given: dict) -> tuple[Transfer, ...]:
    """The kinds of transfer and bond funds given, each with its levels and total."""
    out = []
    for key in TRANSFER_KINDS:
        levels = given.get(key) or {}
        amounts = [levels.get(level) for level in ("central", "province", "city")]
        if any(a is not None for a in amounts):
            out.append(Transfer(key, *(None if a is None else Decimal(a) for a in amounts),
                                total(a for a in amounts if a is not None)))
    return tuple(out)


def _counted_groups(labels: list[str], counts: list[int], shares: str, decimals: int) -> tuple[Group, ...]:
    """Groups from stated counts alone (no project list): count and share, no amounts."""
    n = sum(counts)
    fractions = largest_remainder(counts, decimals) if shares == "largest_remainder" else [ratio(c, n) for c in counts]
    return tuple(Group(label, count, fraction if n else None, Decimal(0), Decimal(0))
                 for label, count, fraction in zip(labels, counts, fractions))


__all__ = ["compute", "ratio", "change", "total", "largest_remainder", "score_indicators", "score_project",
           "unit_score", "Figures", "ProjectFigures", "IndicatorScore", "Group", "UnitScore", "Note"]

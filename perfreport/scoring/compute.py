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

from ..i18n import _
from .rules import Rules


def ratio(numerator, denominator) -> Fraction | None:
    """``numerator / denominator`` exactly; ``None`` when either is missing or the denominator is 0.

    >>> ratio(Decimal("3117.78"), Decimal("3336.96"))
    Fraction(51963, 55616)
    >>> ratio(1, 0) is None
    True
    """
    if numerator is None or denominator is None or denominator == 0:
        return None
    try:  # int, Decimal and Fraction: one Fraction built, not three
        n, d = numerator.as_integer_ratio()
        m, e = denominator.as_integer_ratio()
    except AttributeError:
        return Fraction(numerator) / Fraction(denominator)
    return Fraction(n * e, d * m)


def change(current, previous) -> Fraction | None:
    """``(current − previous) / previous``, e.g. the "三公"经费变动率."""
    if current is None:
        return None
    return ratio(Fraction(current) - Fraction(previous), previous) if previous is not None else None


def total(values) -> Decimal:
    """The exact sum of amounts."""
    return sum((Decimal(v) for v in values), Decimal(0))


def round_amount(value, decimals: int) -> Decimal:
    """An amount as printed with ``decimals`` places (half up); one with no more places is returned as is."""
    value = Decimal(value)
    if -value.as_tuple().exponent <= decimals:
        return value
    r = rounded(value, decimals)
    return (Decimal(r.numerator) / Decimal(r.denominator)).quantize(Decimal(1).scaleb(-decimals))


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
class FundingSource:
    """One 其中 row under 年度资金总额: ``key`` appropriation (本年财政拨款), carryover (上年结转资金) or other (其他资金)."""

    key: str
    initial_budget: Decimal | None
    budget: Decimal | None
    spent: Decimal | None
    execution_rate: Fraction | None


SOURCE_KEYS = ("appropriation", "carryover", "other")


def funding_sources(sources: dict | None) -> tuple[FundingSource, ...]:
    """The funding sources a project gives, in the order of the official form; absent ones are left out."""
    if not sources:
        return ()
    out = []
    for key in SOURCE_KEYS:
        amounts = (sources or {}).get(key) or {}
        if any(amounts.get(k) is not None for k in ("initial_budget", "budget", "spent")):
            out.append(FundingSource(key, amounts.get("initial_budget"), amounts.get("budget"), amounts.get("spent"),
                                     ratio(amounts.get("spent"), amounts.get("budget"))))
    return tuple(out)


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
    score: Fraction | None            # computed when possible, else stated; rounded as printed (score_decimals)
    full: Fraction                    # full marks: 执行率 分值 + the indicators' 分值, or the rule set's total
    grade: str | None
    stated_grade: str | None
    deviation_reason: str | None
    sources: tuple[FundingSource, ...] = ()   # the 其中 rows: 本年财政拨款, 上年结转资金, 其他资金


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
class UnitTargets:
    """The target-based 部门整体支出绩效自评表: the funds line (执行率 score) and the unit's own indicators."""

    execution_weight: Fraction
    execution_score: Fraction | None
    indicators: tuple[IndicatorScore, ...]
    full: Fraction
    score: Fraction | None       # 执行率得分 + the indicators' scores, rounded as printed; None if one cannot be scored
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
    unit_targets: UnitTargets | None = None   # from goals.indicators, when any has an actual value


# --- indicators and projects ---------------------------------------------------------------------

def fraction_sum(values) -> Fraction:
    """The exact sum of fractions (or ints) as one :class:`Fraction`: ``sum(values, Fraction(0))`` without a
    Fraction (and a gcd) for every partial sum.

    >>> fraction_sum([Fraction(1, 3), Fraction(1, 6), 2])
    Fraction(5, 2)
    """
    numerator, denominator = 0, 1
    for value in values:
        d = value.denominator
        if d == denominator:
            numerator += value.numerator
        else:
            numerator, denominator = numerator * d + value.numerator * denominator, denominator * d
    return Fraction(numerator, denominator)


_ONE = Fraction(1)


def is_number(value) -> bool:
    """Whether a target or actual value is a number (not text, not a yes/no)."""
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def indicator_nature(indicator: dict) -> str:
    """指标性质 as given, else ≥ for a numeric target and 定性 otherwise."""
    return indicator.get("nature") or ("≥" if is_number(indicator.get("target")) else "定性")


_is_number, _nature = is_number, indicator_nature


def _weights(indicators: list[dict], rules: Rules, path: tuple, notes: list, layouts: dict) -> tuple[tuple, tuple]:
    """The 分值 of each indicator: its own, or an equal share of its 一级指标's weight (kept as given when
    a project lacks a 一级指标); rescaled over the applicable ones so that they still add up to the same total.
    And the score of each indicator that fully meets its target: its 分值, rounded as printed (``totals: printed``)."""
    own = tuple(None if i.get("weight") is None else Fraction(i["weight"]) for i in indicators)
    keys = tuple(i["level1"] if i["level1"] in rules.categories else "*" for i in indicators)
    for i, (indicator, weight, key) in enumerate(zip(indicators, own, keys)):
        if weight is None and key not in rules.categories:
            notes.append(Note("PR520", _("指标“{name}”没有分值，评分规则也没有一级指标“{level1}”的分值").format(
                name=indicator["name"], level1=indicator["level1"]), path + (i, "weight")))
    layout = (own, keys, tuple(bool(i.get("applicable", True)) for i in indicators))
    found = layouts.get(layout)
    if found is None:  # weights depend only on the layout and the rules
        weights = _layout_weights(*layout, rules)
        met = tuple(w if w is None or rules.totals != "printed" else rounded(w, rules.score_decimals) for w in weights)
        found = layouts[layout] = weights, met
    return found


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
    # a 一级指标 the project lacks is not made up by the others: its points are simply not earned (PR518)
    all_weight = sum(weights, Fraction(0))
    applicable_weight = sum((w for w, counts in zip(weights, applicable) if counts), Fraction(0))
    factor = all_weight / applicable_weight if applicable_weight else Fraction(0)
    weights = tuple(w * factor for w in weights)
    if rules.totals == "printed":  # 16.67 + 16.67 + 16.66: the printed 分值 add up to the printed total
        weights = tuple(rounded_keeping_total(list(weights), rules.score_decimals))
    return weights


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
            earned -= rules.over_deduction(a / t - 1)
        return max(earned, Fraction(0)), a >= t
    if nature == "≤":
        if a <= t:
            return Fraction(1), True
        if t <= 0:
            return Fraction(0), False
        if rules.reverse == "deviation":  # (1 − (实际 − 目标) / 目标): 0 at twice the target
            return max(1 - (a - t) / t, Fraction(0)), False
        return t / a, False               # 目标 / 实际
    # "="
    if a == t:
        return Fraction(1), True
    high, low = max(a, t), min(a, t)
    return (max(low, Fraction(0)) / high if high > 0 else Fraction(0)), False


def _tier_earned(indicator: dict, weight, tier, rules: Rules, path: tuple, notes: list) -> tuple[Fraction, bool]:
    """An official tier (达成年度指标 …): the stated 得分's fraction of the 分值 when it lies within the tier's
    range (kept, not overridden); outside it, the nearest end of the range and a note PR524; no stated 得分:
    the tier's default."""
    achieved = str(indicator["actual"]) == next(iter(rules.qualitative_ranges))
    stated = indicator.get("score")
    if stated is None or not weight:
        return tier.default, achieved
    earned = Fraction(stated) / weight
    if not tier.min <= earned <= tier.max:
        kept = min(max(earned, tier.min), tier.max)
        notes.append(Note("PR524", _("指标“{name}”评为“{tier}”，该档得分应在 {low}–{high} 分之间，填报的 {stated} 分不在此范围，按 {kept} 分计").format(
            name=indicator["name"], tier=indicator["actual"], low=_points(weight * tier.min), high=_points(weight * tier.max),
            stated=stated, kept=_points(weight * kept)), path + ("score",)))
        earned = kept
    return earned, achieved


def _points(value: Fraction) -> str:
    """A number of points for a message: 16, 12.8."""
    return f"{float(rounded(value, 2)):g}"


def score_indicators(indicators: list[dict], rules: Rules, path: tuple = (), notes: list | None = None,
                     layouts: dict | None = None) -> tuple[IndicatorScore, ...]:
    """Each indicator's score, capped at its 分值; not-applicable indicators score ``None``.

    ``layouts`` keeps the weights of indicator layouts already seen under the same ``rules``.
    """
    notes = [] if notes is None else notes
    weights, met = _weights(indicators, rules, path, notes, {} if layouts is None else layouts)
    ranges, printed = rules.qualitative_ranges, rules.totals == "printed"
    out = []
    for i, (indicator, weight) in enumerate(zip(indicators, weights)):
        nature = _nature(indicator)
        applicable = indicator.get("applicable", True) is not False
        score = achieved = None
        if applicable:
            tier = ranges.get(str(indicator.get("actual"))) if ranges else None
            if tier is not None:
                nature = "定性"
                earned, achieved = _tier_earned(indicator, weight, tier, rules, path + (i,), notes)
            else:
                earned, achieved = _fraction_earned(indicator, nature, rules)
            if earned is None:
                if indicator.get("actual") is None:
                    notes.append(Note("PR521", _("指标“{name}”缺少实际完成值，无法计分").format(name=indicator["name"]), path + (i, "actual")))
                else:
                    notes.append(Note("PR522", _("指标“{name}”的实际完成值无法与指标值比较（性质 {nature}）").format(
                        name=indicator["name"], nature=nature),
                                      path + (i, "actual")))
            elif weight is not None:
                if earned is _ONE or earned == 1:  # met: its 分值 (as printed)
                    score = met[i]
                else:
                    score = min(weight * earned, weight)
                    if printed:
                        score = rounded(score, rules.score_decimals)
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
    for cap in rules.cap_by_execution:
        if cap.applies(rate):
            return min(score, cap.cap)
    return score


def score_project(index: int, project: dict, rules: Rules, notes: list, layouts: dict | None = None) -> ProjectFigures:
    path = ("projects", index - 1)
    rate = _execution_rate(project["spent"], project["budget"], project.get("initial_budget"), rules)
    execution_score = rules.execution_score(rate)
    if execution_score is not None and rules.totals == "printed":
        execution_score = rounded(execution_score, rules.score_decimals)
    indicators = score_indicators(project.get("indicators") or [], rules, path + ("indicators",), notes, layouts)
    computed = None
    applicable = [i for i in indicators if i.applicable]
    if applicable and execution_score is not None and all(i.score is not None for i in applicable):
        computed = _cap(fraction_sum([execution_score] + [i.score for i in applicable]), rate, rules)
    stated = project.get("score")
    score = computed if computed is not None else (None if stated is None else Fraction(stated))
    if score is not None:  # the score as printed, so that the grade follows the printed score
        score = rounded(score, rules.score_decimals)
    if rate is None and project["budget"] == 0:
        notes.append(Note("PR523", _("项目“{name}”预算数为 0，执行率不适用").format(name=project["name"]), path + ("budget",)))
    return ProjectFigures(
        index=index, name=project["name"], budget=Decimal(project["budget"]), spent=Decimal(project["spent"]),
        initial_budget=None if project.get("initial_budget") is None else Decimal(project["initial_budget"]),
        execution_rate=rate, bucket=rules.bucket(rate), assessed=project.get("assessed", True) is not False,
        execution_weight=rules.execution_weight, execution_score=execution_score, indicators=indicators,
        computed_score=computed, stated_score=stated, score=score,
        grade=rules.grade(score) if score is not None else project.get("grade"),  # a stated grade counts without a score
        full=fraction_sum([rules.execution_weight] + [i.weight for i in indicators if i.weight]) if indicators else rules.total,
        stated_grade=project.get("grade"), deviation_reason=project.get("deviation_reason"),
        sources=funding_sources(project.get("sources")))


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
    return rounded_keeping_total([Fraction(c, n) for c in counts], decimals + 2)


def rounded_keeping_total(values: list[Fraction], decimals: int) -> list[Fraction]:
    """Non-negative ``values`` rounded to ``decimals`` places so that the rounded values add up to their
    total rounded half up: round all down, then give the spare units to the largest remainders (ties: first).

    >>> [float(w) for w in rounded_keeping_total([Fraction(50, 3)] * 3, 2)]
    [16.67, 16.67, 16.66]
    """
    unit = 10 ** decimals
    exact = [Fraction(v) * unit for v in values]
    floors = [e.numerator // e.denominator for e in exact]
    spare = int(rounded(sum(exact, Fraction(0)), 0)) - sum(floors)
    order = sorted(range(len(values)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:spare]:
        floors[i] += 1
    return [Fraction(f, unit) for f in floors]


def rounded(value, decimals: int) -> Fraction:
    """``value`` rounded half up (四舍五入) to ``decimals`` places, exactly: what a report prints.

    >>> rounded(Fraction(899965, 10000), 2), rounded(Fraction(-1, 8), 2)
    (Fraction(90, 1), Fraction(-13, 100))
    """
    unit = 10 ** decimals
    try:  # int, Decimal and Fraction give their exact ratio, without building a Fraction first
        numerator, denominator = value.as_integer_ratio()
    except AttributeError:
        numerator, denominator = Fraction(value).as_integer_ratio()
    quotient, remainder = divmod(abs(numerator) * unit, denominator)
    quotient += 2 * remainder >= denominator
    return Fraction(-quotient if numerator < 0 else quotient, unit)


def _groups(labels: list[str], projects: list[ProjectFigures], key, shares: str, decimals: int, add=total) -> tuple[Group, ...]:
    members: dict[str, list] = {label: [] for label in labels}
    for p in projects:
        group = members.get(key(p))
        if group is not None:
            group.append(p)
    counts = [len(members[label]) for label in labels]
    n = sum(counts)
    if shares == "largest_remainder":
        fractions = largest_remainder(counts, decimals)
    else:
        fractions = [ratio(c, n) for c in counts]
    return tuple(Group(label, count, fraction if n else None, add(p.budget for p in members[label]),
                       add(p.spent for p in members[label]))
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
                     rules.grade(rounded(Fraction(score) * 100 / Fraction(full), rules.score_decimals)) if full else None)


def unit_targets(unit: dict, rules: Rules) -> UnitTargets | None:
    """The unit's 年度绩效指标 (``goals.indicators``) scored like a project's, with the unit's execution rate.

    Nothing when no indicator has an actual value (the indicators are then only the year's targets).
    Problems with these indicators are not noted: the checker reports them for the goals themselves.
    """
    goals = (unit.get("goals") or {}).get("indicators") or []
    if not any(i.get("actual") is not None for i in goals):
        return None
    funds = unit["funds"]
    rate = _execution_rate(funds["spent"], funds["budget"], funds.get("initial_budget"), rules)
    execution = None if rate is None else min(rules.execution_weight * rate, rules.execution_weight)
    if execution is not None and rules.totals == "printed":
        execution = rounded(execution, rules.score_decimals)
    indicators = score_indicators(goals, rules, ("goals", "indicators"), [])
    applicable = [i for i in indicators if i.applicable]
    score = None
    if execution is not None and all(i.score is not None for i in applicable):
        score = rounded(fraction_sum([execution] + [i.score for i in applicable]), rules.score_decimals)
    full = fraction_sum([rules.execution_weight] + [i.weight for i in applicable if i.weight])
    return UnitTargets(rules.execution_weight, execution, indicators, full, score, rules.grade(score))


# --- the unit --------------------------------------------------------------------------------------

def compute(unit: dict, rules: Rules, percent_decimals: int = 2, money_decimals: int = 2) -> Figures:
    """All figures of a validated (and completed) unit under ``rules`` (a rule set already read).

    With ``totals: printed`` (the default), the totals of project amounts are sums of the amounts as
    printed (rounded to ``money_decimals``), so that a 合计 row adds up.
    """
    add = total if rules.totals == "exact" else _printed_total(money_decimals)
    notes: list[Note] = []
    layouts: dict = {}  # projects mostly share a few indicator layouts: weigh each once per unit
    funds = unit["funds"]
    projects = tuple(score_project(i, p, rules, notes, layouts) for i, p in enumerate(unit.get("projects") or (), start=1))
    count = len(projects) if projects else unit.get("project_count")
    assessed = [p for p in projects if p.assessed]
    assessed_budget = add(p.budget for p in assessed)
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
    project_budget, project_spent = add(p.budget for p in projects), add(p.spent for p in projects)
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
        buckets=_groups([b.label for b in rules.buckets], list(projects), lambda p: p.bucket, "plain", percent_decimals, add),
        grades=_groups(grade_labels, graded, lambda p: p.grade, rules.grade_shares, percent_decimals, add) if grade_counts is None
        else _counted_groups(grade_labels, grade_counts, rules.grade_shares, percent_decimals),
        graded_count=len(graded) if grade_counts is None else sum(grade_counts),
        unit_score=unit_score(unit.get("unit_scoring") or [], rules),
        unit_targets=unit_targets(unit, rules),
        notes=tuple(notes),
    )


def _printed_total(decimals: int):
    """:func:`total` of amounts as printed (:func:`round_amount`), each amount rounded once however many
    totals it is in (a project's budget is in the projects', the assessed, its bucket's and its grade's)."""
    printed: dict[int, tuple] = {}  # id(amount) -> (amount, as printed): the amount kept, so its id is not reused

    def add(values) -> Decimal:
        out = []
        for value in values:
            known = printed.get(id(value))
            if known is None:
                known = printed[id(value)] = (value, round_amount(value, decimals))
            out.append(known[1])
        return total(out)

    return add


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
           "unit_score", "unit_targets", "UnitTargets", "funding_sources", "FundingSource", "rounded", "rounded_keeping_total", "round_amount", "Figures", "ProjectFigures", "IndicatorScore", "Group", "UnitScore", "Note"]

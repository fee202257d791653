"""Consistency checks: what a county reviewer would catch, each finding located in the unit file.

Input: the validated unit, its figures and its source (for locations). Output:
a list of :class:`~perfreport.errors.Problem`, warnings unless the rule set's
``checks`` raises a code to an error. Every code is documented in docs/checks.md.

Stated figures are compared with what the data give **allowing for the
rounding of the numbers given**: each input may be off by half a unit of its
last digit, so the true value lies in an interval; only a stated figure
outside that interval (itself widened by its own rounding) is flagged.
"""
from __future__ import annotations

import re
from functools import lru_cache
from decimal import Decimal
from fractions import Fraction

from ..scoring.compute import Figures, is_number, indicator_nature
from ..errors import Problem
from ..i18n import N_, _
from ..read.source import Source, leaves
from ..scoring.compute import IN_POST_KINDS

Interval = tuple[Fraction, Fraction]


# --- interval arithmetic ------------------------------------------------------------------------

def _half_unit(value) -> tuple[int, int]:
    """:func:`half_unit` as a numerator and a denominator."""
    exponent = 0 if type(value) is int else Decimal(value).as_tuple().exponent
    return (1, 2 * 10 ** -exponent) if exponent <= 0 else (10 ** exponent, 2)


def half_unit(value) -> Fraction:
    """Half a unit of the last digit written: 3117.78 → 0.005, 383 → 0.5.

    >>> half_unit(Decimal("3117.78")), half_unit(383), half_unit(Decimal("1E+2"))
    (Fraction(1, 200), Fraction(1, 2), Fraction(50, 1))
    """
    return Fraction(*_half_unit(value))


def around(value, scale: Fraction = Fraction(1)) -> Interval:
    """The interval a rounded number stands for (``scale`` converts it, e.g. 1/100 for a percentage).

    >>> around(Decimal("93.4"), Fraction(1, 100))
    (Fraction(1867, 2000), Fraction(1869, 2000))
    """
    h, k = _half_unit(value)
    n, d = value.as_integer_ratio()  # value ± h/k = (n·k ± h·d) / (d·k), times the scale
    s, t = scale.numerator, scale.denominator
    return Fraction((n * k - h * d) * s, d * k * t), Fraction((n * k + h * d) * s, d * k * t)


def quotient(numerator, denominator) -> Interval | None:
    """Where ``numerator / denominator`` can lie when both are rounded as written (positive values)."""
    n_lo, n_hi = around(numerator)
    d_lo, d_hi = around(denominator)
    if d_lo <= 0:
        return None
    return (max(n_lo, Fraction(0)) / d_hi, n_hi / d_lo)


def overlaps(a: Interval, b: Interval) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def summed(values) -> Interval:
    lo = hi = Fraction(0)
    for v in values:
        a, b = around(v)
        lo, hi = lo + a, hi + b
    return lo, hi


def _pct(value: Fraction) -> str:
    return f"{float(value * 100):.2f}%"


# --- the checks ---------------------------------------------------------------------------------

class _Checker:
    def __init__(self, unit: dict, figures: Figures, source: Source, rendered=None):
        self.unit, self.figures, self.source = unit, figures, source
        self.rendered = rendered  # the data paths the report's format writes (None: every one)
        self.found: list[Problem] = []
        self.levels = figures.rules.levels

    # findings that would make the printed report contradict itself: errors unless the rule set lowers them
    ERRORS = frozenset({"PR515", "PR516"})

    def add(self, code: str, message: str, path: tuple) -> None:
        level = self.levels.get(code, "error" if code in self.ERRORS else "warning")
        self.found.append(Problem(code, message, self.source.locate(path), level))

    def run(self) -> list[Problem]:
        for note in self.figures.notes:
            self.add(note.code, note.message, note.path)
        self.stated()
        self.stated_more()
        self.staff()
        self.projects()
        self.indicators(self.unit["goals"].get("indicators") or [], ("goals", "indicators"), None)
        self.sections()
        self.texts()
        self.found.sort(key=lambda p: (p.location.line or 0, p.location.column or 0, p.code))
        return self.found

    # stated figures, totals and counts
    def stated(self) -> None:
        stated, funds, f = self.unit.get("stated") or {}, self.unit["funds"], self.figures
        denominator = funds.get("initial_budget") if f.rules.denominator == "initial_budget" else funds.get("budget")
        rates = (("execution_rate", funds["spent"], denominator, _("预算执行率")),
                 ("arrival_rate", funds.get("received"), funds.get("budget"), _("资金到位率")))
        for key, numerator, den, label in rates:
            self.stated_rate(stated.get(key), numerator, den, label, ("stated", key))
        if stated.get("coverage") is not None and f.coverage is not None:
            if not f.coverage * 100 - half_unit(stated["coverage"]) <= Fraction(stated["coverage"]) <= f.coverage * 100 + half_unit(stated["coverage"]):
                self.add("PR501", _("填报的自评覆盖率为 {stated}%，按项目清单应为 {computed}（{assessed} / {count}）").format(
                    stated=stated["coverage"], computed=_pct(f.coverage), assessed=f.assessed_count, count=len(f.projects)),
                    ("stated", "coverage"))
        projects = self.unit.get("projects") or []
        for key, label in (("project_budget_total", _("项目预算合计")), ("project_spent_total", _("项目执行合计"))):
            value = stated.get(key)
            if value is None or not projects:
                continue
            possible = summed(p["budget" if key == "project_budget_total" else "spent"] for p in projects)
            if not overlaps(around(value), possible):
                computed = f.project_budget_total if key == "project_budget_total" else f.project_spent_total
                self.add("PR502", _("填报的{label}为 {stated}，各项目相加为 {computed}").format(
                    label=label, stated=value, computed=computed), ("stated", key))
        self.assessed_total(stated, projects)
        count = stated.get("project_count")
        count = self.unit.get("project_count") if count is None else count
        if count is not None and projects and count != len(projects):
            path = ("stated", "project_count") if stated.get("project_count") is not None else ("project_count",)
            self.add("PR503", _("填报的项目个数为 {stated}，项目清单实有 {actual} 个").format(stated=count, actual=len(projects)), path)
        if stated.get("unit_score") is not None and f.unit_score is not None:
            if not overlaps(around(stated["unit_score"]), (Fraction(f.unit_score.score),) * 2):
                self.add("PR502", _("填报的部门整体得分为 {stated}，按各项分值和扣分应为 {computed}").format(
                    stated=stated["unit_score"], computed=f.unit_score.score), ("stated", "unit_score"))

    def assessed_total(self, stated: dict, projects: list) -> None:
        """自评项目总金额: the stated one against the list (PR515), and its share of 财政支出 over 100% (PR516)."""
        f, expenditure = self.figures, self.unit["funds"].get("total_expenditure")
        value = stated.get("assessed_budget_total")
        if value is not None and projects:
            possible = summed(p["budget"] for p in projects if p.get("assessed", True) is not False)
            if not overlaps(around(value), possible):
                self.add("PR515", _("填报的自评项目总金额为 {stated}，项目清单中自评项目的预算数相加为 {computed}；"
                                    "请核对项目清单或填报数，二者一致后才能出报告").format(
                    stated=value, computed=f.assessed_budget_total), ("stated", "assessed_budget_total"))
        if f.assessed_share is not None and f.assessed_share > 1:
            self.add("PR516", _("自评项目金额 {amount} 超过财政支出总额 {expenditure}（占比 {share}），项目清单或财政支出总额有误").format(
                amount=f.assessed_budget_total, expenditure=expenditure, share=_pct(f.assessed_share)),
                ("funds", "total_expenditure"))

    # projects: duplicates, scores, grades, reasons, weights
    def projects(self) -> None:
        seen: dict[str, tuple[int, dict]] = {}
        rules = self.figures.rules
        for i, (project, figures) in enumerate(zip(self.unit.get("projects") or [], self.figures.projects)):
            path = ("projects", i)
            first = seen.get(project["name"])
            if first is None:
                seen[project["name"]] = (i, project)
            elif (first[1]["budget"], first[1]["spent"]) == (project["budget"], project["spent"]):
                self.add("PR504", _("项目“{name}”重复列出（与第 {first} 项相同）").format(name=project["name"], first=first[0] + 1), path)
            else:
                self.add("PR505", _("项目“{name}”出现两次，金额不同（另见第 {first} 项）").format(name=project["name"], first=first[0] + 1), path)
            if figures.stated_score is not None and figures.computed_score is not None:
                if abs(Fraction(figures.stated_score) - figures.computed_score) > half_unit(figures.stated_score):
                    self.add("PR513", _("项目“{name}”填报得分 {stated}，按指标计算为 {computed}").format(
                        name=project["name"], stated=figures.stated_score, computed=f"{float(figures.computed_score):.2f}"),
                        path + ("score",))
            if figures.stated_grade and figures.grade and figures.stated_grade != figures.grade:
                self.add("PR514", _("项目“{name}”填报等级“{stated}”，按得分应为“{computed}”").format(
                    name=project["name"], stated=figures.stated_grade, computed=figures.grade), path + ("grade",))
            self.stated_rate((project.get("stated") or {}).get("execution_rate"), project["spent"],
                             project.get("initial_budget") if rules.denominator == "initial_budget" else project["budget"],
                             _("项目“{name}”执行率").format(name=project["name"]), path + ("stated", "execution_rate"))
            rate = figures.execution_rate
            if rate is not None and self.clearly_below(project, rules, rate) and not project.get("deviation_reason"):
                self.add("PR508", _("项目“{name}”执行率 {rate} 低于 {threshold}，应填写偏差原因（deviation_reason）").format(
                    name=project["name"], rate=_pct(rate), threshold=_pct(rules.reason_below)), path)
            self.sources(project, figures, path)
            indicators = project.get("indicators") or []
            self.indicators(indicators, path + ("indicators",), figures)
            weights = [ind.get("weight") for ind in indicators]
            self.missing_categories(project, indicators, weights, path)
            if indicators and all(w is not None for w in weights):
                full = rules.execution_weight + sum(Fraction(w) for w in weights)
                if full != rules.total:
                    self.add("PR510", _("项目“{name}”的分值合计为 {full}（执行率 {execution} + 指标 {indicators}），应为 {total}").format(
                        name=project["name"], full=float(full), execution=float(rules.execution_weight),
                        indicators=float(full - rules.execution_weight), total=float(rules.total)), path + ("indicators",))

    def missing_categories(self, project: dict, indicators: list, weights: list, path: tuple) -> None:
        """Indicators scored by the rule set's 一级指标 weights, a 一级指标 missing: its points are not earned (PR518)."""
        rules = self.figures.rules
        if not indicators or any(w is not None for w in weights):
            return
        present = {ind["level1"] for ind in indicators}
        missing = [name for name in rules.categories if name != "*" and name not in present]
        if missing:
            full = rules.execution_weight + sum((rules.categories[name] for name in rules.categories
                                                 if name in present), Fraction(0))
            self.add("PR518", _("项目“{name}”没有“{missing}”的指标：其分值不计入、也不由其他一级指标补足，满分为 {full} 分").format(
                name=project["name"], missing="”“".join(missing), full=f"{float(full):g}"), path + ("indicators",))

    def sources(self, project: dict, figures, path: tuple) -> None:
        """The 其中 rows (本年财政拨款 / 上年结转资金 / 其他资金) add up to the project's amounts (PR517)."""
        for key, label in (("budget", _("全年预算数")), ("spent", _("全年执行数"))):
            given = [getattr(s, key) for s in figures.sources if getattr(s, key) is not None]
            if given and not overlaps(around(project[key]), summed(given)):
                self.add("PR517", _("项目“{name}”各资金来源的{label}相加为 {computed}，与项目的{label} {stated} 不符").format(
                    name=project["name"], label=label, computed=sum(given), stated=project[key]), path + ("sources",))

    def indicators(self, indicators: list[dict], path: tuple, project) -> None:
        scored = project.indicators if project is not None else None
        for i, indicator in enumerate(indicators):
            achieved = scored[i].achieved if scored is not None else None
            if scored is None and indicator.get("actual") is not None:
                from ..scoring.compute import score_indicators  # a goal indicator is scored for this check only
                achieved = score_indicators([indicator], self.figures.rules)[0].achieved
            if achieved is False and not indicator.get("deviation_reason"):
                self.add("PR507", _("指标“{name}”未达到指标值（{target} → {actual}），应填写偏差原因").format(
                    name=indicator["name"], target=indicator["target"], actual=indicator["actual"]), path + (i,))
            over = self.over_target(indicator, scored[i].nature if scored is not None else None)
            if over is not None and not indicator.get("deviation_reason"):
                self.add("PR519", _("指标“{name}”实际完成值 {actual} 为指标值 {target} 的 {ratio}，达到 {threshold}，应说明原因（deviation_reason）").format(
                    name=indicator["name"], actual=indicator["actual"], target=indicator["target"], ratio=_pct(over),
                    threshold=_pct(1 + self.figures.rules.reason_above)), path + (i, "actual"))
            weight = scored[i].weight if scored is not None else indicator.get("weight")
            if indicator.get("score") is not None and weight is not None and Fraction(indicator["score"]) > weight:
                self.add("PR509", _("指标“{name}”的得分 {score} 超过其分值 {weight}").format(
                    name=indicator["name"], score=indicator["score"], weight=float(weight)), path + (i, "score"))

    def over_target(self, indicator: dict, nature: str | None) -> Fraction | None:
        """实际 / 目标 of a ≥ indicator whose actual reaches (1 + ``reason_above``) × its target, else ``None``."""
        above = self.figures.rules.reason_above
        target, actual = indicator.get("target"), indicator.get("actual")
        if not above or not (is_number(target) and is_number(actual)) or target <= 0:
            return None
        if (nature or indicator_nature(indicator)) != "≥":
            return None
        ratio = Fraction(actual) / Fraction(target)
        return ratio if ratio >= 1 + above else None

    # sections the standard outline expects
    EXPECTED = (
        (("background",), N_("项目背景、内容")),
        (("fund_management",), N_("资金管理情况")),
        (("analysis", "output"), N_("产出")),
        (("analysis", "satisfaction"), N_("满意度")),
        (("analysis", "conclusion"), N_("评价结果")),
    )

    def written(self, path: tuple) -> bool:
        """Whether the report's format writes the data at ``path`` (or the mapping holding it)."""
        if self.rendered is None:
            return True
        dotted = ".".join(path)
        return any(r == dotted or r.startswith(dotted + ".") or dotted.startswith(r + ".") for r in self.rendered)

    def sections(self) -> None:
        for path, label in self.EXPECTED:
            if not self.written(path):
                continue
            value = self.unit
            for key in path:
                value = (value or {}).get(key)
            if value is None or not str(value).strip():
                self.add("PR511", _("未填写“{label}”（{path}），报告中将写作“无。”").format(label=_(label), path=".".join(path)), path)
        if not self.unit.get("improvements") and self.written(("improvements",)):
            self.add("PR511", _("未填写“下一步改进措施”（improvements），报告中将写作“无。”"), ("improvements",))
        disclosure = self.unit.get("disclosure") or {}
        if not (disclosure.get("where") or disclosure.get("text")) and self.written(("disclosure",)):
            self.add("PR511", _("未填写“结果应用和公开情况”（disclosure），报告中将写作“无。”"), ("disclosure",))

    # narrative text: years, and numbers that restate a figure
    YEAR_OF_REPORT = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年度")
    ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?!代)")
    GAP = r"[^\d。；;，,：:]{0,12}?"
    NUMBER = r"(\d+(?:\.\d+)?)\s*(万元|元|%)"

    def texts(self) -> None:
        year = self.unit["year"]
        funds, f = self.unit["funds"], self.figures
        restated = [
            (("资金执行率", "预算执行率", "总体执行率"), "%", f.execution_rate, _("预算执行率")),
            (("资金到位率", "到位率"), "%", f.arrival_rate, _("资金到位率")),
            (("下达", "预算安排", "安排经费", "全年预算"), "money", funds.get("budget"), _("全年预算数")),
            (("到位资金", "实际到位"), "money", funds.get("received"), _("实际到位资金")),
            (("总体执行", "实际执行", "全年执行"), "money", funds["spent"], _("全年执行数")),
        ]
        money_unit = (self.unit.get("settings") or {}).get("money_unit") or "万元"
        findings: dict[str, list] = {}  # text -> what it is found to say: the same texts recur on every project
        for parent, key, text in leaves(self.unit, str):
            if "年" not in text and "元" not in text and "%" not in text:  # what every pattern below needs
                continue
            path = parent + (key,)
            if path[0] in ("notice", "stated", "format", "rules", "title"):
                continue
            found = findings.get(text)
            if found is None:
                found = findings[text] = self.text_findings(text, year, restated, money_unit)
            for code, message in found:
                self.add(code, message, path)

    def text_findings(self, text: str, year: int, restated: list, money_unit: str) -> list[tuple[str, str]]:
        """The ``(code, message)`` of each finding in one narrative text (:meth:`texts`)."""
        found = []
        if "年" in text:
            for match in self.YEAR_OF_REPORT.finditer(text):
                y = int(match.group(1))
                if y not in (year, year + 1):
                    found.append(("PR506", _("文字中的“{found}”与自评年度 {year} 不符").format(found=match.group(0), year=year)))
            for match in self.ANY_YEAR.finditer(text):
                if int(match.group(1)) > year + 1:
                    found.append(("PR506", _("文字中的“{found}”晚于自评年度 {year} 的次年").format(found=match.group(0), year=year)))
        if "元" not in text and "%" not in text:
            return found
        for words, kind, figure, label in restated:
            if figure is None:
                continue
            for match in _restating(words).finditer(text):
                number, unit = Decimal(match.group(1)), match.group(2)
                if (kind == "%") != (unit == "%"):
                    continue
                message = self.compare_restated(number, unit, figure, kind, money_unit, label, match.group(0))
                if message is not None:
                    found.append(("PR512", message))
        return found

    def compare_restated(self, number, unit, figure, kind, money_unit, label, found) -> str | None:
        """The message when the restated ``number`` disagrees with ``figure``, else ``None``."""
        if kind == "%":
            ok = overlaps(around(number, Fraction(1, 100)), (figure, figure))
            shown = _pct(figure)
        else:
            scale = Fraction(1)
            if unit != money_unit:
                scale = Fraction(1, 10000) if unit == "元" else Fraction(10000)
            ok = overlaps(around(number, scale), (Fraction(figure),) * 2)
            shown = f"{figure}{money_unit}"
        return None if ok else _("文字中“{found}”与数据不符：{label}为 {shown}").format(found=found, label=label, shown=shown)


    def stated_rate(self, value, numerator, denominator, label: str, path: tuple) -> None:
        """PR501 when the stated rate ``value`` (a percentage) cannot be ``numerator / denominator`` as rounded."""
        if value is None or numerator is None or denominator is None:
            return
        possible = quotient(numerator, denominator)
        if possible and not overlaps(around(value, Fraction(1, 100)), possible):
            self.add("PR501", _("填报的{label}为 {stated}%，按数据计算应为 {computed}（{numerator} / {denominator}）").format(
                label=label, stated=value, computed=_pct(Fraction(numerator) / Fraction(denominator)),
                numerator=numerator, denominator=denominator), path)

    def stated_more(self) -> None:
        """The stated share of 财政支出 (of the list, or of the stated 自评项目总金额 without one), grade counts
        and "三公"经费变动率."""
        stated, funds, f = self.unit.get("stated") or {}, self.unit["funds"], self.figures
        projects = self.unit.get("projects") or []
        assessed = [p["budget"] for p in projects if p.get("assessed", True) is not False]
        total_given = stated.get("assessed_budget_total")  # against the list: PR515 (assessed_total)
        base = assessed if projects else ([total_given] if total_given is not None else None)
        expenditure = funds.get("total_expenditure")
        if stated.get("share") is not None and base is not None and expenditure:
            lo, hi = summed(base)
            e_lo, e_hi = around(expenditure)
            if e_lo > 0 and not overlaps(around(stated["share"], Fraction(1, 100)), (lo / e_hi, hi / e_lo)):
                self.add("PR501", _("填报的自评项目金额占财政支出比例为 {stated}%，按数据计算应为 {computed}（{numerator} / {denominator}）").format(
                    stated=stated["share"], computed=_pct(f.assessed_share), numerator=sum(Decimal(b) for b in base),
                    denominator=expenditure), ("stated", "share"))
        counts = stated.get("grade_counts") or {}
        if projects and any(v is not None for v in counts.values()):
            computed = {g.label: g.count for g in f.grades}
            for label, value in counts.items():
                if value is not None and value != computed.get(label, 0):
                    self.add("PR503", _("填报的“{grade}”等级项目为 {stated} 个，按项目清单为 {computed} 个").format(
                        grade=label, stated=value, computed=computed.get(label, 0)), ("stated", "grade_counts", label))
        change_given, current, previous = stated.get("three_public_change"), funds.get("three_public"), funds.get("three_public_last_year")
        if change_given is not None and current is not None and previous is not None:
            c_lo, c_hi = around(current)
            p_lo, p_hi = around(previous)
            if p_lo > 0:
                possible = (c_lo / p_hi - 1, c_hi / p_lo - 1)
                if not overlaps(around(change_given, Fraction(1, 100)), possible):
                    self.add("PR501", _("填报的“三公”经费变动率为 {stated}%，按数据计算应为 {computed}（({current} − {previous}) / {previous}）").format(
                        stated=change_given, computed=_pct(f.three_public_change), current=current, previous=previous),
                        ("stated", "three_public_change"))

    def staff(self) -> None:
        """在职人数 and the kinds it is made of (行政编制、事业编制、人事代理、聘用) must agree."""
        staff = self.unit.get("staff") or {}
        kinds = [staff[k] for k in IN_POST_KINDS if staff.get(k) is not None]
        if staff.get("actual") is not None and kinds and sum(kinds) != staff["actual"]:
            self.add("PR541", _("在职人数为 {actual}，行政编制、事业编制、人事代理、聘用人数相加为 {parts}").format(
                actual=staff["actual"], parts=sum(kinds)), ("staff", "actual"))

    @staticmethod
    def clearly_below(project: dict, rules, rate=None) -> bool:
        """Whether the project's execution rate is under the threshold whatever the rounding of its amounts
        (4.21 / 4.68 = 89.96% may be 90.16%: not clearly under 90%). ``rate``: the project's execution rate, if known."""
        denominator = project.get("initial_budget") if rules.denominator == "initial_budget" else project["budget"]
        if denominator is None:
            return False
        if rate is not None and rate >= rules.reason_below and project["spent"] >= 0 and denominator > 0:
            return False  # ``rate`` (spent / denominator) is not under it: the highest rate the rounding allows is not either
        possible = quotient(project["spent"], denominator)
        return possible is not None and possible[1] < rules.reason_below


@lru_cache(maxsize=None)
def _restating(words: tuple[str, ...]) -> re.Pattern:
    """A keyword, a short gap within the clause, then a number with 万元, 元 or %."""
    return re.compile("(?:" + "|".join(words) + ")" + _Checker.GAP + _Checker.NUMBER)


def check(unit: dict, figures: Figures, source: Source, rendered: frozenset | None = None) -> list[Problem]:
    """Every consistency finding for a validated unit, sorted by position in the file. ``rendered``: the data
    paths (dotted) the report's format writes; a section it does not write is not reported empty (PR511)."""
    return _Checker(unit, figures, source, rendered).run()

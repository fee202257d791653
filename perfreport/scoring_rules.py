"""Rule sets: the weights, tiers, caps, thresholds, grade bands and buckets of scoring, as YAML data.

A rule set names the one it ``extends``; its top-level keys replace the
parent's whole. Numbers are read exactly (``0.9`` is 9/10), so no rule is off
by binary rounding. Built-in rule sets live in ``perfreport/rules/``; a unit
file or a format may also name a rule file by path.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from importlib import resources
from pathlib import Path

from .errors import DataError, Location, Problem
from .i18n import _
from .source import load_file, load_text

BUILTIN = ("standard", "sichuan")


@dataclass(frozen=True)
class Band:
    min: Fraction
    label: str


@dataclass(frozen=True)
class TierRange:
    """An official qualitative tier: the fraction of the 分值 it may earn, and the one used without a stated 得分."""

    min: Fraction
    max: Fraction
    default: Fraction


@dataclass(frozen=True)
class Rules:
    name: str
    description: str
    total: Fraction
    denominator: str            # "budget" or "initial_budget"
    execution_weight: Fraction
    reason_below: Fraction
    categories: dict            # level1 (or "*") -> Fraction weight
    qualitative: dict           # tier -> Fraction
    qualitative_ranges: dict    # official tier wording -> TierRange (the first is "achieved")
    cap_by_execution: tuple     # ((below, cap), …) ascending by below
    over_above: Fraction
    over_deduct: Fraction
    grades: tuple[Band, ...]
    buckets: tuple[Band, ...]
    grade_shares: str           # "plain" or "largest_remainder"
    carryover_denominator: str  # "budget" or "spent"
    levels: dict                # check code -> "error" or "warning" (default warning)
    reverse: str = "ratio"      # ≤ indicators over target: "ratio" 目标/实际, or "deviation" 1 − (实际−目标)/目标
    totals: str = "printed"     # "printed": scores and amounts rounded as printed, then summed; or "exact"
    score_decimals: int = 2     # decimals of a printed score (and of the grade's score)
    # indicator layout -> weights, filled by compute (weights depend only on the layout and the rules)
    layouts: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def grade(self, score) -> str | None:
        return _band(self.grades, score)

    def bucket(self, rate) -> str | None:
        return _band(self.buckets, rate)


def _band(bands: tuple[Band, ...], value) -> str | None:
    """The label of the first band (highest first) whose ``min`` ``value`` reaches; ``None`` for no value."""
    if value is None:
        return None
    return next((band.label for band in bands if value >= band.min), bands[-1].label)


def _read(name: str) -> tuple[dict, str]:
    if name in BUILTIN:
        text = resources.files(__package__).joinpath(f"rules/{name}.yml").read_text(encoding="utf-8")
        return load_text(text, f"rules/{name}.yml").data, f"rules/{name}.yml"
    path = Path(name)
    if path.suffix in (".yml", ".yaml") and path.is_file():
        return load_file(path).data, str(path)
    raise DataError(Problem("PR210", _("找不到评分规则“{name}”（内置：{builtin}）").format(
        name=name, builtin="、".join(BUILTIN)), Location()))


def raw_rules(name: str, _seen: tuple = ()) -> tuple[dict, str]:
    """The rule set ``name`` merged over what it extends, as plain data."""
    data, file = _read(name)
    parent = data.get("extends")
    if parent:
        if parent in _seen:
            raise DataError(Problem("PR211", _("评分规则的 extends 形成了循环"), Location(file)))
        base, _file = raw_rules(parent, _seen + (name,))
        data = {**base, **data}
    return data, file


def rule_files(name: str | None) -> list[str]:
    """The files the rule set ``name`` is read from, along its ``extends`` (none for the built-in sets)."""
    files: list[str] = []
    seen: set[str] = set()
    while name and name not in BUILTIN and name not in seen:
        seen.add(name)
        data, file = _read(name)
        files.append(file)
        name = data.get("extends")
    return files


def load_rules(name: str | None = None) -> Rules:
    """The rule set ``name`` (default ``standard``), checked and converted to exact numbers."""
    data, file = raw_rules(name or "standard")
    try:
        return _convert(data)
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
        raise DataError(Problem("PR212", _("评分规则有误：{detail}").format(detail=exc), Location(file))) from None


def _f(value) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, Fraction)) and not hasattr(value, "as_integer_ratio"):
        raise ValueError(_("应为数字，实际为“{value}”").format(value=value))
    return Fraction(value)


def _bands(items, key: str) -> tuple[Band, ...]:
    bands = tuple(Band(_f(item["min"]), str(item[key])) for item in items)
    if not bands:
        raise ValueError(_("至少需要一个分档"))
    return tuple(sorted(bands, key=lambda b: b.min, reverse=True))


def _choice(value, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ValueError(_("{what} 应为 {allowed} 之一，实际为“{value}”").format(what=what, allowed="、".join(allowed), value=value))
    return value


def _convert(d: dict) -> Rules:
    execution = d["execution"]
    over = d.get("over_achievement") or {}
    return Rules(
        name=str(d.get("name", "")),
        description=str(d.get("description", "")),
        total=_f(d["total"]),
        denominator=_choice(execution.get("denominator", "budget"), ("budget", "initial_budget"), "execution.denominator"),
        execution_weight=_f(execution["weight"]),
        reason_below=_f(execution.get("reason_below", 0)),
        categories={str(k): _f(v) for k, v in d["categories"].items()},
        qualitative={str(k): _f(v) for k, v in d["qualitative"].items()},
        qualitative_ranges={str(k): _tier_range(v) for k, v in (d.get("qualitative_ranges") or {}).items()},
        cap_by_execution=tuple(sorted((_f(c["below"]), _f(c["cap"])) for c in d.get("cap_by_execution") or ())),
        over_above=_f(over.get("above", 0)),
        over_deduct=_f(over.get("deduct", 0)),
        grades=_bands(d["grades"], "grade"),
        buckets=_bands(d["buckets"], "label"),
        grade_shares=_choice(d.get("grade_shares", "plain"), ("plain", "largest_remainder"), "grade_shares"),
        carryover_denominator=_choice(d.get("carryover_denominator", "budget"), ("budget", "spent"), "carryover_denominator"),
        levels={str(code): _choice(level, ("error", "warning"), str(code)) for code, level in (d.get("checks") or {}).items()},
        reverse=_choice(d.get("reverse", "ratio"), ("ratio", "deviation"), "reverse"),
        totals=_choice(d.get("totals", "printed"), ("printed", "exact"), "totals"),
        score_decimals=_decimals(d.get("score_decimals", 2)),
    )


def _tier_range(value) -> TierRange:
    tier = TierRange(_f(value["min"]), _f(value["max"]), _f(value["default"]))
    if not 0 <= tier.min <= tier.default <= tier.max <= 1:
        raise ValueError(_("定性分档应满足 0 ≤ min ≤ default ≤ max ≤ 1"))
    return tier


def _decimals(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 6:
        raise ValueError(_("score_decimals 应为 0 到 6 的整数，实际为“{value}”").format(value=value))
    return value

"""Rule sets: the weights, tiers, caps, thresholds, grade bands and buckets of scoring, as YAML data.

A rule set names the one it ``extends``; its top-level keys replace the
parent's whole. Numbers are read exactly (``0.9`` is 9/10), so no rule is off
by binary rounding. Built-in rule sets live in ``perfreport/rules/``; a unit
file or a format may also name a rule file by path.
"""
from __future__ import annotations

import difflib
import functools
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from ..errors import DataError, Location, Problem, format_path
from ..i18n import _
from ..read.source import Source, load_file, load_text

_PACKAGE = Path(__file__).parent.parent  # package data as files (importlib.resources adds 5 ms of start-up)

BUILTIN = ("standard", "sichuan", "hubei", "jiangxi", "guangxi")


@dataclass(frozen=True)
class Band:
    """One band of a step function: values from ``min`` up (``exclusive``: above ``min``) get ``label``."""

    min: Fraction
    label: object               # a grade or bucket name; a score for execution steps
    exclusive: bool = False     # written ``above:`` (>) rather than ``min:`` (≥)

    def reached(self, value) -> bool:
        return value > self.min if self.exclusive else value >= self.min


@dataclass(frozen=True)
class Cap:
    """A total capped at ``cap`` when the execution rate is below ``bound`` (``inclusive``: at most ``bound``)."""

    bound: Fraction
    cap: Fraction
    inclusive: bool = False     # written ``at_most:`` (≤) rather than ``below:`` (<)

    def applies(self, rate) -> bool:
        return rate <= self.bound if self.inclusive else rate < self.bound


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
    cap_by_execution: tuple     # (Cap, …), the strictest bound first
    over_above: Fraction
    over_deduct: Fraction
    grades: tuple[Band, ...]
    buckets: tuple[Band, ...]
    grade_shares: str           # "plain" or "largest_remainder"
    carryover_denominator: str  # "budget" or "spent"
    levels: dict                # check code -> "error" or "warning" (default warning)
    execution_steps: tuple[Band, ...] = ()  # 执行率得分 by steps of the rate; () = 分值 × 执行率
    reason_above: Fraction = Fraction(0)    # 偏差原因 required when actual ≥ (1 + this) × target (0 = off)
    over_steps: tuple[Band, ...] = ()      # deduction (fraction of 分值) by steps of the excess; () = over_deduct
    reverse: str = "ratio"      # ≤ indicators over target: "ratio" 目标/实际, or "deviation" 1 − (实际−目标)/目标
    totals: str = "printed"     # "printed": scores and amounts rounded as printed, then summed; or "exact"
    score_decimals: int = 2     # decimals of a printed score (and of the grade's score)

    def grade(self, score) -> str | None:
        return _band(self.grades, score)

    def bucket(self, rate) -> str | None:
        return _band(self.buckets, rate)

    def execution_score(self, rate) -> Fraction | None:
        """执行率得分: the step the rate reaches, or 分值 × 执行率 capped at 分值; ``None`` for no rate."""
        if rate is None:
            return None
        if self.execution_steps:
            return _band(self.execution_steps, rate)
        return min(self.execution_weight * rate, self.execution_weight)


    def over_deduction(self, excess) -> Fraction:
        """The fraction of its 分值 a ≥ indicator loses when its actual exceeds the target by ``excess``
        (0.3 = 30%), once ``excess`` reaches ``over_above``."""
        return _band(self.over_steps, excess) if self.over_steps else self.over_deduct


def _band(bands: tuple[Band, ...], value):
    """The label of the first band (highest first) that ``value`` reaches; ``None`` for no value."""
    if value is None:
        return None
    if type(value) is Fraction:  # a rate or a score: compared as integers, n/d ≥ m/e when n·e ≥ m·d
        n, d = value.numerator, value.denominator
        for band in bands:
            low = band.min
            if type(low) is not Fraction:
                return next((band.label for band in bands if band.reached(value)), bands[-1].label)
            left, right = n * low.denominator, low.numerator * d
            if left > right or left == right and not band.exclusive:
                return band.label
        return bands[-1].label
    return next((band.label for band in bands if band.reached(value)), bands[-1].label)


def _source(name: str) -> Source:
    if name in BUILTIN:
        text = _PACKAGE.joinpath(f"rules/{name}.yml").read_text(encoding="utf-8")
        return load_text(text, f"rules/{name}.yml")
    path = Path(name)
    if path.suffix in (".yml", ".yaml") and path.is_file():
        return load_file(path)
    raise DataError(Problem("PR210", _("找不到评分规则“{name}”（内置：{builtin}）").format(
        name=name, builtin="、".join(BUILTIN)), Location()))


def _read(name: str) -> tuple[dict, str]:
    source = _source(name)
    return source.data, source.file


def _merged(name: str, _seen: tuple = ()) -> tuple[dict, dict]:
    """The rule set ``name`` merged over what it extends, and for each top-level key the file giving it."""
    source = _source(name)
    data, origins = source.data, {key: source for key in source.data}
    parent = data.get("extends")
    if parent is not None and not isinstance(parent, str):
        raise DataError(Problem("PR212", _("评分规则有误：{detail}").format(
            detail=_("extends 应为规则名称或文件路径")), source.locate(("extends",))))
    if parent:
        if parent in _seen:
            raise DataError(Problem("PR211", _("评分规则的 extends 形成了循环"), Location(source.file)))
        base, base_origins = _merged(parent, _seen + (name,))
        data, origins = {**base, **data}, {**base_origins, **origins}
    origins[()] = source
    return data, origins


def raw_rules(name: str, _seen: tuple = ()) -> tuple[dict, str]:
    """The rule set ``name`` merged over what it extends, as plain data."""
    data, origins = _merged(name, _seen)
    return data, origins[()].file


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


# Rule sets already read in this process: (name, folder it was named from) -> (the rule set, the files
# it was read from with their text). A batch loads the same rule set for every unit.
_loaded: dict[tuple[str, str], tuple[Rules, tuple]] = {}


def _contents(files: list[str]) -> tuple:
    """Each file with its bytes (None if it cannot be read); a built-in rule set has no files: it cannot change.
    The text, not the modification time: a file rewritten within the file system's clock tick is still seen."""
    contents = []
    for file in files:
        try:
            contents.append((file, Path(file).read_bytes()))
        except OSError:
            contents.append((file, None))
    return tuple(contents)


def load_rules(name: str | None = None) -> Rules:
    """The rule set ``name`` (default ``standard``), checked and converted to exact numbers.

    Every mistake is reported at once, each located at its key in the file that gives it: an unknown
    key (PR213), a wrong or missing value (PR212). A rule set read before in this process is used again
    while none of its files has changed.
    """
    name = name or "standard"
    key = (name, "" if name in BUILTIN else os.getcwd())
    kept = _loaded.get(key)
    if kept is not None and _contents([file for file, _text in kept[1]]) == kept[1]:
        return kept[0]
    try:   # read before the rule set, so that a file changed meanwhile is read again next time
        contents = _contents(rule_files(name))
    except (DataError, TypeError):
        contents = None   # not kept: reading the rule set says what is wrong
    rules = _loaded_rules(name)
    if contents is not None:
        if len(_loaded) >= 32:
            _loaded.clear()
        _loaded[key] = (rules, contents)
    return rules


def _loaded_rules(name: str) -> Rules:
    data, origins = _merged(name)
    data = _Tracked(data)
    reader = _Reader(data, origins)
    try:
        rules = _convert(data, reader)
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
        if not reader.problems:
            reader.problems.append(Problem("PR212", _("评分规则有误：{detail}").format(detail=exc), origins[()].locate()))
    reader.unknown_keys(data.read)
    if reader.problems:
        raise DataError(sorted(reader.problems, key=lambda p: (p.location.file or "", p.location.line or 0,
                                                               p.location.column or 0)))
    return rules


@functools.lru_cache(maxsize=1)
def _standard_keys() -> dict:
    """standard.yml's keys, each with the keys of its mapping value: every key a rule set may give."""
    return {key: tuple(value) if isinstance(value, dict) else () for key, value in _source("standard").data.items()}


class RuleValueError(ValueError):
    """A wrong value in a rule set, at ``path`` below the key being read (e.g. ``(2, "min")`` of a band list)."""

    def __init__(self, message: str, path: tuple = ()):
        super().__init__(message)
        self.path = path


_REQUIRED = object()
META_KEYS = ("name", "description", "extends")
STRUCTURED = ("execution", "over_achievement")  # mappings with fixed keys (those standard.yml gives)


class _Tracked(dict):
    """The merged rule set, remembering which top-level keys were read."""

    def __init__(self, data: dict):
        super().__init__(data)
        self.read: set = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)


class _Reader:
    """Reads the rule set's values by path, converting each and recording located problems."""

    def __init__(self, data: dict, origins: dict):
        self.data, self.origins = data, origins
        self.problems: list[Problem] = []

    def where(self, path: tuple) -> Location:
        source = self.origins.get(path[0]) if path else None
        return (source or self.origins[()]).locate(path)

    def wrong(self, path: tuple, detail: str) -> None:
        self.problems.append(Problem("PR212", _("评分规则有误：{detail}").format(detail=detail), self.where(path)))

    def __call__(self, path: tuple, convert, default=_REQUIRED):
        """The value at ``path`` converted, or ``default`` when absent; ``None`` after a recorded problem."""
        value = self.data
        for depth, part in enumerate(path):
            if not isinstance(value, dict):
                self.wrong(path[:depth], _("应为映射（键: 值），实际为“{value}”").format(value=value))
                return None
            value = value.get(part)
        if value is None:
            if default is _REQUIRED:
                self.wrong(path, _("缺少 {key}").format(key=format_path(path)))
                return None
            return default
        try:
            return convert(value)
        except (ValueError, TypeError, KeyError, ZeroDivisionError) as exc:
            self.wrong(path + getattr(exc, "path", ()), str(exc))
            return None

    def unknown_keys(self, read: set) -> None:
        """PR213 for keys that standard.yml does not have and the conversion did not ``read``: a typo
        would otherwise silently leave a default."""
        standard = _standard_keys()
        for key, source in self.origins.items():
            if key == ():
                continue
            if key not in standard and key not in META_KEYS and key not in read:
                self.unknown(source, (key,), list(standard) + list(META_KEYS))
            elif key in STRUCTURED and isinstance(source.data[key], dict):
                known = list(standard[key])
                for sub in source.data[key]:
                    if sub not in known:
                        self.unknown(source, (key, sub), known)

    def unknown(self, source: Source, path: tuple, known: list) -> None:
        close = difflib.get_close_matches(str(path[-1]), known, n=1)
        hint = _("，是否为 {key}？").format(key=close[0]) if close else ""
        self.problems.append(Problem("PR213", _("评分规则中的未知键 {key}{hint}").format(
            key=format_path(path), hint=hint), source.locate(path)))


def _f(value) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, Fraction)) and not hasattr(value, "as_integer_ratio"):
        raise ValueError(_("应为数字，实际为“{value}”").format(value=value))
    return Fraction(value)


_PERCENT = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*[%％]\s*")


def _rate(value) -> Fraction:
    """A rate: a number (0.8) or a percentage written as text (80%)."""
    match = _PERCENT.fullmatch(value) if isinstance(value, str) else None
    if match:
        return Fraction(Decimal(match.group(1))) / 100
    if isinstance(value, str):
        raise ValueError(_("应为数字或百分数（如 0.8 或 80%），实际为“{value}”").format(value=value))
    return _f(value)


def _mapping(value) -> dict:
    if not isinstance(value, dict):
        raise ValueError(_("应为映射（键: 值），实际为“{value}”").format(value=value))
    return value


def _weights(mapping) -> dict:
    out = {}
    for key, value in _mapping(mapping).items():
        try:
            out[str(key)] = _f(value)
        except ValueError as exc:
            raise RuleValueError(str(exc), (key,)) from None
    return out


def _items(items) -> list:
    if not isinstance(items, list):
        raise ValueError(_("应为列表（每项以“- ”开头），实际为“{value}”").format(value=items))
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise RuleValueError(_("应为映射（键: 值），实际为“{value}”").format(value=item), (i,))
    return items


def _entry(item: dict, i: int, key: str, convert):
    """``item[key]`` of the ``i``-th item of a list, converted; a mistake is located at that key."""
    if key not in item:
        raise RuleValueError(_("缺少 {key}").format(key=key), (i,))
    try:
        return convert(item[key])
    except ValueError as exc:
        raise RuleValueError(str(exc), (i, key)) from None


def _bound(item: dict, i: int, keys: tuple[str, str], number) -> tuple[Fraction, bool]:
    """The bound of a band item written with exactly one of ``keys`` (the second is the strict one)."""
    given = [key for key in keys if key in item]
    if len(given) != 1:
        raise RuleValueError(_("每一档须写 {first} 或 {second} 中的一个").format(first=keys[0], second=keys[1]), (i,))
    return _entry(item, i, given[0], number), given[0] == keys[1]


def band_list(key: str, number=_f, value=str, bottom: bool = False):
    """A converter for a list of bands ``{min: …, key: …}`` or ``{above: …, key: …}``, highest first.

    ``min`` is a lower bound reached by equal values (≥), ``above`` one that is not (>). A value reaching
    no band gets the lowest band's; with ``bottom`` the lowest band must be ``min: 0`` instead.
    """
    def convert(items) -> tuple[Band, ...]:
        bands, seen = [], {}
        for i, item in enumerate(_items(items)):
            low, exclusive = _bound(item, i, ("min", "above"), number)
            if (low, exclusive) in seen:
                raise RuleValueError(_("与第 {other} 档的下限相同").format(other=seen[(low, exclusive)] + 1), (i,))
            seen[(low, exclusive)] = i
            bands.append(Band(low, _entry(item, i, key, value), exclusive))
        if not bands:
            raise ValueError(_("至少需要一个分档"))
        ordered = sorted(range(len(bands)), key=lambda i: (bands[i].min, bands[i].exclusive), reverse=True)
        lowest = bands[ordered[-1]]
        if bottom and (lowest.min > 0 or lowest.exclusive):
            raise RuleValueError(_("最低一档应为 min: 0，否则低于各档下限的值没有着落"), (ordered[-1],))
        return tuple(bands[i] for i in ordered)
    return convert


def _caps(items) -> tuple[Cap, ...]:
    caps = []
    for i, item in enumerate(_items(items)):
        bound, inclusive = _bound(item, i, ("below", "at_most"), _rate)
        caps.append(Cap(bound, _entry(item, i, "cap", _f), inclusive))
    return tuple(sorted(caps, key=lambda c: (c.bound, c.inclusive)))


def _steps(key: str, top):
    """Steps of a rate (execution, excess over target) whose ``key`` values lie between 0 and ``top``;
    an empty list is no steps."""
    bands = band_list(key, _rate, _f, bottom=True)

    def convert(items) -> tuple[Band, ...]:
        if items == []:
            return ()
        steps = bands(items)
        for i, item in enumerate(items):
            if top is not None and not 0 <= _f(item[key]) <= top:
                raise RuleValueError(_("{key} 应在 0 与 {top} 之间，实际为 {value}").format(
                    key=key, top=top, value=item[key]), (i, key))
        return steps
    return convert


def _over(read: _Reader) -> tuple[Fraction, Fraction, tuple[Band, ...]]:
    """``over_achievement``: (the excess from which it deducts, the deduction, the steps of deductions)."""
    steps = read(("over_achievement", "steps"), _steps("deduct", 1), ())
    above = read(("over_achievement", "above"), _rate, Fraction(0))
    deduct = read(("over_achievement", "deduct"), _f, Fraction(0))
    if steps and (above or deduct):
        read.wrong(("over_achievement",), _("above/deduct 与 steps 只能写一种"))
    if steps:  # deductions start at the lowest step that deducts something
        above = min((band.min for band in steps if band.label > 0), default=Fraction(0))
    return above, deduct, steps


def _choice(value, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ValueError(_("{what} 应为 {allowed} 之一，实际为“{value}”").format(what=what, allowed="、".join(allowed), value=value))
    return value


def _levels(mapping) -> dict:
    return {str(code): _choice(level, ("error", "warning"), str(code)) for code, level in _mapping(mapping).items()}


def _convert(d: dict, read: _Reader) -> Rules:
    weight = read(("execution", "weight"), _f)
    over_above, over_deduct, over_steps = _over(read)
    return Rules(
        name=str(d.get("name", "")),
        description=str(d.get("description", "")),
        total=read(("total",), _f),
        denominator=read(("execution", "denominator"),
                         lambda v: _choice(v, ("budget", "initial_budget"), "execution.denominator"), "budget"),
        execution_weight=weight,
        reason_below=read(("execution", "reason_below"), _rate, Fraction(0)),
        categories=read(("categories",), _weights),
        qualitative=read(("qualitative",), _weights),
        cap_by_execution=read(("cap_by_execution",), _caps, ()),
        over_above=over_above,
        over_deduct=over_deduct,
        grades=read(("grades",), band_list("grade")),
        buckets=read(("buckets",), band_list("label", _rate)),
        grade_shares=read(("grade_shares",), lambda v: _choice(v, ("plain", "largest_remainder"), "grade_shares"), "plain"),
        carryover_denominator=read(("carryover_denominator",),
                                   lambda v: _choice(v, ("budget", "spent"), "carryover_denominator"), "budget"),
        levels=read(("checks",), _levels, {}),
        execution_steps=read(("execution", "steps"), _steps("score", weight), ()),
        reason_above=read(("over_achievement", "reason_above"), _rate, Fraction(0)),
        over_steps=over_steps,
        qualitative_ranges=read(("qualitative_ranges",), _tier_ranges, {}),
        reverse=read(("reverse",), lambda v: _choice(v, ("ratio", "deviation"), "reverse"), "ratio"),
        totals=read(("totals",), lambda v: _choice(v, ("printed", "exact"), "totals"), "printed"),
        score_decimals=read(("score_decimals",), _decimals, 2),
    )


def _tier_ranges(mapping) -> dict:
    return {str(k): _tier_range(v) for k, v in mapping.items()}


def _tier_range(value) -> TierRange:
    tier = TierRange(_f(value["min"]), _f(value["max"]), _f(value["default"]))
    if not 0 <= tier.min <= tier.default <= tier.max <= 1:
        raise ValueError(_("定性分档应满足 0 ≤ min ≤ default ≤ max ≤ 1"))
    return tier


def _decimals(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 6:
        raise ValueError(_("score_decimals 应为 0 到 6 的整数，实际为“{value}”").format(value=value))
    return value

"""Rules about a valid unit's figures that a schema cannot say: limits that depend
on the money unit, and plausibility checks that warn without stopping a render.

Errors (the report would be wrong or unreadable):

* PR108 an amount larger than :data:`AMOUNT_LIMITS` (1e10 万元 = 1e14 元, 一百万亿元);
* PR109 an amount with more decimal places than :data:`AMOUNT_DECIMALS` (6 for
  万元 and 2 for 元: both are 分, the smallest amount a budget records);
* PR110 any other number beyond ±1e15 or with more than 10 decimal places.

Warnings (the report is written; the clerk should look):

* PR111 a budget of 0 (its execution rate is written as the placeholder 「—」);
* PR112 spending greater than the budget (execution rate over 100%);
* PR113 received funds greater than the budget.

Negative amounts are refused by the schema (``min: 0``, PR107).
"""
from __future__ import annotations

from decimal import Decimal

from ..errors import Problem
from ..i18n import _
from ..read.source import Source, leaves
from ..schema import field_label

AMOUNT_LIMITS = {"万元": Decimal("1e10"), "元": Decimal("1e14")}
AMOUNT_DECIMALS = {"万元": 6, "元": 2}
NUMBER_LIMIT = Decimal("1e15")
NUMBER_DECIMALS = 10
FUNDS_AMOUNTS = ("budget", "initial_budget", "received", "spent", "total_expenditure")
PROJECT_AMOUNTS = ("budget", "initial_budget", "spent")


def check(unit: dict, source: Source) -> list[Problem]:
    """Every problem found in a validated, completed ``unit``: errors and warnings, in file order."""
    money_unit = (unit.get("settings") or {}).get("money_unit") or "万元"
    amounts = [(("funds", key), unit["funds"].get(key)) for key in FUNDS_AMOUNTS]
    for i, project in enumerate(unit.get("projects") or ()):
        amounts += [(("projects", i, key), project.get(key)) for key in PROJECT_AMOUNTS]
    checked = {path for path, _value in amounts}
    found = [p for path, value in amounts for p in _amount(path, value, money_unit, source)]
    found += [p for parent, key, value in leaves(unit, (int, Decimal))
              if not isinstance(value, bool) and _out_of_range(value) and parent + (key,) not in checked
              for p in _number(parent + (key,), value, source)]
    found += _plausibility(("funds",), unit["funds"], source)
    for i, project in enumerate(unit.get("projects") or ()):
        found += _plausibility(("projects", i), project, source)
    found.sort(key=lambda p: (p.location.line or 0, p.location.column or 0))
    return found


def decimal_places(value) -> int:
    """Decimal places written, not counting trailing zeros.

    >>> decimal_places(Decimal("100.10")), decimal_places(3), decimal_places(Decimal("1E+3"))
    (1, 0, 0)
    """
    if not isinstance(value, Decimal):
        return 0
    _sign, digits, exponent = value.as_tuple()
    if exponent >= 0:
        return 0
    trailing = 0
    for digit in reversed(digits):
        if digit:
            break
        trailing += 1
    return max(0, -(exponent + trailing))


def _amount(path: tuple, value, money_unit: str, source: Source) -> list[Problem]:
    if value is None:
        return []
    limit, places = AMOUNT_LIMITS[money_unit], AMOUNT_DECIMALS[money_unit]
    if abs(value) > limit:
        return [Problem("PR108", _("{field}：金额 {value}{unit} 超出上限 {limit:f}{unit}（一百万亿元）；"
                                   "请检查小数点和金额单位（settings.money_unit）").format(
            field=field_label(path), value=value, unit=money_unit, limit=limit), source.locate(path))]
    if decimal_places(value) > places:
        return [Problem("PR109", _("{field}：{value} 有 {count} 位小数，金额单位为{unit}时最多 {places} 位（精确到分）").format(
            field=field_label(path), value=value, count=decimal_places(value), unit=money_unit, places=places),
            source.locate(path))]
    return []


_INT_LIMIT = int(NUMBER_LIMIT)


def _out_of_range(value) -> bool:
    if type(value) is int:  # most numbers: no decimal places to count
        return not -_INT_LIMIT < value < _INT_LIMIT
    return not (abs(value) < NUMBER_LIMIT and decimal_places(value) <= NUMBER_DECIMALS)


def _number(path: tuple, value, source: Source) -> list[Problem]:
    return [Problem("PR110", _("{field}：数字 {value} 超出支持的范围（绝对值小于 {limit:f}，最多 {places} 位小数）").format(
        field=field_label(path) or path[-1], value=value, limit=NUMBER_LIMIT, places=NUMBER_DECIMALS),
        source.locate(path))]


def _plausibility(path: tuple, funds: dict, source: Source) -> list[Problem]:
    budget, spent, received = funds.get("budget"), funds.get("spent"), funds.get("received")
    if budget is None:  # 全年预算数 not given: nothing to compare with
        return []
    if budget == 0:
        return [Problem("PR111", _("{field}为 0，执行率无法计算，报告中写作“—”；请核对").format(field=field_label(path + ("budget",))),
                        source.locate(path + ("budget",)), "warning")]
    if not spent > budget and not (received is not None and received > budget):
        return []
    budget_label = field_label(path + ("budget",))
    found = []
    if spent > budget:
        found.append(Problem("PR112", _("{spent_label} {spent} 大于{budget_label} {budget}，执行率超过 100%；请核对").format(
            spent_label=field_label(path + ("spent",)), spent=spent, budget_label=budget_label, budget=budget),
            source.locate(path + ("spent",)), "warning"))
    if received is not None and received > budget:
        found.append(Problem("PR113", _("{received_label} {received} 大于{budget_label} {budget}，到位率超过 100%；请核对").format(
            received_label=field_label(path + ("received",)), received=received, budget_label=budget_label,
            budget=budget), source.locate(path + ("received",)), "warning"))
    return found

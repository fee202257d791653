"""Figures computed from a valid unit: pure functions, exact arithmetic, no formatting, no I/O.

Amounts stay :class:`~decimal.Decimal` as read; rates are exact
:class:`~fractions.Fraction` values (0.9343…, not 93.43) and are rounded half
up only when a template formats them. A rate whose denominator is zero is
``None`` ("not applicable"), never 0.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction


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


def total(values) -> Decimal:
    """The exact sum of amounts (Decimal addition is exact at the default precision for report figures)."""
    return sum((Decimal(v) for v in values), Decimal(0))


@dataclass(frozen=True)
class ProjectFigures:
    """One project's figures; ``index`` counts from 1 in the order of the unit file."""

    index: int
    name: str
    budget: Decimal
    spent: Decimal
    execution_rate: Fraction | None


@dataclass(frozen=True)
class Figures:
    """Everything a report states that can be derived from the data."""

    budget: Decimal
    spent: Decimal
    received: Decimal | None
    execution_rate: Fraction | None  # 预算（资金）执行率 = spent / budget
    arrival_rate: Fraction | None    # 资金到位率 = received / budget
    project_count: int | None
    projects: tuple[ProjectFigures, ...]
    project_budget_total: Decimal
    project_spent_total: Decimal
    project_execution_rate: Fraction | None


def compute(unit: dict) -> Figures:
    """All figures of a validated unit."""
    funds = unit["funds"]
    projects = tuple(
        ProjectFigures(i, p["name"], Decimal(p["budget"]), Decimal(p["spent"]), ratio(p["spent"], p["budget"]))
        for i, p in enumerate(unit.get("projects") or (), start=1)
    )
    budget_total = total(p.budget for p in projects)
    spent_total = total(p.spent for p in projects)
    count = len(projects) if projects else unit.get("project_count")
    received = funds.get("received")
    return Figures(
        budget=Decimal(funds["budget"]),
        spent=Decimal(funds["spent"]),
        received=None if received is None else Decimal(received),
        execution_rate=ratio(funds["spent"], funds["budget"]),
        arrival_rate=ratio(received, funds["budget"]),
        project_count=count,
        projects=projects,
        project_budget_total=budget_total,
        project_spent_total=spent_total,
        project_execution_rate=ratio(spent_total, budget_total),
    )

from decimal import Decimal
from fractions import Fraction

import pytest

from perfreport.compute import compute, ratio, total
from perfreport.filters import percent_text
from perfreport.source import load_text
from perfreport.validate import complete, validate

from conftest import MINIMAL


def unit(extra=""):
    return complete(validate(load_text(MINIMAL + extra)))


@pytest.mark.parametrize("spent, budget, shown", [
    ("3117.78", "3336.96", "93.43%"),        # reference 000 (printed there with 1 decimal: 93.4%)
    ("3789.9671", "6024.595024", "62.91%"),  # reference 002 printed 56%: wrong
    ("238.17", "383", "62.19%"),             # 62.185…% rounds half up
    ("1", "8", "12.50%"),
])
def test_execution_rate_is_exact(spent, budget, shown):
    rate = ratio(Decimal(spent), Decimal(budget))
    assert rate == Fraction(Decimal(spent)) / Fraction(Decimal(budget))
    assert percent_text(rate, 2) == shown


def test_zero_or_missing_denominator_is_not_applicable_never_zero():
    assert ratio(Decimal(5), Decimal(0)) is None
    assert ratio(None, Decimal(5)) is None


def test_unit_figures():
    figures = compute(unit("""\
projects:
  - {name: a, budget: 10, spent: 10}
  - {name: b, budget: 0, spent: 0}
  - {name: c, budget: 2.5, spent: 1.25}
"""))
    assert figures.execution_rate == Fraction(5, 8)
    assert figures.arrival_rate is None  # no received amount given
    assert figures.project_count == 3
    assert [p.execution_rate for p in figures.projects] == [1, None, Fraction(1, 2)]
    assert figures.project_budget_total == Decimal("12.5")
    assert figures.project_spent_total == Decimal("11.25")
    assert [p.index for p in figures.projects] == [1, 2, 3]


def test_stated_project_count_is_used_only_without_a_list():
    assert compute(unit("project_count: 85\n")).project_count == 85
    assert compute(unit()).project_count is None


def test_total_is_exact():
    assert total([Decimal("0.1")] * 10) == Decimal("1.0")

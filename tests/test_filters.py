import datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from perfreport.templating.filters import (chinese_numeral, date_text, money_text, paragraphs, percent_text,
                                round_half_up, score_text, year_in_characters)


@pytest.mark.parametrize("value, places, expected", [
    (Decimal("22.545"), 2, "22.55"),    # half up, where Python's round() and Babel give 22.54
    (Decimal("22.535"), 2, "22.54"),
    (Decimal("2.5"), 0, "3"),
    (Decimal("-2.5"), 0, "-3"),          # away from zero on a tie
    (Fraction(1, 3), 4, "0.3333"),
    (Decimal("-0.001"), 2, "0.00"),      # never "-0.00"
    (7, 2, "7.00"),
])
def test_round_half_up(value, places, expected):
    assert str(round_half_up(value, places)) == expected


def test_money_with_thousands_separator_uses_babel_and_keeps_half_up():
    assert money_text(Decimal("11122315.035"), 2, thousands=True) == "11,122,315.04"
    assert money_text(Decimal("6024.595024"), 2) == "6024.60"


@pytest.mark.parametrize("rate, places, expected", [
    (Fraction(155889, 166848), 1, "93.4%"),
    (Fraction(155889, 166848), 2, "93.43%"),
    (Fraction(13, 36), 2, "36.11%"),
    (Fraction(3, 36), 2, "8.33%"),
    (Fraction(17, 36), 2, "47.22%"),
    (Fraction(1), 0, "100%"),
])
def test_percent(rate, places, expected):
    assert percent_text(rate, places) == expected


@pytest.mark.parametrize("n, expected", [
    (1, "一"), (9, "九"), (10, "十"), (11, "十一"), (19, "十九"), (20, "二十"), (21, "二十一"),
    (99, "九十九"), (100, "一百"), (101, "一百零一"), (110, "一百一十"), (1001, "一千零一"), (2024, "二千零二十四"),
])
def test_chinese_numerals(n, expected):
    assert chinese_numeral(n) == expected


def test_dates_and_years_as_gbt9704_writes_them():
    assert date_text(datetime.date(2024, 3, 5)) == "2024年3月5日"
    assert year_in_characters(2024) == "二〇二四"


def test_paragraphs_one_per_non_empty_line():
    assert paragraphs("  甲。\n\n乙。  \n") == ["甲。", "乙。"]
    assert paragraphs(None) == []


@pytest.mark.parametrize("whole", [0, 7, 90, 100, -3, 10**30])
def test_a_whole_fraction_score_reads_as_the_same_score_as_a_decimal(whole):
    assert score_text(Fraction(whole)) == score_text(Decimal(whole)) == score_text(Decimal(whole) + Decimal("0.000")) == str(whole)

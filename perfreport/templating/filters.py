"""Template filters: numbers and words as a Chinese report writes them.

Every rounding is 四舍五入 (half up, away from zero on a tie), done exactly on
``Decimal``/``Fraction`` values; Babel is always called with an explicit
locale. Decimals default to the report's settings (style profile, then the
unit file's ``settings``) and can be given per call.

>>> percent_text(Fraction(155889, 166848), 1)
'93.4%'
>>> money_text(Decimal("22.545"), 2)
'22.55'
>>> chinese_numeral(21)
'二十一'
"""
from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import pass_context, pass_environment

LOCALE = "zh_CN"
DIGITS = "零一二三四五六七八九"


def round_half_up(value, decimals: int) -> Decimal:
    """``value`` (int, Decimal or Fraction) rounded half up to ``decimals`` places, exactly.

    >>> round_half_up(Decimal("22.545"), 2), round_half_up(Fraction(-1, 8), 2)
    (Decimal('22.55'), Decimal('-0.13'))
    """
    numerator, denominator = value.as_integer_ratio()   # exact for int, Decimal and Fraction
    quotient, remainder = divmod(abs(numerator) * 10**decimals, denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return Decimal(f"{'-' if numerator < 0 and quotient else ''}{quotient}E-{decimals}")


def money_text(value, decimals: int = 2, thousands: bool = False) -> str:
    """An amount with a fixed number of decimals: ``3336.96``; ``11,122,315.04`` with ``thousands``."""
    q = round_half_up(value, decimals)
    if not thousands:
        return str(q)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(q, format=pattern, locale=LOCALE)


def percent_text(rate, decimals: int = 2) -> str:
    """A rate (0.9343…) as a percentage: ``93.43%``."""
    return f"{round_half_up(Fraction(rate) * 100, decimals)}%"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 105 → 一百零五, up to 9999.

    >>> [chinese_numeral(n) for n in (1, 10, 11, 19, 20, 99, 100, 101, 110, 1001)]
    ['一', '十', '十一', '十九', '二十', '九十九', '一百', '一百零一', '一百一十', '一千零一']
    """
    n = int(n)
    if not 0 <= n < 10000:
        return str(n)
    if n < 10:
        return DIGITS[n]
    if n < 20:
        return "十" + (DIGITS[n % 10] if n % 10 else "")
    out, zero = "", False
    for unit_value, unit_name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // unit_value % 10
        if digit:
            if zero and out:
                out += "零"
            out += DIGITS[digit] + unit_name
            zero = False
        else:
            zero = True
    return out


def year_in_characters(year: int) -> str:
    """2024 → 二〇二四 (years written in characters use 〇).

    >>> year_in_characters(2024)
    '二〇二四'
    """
    return "".join("〇" if d == "0" else DIGITS[int(d)] for d in str(int(year)))


def date_text(value: datetime.date, format: str = "long") -> str:
    """A date as GB/T 9704 writes it: ``2024年3月5日``."""
    return format_date(value, format=format, locale=LOCALE)


def paragraphs(text) -> list[str]:
    """Narrative text split into paragraphs: one per non-empty line, trimmed."""
    if not text:
        return []
    return [line.strip() for line in str(text).splitlines() if line.strip()]


def _settings(context) -> dict:
    return context.get("settings") or {}


def _absent(context) -> str:
    return _settings(context).get("placeholder", "—")


@pass_context
def money(context, value, decimals: int | None = None, thousands: bool = False) -> str:
    """``{{ funds.budget|money }}`` → ``3336.96``; decimals from the settings unless given."""
    if value is None:
        return _absent(context)
    if decimals is None:
        decimals = _settings(context).get("money_decimals", 2)
    return money_text(value, decimals, thousands)


@pass_context
def amount(context, value, decimals: int | None = None) -> str:
    """``{{ funds.budget|amount }}`` → ``3336.96万元`` (the unit file's money unit)."""
    if value is None:
        return _absent(context)
    return money(context, value, decimals) + _settings(context).get("money_unit", "万元")


@pass_context
def percent(context, rate, decimals: int | None = None) -> str:
    """``{{ figures.execution_rate|percent }}`` → ``93.43%``; a rate that does not apply → the placeholder."""
    if rate is None:
        return _absent(context)
    if decimals is None:
        decimals = _settings(context).get("percent_decimals", 2)
    return percent_text(rate, decimals)


def score_text(value, decimals: int = 2) -> str:
    """A score rounded half up to at most ``decimals`` places, without trailing zeros: 87, 90.01, 87.5.

    >>> score_text(Fraction(175, 2)), score_text(Decimal("90.005")), score_text(87)
    ('87.5', '90.01', '87')
    """
    if type(value) is Fraction and value.denominator == 1:   # a whole score, as most are
        return str(value.numerator)
    text = str(round_half_up(value, decimals))
    return text.rstrip("0").rstrip(".") if "." in text else text


@pass_context
def score(context, value, decimals: int = 2) -> str:
    """``{{ project.score|score }}`` → ``87.5``; no score → the placeholder."""
    return _absent(context) if value is None else score_text(value, decimals)


SIGNS = ("≥", "≤", "=")


@pass_context
def measure(context, value, unit: str | None = None, nature: str | None = None) -> str:
    """An indicator value as written in the data, with its unit: ``90`` + ``%`` → ``90%``; text as is.

    With ``nature`` ≥, ≤ or = (the 年度指标值 of the official 自评表), a number keeps its comparison sign:
    ``50`` + ``个`` + ``≥`` → ``≥50个``; a text value or a qualitative indicator has none.
    """
    if value is None or value == "":
        return _absent(context)
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return f"{nature if nature in SIGNS else ''}{value}{unit or ''}"
    return str(value)


@pass_environment
def groupspans(environment, rows, *keys) -> list[tuple[object, list[int]]]:
    """Rows with the rowspan of each grouped column, for tables with merged cells.

    ``{% for row, spans in rows|groupspans("level1", "level2") %}``: a group at
    level ``k`` is a run of consecutive rows whose first ``k + 1`` keys are equal;
    ``spans[k]`` is the group's row count on its first row and 0 on the others
    (where the template writes no cell). One pass, linear in rows × keys.

    >>> rows = [{"a": 1, "b": 1}, {"a": 1, "b": 1}, {"a": 1, "b": 2}, {"a": 2, "b": 2}]
    >>> [spans for _row, spans in groupspans(__import__("jinja2").Environment(), rows, "a", "b")]
    [[3, 2], [0, 0], [0, 1], [1, 1]]
    """
    out: list[tuple[object, list[int]]] = []
    starts = [0] * len(keys)   # the row where the current group of each level began
    previous = None
    for i, row in enumerate(rows):
        values = tuple(environment.getattr(row, key) for key in keys)
        changed = 0 if previous is None else next((k for k, (a, b) in enumerate(zip(values, previous)) if a != b), len(keys))
        spans = [0] * len(keys)
        for k in range(len(keys)):
            if k >= changed:
                starts[k] = i
                spans[k] = 1
            else:
                out[starts[k]][1][k] += 1
        out.append((row, spans))
        previous = values
    return out


FILTERS = {
    "score": score,
    "measure": measure,
    "money": money,
    "amount": amount,
    "percent": percent,
    "cn": chinese_numeral,
    "year_cn": year_in_characters,
    "date": date_text,
    "paragraphs": paragraphs,
    "groupspans": groupspans,
}

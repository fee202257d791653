"""Style profiles: how a report looks (page, fonts, sizes, spacing, numbering), as YAML data.

A profile is a mapping; a partial profile is laid over a complete one with
:func:`merge`, so a county names only what differs. :func:`read_profile`
checks every key and value of a profile file and locates each mistake.
"""
from __future__ import annotations

import copy
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml

from ..errors import DataError, Location, Problem, format_path
from ..i18n import _
from ..read.source import load_file

_PACKAGE = Path(__file__).parent.parent  # package data as files (importlib.resources adds 5 ms of start-up)

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Chinese type sizes (字号) in points.
HAO = {
    "初号": 42, "小初": 36, "一号": 26, "小一": 24, "二号": 22, "小二": 18,
    "三号": 16, "小三": 15, "四号": 14, "小四": 12, "五号": 10.5, "小五": 9,
    "六号": 7.5, "小六": 6.5, "七号": 5.5, "八号": 5,
}

# Paper sizes in mm (portrait).
PAPER = {"A3": (297, 420), "A4": (210, 297), "A5": (148, 210), "B5": (176, 250), "16K": (184, 260)}


def points(size) -> float:
    """A type size in points from ``"三号"``, ``"16pt"`` or ``16``.

    >>> points("小四"), points("10.5pt"), points(16)
    (12, 10.5, 16.0)
    """
    if isinstance(size, str):
        text = size.strip()
        if text in HAO:
            return HAO[text]
        if text.endswith("pt"):
            text = text[:-2]
        try:
            value = float(text)
        except ValueError:
            value = 0.0
    elif isinstance(size, (int, float, Decimal)) and not isinstance(size, bool):
        value = float(size)
    else:
        value = 0.0
    if not 1 <= value <= 200:
        raise ValueError(_("无法识别的字号“{size}”（应为 三号、小四 等或 16pt）").format(size=size))
    return value


def line_spacing(value) -> tuple[int, str]:
    """WordprocessingML ``(w:line, w:lineRule)`` for a line spacing: ``"28.95pt"`` is exact,
    a plain number (``1.5``, ``"1.5倍"``) a multiple of single spacing.

    >>> line_spacing("28.95pt"), line_spacing(1.5), line_spacing("2倍")
    ((579, 'exact'), (360, 'auto'), (480, 'auto'))
    """
    text = str(value).strip()
    exact = text.endswith("pt")
    text = text[:-2] if exact else text.removesuffix("倍")
    try:
        number = float(text)
    except ValueError:
        number = 0.0
    if isinstance(value, bool) or not (0 < number <= (200 if exact else 10)):
        raise ValueError(_("无法识别的行距“{value}”（应为固定值如 28.95pt，或倍数如 1.5）").format(value=value))
    return (twips_from_pt(number), "exact") if exact else (round(number * 240), "auto")


def twips_from_mm(mm) -> int:
    """Millimetres to twentieths of a point (Word's twips)."""
    return round(float(mm) * 1440 / 25.4)


def twips_from_pt(pt) -> int:
    return round(float(pt) * 20)


def paper_mm(page: dict) -> tuple[float, float]:
    """Width and height in mm, portrait: ``width_mm``/``height_mm`` when given, else the named ``size``."""
    if page.get("width_mm") is not None and page.get("height_mm") is not None:
        return float(page["width_mm"]), float(page["height_mm"])
    return PAPER[page.get("size", "A4")]


def merge(base: dict, over: dict) -> dict:
    """``over`` laid on ``base``: mappings merge key by key, lists of mappings item by item,
    anything else replaces.

    >>> merge({"a": {"x": 1, "y": 2}, "h": [{"s": 1}, {"s": 2}]}, {"a": {"y": 3}, "h": [{"s": 9}]})
    {'a': {'x': 1, 'y': 3}, 'h': [{'s': 9}, {'s': 2}]}
    """
    out = dict(base)
    for key, value in over.items():
        old = out.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            out[key] = merge(old, value)
        elif isinstance(value, list) and isinstance(old, list) and all(isinstance(v, dict) for v in value + old):
            out[key] = [merge(old[i], v) if i < len(old) else v for i, v in enumerate(value)] + old[len(value):]
        else:
            out[key] = value
    return out


@lru_cache(maxsize=8)
def _builtin(name: str) -> dict | None:
    """The built-in profile ``name`` as read, once per process (callers get copies)."""
    path = _PACKAGE.joinpath(f"styles/{name}.yml")
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) if path.is_file() else None


def builtin_names() -> list[str]:
    """The names of the built-in profiles (``gbt9704``, …)."""
    folder = _PACKAGE.joinpath("styles")
    return sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".yml"))


def builtin_profile(name: str = "gbt9704", where: Location | None = None) -> dict:
    """The built-in profile ``name``; an unknown name is a :class:`DataError` located at ``where``."""
    profile = _builtin(name) if name.replace("-", "").replace("_", "").isalnum() else None
    if profile is None:
        raise DataError(Problem("PR023", _("找不到样式配置“{name}”：格式文件夹中没有这个文件，也不是内置样式（{known}）").format(
            name=name, known="、".join(builtin_names())), where or Location()))
    return copy.deepcopy(profile)


def read_profile(path: str | Path) -> dict:
    """A style profile from a YAML file (partial profiles are allowed), every key checked."""
    source = load_file(path)
    problems = list(_check(source.data, KEYS, (), source))
    if problems:
        raise DataError(problems)
    return source.data


# --- the keys a profile may have ----------------------------------------------------------------

def _font(value) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(_("字体名称应为文字，如 仿宋_GB2312"))


def _number(value) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)) or value < 0:
        raise ValueError(_("应为不小于 0 的数字，实际为“{value}”").format(value=value))


def _optional_number(value) -> None:
    if value is not None:
        _number(value)


def _integer(value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise ValueError(_("应为 0 到 10 的整数，实际为“{value}”").format(value=value))


def _boolean(value) -> None:
    if not isinstance(value, bool):
        raise ValueError(_("应为 true 或 false，实际为“{value}”").format(value=value))


def _text(value) -> None:
    if not isinstance(value, str):
        raise ValueError(_("应为文字，实际为“{value}”").format(value=value))


def _choice(*allowed):
    def check(value) -> None:
        if value not in allowed:
            raise ValueError(_("应为 {allowed} 之一，实际为“{value}”").format(allowed="、".join(allowed), value=value))
    return check


def _pattern(*fields):
    """A text pattern with ``{field}`` placeholders, e.g. ``{cn}、`` or ``— {page} —``."""
    def check(value) -> None:
        _text(value)
        try:
            value.format(**{f: 1 for f in fields})
        except (KeyError, IndexError, ValueError):
            raise ValueError(_("格式“{value}”中只能使用 {fields}（花括号成对）").format(
                value=value, fields="、".join("{" + f + "}" for f in fields))) from None
        if fields == ("page",) and "{page}" not in value:
            raise ValueError(_("页码格式“{value}”中应有 {{page}}").format(value=value))
    return check


def _size(value) -> None:
    points(value)


def _spacing(value) -> None:
    line_spacing(value)


_ALIGN = _choice("left", "center", "right", "both", "justify")
_ELEMENT = {"east_asian": _font, "western": _font, "size": _size, "bold": _boolean,
            "line_spacing": _spacing, "first_line_indent_chars": _number, "align": _ALIGN}
_MM = _number
KEYS = {
    "page": {"size": _choice(*PAPER), "width_mm": _MM, "height_mm": _MM, "orientation": _choice("portrait", "landscape"),
             "margin_top_mm": _MM, "margin_bottom_mm": _MM, "margin_left_mm": _MM, "margin_right_mm": _MM,
             "header_mm": _MM, "footer_mm": _MM, "line_pitch_pt": _optional_number,
             "chars_per_line": _optional_number},
    "fonts": {"western": _font},
    "body": _ELEMENT,
    "title": {**_ELEMENT, "blank_lines_after": _integer},
    "headings": [{**_ELEMENT, "numbering": _pattern("n", "cn")}],
    "table": {**_ELEMENT, "placeholder": _text},
    "page_number": {"east_asian": _font, "western": _font, "size": _size, "bold": _boolean,
                    "pattern": _pattern("page"), "position": _choice("outside", "center"), "indent_chars": _number},
    "attachment": {"label": {"east_asian": _font, "western": _font, "size": _size, "bold": _boolean}},
    "signature": {"blank_lines_before": _integer, "date_right_chars": _number},
    "numbers": {"money_decimals": _integer, "percent_decimals": _integer},
}
HEADING_LEVELS = 4


def _check(value, spec, path: tuple, source):
    """Problems with ``value`` against ``spec`` (a mapping of keys, a one-item list, or a checking function)."""
    where = source.locate(path)
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            yield Problem("PR022", _("样式配置：此项应为“字段: 值”的映射"), where)
            return
        for key, item in value.items():
            if key not in spec:
                yield Problem("PR021", _("样式配置中没有“{key}”这一项；{parent}可用：{known}").format(
                    key=key, parent=_("{path} 中").format(path=format_path(path)) if path else "", known="、".join(spec)), source.locate((*path, key)))
            else:
                yield from _check(item, spec[key], (*path, key), source)
    elif isinstance(spec, list):
        if not isinstance(value, list) or not 1 <= len(value) <= HEADING_LEVELS:
            yield Problem("PR022", _("样式配置：此项应为 1 到 {n} 项的列表（每级标题一项）").format(n=HEADING_LEVELS), where)
            return
        for i, item in enumerate(value):
            yield from _check(item, spec[0], (*path, i), source)
    else:
        try:
            spec(value)
        except ValueError as exc:
            yield Problem("PR022", _("样式配置：{detail}").format(detail=exc), where)


def number_settings(profile: dict, unit_settings: dict | None) -> dict:
    """Decimals and money unit for one report: the unit file's settings over the profile's."""
    settings = {"money_unit": "万元", **profile.get("numbers", {})}
    for key, value in (unit_settings or {}).items():
        if value is not None:
            settings[key] = value
    return settings

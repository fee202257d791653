"""Style profiles: how a report looks (page, fonts, sizes, spacing, numbering), as YAML data.

A profile is a mapping; a partial profile is laid over a complete one with
:func:`merge`, so a county names only what differs.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from .errors import DataError, Location, Problem
from .i18n import _

# Chinese type sizes (字号) in points.
HAO = {
    "初号": 42, "小初": 36, "一号": 26, "小一": 24, "二号": 22, "小二": 18,
    "三号": 16, "小三": 15, "四号": 14, "小四": 12, "五号": 10.5, "小五": 9,
    "六号": 7.5, "小六": 6.5, "七号": 5.5, "八号": 5,
}


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
            return float(text)
        except ValueError:
            raise ValueError(_("无法识别的字号“{size}”（应为 三号、小四 等或 16pt）").format(size=size)) from None
    return float(size)


def twips_from_mm(mm) -> int:
    """Millimetres to twentieths of a point (Word's twips)."""
    return round(float(mm) * 1440 / 25.4)


def twips_from_pt(pt) -> int:
    return round(float(pt) * 20)


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
def builtin_profile(name: str = "gbt9704") -> dict:
    text = resources.files(__package__).joinpath(f"styles/{name}.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def read_profile(path: str | Path) -> dict:
    """A style profile from a YAML file (partial profiles are allowed)."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(Problem("PR020", _("无法读取样式配置：{detail}").format(detail=exc), Location(str(path)))) from None
    if not isinstance(data, dict):
        raise DataError(Problem("PR020", _("样式配置的最外层应为“字段: 值”的映射"), Location(str(path))))
    return data


def number_settings(profile: dict, unit_settings: dict | None) -> dict:
    """Decimals and money unit for one report: the unit file's settings over the profile's."""
    settings = {"money_unit": "万元", **profile.get("numbers", {})}
    for key, value in (unit_settings or {}).items():
        if value is not None:
            settings[key] = value
    return settings

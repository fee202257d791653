"""The unit schema and the words for it, in one place: readers, validation, the Excel layout, the starting
file and the generated docs all take the schema, its labels and its type names from here.

The schema itself is ``unit.yml`` beside this file (Cerberus rules, each key's Chinese label and example
in ``meta``).
"""
from __future__ import annotations

import datetime
import re
from functools import lru_cache
from pathlib import Path

from ..i18n import N_

_HERE = Path(__file__).parent  # package data as files (importlib.resources adds 5 ms of start-up)

# The types' names where a type is shown in Chinese: Excel hints and headers, the data reference.
TYPE_NAMES = {"decimal": "数字", "integer": "整数", "string": "文字", "date": "日期", "boolean": "是/否",
              "dict": "映射", "list": "列表"}

# The same types named in a message about a unit file, with how each is written there (translated).
TYPE_NAMES_WRITTEN = {
    "decimal": N_("数字"),
    "integer": N_("整数"),
    "string": N_("文字"),
    "dict": N_("“字段: 值”映射"),
    "list": N_("列表（每项以“- ”开头）"),
    "date": N_("日期（如 2024-03-05）"),
    "boolean": N_("是/否（true/false）"),
}

# A number as a clerk types it without unit or separators: sign, digits (half or full width), decimals.
PLAIN_NUMBER = re.compile(r"[-+]?[0-9０-９]+(\.[0-9０-９]+)?")


@lru_cache(maxsize=1)
def unit_schema() -> dict:
    """The unit schema (a Cerberus schema read from ``schema/unit.yml``), kept in the cache folder as JSON:
    reading the YAML takes 5-9 ms even with libyaml (45 ms without), the JSON 0.3 ms."""
    import yaml

    from .. import cache

    path = _HERE / "unit.yml"
    stat = path.stat()

    def read() -> dict:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))

    return cache.kept(cache.folder(), "schema", f"{path}\0{stat.st_mtime_ns}\0{stat.st_size}", read,
                      _schema_json, _schema_from_json)


def _schema_json(schema: dict) -> bytes:
    """The schema as JSON; its dates (examples) as ``{"$date": "2024-03-05"}``."""
    import json

    def value(v):
        if isinstance(v, datetime.date) and not isinstance(v, datetime.datetime):
            return {"$date": v.isoformat()}
        raise TypeError(f"{type(v).__name__} in the schema")

    return json.dumps(schema, ensure_ascii=False, default=value).encode("utf-8")


def _schema_from_json(data: bytes) -> dict:
    import json

    return json.loads(data, object_hook=lambda o: datetime.date.fromisoformat(o["$date"]) if list(o) == ["$date"] else o)


def field_label(path: tuple, schema=None) -> str:
    """The Chinese label of a data path, from the schema's meta (default: the unit schema)."""
    rules = {"schema": unit_schema() if schema is None else schema}
    label = ""
    for part in path:
        if isinstance(part, int):
            rules = rules.get("schema", {})
            continue
        rules = rules.get("schema", {}).get(part)
        if rules is None:
            return ""
        label = rules.get("meta", {}).get("label", label)
    return label


def known_keys(path: tuple, schema=None) -> list[str]:
    """The keys the schema allows in the mapping at ``path``."""
    rules = {"schema": unit_schema() if schema is None else schema}
    for part in path:
        rules = rules.get("schema", {})
        if not isinstance(part, int):
            rules = rules.get(part, {})
    return list(rules.get("schema", {}))


def kinds(rules: dict) -> list:
    """The schema types a value may have."""
    kind = rules.get("type", [])
    return kind if isinstance(kind, list) else [kind]


def shown(value) -> str:
    """A value as a hint shows it: 是/否 for true/false."""
    return ("是" if value else "否") if isinstance(value, bool) else str(value)


def kind_text(rules: dict) -> str:
    """The value's type in words: ``数字``, ``文字：万元 / 元``."""
    text = "或".join(TYPE_NAMES.get(k, k) for k in kinds(rules))
    if "allowed" in rules:
        text += "：" + " / ".join(shown(a) for a in rules["allowed"])
    return text

"""The data reference (docs/data.md) generated from the schema, so the two never drift apart.

    python -m perfreport.datadoc > docs/data.md
"""
from __future__ import annotations

import sys

from .schema import kind_text, unit_schema

HEADER = """# Data reference: the unit file

A unit file is YAML, UTF-8. This page is generated from the schema
(`perfreport/schema/unit.yml`) by `python -m perfreport.datadoc > docs/data.md`;
a test fails when the two differ.

- **Amounts** are plain numbers in the unit given by `settings.money_unit`
  (万元 unless it says 元): write `3336.96`, never `3336.96万元` or `"3,336.96"`.
  Numbers are read exactly from their text; rounding is 四舍五入 and happens
  only when the report is written.
- **Text** is one paragraph per line; use `|` for several lines.
  A part left out is written in the report as 「无。」 where the standard
  outline expects one.
- **Derived figures are never typed**: execution and arrival rates, totals and
  counts are computed. `[1]` in a path such as `projects[1].budget` is the first
  item of a list, matching the 序号 in the report.
- Unknown keys are errors (with the nearest known key suggested), so a typo
  cannot silently drop a figure.

| key | 中文 | type | required | example | notes |
|---|---|---|---|---|---|
"""


def _example(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        value = "; ".join(f"{k}: {v}" for k, v in value.items())
    return f"`{value}`"


def rows(schema: dict, prefix: str = ""):
    for key, rules in schema.items():
        path = f"{prefix}{key}"
        meta = rules.get("meta", {})
        note = meta.get("note", "")
        if "default" in rules:
            note = (note + "；" if note else "") + f"默认 {rules['default']}"
        yield (f"`{path}`", meta.get("label", ""), kind_text(rules), "是" if rules.get("required") else "",
               _example(meta.get("example")), note)
        if rules.get("type") == "dict" and "schema" in rules:
            yield from rows(rules["schema"], path + ".")
        items = rules.get("schema") if rules.get("type") == "list" else None
        if items and items.get("type") == "dict":
            yield from rows(items["schema"], path + "[].")


def markdown() -> str:
    lines = ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows(unit_schema())]
    return HEADER + "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown())

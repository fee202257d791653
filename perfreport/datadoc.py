"""The data reference generated from the schema, so the two never drift apart.

    python -m perfreport.datadoc > docs/data.md           # 中文
    python -m perfreport.datadoc en > docs/en/data.md     # English
"""
from __future__ import annotations

import sys

from .schema import kind_text, unit_schema

HEADER_EN = """English | [中文](../data.md)

# Data reference: the unit file

A unit file is YAML, UTF-8. This page is generated from the schema
(`perfreport/schema/unit.yml`) by `python -m perfreport.datadoc en > docs/en/data.md`;
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

HEADER_ZH = """[English](en/data.md) | 中文

# 数据说明：单位数据文件

单位数据文件是 YAML 格式，UTF-8 编码。本页由程序根据数据结构
（`perfreport/schema/unit.yml`）生成：`python -m perfreport.datadoc > docs/data.md`。
两者不一致时测试会失败，所以请不要手工修改本页。

- **金额**只写数字，单位是 `settings.money_unit` 所写的单位（默认万元，也可写元）。
  写 `3336.96`，不要写 `3336.96万元` 或 `"3,336.96"`。
  数字按所写的文字精确读取；四舍五入只在写出报告时进行。
- **文字**一行一段；要写几行时用 `|`。
  标准提纲要求有的部分如果没有填写，报告中写作「无。」。
- **算出来的数字不用填**：执行率、到位率、合计数和个数都由程序计算。
  路径中的 `[1]`（如 `projects[1].budget`）指清单的第 1 项，与报告中的序号一致。
- 写了不认识的字段名会报错，并提示最接近的字段名，
  因此字段名写错时数字不会悄悄丢掉。

| 字段 | 中文名称 | 类型 | 必填 | 示例 | 说明 |
|---|---|---|---|---|---|
"""
HEADERS = {"zh": HEADER_ZH, "en": HEADER_EN}


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


def markdown(language: str = "zh") -> str:
    """The page in Chinese (docs/data.md) or English (``"en"``, docs/en/data.md); the table is the same."""
    lines = ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows(unit_schema())]
    return HEADERS[language] + "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown(*sys.argv[1:2]))

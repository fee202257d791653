"""YAML written for people: the commented starting file of ``perfreport new``, and unit data written out.

The starting file is generated from the schema, so every key appears with its
Chinese label, note and example in a comment:

* a required key of a part that must be there is written with an empty value
  and a ``# * 标签……例：示例`` comment: the file loads, and until the clerk fills
  those in, checking it lists exactly them (located by line);
* every other key is written commented out (``# key: 示例``) under its parent,
  so deleting the ``# `` uses it; the examples are valid, so a file with every
  line uncommented passes the schema check;
* ``--kind project`` writes the same unit file with the project list and the
  绩效指标 switched on with one empty item each: a project report is a unit
  with one project.

:func:`dump` writes unit data as plain YAML in the order given (the schema's,
for data read from a workbook), numbers exactly as their Decimal text.
"""
from __future__ import annotations

from decimal import Decimal

import yaml

from ..schema import unit_schema

KINDS = ("department", "project")
# optional keys a clerk nearly always has, written out with a * to be filled in (their notes say when to
# delete them instead: a report that cites no notice, a budget that is not known)
_USUAL = (("notice",), ("funds", "budget"))
_FORCED = {"department": _USUAL, "project": _USUAL + (("projects",), ("goals",), ("goals", "indicators"))}
_COMMON = (
    "填写方法：带 * 的字段必须填写，在冒号后写上本单位的内容（“例”后面是示例）。",
    "以 # 开头的行是说明或可选字段；要用某个可选字段，删去行首的“# ”，再把示例改成本单位的内容。",
    "金额写纯数字，单位见 settings 的 money_unit（默认万元）；执行率、合计等由 perfreport 计算，不要填写。",
    "多段文字在冒号后写 | ，下一行起缩进书写，每行一段。",
    "填好后运行 perfreport render 本文件，生成报告；各字段的说明见 docs/data.md。",
)
_HEADERS = {
    "department": ("perfreport 单位数据文件：部门（单位）整体支出绩效自评。",) + _COMMON,
    "project": ("perfreport 单位数据文件：项目支出绩效自评（一个项目）。",
                "一个项目按单位报告的格式填写，unit 填项目实施单位，funds 填本项目的资金，"
                "projects 只列这一个项目，goals 的 indicators 填本项目的绩效指标。") + _COMMON,
}
_WIDTH = 10 ** 6  # never fold long lines
_STR = "tag:yaml.org,2002:str"


class _Dumper(yaml.SafeDumper):
    """Decimals as their exact text; text with line breaks as a literal block."""


def _represent_decimal(dumper, value: Decimal):
    text = str(value)
    if "E" in text or "." not in text:
        text = format(value, "f")
    return dumper.represent_scalar("tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int", text)


def _represent_str(dumper, value: str):
    return dumper.represent_scalar(_STR, value, style="|" if "\n" in value else None)


_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_representer(str, _represent_str)


def dump(data: dict, header: str = "") -> str:
    """``data`` as YAML text, keys in the order given, numbers exactly as their Decimal text.

    >>> print(dump({"funds": {"budget": Decimal("3000.00"), "spent": 2}, "other": "无。"}), end="")
    funds:
      budget: 3000.00
      spent: 2
    other: 无。
    """
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=_WIDTH,
                     default_flow_style=False)
    return "".join(f"# {line}\n" for line in header.splitlines()) + text


def scalar(value) -> str:
    """One value as it is written after ``key: ``, quoted only where YAML needs it.

    >>> scalar("%"), scalar(90), scalar("丰都县")
    ("'%'", '90', '丰都县')
    """
    text = yaml.dump(value, Dumper=_Dumper, allow_unicode=True, width=_WIDTH)
    return text[: -len("\n...\n")] if text.endswith("\n...\n") else text.rstrip("\n")


def starting_file(kind: str = "department", schema: dict | None = None) -> str:
    """The commented starting unit file for ``kind`` (``department`` or ``project``)."""
    schema = unit_schema() if schema is None else schema
    out = [(f"{line}", "", True, "") for line in _HEADERS[kind]]
    for key, rules in schema.items():
        out.append(None)
        out += _entries((key,), rules, "", True, _FORCED[kind])
    return "".join("\n" if e is None else _line(*e) for e in out)


def _line(body: str, indent: str, commented: bool, comment: str) -> str:
    text = indent + ("# " if commented else "") + body
    return (f"{text}  # {comment}" if comment and body else text) + "\n"


def _comment(rules: dict, example: bool, mark: bool = False) -> str:
    """``* 标签：说明（可选值：…，默认 …）。例：示例``; the * for a required key, or when ``mark``."""
    meta = rules.get("meta", {})
    text = ("* " if rules.get("required") or mark else "") + str(meta.get("label", ""))
    if meta.get("note"):
        text += "：" + str(meta["note"])
    extra = []
    if "allowed" in rules:
        extra.append("可选值：" + " / ".join(str(a) for a in rules["allowed"]))
    if "default" in rules and "默认" not in str(meta.get("note", "")):
        extra.append(f"默认 {rules['default']}")
    if extra:
        text += "（" + "，".join(extra) + "）"
    if example and meta.get("example") is not None:
        text += "。例：" + scalar(meta["example"])
    return text


def _entries(path: tuple, rules: dict, indent: str, active: bool, forced: tuple) -> list:
    """The lines for the key at ``path``: (body, indent, commented, comment)."""
    key = path[-1]
    kind = rules.get("type")
    on = active and (bool(rules.get("required")) or path in forced)
    example = rules.get("meta", {}).get("example")
    inner = indent + "  "
    if kind == "dict" and "schema" in rules:
        out = [(f"{key}:", indent, not on, _comment(rules, False))]
        for sub, sub_rules in rules["schema"].items():
            out += _entries(path + (sub,), sub_rules, inner, on, forced)
        return out
    if kind == "dict":  # a free mapping: its example's entries, commented
        out = [(f"{key}:", indent, not on, _comment(rules, False))]
        return out + [(f"{k}: {scalar(v)}", inner, True, "") for k, v in (example or {}).items()]
    if kind == "list":
        items = rules.get("schema", {})
        out = [(f"{key}:", indent, not on, _comment(rules, False))]
        if items.get("type") == "dict" and "schema" in items:
            fields = []
            for sub, sub_rules in items["schema"].items():
                fields += _entries(path + (sub,), sub_rules, inner + "  ", on, forced)
            return out + _as_item(fields, inner, on)
        item = items.get("meta", {}).get("example")
        if on:
            return out + [("-", inner, False, _comment(items, True))]
        return out + [(f"- {scalar(item)}" if item is not None else "-", inner, True, _comment(items, False))]
    if on:
        return [(f"{key}:", indent, False, _comment(rules, True, path in forced))]
    return [(f"{key}: {scalar(example)}" if example is not None else f"{key}:", indent, True, _comment(rules, False))]


def _as_item(fields: list, indent: str, on: bool) -> list:
    """Turn the lines of one item's fields into a list item: ``- `` before the first."""
    body, _indent, commented, comment = fields[0]
    if on and commented:
        return [("-", indent, False, "")] + fields
    return [("- " + body, indent, commented, comment)] + fields[1:]

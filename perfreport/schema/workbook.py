"""The workbook layout of a unit file, derived from the schema: which sheets, rows and columns a unit
workbook has. :mod:`perfreport.read.excel` reads workbooks in it, :mod:`perfreport.tools.excelwrite` writes
them and :mod:`perfreport.exceldoc` describes it in docs/excel.md.

The layout is computed from ``schema/unit.yml`` every time, so a key added to
the schema gets its row or column without a change here (docs/excel.md):

* a *fields* sheet (字段 | 中文名称 | 值 | 说明) holds the single values of one
  top-level mapping, one row per value, found by its 字段 (the full data path,
  e.g. ``funds.budget``); the top-level single values share 「基本信息」;
* a *table* sheet holds a list (one row per item, one column per key; the key
  is written in brackets in the header: 「项目名称 (name)」) or a free mapping
  such as 职能职责 (a 名称 column and a 内容 column). A list inside list items
  gets its own table with a column naming the parent item by its 序号.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..i18n import _
from . import kind_text, kinds, shown, unit_schema

GUIDE = "填写说明"
BASIC = "基本信息"
FIELD_HEADERS = ("字段", "中文名称", "值", "说明")
# Values offered in a drop-down (other values are still accepted), by key name or meta.suggestions.
SUGGESTIONS = {
    "level1": ["产出指标", "效益指标", "满意度指标"],
    "level2": ["数量指标", "质量指标", "时效指标", "成本指标", "经济效益指标", "社会效益指标", "生态效益指标",
               "可持续影响指标", "服务对象满意度指标"],
}


@dataclass
class Column:
    """One value a sheet holds: a row of a fields sheet, or a column of a table sheet."""

    id: str  # shown in the 字段 cell or in brackets in the header: "funds.budget", "name", "#key", "projects#"
    label: str
    rules: dict  # the schema rules of the value ({} for a parent reference)
    path: tuple = ()  # fields sheet: the full data path; table: the path inside the item
    role: str = "value"  # "value", "key" (of a free mapping), "parent" (the enclosing item, by name or 序号)
    refers: tuple = ()  # parent: the path inside the enclosing item of the name that identifies it (empty: by 序号)
    parent_sheet: str = ""  # parent: the sheet listing the enclosing items

    @property
    def required(self) -> bool:
        return bool(self.rules.get("required")) or self.role == "key"


@dataclass
class Sheet:
    """One worksheet of the layout: a fields sheet or a table sheet."""

    name: str
    kind: str  # "fields" or "table"
    path: tuple  # the data it holds; None stands for the index of each enclosing list item
    rules: dict
    columns: list = field(default_factory=list)

    @property
    def mapping(self) -> bool:
        """A table of a free mapping (名称 → 内容) rather than of a list."""
        return self.kind == "table" and self.rules.get("type") == "dict"


def _scalar(rules: dict) -> bool:
    return not {"dict", "list"} & set(kinds(rules))


def _label(rules: dict, fallback: str) -> str:
    return rules.get("meta", {}).get("label") or fallback


def dotted(path) -> str:
    return ".".join(str(p) for p in path if p is not None)


def layout(schema: dict | None = None) -> list[Sheet]:
    """The sheets of a unit workbook, in order, derived from ``schema`` (default: the unit schema)."""
    schema = unit_schema() if schema is None else schema
    basic = Sheet(BASIC, "fields", (), {"type": "dict", "schema": schema})
    sheets = [basic]
    for key, rules in schema.items():
        if _scalar(rules):
            basic.columns.append(Column(key, _label(rules, key), rules, (key,)))
        else:
            _place((key,), rules, "", [], sheets)
    return [s for s in sheets if s.columns]


def _sheet_name(label: str, owner: str, sheets: list) -> str:
    taken = {s.name for s in sheets} | {GUIDE}
    name = re.sub(r"[\[\]:*?/\\]", "", label)[:31]
    if name in taken and owner:
        name = re.sub(r"[\[\]:*?/\\]", "", f"{owner}-{label}")[:31]
    base, n = name, 2
    while name in taken:
        name, n = f"{base[:28]}{n}", n + 1
    return name


def _place(path: tuple, rules: dict, owner: str, parents: list, sheets: list) -> None:
    """Add the sheet(s) for the mapping or list at ``path`` (a template path) to ``sheets``."""
    label = _label(rules, dotted(path))
    if rules.get("type") == "dict" and "schema" in rules:
        sheet = Sheet(_sheet_name(label, owner, sheets), "fields", path, rules)
        sheets.append(sheet)
        nested = []
        _fields(path, rules["schema"], sheet, nested)
        for sub_path, sub_rules in nested:
            _place(sub_path, sub_rules, label, parents, sheets)
        return
    sheet = Sheet(_sheet_name(label, owner, sheets), "table", path, rules)
    sheets.append(sheet)
    for parent_path, parent_label, parent_sheet, name in parents:
        label_text = f"所属{name.label}" if name else parent_label + "序号"
        sheet.columns.append(Column(dotted(parent_path) + "#", label_text, {}, role="parent",
                                    refers=name.path if name else (), parent_sheet=parent_sheet))
    if rules.get("type") == "dict":  # a free mapping: 名称 -> 内容
        sheet.columns.append(Column("#key", _label(rules.get("keysrules", {}), "名称"),
                                    rules.get("keysrules", {"type": "string"}), role="key"))
        sheet.columns.append(Column("#value", _label(rules.get("valuesrules", {}), "内容"), rules.get("valuesrules", {})))
        return
    items = rules.get("schema", {})
    if items.get("type") == "dict" and "schema" in items:
        nested = []
        _item_columns((), items["schema"], "", sheet, nested)
        name = _name_column(sheet)
        for sub, sub_rules in nested:
            _place(path + (None,) + sub, sub_rules, label, parents + [(path, label, sheet.name, name)], sheets)
    else:
        sheet.columns.append(Column("#value", _label(items, label), items))


def _name_column(sheet: Sheet) -> Column | None:
    """The column naming each item of a table (its first required text column), by which child rows refer to it."""
    return next((c for c in sheet.columns if c.role == "value" and c.required and kinds(c.rules) == ["string"]), None)


def _fields(path: tuple, schema: dict, sheet: Sheet, nested: list) -> None:
    for key, rules in schema.items():
        if _scalar(rules):
            sheet.columns.append(Column(dotted(path + (key,)), _label(rules, key), rules, path + (key,)))
        elif rules.get("type") == "dict" and "schema" in rules:
            start = len(sheet.columns)
            _fields(path + (key,), rules["schema"], sheet, nested)
            for column in sheet.columns[start:]:  # a mapping's own values: its label in front (债券资金·中央)
                if len(column.path) == len(path) + 2:
                    column.label = _label(rules, key) + "·" + column.label
        else:
            nested.append((path + (key,), rules))


def _item_columns(sub: tuple, schema: dict, prefix: str, sheet: Sheet, nested: list) -> None:
    for key, rules in schema.items():
        label = prefix + _label(rules, key)
        if _scalar(rules):
            sheet.columns.append(Column(dotted(sub + (key,)), label, rules, sub + (key,)))
        elif rules.get("type") == "dict" and "schema" in rules:
            _item_columns(sub + (key,), rules["schema"], label + "·", sheet, nested)
        else:
            nested.append((sub + (key,), rules))


def header(column: Column) -> str:
    """A table header naming the column both ways: ``*项目名称 (name)``; ``*`` marks a required column."""
    return f"{label_header(column)} ({column.id})"


def label_header(column: Column) -> str:
    """The Chinese header a clerk sees: ``*项目名称``."""
    return ("*" if column.required else "") + column.label


def id_header(column: Column) -> str:
    """The key of a column as the workbook's hidden header row holds it: ``(name)``."""
    return f"({column.id})"


def choices(column: Column) -> tuple[list, bool]:
    """The values of the column's drop-down and whether they are the only ones allowed."""
    if "allowed" in column.rules:
        return [shown(a) for a in column.rules["allowed"]], True
    if kinds(column.rules) == ["boolean"]:
        return ["是", "否"], True
    key = column.path[-1] if column.path else ""
    return list(column.rules.get("meta", {}).get("suggestions") or SUGGESTIONS.get(key, [])), False


def hint(column: Column) -> str:
    """What to type, for a 说明 cell or a header comment: required, type, note, default, example."""
    if column.role == "parent" and column.refers:
        return _("本行所属的一项，按{label}从下拉列表选择（列出「{sheet}」表中已填的各项；也可填它在该表中的序号，从 1 起）；"
                 "该表只有一项时可不填").format(label=column.label[2:], sheet=column.parent_sheet)
    if column.role == "parent":
        return _("所属{label}在其表中的序号（第几行数据，从 1 起）；只有一项时可不填").format(label=column.label[:-2])
    meta = column.rules.get("meta", {})
    parts = [_("必填") if column.required else _("选填"), kind_text(column.rules)]
    if meta.get("note"):
        note = str(meta["note"])
        if "boolean" in kinds(column.rules):  # the workbook takes 是/否, the YAML file true/false
            note = re.sub(r"\b(true|false)\b", lambda m: "是" if m.group(1) == "true" else "否", note)
        parts.append(note)
    if "default" in column.rules:
        parts.append(_("默认 {value}").format(value=shown(column.rules["default"])))
    if choices(column)[0] and not choices(column)[1]:
        parts.append(_("可从下拉列表选择，也可填写其他"))
    example = meta.get("example")
    if isinstance(example, dict):
        example = "；".join(f"{k}：{v}" for k, v in example.items())
    if example is not None and column.role != "key":
        parts.append(_("例：{example}").format(example=shown(example)))
    return "。".join(parts)


# ---------------------------------------------------------------- reading

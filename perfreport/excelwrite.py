"""Write unit data (or nothing, for a starting workbook) as an Excel workbook in the layout of :mod:`perfreport.excel`.

Text is written as text (never a formula); decimals as numbers whose number
format shows their places, or as text beyond Excel's 15 digits; dates as
dates. Each fields sheet row and table header carries its hint, and values
from a list get a drop-down (docs/excel.md).
"""
from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from .excel import FIELD_HEADERS, GUIDE, Column, Sheet, choices, get_path, header, hint, kinds, layout
from .i18n import _
from .write import write_atomic

_VALIDATED_ROWS = 1000  # drop-downs cover this many rows below the header at least


def write_workbook(data: dict | None, path: str | Path, schema: dict | None = None) -> Path:
    """Write ``data`` (a unit's data; ``None`` or ``{}`` for an empty starting workbook) as a workbook, atomically."""
    return write_atomic(path, workbook(data or {}, schema).save)


def workbook(data: dict, schema: dict | None = None):
    """The unit workbook (an openpyxl ``Workbook``) holding ``data``."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    sheets = layout(schema)
    _guide(book.create_sheet(GUIDE), sheets)
    for sheet in sheets:
        ws = book.create_sheet(sheet.name)
        (_write_fields if sheet.kind == "fields" else _write_table)(ws, sheet, data)
    return book


_GUIDE_LINES = (
    "perfreport 单位数据工作簿：每个工作表是数据的一部分，填写后用 perfreport render 本文件 生成报告。",
    "带 * 的为必填。不需要的选填项留空即可；不要改动工作表名称、“字段”列和表头括号中的英文名。",
    "金额按“设置”中的金额单位（默认万元）填写纯数字，如 3336.96；执行率、合计等由 perfreport 计算，不要填写。",
    "按文本输入的纯数字（如 '3336.96）也按数字读取；公式取 Excel 保存的计算结果。",
    "表格类工作表每行一项，空行会被跳过；合并的单元格取左上角单元格的值。",
    "单元格中换行（Alt+Enter）即报告中的分段。",
    "各工作表：",
)


def _guide(ws, sheets: list) -> None:
    from openpyxl.styles import Alignment, Font

    for line in _GUIDE_LINES:
        ws.append([line])
    for sheet in sheets:
        what = "、".join(c.label for c in sheet.columns if c.role == "value")
        ws.append([f"「{sheet.name}」：{what}"])
    ws["A1"].font = Font(bold=True)
    ws.column_dimensions["A"].width = 110
    for row in ws.iter_rows():
        row[0].alignment = Alignment(wrap_text=True, vertical="top")


def _write_value(cell, value) -> None:
    """Put ``value`` in ``cell`` exactly: text stays text (never a formula), decimals keep their places."""
    from openpyxl.styles import Alignment

    if isinstance(value, Decimal):
        if len(value.as_tuple().digits) > 15:  # beyond Excel's precision: keep the exact text
            value = format(value, "f")
        else:
            exponent = value.as_tuple().exponent
            cell.value = float(value)
            if isinstance(exponent, int) and exponent < 0:
                cell.number_format = "0." + "0" * -exponent
            return
    if isinstance(value, datetime.date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
        return
    if isinstance(value, (bool, int)):
        cell.value = value
        return
    cell.value = str(value)
    cell.data_type = "s"
    if "\n" in cell.value or len(cell.value) > 40:
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _style_header(ws, row: int, count: int) -> None:
    from openpyxl.styles import Font, PatternFill

    for c in range(1, count + 1):
        ws.cell(row, c).font = Font(bold=True)
        ws.cell(row, c).fill = PatternFill("solid", fgColor="DDEBF7")
    ws.freeze_panes = ws.cell(row + 1, 1)


def _drop_down(ws, column: Column, cells: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    values, strict = choices(column)
    formula = '"' + ",".join(values) + '"'
    if not values or len(formula) > 255 or any("," in v or '"' in v for v in values):
        return
    rule = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=strict,
                          showInputMessage=True, promptTitle=column.label[:32], prompt=hint(column)[:255])
    if strict:
        rule.errorTitle = column.label[:32]
        rule.error = _("请从下拉列表中选择：{choices}").format(choices="、".join(values))[:255]
    ws.add_data_validation(rule)
    rule.add(cells)


def _write_fields(ws, sheet: Sheet, data: dict) -> None:
    from openpyxl.styles import Alignment

    ws.append(list(FIELD_HEADERS))
    _style_header(ws, 1, len(FIELD_HEADERS))
    for r, column in enumerate(sheet.columns, start=2):
        ws.cell(r, 1, column.id)
        ws.cell(r, 2, ("*" if column.required else "") + column.label)
        value = get_path(data, column.path)
        if value is not None:
            _write_value(ws.cell(r, 3), value)
        ws.cell(r, 4, hint(column)).alignment = Alignment(wrap_text=True, vertical="top")
        _drop_down(ws, column, f"C{r}")
    for letter, width in zip("ABCD", (26, 24, 60, 50)):
        ws.column_dimensions[letter].width = width


def _items(data, template: tuple, numbers: tuple = ()):
    """Each item of the list (or entry of the mapping) at ``template``: (its parents' 序号, key or None, value)."""
    if None in template:
        cut = template.index(None)
        for n, parent in enumerate(get_path(data, template[:cut]) or [], start=1):
            yield from _items(parent, template[cut + 1:], numbers + (n,))
        return
    found = get_path(data, template)
    if isinstance(found, dict):
        for key, value in found.items():
            yield numbers, key, value
    else:
        for value in found or []:
            yield numbers, None, value


def _write_table(ws, sheet: Sheet, data: dict) -> None:
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter

    for c, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(1, c, header(column))
        cell.comment = Comment(hint(column), "perfreport", width=320, height=160)
        scalar = set(kinds(column.rules)) & {"decimal", "integer", "date"} or column.role == "parent"
        ws.column_dimensions[get_column_letter(c)].width = 16 if scalar else 30
    _style_header(ws, 1, len(sheet.columns))
    r = 1
    for r, (numbers, key, item) in enumerate(_items(data, sheet.path), start=2):
        values = list(numbers)
        if sheet.mapping:
            values += [key, item]
        else:
            values += [get_path(item, column.path) for column in sheet.columns if column.role == "value"]
        for c, value in enumerate(values, start=1):
            if value is not None:
                _write_value(ws.cell(r, c), value)
    for c, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(c)
        _drop_down(ws, column, f"{letter}2:{letter}{max(r + 1, _VALIDATED_ROWS)}")

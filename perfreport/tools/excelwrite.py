"""Write unit data (or nothing, for a starting workbook) as an Excel workbook in the layout of :mod:`perfreport.read.excel`.

Text is written as text (never a formula); decimals as numbers whose number
format shows their places, or as text beyond Excel's 15 digits; dates as
dates. Each fields sheet row and table header carries its hint, and values
from a list get a drop-down (docs/excel.md).
"""
from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from ..read.excel import get_path
from ..schema.workbook import FIELD_HEADERS, GUIDE, Column, Sheet, choices, hint, id_header, label_header, layout
from ..i18n import _
from ..schema import kinds, shown
from ..write import write_atomic

_VALIDATED_ROWS = 1000  # drop-downs cover this many rows below the header at least
_BLANK_ROWS = 15  # rows of an empty table that print, to fill in by hand
_PORTRAIT_WIDTH = 100  # wider sheets (in Excel's character widths) print landscape
TABLE_HEAD = 2  # table sheets: row 1 the Chinese headers, row 2 (hidden) the keys; data from row 3


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
        (_write_fields if sheet.kind == "fields" else _write_table)(ws, sheet, data, sheets)
    return book


def print_setup(ws, head: int, last_row: int, blank_rows: int = _BLANK_ROWS, columns: int | None = None) -> None:
    """Print on A4, as wide as the page (landscape when wide), the header rows repeated on every page.

    The print area runs from A1 to ``last_row``, with at least ``blank_rows`` rows below the header to fill in by hand.
    ``columns`` is the number of columns, given for a write-only sheet (which has no ``max_column``)
    before its rows are written; the page setup is written after the rows, so this works in write-only mode too.
    """
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    columns = columns or ws.max_column
    widths = [ws.column_dimensions[get_column_letter(c)].width or 9 for c in range(1, columns + 1)
              if not ws.column_dimensions[get_column_letter(c)].hidden]
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if sum(widths) > _PORTRAIT_WIDTH else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0  # one page wide, as many tall as needed
    ws.print_options.gridLines = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.8
    ws.page_margins.header = ws.page_margins.footer = 0.3
    if head:
        ws.print_title_rows = f"1:{head}"
    ws.print_area = f"A1:{get_column_letter(columns)}{max(last_row, head + blank_rows)}"
    ws.oddHeader.center.text = "&A"  # the sheet's name
    ws.oddFooter.center.text = _("第 &P 页，共 &N 页")


_GUIDE_LINES = (
    "perfreport 单位数据工作簿：每个工作表是数据的一部分，填写后用 perfreport render 本文件 生成报告。",
    "带 * 的为必填。不需要的选填项留空即可；不要改动工作表名称。"
    "各表隐藏的英文键名（表格的第 2 行、字段表的 A 列）供读取使用，请勿删除。",
    "“是否”类的列填写 是 或 否。项目绩效指标等表的“所属项目名称”从下拉列表选择已在项目清单中填写的项目。",
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
    ws.column_dimensions["A"].width = 90
    for row in ws.iter_rows():
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    _fit_rows(ws, 1)
    print_setup(ws, 0, ws.max_row, blank_rows=0)
    ws.print_options.gridLines = False


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
    if isinstance(value, bool):  # as the clerk types it; read back as true/false
        cell.value = shown(value)
        return
    if isinstance(value, int):
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


def _parent_drop_down(ws, column: Column, cells: str, sheets: list) -> None:
    """A drop-down of the names filled in the parent's sheet; a 序号 typed instead is still accepted."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    parent = next(s for s in sheets if s.name == column.parent_sheet)
    c = next(i for i, col in enumerate(parent.columns, start=1) if col.role == "value" and col.path == column.refers)
    letter = get_column_letter(c)
    rule = DataValidation(type="list", formula1=f"'{parent.name}'!${letter}${TABLE_HEAD + 1}:${letter}${_VALIDATED_ROWS}",
                          allow_blank=True, showErrorMessage=False, showInputMessage=True,
                          promptTitle=column.label[:32], prompt=hint(column)[:255])
    ws.add_data_validation(rule)
    rule.add(cells)


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


def _write_fields(ws, sheet: Sheet, data: dict, sheets: list) -> None:
    from openpyxl.styles import Alignment

    ws.append(list(FIELD_HEADERS))
    _style_header(ws, 1, len(FIELD_HEADERS))
    r = 1
    for r, column in enumerate(sheet.columns, start=2):
        ws.cell(r, 1, column.id)
        ws.cell(r, 2, label_header(column))
        value = get_path(data, column.path)
        if value is not None:
            _write_value(ws.cell(r, 3), value)
        ws.cell(r, 4, hint(column)).alignment = Alignment(wrap_text=True, vertical="top")
        _drop_down(ws, column, f"C{r}")
    for letter, width in zip("ABCD", (26, 24, 50, 40)):
        ws.column_dimensions[letter].width = width
    ws.column_dimensions["A"].hidden = True  # the keys, for reading the sheet back: not for the clerk's eyes
    for row in ws.iter_rows(min_row=2, min_col=2, max_col=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    _fit_rows(ws, 2)
    print_setup(ws, 1, r, blank_rows=0)


def _fit_rows(ws, first: int) -> None:
    """Rows tall enough for their wrapped text: LibreOffice, unlike Excel, keeps the default height of a row on opening."""
    import math
    import unicodedata

    from openpyxl.utils import get_column_letter

    widths = {c: ws.column_dimensions[get_column_letter(c)].width or 9 for c in range(1, ws.max_column + 1)
              if not ws.column_dimensions[get_column_letter(c)].hidden}
    for r in range(first, ws.max_row + 1):
        if ws.row_dimensions[r].hidden:
            continue
        lines = 1
        for c, width in widths.items():
            value = ws.cell(r, c).value
            for line in str(value).split("\n") if isinstance(value, str) else ():
                shown_width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
                lines = max(lines, math.ceil(shown_width / max(width - 1, 1)))
        if lines > 1:
            ws.row_dimensions[r].height = 15 * lines


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


def _parent_names(data, sheet: Sheet, numbers: tuple) -> list:
    """Each enclosing item as the row names it: by its name where that is filled in and unique, else by its 序号."""
    values = []
    parents = [c for c in sheet.columns if c.role == "parent"]
    cuts = [i for i, part in enumerate(sheet.path) if part is None]
    for column, number, at in zip(parents, numbers, cuts):
        siblings = _siblings(data, sheet.path, at, numbers)
        name = get_path(siblings[number - 1], column.refers) if column.refers else None
        unique = isinstance(name, str) and [get_path(s, column.refers) for s in siblings].count(name) == 1
        values.append(name if unique else number)
    return values


def _siblings(data, template: tuple, at: int, numbers: tuple) -> list:
    """The list at ``template[:at]``, its own enclosing items chosen by ``numbers``."""
    here, n = data, 0
    for part in template[:at]:
        if part is None:
            here, n = here[numbers[n] - 1], n + 1
        else:
            here = get_path(here, (part,))
    return here or []


def _write_table(ws, sheet: Sheet, data: dict, sheets: list) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for c, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(1, c, label_header(column))
        cell.comment = Comment(hint(column), "perfreport", width=320, height=160)
        ws.cell(TABLE_HEAD, c, id_header(column)).font = Font(color="808080")
        scalar = set(kinds(column.rules)) & {"decimal", "integer", "date", "boolean"}
        ws.column_dimensions[get_column_letter(c)].width = 10 if scalar else 20 if column.role == "parent" else 18
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[TABLE_HEAD].hidden = True  # the keys, for reading the sheet back: not for the clerk's eyes
    _style_header(ws, 1, len(sheet.columns))
    ws.freeze_panes = ws.cell(TABLE_HEAD + 1, 1)
    r = TABLE_HEAD
    for r, (numbers, key, item) in enumerate(_items(data, sheet.path), start=TABLE_HEAD + 1):
        values = _parent_names(data, sheet, numbers)
        if sheet.mapping:
            values += [key, item]
        else:
            values += [get_path(item, column.path) for column in sheet.columns if column.role == "value"]
        for c, value in enumerate(values, start=1):
            if value is not None:
                _write_value(ws.cell(r, c), value)
    for c, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(c)
        cells = f"{letter}{TABLE_HEAD + 1}:{letter}{max(r + 1, _VALIDATED_ROWS)}"
        if column.refers:
            _parent_drop_down(ws, column, cells, sheets)
        else:
            _drop_down(ws, column, cells)
    _fit_rows(ws, 1)
    print_setup(ws, TABLE_HEAD, r)

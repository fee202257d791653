"""Excel workbooks as unit files: a workbook in the layout of :mod:`perfreport.schema.workbook` read into a
:class:`Source` whose positions are sheet and cell (docs/excel.md).

Reading is forgiving about what Excel does to data, strict about structure:
numbers typed as text are numbers where the schema wants a number; Excel's
floats become the shortest decimal that reads back as the same float (at most
15 significant digits, Excel's own precision), padded with the zeros the
cell's number format shows; merged cells take the value of their top-left
cell; blank rows are skipped; a formula gives its cached value, and one
without (never calculated) is an error. Unknown sheets are ignored with a
warning; unknown 字段 or columns with data are errors.
"""
from __future__ import annotations

import datetime
import difflib
import math
import re
import zipfile
from decimal import Decimal
from pathlib import Path

from . import package
from ..errors import DataError, Location, Problem
from ..i18n import _
from ..schema import PLAIN_NUMBER, kinds, unit_schema
from ..schema.workbook import BASIC, FIELD_HEADERS, GUIDE, Sheet, dotted, header, layout
from .source import Source

_HEADER_ID = re.compile(r"[(（]\s*([^()（）]+?)\s*[)）]\s*$")
_FIXED_DECIMALS = re.compile(r"[#,0]*0\.(0+)")
_PERCENT = re.compile(r"[#,0]*0(?:\.(0*))?%")
_FORMAT_LITERAL = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')  # quoted text, escaped characters, [colour]/[condition]
_BOOLEANS = {"是": True, "否": False, "true": True, "false": False}
_HEADER_SEARCH = 20  # header rows are looked for in the first rows only
MAX_CELL_TEXT = 32_767  # characters in one cell: Excel's own limit
MAX_GRID = 5_000_000  # rows × columns of a sheet's range: 50,000 projects × 100 columns (docs/errors.md)


class WorkbookSource(Source):
    """A :class:`Source` read from a workbook: positions are ``(sheet, cell)`` instead of line and column."""

    def locate(self, path: tuple = ()) -> Location:
        path = tuple(path)
        for end in range(len(path), -1, -1):
            pos = self.positions.get(path[:end])
            if pos:
                return Location(self.file, path=path, sheet=pos[0], cell=pos[1])
        return Location(self.file, path=path)


class _Uncached:
    """A formula cell saved without its calculated value."""


class _CellError(str):
    """A cell holding an Excel error value such as ``#DIV/0!``."""


_ABSENT = object()


def read_workbook(path: str | Path, schema: dict | None = None) -> WorkbookSource:
    """Read the unit workbook at ``path``; raise :class:`DataError` listing every problem, located by sheet and cell."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    name = str(path)
    p = Path(path)
    if not p.is_file():
        reason = _("这是一个文件夹，不是工作簿") if p.is_dir() else _("文件不存在")
        raise DataError(Problem("PR601", reason, Location(name)))
    try:
        package.check(p, cells=True)
        values = openpyxl.load_workbook(p, data_only=True)
        formulas = openpyxl.load_workbook(p, data_only=False)
    except package.Refused as exc:
        raise DataError(Problem("PR616", exc.message, Location(name))) from None
    except OSError as exc:
        raise DataError(Problem("PR601", _("无法读取文件：{reason}").format(reason=exc.strerror or exc), Location(name))) from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise DataError(Problem("PR602", _("不是有效的 .xlsx 工作簿（{detail}）。旧的 .xls 文件请在 Excel/WPS 中“另存为” .xlsx").format(
            detail=type(exc).__name__), Location(name))) from None
    return _Reader(name, values, formulas, unit_schema() if schema is None else schema).read()


class _Grid:
    """A worksheet's values: formulas by their cached value, merged ranges filled from their top-left cell."""

    def __init__(self, values_ws, formulas_ws):
        self.name = values_ws.title
        self.cells: dict = {}
        self.formats: dict = {}
        # The cells the file holds (iter_rows() would make every cell of the bounding box: one cell at
        # XFD1048576 would make 17 billion).
        for cell in _stored(values_ws):
            if cell.data_type == "e":
                self.cells[(cell.row, cell.column)] = _CellError(cell.value)
            elif cell.value is not None:
                self.cells[(cell.row, cell.column)] = cell.value
                self.formats[(cell.row, cell.column)] = cell.number_format
        for cell in _stored(formulas_ws):
            if cell.data_type == "f" and (cell.row, cell.column) not in self.cells:
                self.cells[(cell.row, cell.column)] = _Uncached()
        self.max_row = max((r for r, _c in self.cells), default=0)
        self.max_col = max((c for _r, c in self.cells), default=0)
        self.origin: dict = {}  # (row, col) of a merged cell -> its range's top-left
        if self.max_row * self.max_col > MAX_GRID:
            return  # refused by the reader
        for merged in values_ws.merged_cells.ranges:  # only the part where cells are read
            for r in range(merged.min_row, min(merged.max_row, self.max_row) + 1):
                for c in range(merged.min_col, min(merged.max_col, self.max_col) + 1):
                    if (r, c) != (merged.min_row, merged.min_col):
                        self.origin[(r, c)] = (merged.min_row, merged.min_col)

    def farthest(self) -> str:
        """The cell furthest down, then right: where the range ends."""
        return coordinate(*max(self.cells, key=lambda rc: (rc[0], rc[1]))) if self.cells else "A1"

    def raw(self, r: int, c: int):
        """The cell's own value: a merged cell other than the top-left is empty."""
        return None if (r, c) in self.origin else self.cells.get((r, c))

    def get(self, r: int, c: int, below: int = 0):
        """The value shown at (r, c); merged ranges starting at or above row ``below`` do not fill down."""
        at = self.origin.get((r, c), (r, c))
        if at[0] <= below < r:
            return None
        return self.cells.get(at)

    def format(self, r: int, c: int) -> str:
        return self.formats.get(self.origin.get((r, c), (r, c)), "General")

    def text(self, r: int, c: int) -> str:
        value = self.raw(r, c)
        return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def _stored(ws):
    """The cells stored in worksheet ``ws`` (merged cells other than the top-left hold no value)."""
    return list(ws._cells.values())  # openpyxl has no public way to list only these


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not isinstance(value, _CellError) and not value.strip())


def coordinate(r: int, c: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(c)}{r}"


class _Reader:
    def __init__(self, file: str, values, formulas, schema: dict):
        self.file, self.schema = file, schema
        self.values, self.formulas = values, formulas
        self.source = WorkbookSource({}, file)
        self.problems: list[Problem] = []
        self.data: dict = {}

    def where(self, sheet: str, cell: str | None = None, path: tuple = ()) -> Location:
        return Location(self.file, path=path, sheet=sheet, cell=cell)

    def read(self) -> WorkbookSource:
        sheets = layout(self.schema)
        known = {s.name for s in sheets}
        titles = self.values.sheetnames
        if not known & set(titles):
            raise DataError(Problem("PR603", _("工作簿中没有 perfreport 的工作表（如“{name}”）。请用 perfreport new unit.xlsx 生成的工作簿填写").format(
                name=BASIC), Location(self.file)))
        found = {title: title for title in titles if title in known}
        renamed = set()  # expected sheets present under another name: their child tables are not read either
        for title in titles:
            if title in known or title == GUIDE:
                continue
            expected = _expected_sheet(title, [s.name for s in sheets if s.name not in titles and s.name not in found])
            if expected and re.sub(r"\s", "", title) == expected:
                found[expected] = title
                self.source.warnings.append(Problem("PR618", _("工作表名“{title}”中有多余的空格，已按“{name}”读取；请改名为“{name}”").format(
                    title=title, name=expected), self.where(title), "warning"))
            elif expected:
                renamed.add(expected)
                self.problems.append(Problem("PR618", _("工作表“{title}”应名为“{name}”：perfreport 按名称查找工作表，请改回“{name}”").format(
                    title=title, name=expected), self.where(title)))
            else:
                self.source.warnings.append(Problem("PR604", _("工作表“{name}”不是 perfreport 的工作表，已忽略").format(name=title),
                                                    self.where(title), "warning"))
        for sheet in sheets:
            if sheet.name in found and not any(c.parent_sheet in renamed for c in sheet.columns):
                title = found[sheet.name]
                grid = _Grid(self.values[title], self.formulas[title])
                if grid.max_row * grid.max_col > MAX_GRID:  # the reading would visit every cell of the range
                    self.problems.append(Problem("PR617", _("工作表的数据范围过大（到 {cell} 为止，共 {rows} 行 {columns} 列，上限 {limit} 个单元格）；"
                                                            "请删除远处多余的单元格").format(
                        cell=coordinate(grid.max_row, grid.max_col), rows=grid.max_row, columns=grid.max_col, limit=MAX_GRID),
                        self.where(grid.name, grid.farthest())))
                    continue
                (self.read_fields if sheet.kind == "fields" else self.read_table)(sheet, grid)
        if self.problems:
            raise DataError(self.source.warnings + self.problems)
        self.source.data = ordered(self.data, {"type": "dict", "schema": self.schema})
        return self.source

    # -- cells to values

    def value(self, raw, rules: dict, fmt: str, sheet: str, cell: str, path: tuple):
        """A cell's value as data, or ``_ABSENT``; problems with the cell itself are recorded here."""
        if isinstance(raw, _Uncached):
            self.problems.append(Problem("PR610", _("单元格是公式，但文件中没有保存计算结果。请在 Excel/WPS 中打开后保存一次，或改为直接填写数值"),
                                         self.where(sheet, cell, path)))
            return _ABSENT
        if isinstance(raw, _CellError):
            self.problems.append(Problem("PR611", _("单元格的值是错误 {error}，请改正公式或直接填写数值").format(error=raw),
                                         self.where(sheet, cell, path)))
            return _ABSENT
        if isinstance(raw, str) and len(raw) > MAX_CELL_TEXT:  # more than Excel can hold: made by hand
            self.problems.append(Problem("PR619", _("单元格中的文字过长（{size} 个字符，Excel 的上限是 {limit} 个）").format(
                size=len(raw), limit=MAX_CELL_TEXT), self.where(sheet, cell, path)))
            return _ABSENT
        if isinstance(raw, float) and not math.isfinite(raw):  # <v>1e+1000000</v> or <v>nan</v> written by hand
            self.problems.append(Problem("PR615", _("单元格中的数字“{value}”无效（过大或不是数字），请改为正确的数值").format(value=raw),
                                         self.where(sheet, cell, path)))
            return _ABSENT
        return convert(raw, rules, fmt)

    # -- fields sheets

    def read_fields(self, sheet: Sheet, grid: _Grid) -> None:
        found = self.find_fields_header(grid)
        if found is None:
            self.problems.append(Problem("PR605", _("找不到表头：应有一行写着“字段”和“值”"), self.where(grid.name, path=sheet.path)))
            return
        head, key_col, value_col = found
        if sheet.path:
            self.source.positions[sheet.path] = (grid.name, None)
            if sheet.rules.get("required"):  # so that a missing value is named, not the whole part
                _container(self.data, sheet.path, dict)
        columns = {c.id: c for c in sheet.columns}
        seen: dict = {}
        for r in range(head + 1, grid.max_row + 1):
            key, raw = grid.text(r, key_col), grid.get(r, value_col, head)
            here = coordinate(r, value_col)
            if not key:
                if not _blank(raw):
                    self.problems.append(Problem("PR606", _("这一行填了值，但“字段”是空的"), self.where(grid.name, here)))
                continue
            column = columns.get(key)
            if column is None:
                close = difflib.get_close_matches(key, list(columns), n=1, cutoff=0.6)
                message = (_("未知字段 {field}，是否为 {suggestion}？").format(field=key, suggestion=close[0]) if close
                           else _("未知字段 {field}").format(field=key))
                self.problems.append(Problem("PR607", message, self.where(grid.name, coordinate(r, key_col))))
                continue
            if key in seen:
                self.problems.append(Problem("PR608", _("字段 {key} 重复出现（第一次在第 {row} 行）").format(key=key, row=seen[key]),
                                             self.where(grid.name, coordinate(r, key_col), column.path)))
                continue
            seen[key] = r
            self.source.positions[column.path] = (grid.name, here)
            value = self.value(raw, column.rules, grid.format(r, value_col), grid.name, here, column.path)
            if value is not _ABSENT:
                _container(self.data, column.path[:-1], dict)[column.path[-1]] = value

    @staticmethod
    def find_fields_header(grid: _Grid):
        for r in range(1, min(grid.max_row, _HEADER_SEARCH) + 1):
            texts = {grid.text(r, c): c for c in range(grid.max_col, 0, -1)}
            if FIELD_HEADERS[0] in texts and FIELD_HEADERS[2] in texts:
                return r, texts[FIELD_HEADERS[0]], texts[FIELD_HEADERS[2]]
        return None

    # -- table sheets

    def read_table(self, sheet: Sheet, grid: _Grid) -> None:
        found = self.find_table_header(sheet, grid)
        if found is None:
            self.problems.append(Problem("PR605", _("找不到表头：应有一行列名，如“{header}”").format(header=header(sheet.columns[-1])),
                                         self.where(grid.name, path=sheet.path)))
            return
        last, at = found
        rows = [r for r in range(last + 1, grid.max_row + 1)
                if not all(_blank(grid.get(r, c, last)) for c, col in at.items() if col.role != "parent")]
        for r in rows:
            self.read_row(sheet, grid, r, last, at)

    def find_table_header(self, sheet: Sheet, grid: _Grid):
        """The last header row and {column index: Column}, or None when the sheet has no header (PR605).

        The header is looked for in the first ``_HEADER_SEARCH`` rows, top down, so that a title or a note
        may stand above it:

        * a cell names a column of this sheet by its key in brackets at the end (「项目名称 (name)」,
          ``_HEADER_ID``) or by its Chinese label alone (「项目名称」); a leading ``*`` (required) is ignored;
        * a row is a *header row* when it names at least one column and either names one by its key or has
          no other text (a row of labels mixed with other text is a title or a note, not a header);
        * consecutive header rows form the header (a row of labels above a row of keys, as perfreport
          writes it); it ends at the first row after it that is not a header row, and data starts below
          its last row. A column named again in a later header row keeps the later name;
        * other texts in the header rows, or in any row above the first, are unknown columns: an error
          (PR609) only when the column holds data below the header. When a row of labels stands just above
          a row of keys, a text in it that is no label is unknown even where the key below names a column
          (a header typed over must not be silently replaced by the key);
        * one column named in two places is an error (PR614).
        """
        by_id = {c.id: c for c in sheet.columns}
        by_label = {c.label: c for c in sheet.columns}
        at: dict = {}
        unknown: dict = {}
        labelled: dict = {}  # unknown texts in a row of Chinese headers, just above the hidden row of keys
        first = last = None
        for r in range(1, min(grid.max_row, _HEADER_SEARCH) + 1):
            named, ids, texts = {}, False, {}
            for c in range(1, grid.max_col + 1):
                text = grid.text(r, c).lstrip("*").strip()
                match = _HEADER_ID.search(text)
                column = by_id.get(match.group(1)) if match else None
                ids = ids or column is not None
                column = column or by_label.get(text)
                if column is not None:
                    named[c] = column
                elif text:
                    texts[c] = (r, text)
            header_row = bool(named) and (ids or not texts)
            if header_row and ids and r > 1 and labelled.get("row") == r - 1:
                for c, found in labelled["texts"].items():  # a header typed over: the hidden key must not win silently
                    unknown[c] = found
                    named.pop(c, None)
            labelled = {"row": r, "texts": texts} if named and not ids and texts else {}
            if header_row or first is None:
                for c, found in texts.items():
                    unknown.setdefault(c, found)
            if header_row:
                first = first or r
                last = r
                for c, column in named.items():
                    if column in at.values() and at.get(c) is not column:
                        self.problems.append(Problem("PR614", _("列“{header}”出现了两次").format(header=header(column)),
                                                     self.where(grid.name, coordinate(r, c))))
                    at[c] = column
            elif first is not None:
                break
        if last is None:
            return None
        for c, (r, text) in unknown.items():
            if c not in at and any(not _blank(grid.get(row, c, last)) for row in range(last + 1, grid.max_row + 1)):
                self.problems.append(Problem("PR609", _("未知的列“{text}”：列名应为本表的列之一，如“{header}”").format(
                    text=text, header=header(sheet.columns[-1])), self.where(grid.name, coordinate(r, c))))
        return last, at

    def read_row(self, sheet: Sheet, grid: _Grid, r: int, last: int, at: dict) -> None:
        cells = {col.id: (c, grid.get(r, c, last)) for c, col in at.items()}
        list_path = self.parent_path(sheet, grid, r, cells)
        if list_path is None:
            return
        kind = dict if sheet.mapping else list
        container = _container(self.data, list_path, kind)
        self.source.positions.setdefault(list_path, (grid.name, None))
        first = min(c for c, col in at.items() if col.role != "parent")
        if sheet.mapping:
            key_col, key = cells.get("#key", (first, None))
            key = "" if _blank(key) else str(key).strip()
            if not key or key in container:
                message = _("这一行没有填写{label}") if not key else _("{label}“{key}”重复出现")
                label = next(c.label for c in sheet.columns if c.role == "key")
                self.problems.append(Problem("PR613", message.format(label=label, key=key),
                                             self.where(grid.name, coordinate(r, key_col), list_path)))
                return
            item_path = list_path + (key,)
            container[key] = None
        else:
            item_path = list_path + (len(container),)
            container.append({} if any(col.path for col in sheet.columns) else None)
        self.source.positions[item_path] = (grid.name, coordinate(r, first))
        for column in sheet.columns:
            if column.role != "value":
                continue
            c, raw = cells.get(column.id, (None, None))
            path = item_path + column.path
            if c is None:
                continue
            here = coordinate(r, c)
            self.source.positions[path] = (grid.name, here)
            value = self.value(raw, column.rules, grid.format(r, c), grid.name, here, path)
            if value is _ABSENT:
                continue
            if column.path:
                _container(self.data, path[:-1], dict)[path[-1]] = value
            else:
                container[item_path[-1]] = value

    def parent_path(self, sheet: Sheet, grid: _Grid, r: int, cells: dict) -> tuple | None:
        """The data path of the list (or mapping) this row belongs to, its parents named by their 序号."""
        path: tuple = ()
        for i, part in enumerate(sheet.path):
            if part is not None:
                path += (part,)
                continue
            parents = get_path(self.data, path) or []
            column = next(c for c in sheet.columns if c.role == "parent" and c.id == dotted(sheet.path[:i]) + "#")
            c, raw = cells.get(column.id, (None, None))
            named = [n for n, parent in enumerate(parents, start=1)
                     if column.refers and not _blank(raw) and str(get_path(parent, column.refers)).strip() == str(raw).strip()]
            if len(named) > 1:
                self.problems.append(Problem("PR612", _("「{sheet}」中有 {count} 项名为“{name}”，请改填序号（第几项，从 1 起）").format(
                    sheet=column.parent_sheet, count=len(named), name=str(raw).strip()), self.where(grid.name, coordinate(r, c or 1), path)))
                return None
            number = named[0] if named else 1 if _blank(raw) and len(parents) == 1 else _whole(raw)
            if number is None and column.refers and not _blank(raw):
                self.problems.append(Problem("PR612", _("「{sheet}」中没有{label}为“{name}”的一项；请从下拉列表选择").format(
                    sheet=column.parent_sheet, label=column.label[2:], name=str(raw).strip()),
                    self.where(grid.name, coordinate(r, c or 1), path)))
                return None
            if number is None or not 1 <= number <= len(parents):
                self.problems.append(Problem("PR612", _("{label}应为 1 到 {count} 之间的整数（所属的第几项），实际为“{actual}”").format(
                    label=column.label, count=len(parents), actual="" if raw is None else raw),
                    self.where(grid.name, coordinate(r, c or 1), path)))
                return None
            path += (number - 1,)
        return path


def _expected_sheet(title: str, missing: list) -> str | None:
    """The missing sheet that ``title`` most likely is: the same name but for spaces, a close name, or one inside it."""
    bare = re.sub(r"\s", "", title)
    if bare in missing:
        return bare
    close = difflib.get_close_matches(bare, missing, n=1, cutoff=0.6)
    if close:
        return close[0]
    inside = [name for name in missing if name in bare or (len(bare) >= 2 and bare in name)]
    return inside[0] if len(inside) == 1 else None


def _whole(value) -> int | None:
    if isinstance(value, str) and PLAIN_NUMBER.fullmatch(value.strip()):
        value = _number(value.strip())
    if isinstance(value, float):
        value = _decimal(value)
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool) and value == int(value):
        return int(value)
    return None


def _container(data: dict, path: tuple, kind: type):
    """The mapping or list at ``path`` in ``data``, created (as ``kind``) with its missing mappings."""
    here = data
    for i, part in enumerate(path):
        last = i == len(path) - 1
        if isinstance(here, list):
            here = here[part]
            continue
        if here.get(part) is None:
            here[part] = kind() if last else ({} if not isinstance(path[i + 1], int) else [])
        here = here[part]
    return here


def get_path(data, path: tuple):
    """The value at ``path`` in ``data``, or ``None``."""
    for part in path:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _number(text: str):
    """A plain number's text as int (no point) or exact Decimal."""
    return int(text) if "." not in text else Decimal(text)


def _decimal(number: float) -> Decimal:
    """An Excel float as the shortest decimal that reads back as it, at most 15 significant digits."""
    value = Decimal(repr(number))
    if len(value.as_tuple().digits) > 15:
        value = Decimal(format(number, ".15g"))
    return value


def convert(raw, rules: dict, number_format: str = "General"):
    """A cell value as the data the schema wants, or ``_ABSENT`` for an empty cell.

    Text that is a plain number becomes a number where the schema wants only a
    number; an ISO date text becomes a date; numbers become text where the
    schema wants only text. Anything else is passed on for the schema check
    to report.

    >>> convert("3336.96", {"type": "decimal"}), convert(" 2023 ", {"type": "integer"})
    (Decimal('3336.96'), 2023)
    >>> convert(0.1 + 0.2, {"type": "decimal"}), convert(3000, {"type": "decimal"}, "0.00")
    (Decimal('0.3'), Decimal('3000.00'))
    >>> convert("90", {"type": ["decimal", "string"]}), convert(15, {"type": "string"})
    ('90', '15')
    >>> convert(0.96, {"type": "decimal"}, "0%"), convert(0.9345, {"type": "decimal"}, "0.00%")
    (Decimal('96'), Decimal('93.45'))
    """
    types = set(kinds(rules))
    numeric = bool(types & {"decimal", "integer"})
    if _blank(raw):
        return _ABSENT
    if isinstance(raw, str):
        text = raw.strip()
        if "string" not in types:
            if numeric and PLAIN_NUMBER.fullmatch(text):
                return _number(text)
            if "date" in types:
                try:
                    return datetime.date.fromisoformat(text)
                except ValueError:
                    pass
            if "boolean" in types and text.lower() in _BOOLEANS:
                return _BOOLEANS[text.lower()]
        return raw
    if isinstance(raw, datetime.datetime) and raw.time() == datetime.time(0):
        raw = raw.date()
    if isinstance(raw, datetime.date) and not isinstance(raw, datetime.datetime):
        return raw.isoformat() if "date" not in types and "string" in types else raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        number = _decimal(raw) if isinstance(raw, float) else raw
        shown = _FORMAT_LITERAL.sub("", (number_format or "").split(";")[0])
        match = _FIXED_DECIMALS.fullmatch(number_format or "")
        if "%" in shown:  # a percent cell: Excel stores 96% as 0.96, the data means 96
            number = Decimal(number).scaleb(2)
            match = _PERCENT.fullmatch(shown)
            if number == number.to_integral_value():
                number = number.quantize(Decimal(1))  # 0.5 → 50, not 5E+1
        if "decimal" in types and match and match.group(1):
            places = Decimal(1).scaleb(-len(match.group(1)))
            if Decimal(number).as_tuple().exponent > places.as_tuple().exponent:
                number = Decimal(number).quantize(places)
        if isinstance(number, Decimal) and number == number.to_integral_value() and "decimal" not in types and "integer" in types:
            number = int(number)
        if "string" in types and not numeric:
            return format(number, "f") if isinstance(number, Decimal) else str(number)
        return number
    return raw


def ordered(data, rules: dict):
    """``data`` with every mapping's keys in schema order (unknown keys last, as they came)."""
    if isinstance(data, dict):
        schema = rules.get("schema") if rules.get("type") == "dict" else None
        if schema is not None:
            keys = [k for k in schema if k in data] + [k for k in data if k not in schema]
            return {k: ordered(data[k], schema.get(k, {})) for k in keys}
        return {k: ordered(v, rules.get("valuesrules", {})) for k, v in data.items()}
    if isinstance(data, list):
        return [ordered(item, rules.get("schema", {})) for item in data]
    return data

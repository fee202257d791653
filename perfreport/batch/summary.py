"""The batch summary workbook (.xlsx): one sheet of units, one of projects, numbers as numbers.

A bureau sorts and filters it in Excel or WPS: the header row is frozen, every
sheet has an auto-filter, amounts are shown with two decimals (0.00) and rates
as percentages (0.00%), while the cells hold the numbers themselves.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ..write import write_atomic

AMOUNT, RATE = "0.00", "0.00%"
# The workbook's keywords (document properties, kept when Excel or WPS saves it again): a batch over a
# folder holding the summary knows it is not a unit file.
MARK = "perfreport-batch-summary"
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

# (heading, key, number format, column width)
UNIT_COLUMNS = [
    ("单位名称", "name", None, 28), ("年度", "year", "0", 8), ("预算数（万元）", "budget", AMOUNT, 14),
    ("执行数（万元）", "spent", AMOUNT, 14), ("预算执行率", "execution_rate", RATE, 12), ("项目数", "projects", "0", 8),
    ("自评得分", "score", AMOUNT, 10), ("自评等级", "grade", None, 10), ("警告数", "warnings", "0", 8),
    ("错误数", "errors", "0", 8), ("输出文件", "output", None, 40), ("数据文件", "file", None, 40),
    ("问题", "messages", None, 60),
]
PROJECT_COLUMNS = [
    ("单位名称", "unit", None, 28), ("年度", "year", "0", 8), ("序号", "index", "0", 6), ("项目名称", "name", None, 36),
    ("预算数（万元）", "budget", AMOUNT, 14), ("执行数（万元）", "spent", AMOUNT, 14),
    ("执行率", "execution_rate", RATE, 10), ("自评得分", "score", AMOUNT, 10), ("自评等级", "grade", None, 10),
    ("数据文件", "file", None, 40),
]


def unit_row(result) -> dict:
    """A :class:`~perfreport.batch.run.UnitResult` as a row of the 单位 sheet; failed units keep their file and errors.

    A unit that failed is still named: by its 单位名称 when its file could be read, else by the file's name.
    """
    row = dict(result.unit or {})
    row["name"] = row.get("name") or Path(result.file).stem
    problems = result.problems + result.warnings
    errors = sum(p.level == "error" for p in problems)
    row.update(warnings=len(problems) - errors, errors=errors, file=str(result.file),
               output=str(result.output) if result.output and not result.failed else None,
               messages="\n".join(f"[{p.code}] {p}" for p in problems) or None)
    return row


def _sheet(sheet, columns, rows: list) -> None:
    """Stream ``rows`` into the write-only ``sheet``: what comes before the rows in the XML is set first.

    A write-only sheet writes its column widths, frozen pane and view when the first row is appended, and
    its filter, page setup, header and footer when the workbook is saved; the print titles and area are
    names of the workbook. The bold header row goes through openpyxl's own cells; the data rows through
    :func:`_row_writer`.
    """
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from ..tools.excelwrite import print_setup

    last = get_column_letter(len(columns))
    for i, (_heading, _key, _format, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    print_setup(sheet, 1, len(rows) + 1, blank_rows=0, columns=len(columns))
    bold = Font(bold=True)
    header = []
    for heading, *_ in columns:
        cell = WriteOnlyCell(sheet, heading)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    styles = []
    for _heading, _key, number_format, _width in columns:
        cell = WriteOnlyCell(sheet)
        if number_format:
            cell.number_format = number_format
        styles.append(cell.style_id if number_format else None)
    keys = [key for _h, key, *_ in columns]
    # openpyxl serialises a write-only cell at about 10 µs (one lxml context per element): 4 s for the
    # 37,000 project rows of 1,000 units. The rows are handed to the sheet's writer as ready elements instead.
    sheet._values_to_row = lambda values, _index: values
    sheet._writer.write_row = _row_writer(styles)
    for row in rows:
        sheet.append([row.get(key) for key in keys])


def _row_writer(styles: list):
    """A ``write_row(xf, values, index)`` for a write-only sheet's writer: one ``<row>`` element per row,
    built as text and parsed once, the same XML as openpyxl's cells (inline strings; numbers with the
    column's style ``s``; empty values left out)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils import get_column_letter
    from openpyxl.xml.functions import fromstring
    from xml.sax.saxutils import escape

    letters = [get_column_letter(i) for i in range(1, len(styles) + 1)]
    number_attrs = [f' t="n" s="{s}"' if s is not None else ' t="n"' for s in styles]

    def write_row(xf, values, index):
        cells = []
        for letter, number, value in zip(letters, number_attrs, values):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                cells.append(f'<c r="{letter}{index}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, (int, float, Decimal)):
                cells.append(f'<c r="{letter}{index}"{number}><v>{value!r}</v></c>' if isinstance(value, float)
                             else f'<c r="{letter}{index}"{number}><v>{value}</v></c>')
            else:
                text = escape(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
                cells.append(f'<c r="{letter}{index}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
        xf.write(fromstring(f'<row xmlns="{SHEET_NS}" r="{index}">{"".join(cells)}</row>'))

    return write_row


def write_summary(path: str | Path, results) -> Path:
    """Write the summary of batch ``results`` (in the order given) to the workbook ``path``, atomically.

    The workbook is written in openpyxl's write-only mode (rows streamed, no cell objects kept).
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    workbook.properties.keywords = MARK
    units = workbook.create_sheet("单位")
    projects = workbook.create_sheet("项目")
    results = list(results)
    _sheet(units, UNIT_COLUMNS, [unit_row(r) for r in results])
    _sheet(projects, PROJECT_COLUMNS, [dict(p, file=str(r.file)) for r in results for p in r.projects])
    return write_atomic(path, workbook.save)


def is_summary(path: str | Path) -> bool:
    """Whether the workbook at ``path`` is a batch summary (by its keywords), without loading it."""
    import zipfile
    import zlib

    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("docProps/core.xml")
            if info.file_size > 1024 * 1024:  # not ours (and maybe a zip bomb): reading it is left to the checks
                return False
            return MARK.encode() in archive.read(info)
    except (OSError, KeyError, zipfile.BadZipFile, EOFError, RuntimeError, NotImplementedError, zlib.error):
        return False

"""The batch summary workbook (.xlsx): one sheet of units, one of projects, numbers as numbers.

A bureau sorts and filters it in Excel or WPS: the header row is frozen, every
sheet has an auto-filter, amounts are shown with two decimals (0.00) and rates
as percentages (0.00%), while the cells hold the numbers themselves.
"""
from __future__ import annotations

from pathlib import Path

from ..write import write_atomic

AMOUNT, RATE = "0.00", "0.00%"
# The workbook's keywords (document properties, kept when Excel or WPS saves it again): a batch over a
# folder holding the summary knows it is not a unit file.
MARK = "perfreport-batch-summary"

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


def _sheet(sheet, columns, rows) -> None:
    from openpyxl.utils import get_column_letter

    from ..tools.excelwrite import print_setup

    sheet.append([heading for heading, *_ in columns])
    for row in rows:
        sheet.append([row.get(key) for _h, key, *_ in columns])
    for i, (_heading, _key, number_format, width) in enumerate(columns, start=1):
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = width
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    print_setup(sheet, 1, sheet.max_row, blank_rows=0)


def write_summary(path: str | Path, results) -> Path:
    """Write the summary of batch ``results`` (in the order given) to the workbook ``path``, atomically."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.properties.keywords = MARK
    units = workbook.active
    units.title = "单位"
    projects = workbook.create_sheet("项目")
    results = list(results)
    _sheet(units, UNIT_COLUMNS, [unit_row(r) for r in results])
    _sheet(projects, PROJECT_COLUMNS, [dict(p, file=str(r.file)) for r in results for p in r.projects])
    for sheet in (units, projects):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
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

"""Excel workbooks as unit files: layout, round trips, a clerk's workbook, located errors, LibreOffice."""
import copy
import datetime
import os
import re
import subprocess
import zipfile
from decimal import Decimal

import docx
import openpyxl
import pytest
from click.testing import CliRunner

import perfreport
from perfreport.cli import cli
from perfreport.errors import DataError
from perfreport.read.excel import convert, read_workbook
from perfreport.schema.workbook import GUIDE, layout
from perfreport.tools.excelwrite import write_workbook
from perfreport.read.source import load_file, load_text
from perfreport.tools.starter import dump
from perfreport.schema import unit_schema

from conftest import EXAMPLES, MINIMAL, body_text


def exact(data):
    """Data with every scalar's type and text, so that Decimal('2.0') != 2 and '90' != 90."""
    if isinstance(data, dict):
        return {k: exact(v) for k, v in data.items()}
    if isinstance(data, list):
        return [exact(v) for v in data]
    return type(data).__name__, str(data)


def problems(excinfo):
    return [(p.code, str(p.location)) for p in excinfo.value.problems]


def sheet(book, name):
    return book[name]


def field_row(ws, key):
    """The row of a fields sheet whose 字段 is ``key``."""
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key)


def set_cached(path, sheet_name, cell, cached, error=False):
    """Give the formula in ``cell`` a cached result, as Excel does when it saves (openpyxl writes none)."""
    book = openpyxl.load_workbook(path)
    member = f"xl/worksheets/sheet{book.sheetnames.index(sheet_name) + 1}.xml"
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    xml = files[member].decode()
    kind = ' t="e"' if error else (' t="str"' if isinstance(cached, str) else "")
    xml, count = re.subn(rf'<c r="{cell}"([^>]*)><f>([^<]*)</f><v\s*/?>(?:</v>)?',
                         rf'<c r="{cell}"\1{kind}><f>\2</f><v>{cached}</v>', xml)
    assert count == 1
    files[member] = xml.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, content in files.items():
            z.writestr(name, content)


def test_docs_table_of_sheets_matches_the_layout():
    from pathlib import Path

    from perfreport.exceldoc import update

    docs = Path(__file__).resolve().parent.parent / "docs"
    text = (docs / "excel.md").read_text(encoding="utf-8")
    assert text == update(text), "docs/excel.md is out of date: run python -m perfreport.exceldoc docs/excel.md"
    english = (docs / "en" / "excel.md").read_text(encoding="utf-8")
    assert english == update(english, language="en"), \
        "docs/en/excel.md is out of date: run python -m perfreport.exceldoc docs/en/excel.md"
    assert "字段表" in text and "fields sheet" in english


# ------------------------------------------------------------------ round trips

@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_yaml_to_workbook_to_yaml_gives_equal_data(example, tmp_path):
    original = load_file(example).data
    book = write_workbook(original, tmp_path / "unit.xlsx")
    read = read_workbook(book)
    assert exact(read.data) == exact(original) and read.warnings == []
    again = load_text(dump(read.data)).data
    assert exact(again) == exact(original)
    schema_order = [k for k in unit_schema() if k in original]
    assert list(again) == schema_order


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_workbook_renders_the_same_report_as_yaml(example, rendered, tmp_path):
    book = write_workbook(load_file(example).data, tmp_path / "unit.xlsx")
    from_book = docx.Document(str(perfreport.render(book, tmp_path / "unit.docx")))
    from_yaml = docx.Document(str(rendered[example.stem]))
    assert body_text(from_book) == body_text(from_yaml)
    cells = [[[c.text for c in row.cells] for row in t.rows] for t in from_yaml.tables]
    assert [[[c.text for c in row.cells] for row in t.rows] for t in from_book.tables] == cells


def test_cli_export_then_import(tmp_path):
    runner = CliRunner()
    book, back = tmp_path / "unit.xlsx", tmp_path / "back.yaml"
    result = runner.invoke(cli, ["export", str(EXAMPLES[0]), "-o", str(book)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["import", str(book), "-o", str(back)])
    assert result.exit_code == 0, result.output
    assert back.read_text(encoding="utf-8").startswith("# 由 unit.xlsx 转换")
    assert exact(load_file(back).data) == exact(load_file(EXAMPLES[0]).data)
    assert runner.invoke(cli, ["import", str(book), "-o", str(book)]).exit_code == 3


def nested_schema():
    """The unit schema with what a later schema may add: lists, mappings and free mappings inside list items."""
    schema = copy.deepcopy(unit_schema())
    item = schema["projects"]["schema"]["schema"]
    item["indicators"] = copy.deepcopy(schema["goals"]["schema"]["indicators"])
    item["sources"] = {"type": "dict", "meta": {"label": "资金来源"},
                       "schema": {"central": {"type": "decimal", "meta": {"label": "中央"}}}}
    item["files"] = {"type": "list", "meta": {"label": "佐证材料"}, "schema": {"type": "string"}}
    item["owners"] = copy.deepcopy(schema["functions"])
    return schema


def test_a_list_inside_list_items_gets_its_own_sheet_with_a_parent_column(tmp_path):
    schema = nested_schema()
    sheets = {s.name: s for s in layout(schema)}
    child = sheets["项目清单-绩效指标"]
    assert child.path == ("projects", None, "indicators")
    assert [c.id for c in child.columns][:2] == ["projects#", "level1"]
    assert "sources.central" in [c.id for c in sheets["项目清单"].columns]
    assert [c.id for c in sheets["佐证材料"].columns] == ["projects#", "#value"]
    assert [c.id for c in sheets["项目清单-职能职责"].columns] == ["projects#", "#key", "#value"]
    indicator = {"level1": "产出指标", "level2": "数量指标", "name": "完成项目", "target": 3, "actual": Decimal("2.5")}
    data = {**load_text(MINIMAL).data, "projects": [
        {"name": "甲", "budget": 1, "spent": 1, "indicators": [indicator, {**indicator, "name": "乙指标"}],
         "sources": {"central": Decimal("0.50")}, "files": ["合同", "发票"], "owners": {"财政办": "资金拨付"}},
        {"name": "乙", "budget": Decimal("2.50"), "spent": 2},
        {"name": "丙", "budget": 3, "spent": 3, "indicators": [indicator]},
    ]}
    path = write_workbook(data, tmp_path / "unit.xlsx", schema)
    ws = openpyxl.load_workbook(path)["项目清单-绩效指标"]
    assert [ws.cell(r, 1).value for r in range(3, 6)] == ["甲", "甲", "丙"]  # the project by name
    assert exact(read_workbook(path, schema).data) == exact(data)
    book = openpyxl.load_workbook(path)
    book["项目清单-绩效指标"]["A4"] = 7
    book.save(path)
    with pytest.raises(DataError) as exc:
        read_workbook(path, schema)
    assert problems(exc) == [("PR612", f"{path}:项目清单-绩效指标!A4: [projects]")]
    assert "1 到 3 之间" in exc.value.problems[0].message


# ------------------------------------------------------------------ a clerk's workbook

@pytest.fixture
def clerk_book(tmp_path):
    """A workbook filled the way a clerk fills one: from `perfreport new`, by hand."""
    path = tmp_path / "unit.xlsx"
    write_workbook({}, path)
    book = openpyxl.load_workbook(path)
    for name, values in {"单位信息": {"unit.name": "测试镇人民政府", "unit.short_name": "测试镇"},
                         "基本信息": {"year": "2023", "date": datetime.datetime(2024, 3, 5)},
                         "自评通知": {"notice.title": "测试县财政局关于开展2023年预算绩效自评工作的通知"},
                         "资金情况": {"funds.budget": "'3336.96", "funds.received": 3117.78, "funds.spent": "=C4"}}.items():
        ws = book[name]
        for key, value in values.items():
            ws.cell(field_row(ws, key), 3, value.lstrip("'") if isinstance(value, str) else value)
    ws = book["资金情况"]
    ws.cell(field_row(ws, "funds.budget"), 3).quotePrefix = True  # typed '3336.96: text
    ws = book["绩效指标"]
    ws.insert_rows(1, 2)  # a title above the header, merged across
    ws["A1"] = "2023年绩效指标"
    ws.merge_cells("A1:I1")
    rows = [["产出指标", "数量指标", "完成项目个数", "≥", "个", "85", 85],
            [None, "质量指标", "验收合格率", "=", "%", 100, 0.1 + 0.2],
            [], [],
            ["效益指标", "社会效益指标", "群众满意度", "≥", "%", 90, "好"]]
    for r, row in enumerate(rows, start=5):  # below the title, the header and the hidden row of keys
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, value)
    ws.merge_cells("A5:A6")  # 一级指标 spans its rows
    for r in range(10, 16):  # trailing rows with only formatting
        ws.cell(r, 3).number_format = "0.00"
    ws = book["项目清单"]  # a two-row header: 项目名称 merged down, a group title over the amounts
    ws.insert_rows(1)
    ws["A1"], ws["A2"], ws["B1"] = ws["A2"].value, None, "资金（万元）"
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:D1")
    ws.append(["防火经费", 2, None, "1.5"])
    ws = book["下一步改进措施"]
    ws["A3"], ws["A5"] = "加强监督。", "完善制度。"
    book.save(path)
    set_cached(path, "资金情况", "C5", 3117.78)
    return path


def test_a_clerks_workbook_imports(clerk_book):
    source = read_workbook(clerk_book)
    data = source.data
    assert data["year"] == 2023 and data["date"] == datetime.date(2024, 3, 5)
    assert data["funds"] == {"budget": Decimal("3336.96"), "received": Decimal("3117.78"), "spent": Decimal("3117.78")}
    indicators = data["goals"]["indicators"]
    assert [i["level1"] for i in indicators] == ["产出指标", "产出指标", "效益指标"]
    assert indicators[0]["target"] == "85" and indicators[0]["actual"] == 85  # text stays text where text is allowed
    assert indicators[1]["actual"] == Decimal("0.3")
    assert data["improvements"] == ["加强监督。", "完善制度。"]
    assert data["projects"] == [{"name": "防火经费", "budget": 2, "spent": Decimal("1.5")}]
    assert source.warnings == []
    report = perfreport.load(clerk_book)
    assert report.figures.execution_rate is not None


def test_new_keys_of_issue_14_round_trip_through_a_new_workbook(tmp_path):
    """perfreport new x.xlsx → a clerk fills the new keys → render: they reach the report."""
    path = tmp_path / "x.xlsx"
    assert CliRunner().invoke(cli, ["new", str(path)]).exit_code == 0
    book = openpyxl.load_workbook(path)
    for name, values in {"单位信息": {"unit.name": "测试镇人民政府", "unit.short_name": "测试镇"},
                         "基本信息": {"year": 2023},
                         "资金情况": {"funds.spent": 62.5, "funds.transfers.bonds.province": 300},
                         "人员情况": {"staff.administrative": 10, "staff.institutional": 5, "staff.retired": 8},
                         "单位填报的数字": {"stated.grade_counts.优": 1}}.items():
        ws = book[name]
        for key, value in values.items():
            ws.cell(field_row(ws, key), 3, value)
    others = book["其他人员"]
    others.append(["公益性岗位人员", 4])
    projects = book["项目清单"]
    header = next(h for h in ([str(c.value or "") for c in projects[r]] for r in range(1, 4))
                  if any(v.endswith("(name)") for v in h))  # the row of the (key) headers
    row = [None] * len(header)
    for key, value in {"name": "防火经费", "budget": 4.68, "spent": 4.21, "grade": "优", "stated.execution_rate": 90.07}.items():
        row[next(i for i, h in enumerate(header) if h.endswith(f"({key})"))] = value
    projects.append(row)
    book.save(path)
    report = perfreport.load(path)
    assert report.unit["staff"]["others"] == [{"label": "公益性岗位人员", "count": 4}]
    assert report.unit["projects"][0]["stated"] == {"execution_rate": Decimal("90.07")}
    assert [p.code for p in report.problems if p.level == "error" or p.code in ("PR501", "PR508")] == []
    text = body_text(docx.Document(str(perfreport.render(report, tmp_path / "x.docx"))))
    assert ("（四）部门（单位）职能职责。\n"  # no 「无。」 before the staff sentence when there are no functions
            "人员情况：我单位现有在职人员15人（其中行政编制10人、事业编制5人），退休人员8人，公益性岗位人员4人。") in text
    assert "上级转移支付和债券资金：债券资金300.00万元（省级300.00万元）。" in text
    assert "自评结果：“优”1个，占100.00%。" in text and "按照《" not in text


def test_values_are_located_by_sheet_and_cell(clerk_book):
    book = openpyxl.load_workbook(clerk_book)
    book["资金情况"]["C5"] = "约20万"
    book["绩效指标"]["D8"] = "大于"
    book.save(clerk_book)
    with pytest.raises(DataError) as exc:
        perfreport.load(clerk_book)
    found = {str(p) for p in exc.value.problems}
    assert f"{clerk_book}:资金情况!C5: [funds.spent] 全年执行数：应为数字，实际为“约20万”" in found
    assert any(s.startswith(f"{clerk_book}:绩效指标!D8: [goals.indicators[3].nature]") for s in found)
    result = CliRunner().invoke(cli, ["render", str(clerk_book), "-o", str(clerk_book.with_suffix(".docx"))])
    assert result.exit_code == 2 and "资金情况!C5" in result.output and "[PR103 错误]" in result.output


def test_a_formula_without_a_cached_value_is_an_error(clerk_book):
    book = openpyxl.load_workbook(clerk_book)
    book["资金情况"]["C5"] = "=C4"
    book["资金情况"]["C2"] = "=1/0"
    book.save(clerk_book)
    set_cached(clerk_book, "资金情况", "C2", "#DIV/0!", error=True)
    with pytest.raises(DataError) as exc:
        read_workbook(clerk_book)
    assert problems(exc) == [("PR611", f"{clerk_book}:资金情况!C2: [funds.budget]"),
                             ("PR610", f"{clerk_book}:资金情况!C5: [funds.spent]")]
    assert "没有保存计算结果" in exc.value.problems[1].message


def test_structure_mistakes_are_located(clerk_book):
    book = openpyxl.load_workbook(clerk_book)
    ws = book["资金情况"]
    ws.cell(field_row(ws, "funds.received"), 1, "funds.recieved")
    ws = book["项目清单"]
    ws["H2"], ws["H4"] = "备注", "自己的备注"
    ws["J1"] = "空列"
    book.save(clerk_book)
    set_cached(clerk_book, "资金情况", "C5", 3117.78)  # saving with openpyxl drops cached values
    with pytest.raises(DataError) as exc:
        read_workbook(clerk_book)
    assert problems(exc) == [("PR607", f"{clerk_book}:资金情况!A4"), ("PR609", f"{clerk_book}:项目清单!H2")]
    assert "是否为 funds.received" in exc.value.problems[0].message


def test_extra_sheets_are_ignored_with_a_warning(clerk_book):
    book = openpyxl.load_workbook(clerk_book)
    book.create_sheet("草稿")["A1"] = "随便写写"
    book.save(clerk_book)
    set_cached(clerk_book, "资金情况", "C5", 3117.78)
    source = read_workbook(clerk_book)
    assert [(w.code, w.level, str(w.location)) for w in source.warnings] == [("PR604", "warning", f"{clerk_book}:草稿")]


def test_not_a_unit_workbook(tmp_path):
    other = tmp_path / "other.xlsx"
    openpyxl.Workbook().save(other)
    with pytest.raises(DataError) as exc:
        perfreport.load(other)
    assert problems(exc) == [("PR603", str(other))]
    fake = tmp_path / "old.xls"
    fake.write_bytes(b"\xd0\xcf\x11\xe0 not a zip")
    with pytest.raises(DataError) as exc:
        perfreport.load(fake)
    assert exc.value.problems[0].code == "PR602" and "另存为" in exc.value.problems[0].message
    with pytest.raises(DataError) as exc:
        perfreport.load(tmp_path / "missing.xlsx")
    assert problems(exc) == [("PR601", str(tmp_path / "missing.xlsx"))]


def test_number_conversion_rules():
    assert convert("3336.96", {"type": "decimal"}) == Decimal("3336.96")
    assert convert("３３３６.９６", {"type": "decimal"}) == Decimal("3336.96")
    assert convert("3,336.96", {"type": "decimal"}) == "3,336.96"  # not a plain number: the schema check reports it
    assert str(convert(3336.96, {"type": "decimal"})) == "3336.96"
    assert str(convert(1.1 * 3, {"type": "decimal"})) == "3.3"
    assert str(convert(2, {"type": "decimal"}, "#,##0.000")) == "2.000"
    assert str(convert(2.12345, {"type": "decimal"}, "0.00")) == "2.12345"  # never rounded, only padded
    assert convert(2023.0, {"type": "integer"}) == 2023 and isinstance(convert(2023.0, {"type": "integer"}), int)
    assert convert("2024-03-05", {"type": "date"}) == datetime.date(2024, 3, 5)
    assert convert(12.5, {"type": "string"}) == "12.5"


# ------------------------------------------------------------------ the generated workbook

def test_new_workbook_has_every_sheet_headers_hints_and_drop_downs(tmp_path):
    result = CliRunner().invoke(cli, ["new", str(tmp_path / "unit.xlsx")])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(tmp_path / "unit.xlsx")
    assert book.sheetnames == [GUIDE] + [s.name for s in layout()]
    funds = book["资金情况"]
    assert [c.value for c in funds[1]] == ["字段", "中文名称", "值", "说明"]
    assert funds.cell(field_row(funds, "funds.budget"), 2).value == "全年预算数（下达指标）"  # optional since issue 14 (budget unknown)
    assert "例：3336.96" in funds.cell(field_row(funds, "funds.budget"), 4).value
    indicators = book["绩效指标"]
    assert [c.value for c in indicators[1]][:3] == ["*一级指标", "*二级指标", "*三级指标"]  # Chinese heads only
    assert [c.value for c in indicators[2]][:3] == ["(level1)", "(level2)", "(name)"]  # the keys, hidden
    assert indicators.row_dimensions[2].hidden and funds.column_dimensions["A"].hidden
    assert "例：产出指标" in indicators["A1"].comment.text
    rules = {str(v.sqref).split(":")[0]: v for v in indicators.data_validations.dataValidation}
    assert "产出指标" in rules["A3"].formula1 and not rules["A3"].showErrorMessage  # a suggestion
    assert rules["D3"].formula1 == '"≥,≤,=,定性"' and rules["D3"].showErrorMessage  # only these
    settings = book["设置"]
    assert any(v.formula1 == '"万元,元"' for v in settings.data_validations.dataValidation)
    assert CliRunner().invoke(cli, ["new", str(tmp_path / "unit.xlsx")]).exit_code == 3  # not overwritten
    with pytest.raises(DataError) as exc:
        perfreport.load(tmp_path / "unit.xlsx")
    assert ("PR102", f"{tmp_path / 'unit.xlsx'}:基本信息!C3: [year]") in problems(exc)


def test_cli_new_yaml_and_bad_suffix(tmp_path):
    result = CliRunner().invoke(cli, ["new", str(tmp_path / "p.yaml"), "--kind", "project"])
    assert result.exit_code == 0 and "项目支出绩效自评" in (tmp_path / "p.yaml").read_text(encoding="utf-8")
    assert CliRunner().invoke(cli, ["new", str(tmp_path / "p.txt")]).exit_code == 2


@pytest.fixture(scope="module")
def calc(soffice, tmp_path_factory):  # noqa: F811
    """LibreOffice with Calc (libreoffice-calc-nogui), which opens workbooks."""
    folder = tmp_path_factory.mktemp("calc")
    write_workbook({}, folder / "probe.xlsx")
    done = convert_with(soffice, folder, "csv", folder / "probe.xlsx")
    if done.returncode or not (folder / "out" / "probe.csv").exists():
        if os.environ.get("CI"):
            pytest.fail("LibreOffice Calc is not installed; .ci/run must install libreoffice-calc-nogui")
        pytest.skip("LibreOffice Calc not installed (apt-get install libreoffice-calc-nogui)")
    return soffice


def convert_with(soffice, folder, target, *files):
    return subprocess.run([soffice, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                           "--convert-to", target, "--outdir", str(folder / "out"), *map(str, files)],
                          capture_output=True, timeout=300)


def test_libreoffice_opens_the_workbooks_and_what_it_saves_reads_back(calc, tmp_path):
    empty = write_workbook({}, tmp_path / "new.xlsx")
    example = write_workbook(load_file(EXAMPLES[0]).data, tmp_path / "example.xlsx")
    done = convert_with(calc, tmp_path, "pdf", empty, example)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "new.pdf").exists() and (tmp_path / "out" / "example.pdf").exists()
    from test_libreoffice import pdf_pages

    printed = (tmp_path / "out" / "new.pdf").read_bytes()
    assert pdf_pages(tmp_path / "out" / "new.pdf") <= len(openpyxl.load_workbook(empty).sheetnames) + 2  # a page a sheet; the guide (填写说明) may take a second or third
    boxes = {tuple(round(float(n)) for n in box.split()[2:]) for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", printed)}
    assert {(595, 842), (842, 595)} <= boxes  # A4, portrait and landscape
    done = convert_with(calc, tmp_path, "xlsx", example)
    assert done.returncode == 0, done.stderr
    assert exact(read_workbook(tmp_path / "out" / "example.xlsx").data) == exact(load_file(EXAMPLES[0]).data)


# ------------------------------------------------------------------ percent cells

PERCENT_UNIT = """\
unit: {name: 测试镇人民政府, short_name: 测试镇}
year: 2023
notice: {title: 测试县财政局关于开展2023年预算绩效自评工作的通知}
funds: {budget: 100, spent: 100}
projects:
  - name: 道路维护
    budget: 40
    spent: 40
    indicators:
      - {level1: 产出指标, level2: 质量指标, name: 验收合格率, weight: 75, target: 100, unit: "%", actual: 100}
      - {level1: 满意度指标, level2: 满意度指标, name: 群众满意度, weight: 15, target: 90, unit: "%", actual: 100}
"""


def test_percent_cells_mean_percent_numbers(tmp_path):
    """A clerk types 96% and 90%: Excel stores 0.96 and 0.9 in percent-formatted cells; the data means 96 and 90."""
    path = write_workbook(load_text(PERCENT_UNIT).data, tmp_path / "unit.xlsx")
    book = openpyxl.load_workbook(path)
    ws = book["项目绩效指标"]
    head = next(r for r in range(1, 6) if any("(actual)" in str(c.value or "") for c in ws[r]))
    col = {key: next(c.column for c in ws[head] if f"({key})" in str(c.value or "")) for key in ("name", "target", "actual")}
    row = {ws.cell(r, col["name"]).value: r for r in range(head + 1, ws.max_row + 1)}
    for name, key, value, number_format in [("验收合格率", "target", 1, "0%"), ("验收合格率", "actual", 0.96, "0%"),
                                            ("群众满意度", "actual", 0.9, "0.00%")]:
        cell = ws.cell(row[name], col[key], value)
        cell.number_format = number_format
    book.save(path)
    indicators = read_workbook(path).data["projects"][0]["indicators"]
    assert [(i["target"], i["actual"]) for i in indicators] == [(Decimal("100"), Decimal("96")),
                                                                (90, Decimal("90.00"))]
    assert str(indicators[0]["actual"]) == "96"
    # by hand: the indicators' 分值 75 and 15 as written;
    # 验收合格率 75 × 96 / 100 = 72, 群众满意度 met = 15, 执行率 40/40 × 10 = 10; total 97 (优)
    document = docx.Document(str(perfreport.render(path, tmp_path / "unit.docx")))
    rows = [[c.text for c in r.cells] for t in document.tables for r in t.rows]
    assert ["产出指标", "质量指标", "验收合格率", "≥100%", "96%", "75", "72", "—"] in rows
    assert ["满意度指标", "满意度指标", "群众满意度", "≥90%", "90.00%", "15", "15", "—"] in rows  # as the cell shows it
    assert next(r for r in rows if r[0] == "总分")[-3:-1] == ["100", "97"]
    assert next(r for r in rows if r[0] == "自评等级")[-1] == "优"


def test_percent_number_formats():
    decimal = {"type": "decimal"}
    assert convert(0.96, decimal, "0%") == Decimal("96") and str(convert(0.96, decimal, "0%")) == "96"
    assert str(convert(0.9345, decimal, "0.00%")) == "93.45"  # from the float's shortest text, not 0.9345 * 100
    assert str(convert(0.5, decimal, "0%")) == "50" and str(convert(1, decimal, "0%")) == "100"
    assert str(convert(0.9, decimal, "0.00%")) == "90.00"  # padded to the places shown, as for 0.00
    assert str(convert(0.96, decimal, "0.00%;[Red]-0.00%")) == "96.00"
    assert str(convert(0.96, decimal, '0"%"')) == "0.96"  # a literal % sign in quotes is not a percent format
    assert str(convert(0.96, decimal)) == "0.96"


# ------------------------------------------------------------------ a workbook clerks can print and fill in

def test_every_sheet_prints_on_a4_one_page_wide_with_its_header_repeated(tmp_path):
    book = openpyxl.load_workbook(write_workbook({}, tmp_path / "new.xlsx"))
    for ws in book.worksheets:
        setup = ws.page_setup
        assert (setup.paperSize, setup.fitToWidth, setup.fitToHeight) == (9, 1, 0), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_area, ws.title
    assert book["项目清单"].print_title_rows == "$1:$2" and book["资金情况"].print_title_rows == "$1:$1"
    assert book["项目清单"].page_setup.orientation == "landscape"  # many columns
    assert book[GUIDE].page_setup.orientation == "portrait"
    assert book["项目清单"].print_area == "'项目清单'!$A$1:$AB$17"  # header rows and blank rows to fill in by hand


def test_hints_are_chinese_and_say_yes_or_no(tmp_path):
    book = openpyxl.load_workbook(write_workbook({}, tmp_path / "new.xlsx"))
    texts = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    texts += [c.comment.text for ws in book.worksheets for row in ws.iter_rows() for c in row if c.comment]
    texts += [f"{v.prompt} {v.formula1}" for ws in book.worksheets for v in ws.data_validations.dataValidation]
    assert not [t for t in texts if re.search(r"\b(true|false)\b", t, re.IGNORECASE)]
    projects = book["项目清单"]
    assessed = [c.column_letter for c in projects[2] if c.value == "(assessed)"][0]
    assert "未自评的项目写 否" in projects[f"{assessed}1"].comment.text
    rule = next(v for v in projects.data_validations.dataValidation if str(v.sqref).startswith(f"{assessed}3"))
    assert rule.formula1 == '"是,否"' and rule.showErrorMessage


def test_booleans_are_written_as_yes_or_no_and_read_back(tmp_path):
    data = {**load_text(MINIMAL).data, "projects": [{"name": "甲", "budget": 1, "spent": 1, "assessed": False}]}
    path = write_workbook(data, tmp_path / "unit.xlsx")
    ws = openpyxl.load_workbook(path)["项目清单"]
    assert "否" in [c.value for c in ws[3]]
    assert read_workbook(path).data["projects"][0]["assessed"] is False


def _new_filled(tmp_path):
    """``perfreport new``, then filled in with openpyxl as a clerk would: indicators choose their project by name."""
    path = tmp_path / "unit.xlsx"
    assert CliRunner().invoke(cli, ["new", str(path)]).exit_code == 0
    book = openpyxl.load_workbook(path)
    for name, values in {"单位信息": {"unit.name": "测试镇人民政府", "unit.short_name": "测试镇"},
                         "基本信息": {"year": 2023},
                         "自评通知": {"notice.title": "测试县财政局关于开展2023年预算绩效自评工作的通知"},
                         "资金情况": {"funds.budget": 100, "funds.received": 90, "funds.spent": 80}}.items():
        ws = book[name]
        for key, value in values.items():
            ws.cell(field_row(ws, key), 3, value)
    projects = book["项目清单"]
    for r, row in enumerate([["防火经费", 60, None, 50], ["道路养护", 40, None, 30]], start=3):
        for c, value in enumerate(row, start=1):
            projects.cell(r, c, value)
    projects["G4"] = "否"  # 是否已自评
    indicators = book["项目绩效指标"]
    for r, row in enumerate([["道路养护", "产出指标", "数量指标", "养护里程", "≥", "公里", 10, 12],
                             ["防火经费", "产出指标", "数量指标", "巡查次数", "≥", "次", 100, 105],
                             [2, "效益指标", "社会效益指标", "通行时间", "≤", "分钟", 30, 25]], start=3):
        for c, value in enumerate(row, start=1):
            indicators.cell(r, c, value)
    book.save(path)
    return path


def test_new_then_filled_with_openpyxl_renders(tmp_path):
    path = _new_filled(tmp_path)
    data = read_workbook(path).data
    roads, fire = data["projects"][1], data["projects"][0]
    assert [i["name"] for i in fire["indicators"]] == ["巡查次数"]
    assert [i["name"] for i in roads["indicators"]] == ["养护里程", "通行时间"]  # by name, and the old 序号 form
    assert roads["assessed"] is False
    result = CliRunner().invoke(cli, ["render", str(path), "-o", str(tmp_path / "unit.docx")])
    assert result.exit_code == 0, result.output
    text = "".join(docx.Document(tmp_path / "unit.docx").element.body.itertext())  # tables included
    assert "测试镇人民政府" in text and "防火经费" in text and "巡查次数" in text


def test_an_indicator_naming_no_project_says_so(tmp_path):
    path = _new_filled(tmp_path)
    book = openpyxl.load_workbook(path)
    book["项目绩效指标"]["A4"] = "防火"
    book.save(path)
    with pytest.raises(DataError) as exc:
        read_workbook(path)
    assert problems(exc) == [("PR612", f"{path}:项目绩效指标!A4: [projects]")]
    assert exc.value.problems[0].message == "「项目清单」中没有项目名称为“防火”的一项；请从下拉列表选择"


def test_a_sheet_name_with_a_trailing_space_is_read_with_one_warning(tmp_path):
    path = _new_filled(tmp_path)
    book = openpyxl.load_workbook(path)
    book["项目清单"].title = "项目清单 "
    book.save(path)
    source = read_workbook(path)
    assert len(source.data["projects"]) == 2
    assert [(w.code, w.level) for w in source.warnings] == [("PR618", "warning")]
    assert "已按“项目清单”读取" in source.warnings[0].message


def test_a_renamed_sheet_is_one_error_naming_the_expected_sheet_and_other_warnings_are_shown_too(tmp_path):
    path = _new_filled(tmp_path)
    book = openpyxl.load_workbook(path)
    book["项目清单"].title = "项目清单表"
    book.create_sheet("草稿")
    book.save(path)
    with pytest.raises(DataError) as exc:
        read_workbook(path)
    assert [(p.code, p.level, str(p.location)) for p in exc.value.problems] == [
        ("PR604", "warning", f"{path}:草稿"), ("PR618", "error", f"{path}:项目清单表")]  # no row errors from 项目绩效指标
    assert "应名为“项目清单”" in exc.value.problems[1].message
    result = CliRunner().invoke(cli, ["render", str(path), "-o", str(tmp_path / "unit.docx")])
    assert result.exit_code == 2 and "[PR604 警告]" in result.output and "[PR618 错误]" in result.output

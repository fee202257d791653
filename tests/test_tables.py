"""Attachments: the generated 自评表 tables read back from the .docx (merged cells, texts, computed
values), their numbering against the 附件 list, landscape sections, and the groupspans helper."""
import re
import subprocess

import docx
import jinja2
import pytest
from docx.oxml.ns import qn

import perfreport
from perfreport.errors import TemplateError
from perfreport.templating.filters import groupspans
from test_build import make, texts
from test_libreoffice import pdf_pages

UNIT = """\
unit: {name: 测试镇人民政府, short_name: 测试镇}
year: 2023
notice: {title: 测试县财政局关于开展2023年预算绩效自评工作的通知}
funds: {budget: 100, spent: 62.5}
projects:
  - name: 道路维护
    budget: 40
    initial_budget: 50
    spent: 36
    department: 测试县交通局
    goal: {expected: 维护道路20公里, actual: 维护道路18公里}
    deviation_reason: 部分路段延期
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: 维护里程, target: 20, unit: 公里, actual: 18}
      - {level1: 产出指标, level2: 数量指标, name: 维护次数, target: 4, unit: 次, actual: 4}
      - {level1: 产出指标, level2: 质量指标, name: 验收合格率, target: 100, unit: "%", actual: 100}
      - {level1: 效益指标, level2: 社会效益指标, name: 通行条件, target: 改善, actual: 达成}
      - {level1: 满意度指标, level2: 满意度指标, name: 群众满意度, target: 90, unit: "%", actual: 95}
  - name: 环境整治
    budget: 10
    spent: 10
    score: 92
unit_scoring:
  - {level1: 预算执行, level2: 预算管理, name: 预算执行率, weight: 10, deduction: 2, reason: 执行偏慢}
  - {level1: 预算执行, level2: 预算管理, name: 结转结余率, weight: 5}
  - {level1: 预算执行, level2: 资产管理, name: 资产管理规范性, weight: 5}
  - {level1: 履职效能, level2: 重点工作, name: 重点工作完成率, weight: 80, deduction: 5, reason: 一项工作延期}
attachments: [其他证明材料]
"""

TITLES = ["测试镇2023年度部门整体支出绩效自评表", "测试镇2023年度项目支出绩效自评汇总表", "测试镇2023年度项目支出绩效自评表"]


@pytest.fixture(scope="module")
def rendered_unit(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tables")
    (folder / "unit.yaml").write_text(UNIT, encoding="utf-8")
    return perfreport.render(folder / "unit.yaml", folder / "unit.docx")


@pytest.fixture(scope="module")
def doc(rendered_unit):
    return docx.Document(str(rendered_unit))


def grid(table):
    """Each row's cells as (text, gridSpan, vMerge): vMerge is 'restart', 'continue' or None."""
    out = []
    for tr in table._tbl.tr_lst:
        row = []
        for tc in tr.tc_lst:
            span = tc.tcPr.find(qn("w:gridSpan"))
            merge = tc.tcPr.find(qn("w:vMerge"))
            text = "".join(t.text for t in tc.iter(qn("w:t")))
            row.append((text, int(span.get(qn("w:val"))) if span is not None else 1,
                        None if merge is None else merge.get(qn("w:val"), "continue")))
        out.append(row)
    return out


def plain(row):
    return [text for text, span, merge in row]


# --- groupspans ---------------------------------------------------------------------------------

def spans(rows, *keys):
    return [s for _row, s in groupspans(jinja2.Environment(), rows, *keys)]


def test_groupspans_counts_nested_runs():
    rows = [("产出", "数量"), ("产出", "数量"), ("产出", "质量"), ("效益", "社会"), ("满意度", "满意度")]
    rows = [{"a": a, "b": b} for a, b in rows]
    assert spans(rows, "a", "b") == [[3, 2], [0, 0], [0, 1], [1, 1], [1, 1]]


def test_groupspans_starts_an_inner_group_when_an_outer_key_changes():
    rows = [{"a": 1, "b": "x"}, {"a": 2, "b": "x"}, {"a": 1, "b": "x"}]  # equal b, different a: not merged
    assert spans(rows, "a", "b") == [[1, 1], [1, 1], [1, 1]]
    assert spans([], "a") == []


def test_groupspans_in_a_template_writes_merged_cells():
    env = jinja2.Environment()
    env.filters["groupspans"] = groupspans
    markup = env.from_string(
        "<table>{% for row, s in rows|groupspans('a') %}<tr>{% if s[0] %}<td rowspan='{{ s[0] }}'>{{ row.a }}</td>"
        "{% endif %}<td>{{ row.b }}</td></tr>{% endfor %}</table>").render(
        rows=[{"a": "甲", "b": 1}, {"a": "甲", "b": 2}, {"a": "乙", "b": 3}])
    assert [[c.text for c in r.cells] for r in make(markup).tables[0].rows] == [["甲", "1"], ["甲", "2"], ["乙", "3"]]


# --- the project table --------------------------------------------------------------------------

def test_project_table_merged_cells_and_computed_values(doc):
    rows = grid(doc.tables[2])
    assert rows[0] == [("项目名称", 1, None), ("道路维护", 7, None)]
    assert plain(rows[1]) == ["主管部门", "测试县交通局", "实施单位", "测试镇人民政府"]
    assert rows[2][0] == ("项目资金（万元）", 1, "restart") and rows[3][0] == ("", 1, "continue")
    assert plain(rows[3]) == ["", "年度资金总额", "50.00", "40.00", "36.00", "10", "90.00%", "9"]
    assert plain(rows[5]) == ["", "维护道路20公里", "维护道路18公里"]
    start = next(i for i, r in enumerate(rows) if r[0][0] == "一级指标") + 1
    assert rows[start:start + 5] == [
        [("产出指标", 1, "restart"), ("数量指标", 1, "restart"), ("维护里程", 1, None), ("≥20公里", 1, None),
         ("18公里", 1, None), ("16.67", 1, None), ("15", 1, None), ("—", 1, None)],
        [("", 1, "continue"), ("", 1, "continue"), ("维护次数", 1, None), ("≥4次", 1, None), ("4次", 1, None),
         ("16.67", 1, None), ("16.67", 1, None), ("—", 1, None)],
        [("", 1, "continue"), ("质量指标", 1, None), ("验收合格率", 1, None), ("≥100%", 1, None), ("100%", 1, None),
         ("16.66", 1, None), ("16.66", 1, None), ("—", 1, None)],   # 50 = 16.67 + 16.67 + 16.66 as printed
        [("效益指标", 1, None), ("社会效益指标", 1, None), ("通行条件", 1, None), ("改善", 1, None), ("达成", 1, None),
         ("30", 1, None), ("30", 1, None), ("—", 1, None)],
        [("满意度指标", 1, None), ("满意度指标", 1, None), ("群众满意度", 1, None), ("≥90%", 1, None), ("95%", 1, None),
         ("10", 1, None), ("10", 1, None), ("—", 1, None)],
    ]
    # 9 + 15 + 16.67 + 16.66 + 30 + 10 = 97.33: the printed scores add up
    assert rows[start + 5] == [("总分", 5, None), ("100", 1, None), ("97.33", 1, None), ("", 1, None)]  # no deviation text
    assert rows[start + 6] == [("自评等级", 5, None), ("优", 3, None)]


def test_project_without_indicators_shows_its_stated_score(doc):
    rows = grid(doc.tables[3])
    assert plain(rows[0]) == ["项目名称", "环境整治"]
    assert plain(rows[-2]) == ["总分", "100", "92", ""] and plain(rows[-1]) == ["自评等级", "优"]
    # under the indicator header one row of 「—」, not the 总分 row straight away
    header = next(i for i, r in enumerate(rows) if r[0][0] == "一级指标")
    assert plain(rows[header + 1]) == ["—"] * 8 and header + 1 == len(rows) - 3


def test_table_rows_repeat_header_and_do_not_split(doc):
    for table in doc.tables:
        tr = table._tbl.tr_lst
        assert tr[0].trPr.find(qn("w:tblHeader")) is not None
        assert all(row.trPr.find(qn("w:cantSplit")) is not None for row in tr)


def test_numbers_right_aligned_no_none(doc):
    summary = doc.tables[1]
    budget_cell = summary._tbl.tr_lst[1].tc_lst[2]
    assert budget_cell.find(qn("w:p")).pPr.find(qn("w:jc")).get(qn("w:val")) == "right"
    assert all("None" not in c.text for t in doc.tables for r in t.rows for c in r.cells)


# --- summary and unit-wide tables ---------------------------------------------------------------

def test_summary_table_rows_and_total(doc):
    rows = [plain(r) for r in grid(doc.tables[1])]
    assert rows[0] == ["序号", "项目名称", "预算数", "执行数", "执行率", "得分", "等级", "偏差原因"]
    assert rows[1] == ["1", "道路维护", "40.00", "36.00", "90.00%", "97.33", "优", "部分路段延期"]
    assert rows[2] == ["2", "环境整治", "10.00", "10.00", "100.00%", "92", "优", "—"]
    assert rows[3] == ["合计", "50.00", "46.00", "92.00%", "", "", ""]


def test_unit_table_merges_levels_and_totals(doc):
    rows = grid(doc.tables[0])
    assert plain(rows[0]) == ["一级指标", "二级指标", "三级指标", "分值", "扣分", "得分", "扣分原因"]
    assert [(r[0][2], r[1][2]) for r in rows[1:4]] == [("restart", "restart"), ("continue", "continue"), ("continue", None)]
    assert plain(rows[1]) == ["预算执行", "预算管理", "预算执行率", "10", "2", "8", "执行偏慢"]
    assert plain(rows[3]) == ["", "资产管理", "资产管理规范性", "5", "0", "5", "—"]
    assert plain(rows[5]) == ["合计", "100", "7", "93", ""]
    assert plain(rows[6]) == ["自评等级", "优"]


# --- attachments layout -------------------------------------------------------------------------

def test_attachment_pages_numbered_as_the_list(doc):
    paragraphs = texts(doc)
    start = paragraphs.index("附件：1." + TITLES[0])
    assert paragraphs[start:start + 4] == ["附件：1." + TITLES[0], "2." + TITLES[1], "3." + TITLES[2], "4.其他证明材料"]
    labels = [(p.text, paragraphs[i + 1]) for i, p in enumerate(doc.paragraphs) if re.fullmatch(r"附件\d*", p.text)]
    assert labels == [("附件1", TITLES[0]), ("附件2", TITLES[1]), ("附件3", TITLES[2])]
    label = next(p for p in doc.paragraphs if p.text == "附件1")
    assert label.paragraph_format.page_break_before
    rpr = label.runs[0]._r.rPr
    assert rpr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体" and rpr.find(qn("w:sz")).get(qn("w:val")) == "32"
    assert next(p for p in doc.paragraphs if p.text == TITLES[0]).style.name == "Title"
    # the year line directly under the 项目支出绩效自评表 title, the blank line after it
    start = paragraphs.index("附件3")
    assert paragraphs[start:start + 4] == ["附件3", TITLES[2], "（2023年度）", ""]


def test_project_tables_in_a_landscape_section_with_continuous_page_numbers(doc):
    portrait, landscape = doc.sections
    assert portrait.page_width < portrait.page_height and landscape.page_width > landscape.page_height
    assert landscape.orientation == 1 and landscape.footer.is_linked_to_previous
    assert portrait.footer.paragraphs[0].text == "— 1 —"  # the first section names the footer
    body = doc.element.body
    assert not body.findall(".//" + qn("w:pgNumType"))
    # the landscape section begins with 附件3
    section_end = next(p for p in body.iter(qn("w:p")) if p.find(qn("w:pPr")) is not None
                       and p.find(qn("w:pPr")).find(qn("w:sectPr")) is not None)
    after = section_end.getnext()
    assert "".join(t.text for t in after.iter(qn("w:t"))) == "附件3"


def test_free_text_attachments_only_listed():
    doc = make('<attachment number="2" title="乙表"><p>正文</p></attachment>')
    assert texts(doc) == ["附件2", "乙表", "", "正文"]
    assert len(doc.sections) == 1


def test_landscape_attachment_between_portrait_ones():
    doc = make('<p>正文</p><attachment number="1" title="甲" orientation="landscape"><table><tr><td>1</td></tr></table>'
               '</attachment><attachment number="2" title="乙"><p>x</p></attachment>')
    assert [s.orientation for s in doc.sections] == [0, 1, 0]
    assert [s.footer.is_linked_to_previous for s in doc.sections] == [False, True, True]


@pytest.mark.parametrize("markup, fragment", [
    ('<attachment orientation="sideways"><p>a</p></attachment>', "orientation"),
    ("<attachment><attachments><item>a</item></attachments></attachment>", "<attachments>"),
])
def test_attachment_markup_mistakes(markup, fragment):
    with pytest.raises(TemplateError) as exc:
        make(markup)
    assert exc.value.problems[0].code == "PR307" and fragment in exc.value.problems[0].message


# --- examples -------------------------------------------------------------------------------------

def test_laiyuan_renders_fifteen_project_tables(rendered):
    doc = docx.Document(str(rendered["laiyuan-2023"]))
    names = [plain(grid(t)[0])[1] for t in doc.tables[1:]]
    assert len(names) == 15 and names[0] == "涞源镇防火经费" and names[-1] == "涞源镇金家井乡黑木耳基地土地流转费"
    assert plain(grid(doc.tables[0])[-1]) == ["合计", "144.9552", "144.9552", "100.00%", "", "", ""]
    first = grid(doc.tables[1])
    start = next(i for i, r in enumerate(first) if r[0][0] == "一级指标") + 1
    assert [(r[0][0], r[0][2]) for r in first[start:start + 4]] == [
        ("产出指标", "restart"), ("", "continue"), ("效益指标", None), ("满意度指标", None)]
    assert plain(first[-2])[:3] == ["总分", "100", "100"]
    paragraphs = texts(doc)
    assert "附件：1.涞源镇2023年度项目支出绩效自评汇总表" in paragraphs and "2.涞源镇2023年度项目支出绩效自评表" in paragraphs


def test_shuren_lists_its_attachments_without_generating_any(shuren):
    assert not shuren.tables and len(shuren.sections) == 1
    assert not [p for p in shuren.paragraphs if re.fullmatch(r"附件\d*", p.text)]


def test_libreoffice_converts_attachments_with_a_landscape_page(soffice, rendered_unit, tmp_path):
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(rendered_unit)], check=True, capture_output=True, timeout=300)
    pdf = tmp_path / "unit.pdf"
    assert pdf_pages(pdf) >= 5
    boxes = [tuple(map(float, m)) for m in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())]
    assert any(w < h for w, h in boxes) and any(w > h for w, h in boxes)

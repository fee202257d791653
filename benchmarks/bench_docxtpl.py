"""perfreport against docxtpl on the reference unit: examples/shuren-2023.yaml with 36 projects.

docxtpl renders a Word template, built here with python-docx, that produces
the content of perfreport's standard format: the same headings and paragraphs
with the same texts (the unit's 自称 such as 我镇, indicator values with their
sign ≥90%, the 附件 list numbered only when there are several, the 落款 when
the unit file has a date), the 项目支出绩效自评汇总表 (8 columns and a 合计
row) and one 项目支出绩效自评表 per project (landscape section, each after a
page break with its title and year line （2023年度）, 一级/二级 indicator cells
merged vertically, header rows, column spans), with the same styles, page
setup (landscape margins turned with the paper), column widths and page-number
footers: LibreOffice lays both out on the same 46 pages. The figures for docxtpl are computed in plain
Python below, as a docxtpl user would write them, and that time counts on
docxtpl's side. Both sides start from the YAML file and end with a .docx on
disk.

Before timing, both outputs are rendered once and their bodies compared line
by line: each paragraph's style, alignment, text with its bold runs, line and
page breaks, page break before, section breaks with their orientation; each
table's column count and rows (repeated header rows marked), each cell's
paragraphs the same way with colspan/rowspan. Any difference is printed and
nothing is timed. Then the two sides are timed alternately, round after round
(best of each), so that both meet the same machine load.

    python -m pip install -e '.[bench]' && python benchmarks/bench_docxtpl.py [--rounds 9]

Target (issue 18): perfreport takes at most a fifth of docxtpl's time.
"""
from __future__ import annotations

import argparse
import difflib
import os
import sys
import time
import tempfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import docx
import docx.text.paragraph
import yaml
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, Twips
from docxtpl import DocxTemplate

sys.path.insert(0, str(Path(__file__).resolve().parent))
from units import REFERENCE, write_unit  # noqa: E402

import perfreport  # noqa: E402

PROJECTS = 36
TARGET = 0.2   # issue 18: perfreport's time at most a fifth of docxtpl's
PLACEHOLDER = "—"


# --- the figures, in plain Python (what a docxtpl user writes) ----------------------------------

CATEGORIES = {"产出指标": Decimal(50), "效益指标": Decimal(30), "满意度指标": Decimal(10)}
EXECUTION_WEIGHT, TOTAL = Decimal(10), Decimal(100)
QUALITATIVE = {"达成": Decimal(1), "部分达成": Decimal("0.7"), "未达成": Decimal("0.3")}
GRADES = [(90, "优"), (80, "良"), (60, "中"), (0, "差")]
BUCKETS = [(1, "执行率100%"), (Decimal("0.8"), "执行率80%（含）至100%"), (0, "执行率80%以下")]


def number(value) -> Decimal | None:
    """A YAML number as the Decimal of its text (yaml gives floats)."""
    return None if value is None else Decimal(str(value))


def half_up(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def money(value) -> str:
    return PLACEHOLDER if value is None else str(half_up(value, 2))


def score(value) -> str:
    if value is None:
        return PLACEHOLDER
    text = str(half_up(value, 2))
    return text.rstrip("0").rstrip(".") if "." in text else text


def measure(value, unit, nature=None) -> str:
    """An indicator value with its unit; a number keeps its comparison sign (≥50个) when ``nature`` is given."""
    if value is None or value == "":
        return PLACEHOLDER
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{nature if nature in ('≥', '≤', '=') else ''}{value}{unit or ''}"
    return str(value)


def lines(text, empty="无。") -> list[str]:
    found = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    return found or ([empty] if empty else [])


def band(value, bands):
    return None if value is None else next(label for low, label in bands if value >= low)


def ratio(numerator, denominator) -> Decimal | None:
    return None if numerator is None or not denominator else numerator / denominator


def indicator_weights(indicators: list[dict]) -> list[Decimal]:
    """Each 一级指标's weight shared equally by its indicators, rescaled to the 90 points."""
    counts: dict[str, int] = {}
    for indicator in indicators:
        counts[indicator["level1"]] = counts.get(indicator["level1"], 0) + 1
    weights = [number(i.get("weight")) or CATEGORIES[i["level1"]] / counts[i["level1"]] for i in indicators]
    if weights and not any(i.get("weight") is not None for i in indicators):
        present = sum(weights)
        weights = [w * (TOTAL - EXECUTION_WEIGHT) / present for w in weights]
    return weights


def earned(indicator: dict) -> Decimal:
    target, actual = indicator.get("target"), indicator.get("actual")
    if not isinstance(target, (int, float)):
        return QUALITATIVE.get(str(actual), Decimal(1) if str(actual) == str(target) else Decimal(0))
    target, actual = number(target), number(actual)
    nature = indicator.get("nature") or "≥"
    if nature == "≥":
        return Decimal(1) if target <= 0 else min(actual / target, Decimal(1))
    if nature == "≤":
        return Decimal(1) if actual <= target else (target / actual if target > 0 else Decimal(0))
    return Decimal(1) if actual == target else max(min(actual, target), Decimal(0)) / max(actual, target)


def merges(rows: list[dict], key: str, within: str | None = None) -> list[str]:
    """Word's vMerge value of each row's cell: "restart" where the value (or the group it is in) changes."""
    out, previous = [], None
    for row in rows:
        current = (row.get(within), row[key]) if within else row[key]
        out.append("continue" if current == previous else "restart")
        previous = current
    return out


def project_context(index: int, project: dict, unit: dict, decimals: int) -> dict:
    budget, spent, initial = number(project["budget"]), number(project["spent"]), number(project.get("initial_budget"))
    rate = ratio(spent, budget)
    execution = None if rate is None else min(EXECUTION_WEIGHT * rate, EXECUTION_WEIGHT)
    indicators = project.get("indicators") or []
    weights = indicator_weights(indicators)
    rows = []
    for indicator, weight, m1, m2 in zip(indicators, weights, merges(indicators, "level1"),
                                         merges(indicators, "level2", within="level1")):
        rows.append({"m1": m1, "m2": m2, "level1": indicator["level1"] if m1 == "restart" else "",
                     "level2": indicator["level2"] if m2 == "restart" else "", "name": indicator["name"],
                     "target": measure(indicator.get("target"), indicator.get("unit"), indicator.get("nature") or "≥"),
                     "actual": measure(indicator.get("actual"), indicator.get("unit")),
                     "weight": score(weight), "score": score(weight * earned(indicator)),
                     "reason": indicator.get("deviation_reason") or PLACEHOLDER})
    total = execution + sum(w * earned(i) for w, i in zip(weights, indicators)) if indicators else number(project.get("score"))
    goal = project.get("goal") or {}
    return {
        "index": index, "name": project["name"], "budget": budget, "spent": spent, "rate": rate,
        "grade": band(total, GRADES), "bucket": band(rate, BUCKETS),
        "cells": {"budget": money(budget), "spent": money(spent), "initial": money(initial),
                  "rate": percent(rate, decimals), "weight": score(EXECUTION_WEIGHT), "execution": score(execution), "score": score(total),
                  "full": score(EXECUTION_WEIGHT + sum(weights)) if indicators else score(TOTAL),
                  "grade": band(total, GRADES) or PLACEHOLDER, "reason": project.get("deviation_reason") or PLACEHOLDER,
                  "department": project.get("department") or unit.get("department") or unit["name"],
                  "implementer": project.get("implementer") or unit["name"],
                  "expected": goal.get("expected") or PLACEHOLDER, "actual": goal.get("actual") or PLACEHOLDER},
        "indicators": rows,
    }


def signature_indents(name: str, date: str) -> tuple[int, int]:
    """The right indents (twips) of the 落款's name and date: the date 右空四字, the name centred over it but
    at least two characters from the margin (a character of 三号 with the body's -0.25 pt spacing: 315 twips)."""
    def ems(text):
        return sum(0.5 if char.isascii() else 1.0 for char in text)
    date_right = 4.0
    name_right = date_right + (ems(date) - ems(name)) / 2
    if name_right < 2:
        date_right, name_right = date_right + 2 - name_right, 2
    return round(name_right * 315), round(date_right * 315)


def percent(rate, decimals: int) -> str:
    return PLACEHOLDER if rate is None else f"{half_up(rate * 100, decimals)}%"


def docxtpl_context(data: dict) -> dict:
    """The template's variables: the unit file's data plus every figure, formatted."""
    unit, funds, settings = data["unit"], data["funds"], data.get("settings") or {}
    decimals = settings.get("percent_decimals", 2)
    money_unit = settings.get("money_unit", "万元")
    projects = [project_context(i, p, unit, decimals) for i, p in enumerate(data.get("projects") or [], start=1)]
    budget_total, spent_total = sum(p["budget"] for p in projects), sum(p["spent"] for p in projects)
    graded = [p for p in projects if p["grade"]]
    analysis, problems = data.get("analysis") or {}, data.get("problems") or {}
    who, year = unit.get("short_name") or unit["name"], data["year"]
    generated = [f"{who}{year}年度项目支出绩效自评汇总表", f"{who}{year}年度项目支出绩效自评表"] if projects else []
    labelled = [(label, analysis.get(key)) for label, key in (("经济效益", "economic_benefit"), ("社会效益", "social_benefit"),
                                                              ("生态效益", "ecological_benefit"), ("可持续影响", "sustainable_benefit"))]
    date = data.get("date")
    signed = f"{date.year}年{date.month}月{date.day}日" if date else None
    name_right, date_right = signature_indents(unit["name"], signed) if signed else (0, 0)
    return dict(
        data, money_unit=money_unit, who=who, projects=projects, self_name=unit.get("self_name") or "我单位",
        goal_indicators=[dict(i, target=measure(i.get("target"), i.get("unit"), i.get("nature") or "≥"))
                         for i in (data.get("goals") or {}).get("indicators") or []],
        signed=signed, signature_name_right=name_right, signature_date_right=date_right,
        budget=money(number(funds["budget"])) + money_unit, spent=money(number(funds["spent"])) + money_unit,
        received=None if funds.get("received") is None else money(number(funds["received"])) + money_unit,
        rate=percent(ratio(number(funds["spent"]), number(funds["budget"])), decimals),
        totals={"budget": money(budget_total), "spent": money(spent_total),
                "rate": percent(ratio(spent_total, budget_total), decimals)},
        buckets=[(label, sum(1 for p in projects if p["bucket"] == label),
                  money(sum((p["budget"] for p in projects if p["bucket"] == label), Decimal(0))) + money_unit)
                 for _low, label in BUCKETS],
        grades=[(label, n, percent(ratio(Decimal(n), Decimal(len(graded))), decimals))
                for _low, label in GRADES if (n := sum(1 for p in graded if p["grade"] == label))],
        coverage=percent(Decimal(1) if projects else None, decimals),
        text={"background": lines(data.get("background")), "fund_management": lines(data.get("fund_management")),
              "overall": lines(analysis.get("overall")), "output": lines(analysis.get("output")),
              "benefits": [f"{label}：{line}" if i == 0 else line for label, text in labelled
                           for i, line in enumerate(lines(text, None))] or ["无。"],
              "satisfaction": lines(analysis.get("satisfaction")), "conclusion": lines(analysis.get("conclusion"), None if projects else "无。"),
              "goals": lines((data.get("goals") or {}).get("overall"), None),
              "management": lines(problems.get("management")), "funds": lines(problems.get("funds")),
              "performance": lines(problems.get("performance")), "other_problems": lines(problems.get("other")),
              "other": lines(data.get("other")), "improvements": [f"{i}.{t}" for i, t in enumerate(data.get("improvements") or [], 1)]
              or ["无。"]},
        attached=generated + [name for name in data.get("attachments") or [] if name not in generated],
    )


def docxtpl_render(template: Path, unit_file: Path, output: Path) -> None:
    data = yaml.load(unit_file.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    document = DocxTemplate(str(template))
    document.render(docxtpl_context(data), autoescape=True)
    document.save(str(output))


# --- the Word template ---------------------------------------------------------------------------

def base_document(work: Path) -> docx.document.Document:
    """A document with the standard format's styles, page setup and page-number footers and an empty
    body: what a user gets by saving their styled Word file (here perfreport's output of the reference
    unit, which has no project tables and so a single section, with its body removed)."""
    path = perfreport.render(REFERENCE, work / "styles.docx")
    document = docx.Document(str(path))
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return document


def paragraph(document, text: str = "", style: str = "Body Text", *, align=None, indent_zero=False, keep_next=False):
    p = document.add_paragraph(style=style)
    if text:
        p.add_run(text)
    if align is not None:
        p.alignment = align
    if indent_zero:
        p.paragraph_format.first_line_indent = 0
    if keep_next:
        p.paragraph_format.keep_with_next = True
    return p


def repeat(document, loop: str, *texts: str, style: str = "Body Text") -> None:
    """Paragraphs repeated by docxtpl: {%p for … %}, one paragraph per text, {%p endfor %}."""
    paragraph(document, "{%p for " + loop + " %}")
    for text in texts:
        paragraph(document, text, style)
    paragraph(document, "{%p endfor %}")


def heading(document, level: int, text: str) -> None:
    paragraph(document, text, f"Heading {level}")


def section_text(document, level: int, title: str, variable: str) -> None:
    heading(document, level, title)
    repeat(document, f"line in text.{variable}", "{{ line }}")


def th(text, span=1, down=1):
    return {"text": text, "bold": True, "align": "center", "span": span, "down": down}


def td(text, align="left", span=1, down=1):
    return {"text": text, "bold": False, "align": align, "span": span, "down": down}


ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}


def table(document, weights: list[float], rows: list[list[dict] | str], header_rows: int, width: int) -> None:
    """A fixed-layout table in the standard format's look; a row given as a string is a docxtpl
    row tag ({%tr … %}). Spans and merges are laid out on the grid like HTML colspan/rowspan."""
    widths = [round(w * width / sum(weights)) for w in weights]
    t = document.add_table(rows=len(rows), cols=len(weights))
    t.style = document.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "57")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    t._tbl.tblPr.append(margins)
    for column, w in zip(t.columns, widths):
        column.width = Twips(w)
    covered, placed = set(), []
    for r, row in enumerate(rows):
        tr_pr = t.rows[r]._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if r < header_rows:
            tr_pr.append(OxmlElement("w:tblHeader"))
        if isinstance(row, str):
            t.cell(r, 0).paragraphs[0].add_run(row)
            continue
        c = 0
        for cell in row:
            while (r, c) in covered:
                c += 1
            covered.update((r + i, c + j) for i in range(cell["down"]) for j in range(cell["span"]))
            placed.append((r, c, cell))
            c += cell["span"]
    for r, c, cell in placed:
        target = t.cell(r, c)
        if cell["span"] > 1 or cell["down"] > 1:
            target = target.merge(t.cell(r + cell["down"] - 1, c + cell["span"] - 1))
        target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        p = target.paragraphs[0]
        p.style = document.styles["Table Text"]
        p.alignment = ALIGN[cell["align"]]
        for i, part in enumerate(cell["text"].split("\n")):
            if i:
                p.add_run().add_break()
            p.add_run(part).bold = cell["bold"] or None
    for tr in t._tbl.findall(qn("w:tr")):
        column = 0
        for tc in tr.findall(qn("w:tc")):
            span = tc.grid_span
            tc.width = Twips(sum(widths[column:column + span]))
            column += span
            for p in tc.findall(qn("w:p")):
                table_text(docx.text.paragraph.Paragraph(p, t))


def table_text(p) -> None:
    """Table Text, off the document grid (whose 28.95 pt line pitch would stretch every row)."""
    p.style = p.part.document.styles["Table Text"]
    p._p.get_or_add_pPr().insert_element_before(OxmlElement("w:snapToGrid"), "w:spacing", "w:ind", "w:jc")
    p._p.pPr.find(qn("w:snapToGrid")).set(qn("w:val"), "0")


def set_vmerge(table_element, row_index: int, column: int, variable: str) -> None:
    """Merge a cell with the cells below it where ``variable`` says "continue". docxtpl's {% vm %} merges a
    column over a whole loop; merging by group takes the vMerge value from the data (docxtpl renders the
    whole XML with Jinja, attributes included)."""
    tc = table_element.findall(qn("w:tr"))[row_index].findall(qn("w:tc"))[column]
    tc_pr = tc.get_or_add_tcPr()
    merge = OxmlElement("w:vMerge")
    merge.set(qn("w:val"), "{{ " + variable + " }}")
    tc_pr.find(qn("w:tcW")).addnext(merge)


def text_width(section) -> int:
    return section.page_width.twips - section.left_margin.twips - section.right_margin.twips


def attachment_label(document, text: str, title: str, new_page: bool, year_line: str | None = None) -> None:
    """「附件1」 in 3号黑体, the attachment's title, its year line if any, a blank line."""
    p = paragraph(document, style="Body Text", align=WD_ALIGN_PARAGRAPH.LEFT, indent_zero=True, keep_next=True)
    p.paragraph_format.page_break_before = new_page or None
    run = p.add_run(text)
    run.font.size = Pt(16)
    run.font.name = "Times New Roman"
    run.font.element.rPr.rFonts.set(qn("w:eastAsia"), "黑体")
    paragraph(document, title, "Title", keep_next=True)
    if year_line:
        paragraph(document, year_line, align=WD_ALIGN_PARAGRAPH.CENTER, indent_zero=True, keep_next=True)
    paragraph(document, keep_next=True)


def after_table(document, text: str = ""):
    """The paragraph Word needs after a table, one point high."""
    p = paragraph(document, text, "Table Text")
    table_text(p)
    p.paragraph_format.line_spacing = Pt(1)
    return p


# Column widths in twips: those perfreport gives these tables for this content (it measures the cells; a Word
# template has fixed widths, which its author sets once by hand), so that both documents break lines and pages alike.
SUMMARY_WIDTHS = [654, 2889, 918, 918, 894, 784, 654, 1134]
PROJECT_WIDTHS = [1710, 2447, 2251, 1452, 1452, 706, 972, 1766]


def build_template(path: Path, work: Path) -> Path:
    """A docxtpl template with the paragraphs, headings and tables of the standard format."""
    document = base_document(work)
    paragraph(document, "{{ unit.name }}", "Title")
    paragraph(document, "{{ title or (year ~ '年度绩效自评工作报告') }}", "Title")
    paragraph(document)
    paragraph(document, "{% if notice.title %}按照《{{ notice.title }}》{% if notice.doc_no %}（{{ notice.doc_no }}）{% endif %}"
                        "文件要求，{% endif %}{{ self_name }}对{{ year }}年项目资金开展了绩效自评工作，现将自评情况报告如下：")
    heading(document, 1, "一、基本情况")
    section_text(document, 2, "（一）项目背景、内容。", "background")
    heading(document, 2, "（二）项目资金情况。")
    heading(document, 3, "1.项目资金到位及执行情况")
    paragraph(document, "财政局下达项目指标金额为{{ budget }}，{% if received %}实际到位项目资金金额为{{ received }}，{% endif %}"
                        "{% if not received or funds.spent != funds.received %}实际执行{{ spent }}，{% endif %}资金执行率为{{ rate }}。")
    paragraph(document, "{%p if projects %}")
    paragraph(document, "纳入自评的项目共{{ projects|length }}个，预算{{ totals.budget }}{{ money_unit }}，执行{{ totals.spent }}"
                        "{{ money_unit }}，项目执行率为{{ totals.rate }}。其中，{% for label, n, amount in buckets if n %}{{ label }}"
                        "的项目{{ n }}个，预算金额{{ amount }}{{ '；' if not loop.last else '。' }}{% endfor %}")
    paragraph(document, "{%p endif %}")
    section_text(document, 3, "2.项目资金管理情况", "fund_management")
    heading(document, 2, "（三）绩效目标。")
    repeat(document, "line in text.goals", "{{ line }}")
    repeat(document, "indicator in goal_indicators",
           "{%p if loop.changed(indicator.level2) %}", "{{ indicator.level2 }}：", "{%p endif %}",
           "{{ loop.index }}.{{ indicator.name }}", "指标值：{{ indicator.target }}")
    heading(document, 2, "（四）部门（单位）职能职责。")
    paragraph(document, "{% for office, duties in functions.items() %}{{ office }}{{ duties }}{% endfor %}")
    heading(document, 1, "二、绩效目标完成情况分析")
    section_text(document, 2, "（一）总体绩效目标完成情况分析", "overall")
    heading(document, 2, "（二）绩效指标完成情况分析")
    section_text(document, 3, "1.产出", "output")
    section_text(document, 3, "2.效益", "benefits")
    section_text(document, 3, "3.满意度", "satisfaction")
    section_text(document, 2, "（三）评价结果", "conclusion")
    paragraph(document, "{%p if projects %}")
    paragraph(document, "本年度自评项目{{ projects|length }}个，自评覆盖率{{ coverage }}。自评结果："
                        "{% for label, n, share in grades %}“{{ label }}”{{ n }}个，占{{ share }}"
                        "{{ '；' if not loop.last else '。' }}{% endfor %}")
    paragraph(document, "{%p endif %}")
    heading(document, 1, "三、存在问题")
    section_text(document, 2, "（一）项目管理方面的问题", "management")
    section_text(document, 2, "（二）资金使用方面的问题", "funds")
    section_text(document, 2, "（三）项目绩效方面的问题", "performance")
    section_text(document, 2, "（四）其他方面的问题", "other_problems")
    section_text(document, 1, "四、下一步改进措施", "improvements")
    heading(document, 1, "五、绩效自评结果拟应用和公开情况")
    paragraph(document, "{{ self_name }}拟将审核后的{{ year }}年度部门整体绩效自评结果{% if projects %}和{{ projects|length }}"
                        "个二级项目绩效自评结果{% endif %}在{{ disclosure.where }}进行公开，接受上级主管部门的考核检查和社会各界的监督。")
    section_text(document, 1, "六、其他需要说明的问题", "other")
    paragraph(document, "{%p if attached %}")
    paragraph(document, keep_next=True)
    listed = paragraph(document, "附件：{{ '1.' if attached|length > 1 }}{{ attached[0] }}", keep_next=True)
    listed.paragraph_format.left_indent, listed.paragraph_format.first_line_indent = Pt(5 * 16), Pt(-3 * 16)
    paragraph(document, "{%p for name in attached[1:] %}")
    listed = paragraph(document, "{{ loop.index + 1 }}.{{ name }}", keep_next=True)
    listed.paragraph_format.left_indent, listed.paragraph_format.first_line_indent = Pt(5 * 16), 0
    paragraph(document, "{%p endfor %}")
    paragraph(document, "{%p endif %}")
    paragraph(document, "{%p if signed %}")   # the 落款: two blank lines, the name centred over the date, 右空四字
    paragraph(document, keep_next=True)
    paragraph(document, keep_next=True)
    signed = paragraph(document, "{{ unit.name }}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent_zero=True, keep_next=True)
    signed.paragraph_format.right_indent = Pt(16)   # replaced below by the computed indent
    signed._p.pPr.find(qn("w:ind")).set(qn("w:right"), "{{ signature_name_right }}")
    signed = paragraph(document, "{{ signed }}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent_zero=True)
    signed.paragraph_format.right_indent = Pt(16)
    signed._p.pPr.find(qn("w:ind")).set(qn("w:right"), "{{ signature_date_right }}")
    paragraph(document, "{%p endif %}")

    attachment_label(document, "附件{{ 1 if attached|length > 1 }}", "{{ who }}{{ year }}年度项目支出绩效自评汇总表", new_page=True)
    paragraph(document, "金额单位：{{ money_unit }}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent_zero=True)
    portrait = text_width(document.sections[-1])
    table(document, SUMMARY_WIDTHS, [
        [th("序号"), th("项目名称"), th("预算数"), th("执行数"), th("执行率"), th("得分"), th("等级"), th("偏差原因")],
        "{%tr for p in projects %}",
        [td("{{ p.index }}", "center"), td("{{ p.name }}"), td("{{ p.cells.budget }}", "right"), td("{{ p.cells.spent }}", "right"),
         td("{{ p.cells.rate }}", "right"), td("{{ p.cells.score }}", "right"), td("{{ p.cells.grade }}", "center"),
         td("{{ p.cells.reason }}")],
        "{%tr endfor %}",
        [th("合计", span=2), td("{{ totals.budget }}", "right"), td("{{ totals.spent }}", "right"), td("{{ totals.rate }}", "right"),
         td(""), td(""), td("")],
    ], header_rows=1, width=portrait)

    section = document.add_section(WD_SECTION.NEW_PAGE)
    ending = docx.text.paragraph.Paragraph(document.element.body.findall(qn("w:p"))[-1], document._body)
    ending.style = document.styles["Table Text"]   # the paragraph after the table ends the portrait section
    ending.paragraph_format.line_spacing = Pt(1)
    table_text(ending)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    # the portrait margins turned with the page, as perfreport (and Word's "rotate") does: top ← right, etc.
    section.top_margin, section.right_margin, section.bottom_margin, section.left_margin = (
        section.right_margin, section.bottom_margin, section.left_margin, section.top_margin)
    attachment_label(document, "附件{{ 2 if attached|length > 1 }}", "{{ who }}{{ year }}年度项目支出绩效自评表", new_page=False,
                     year_line="（{{ year }}年度）")
    paragraph(document, "{%p for p in projects %}")
    paragraph(document, "{%p if not loop.first %}")   # after a page break: the form's title and year line
    title = paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, indent_zero=True)
    title.add_run("项目支出绩效自评表").bold = True
    paragraph(document, "（{{ year }}年度）", align=WD_ALIGN_PARAGRAPH.CENTER, indent_zero=True)
    paragraph(document, "{%p endif %}")
    c = "{{ p.cells.%s }}"
    table(document, PROJECT_WIDTHS, [
        [th("项目名称"), td("{{ p.name }}", span=7)],
        [th("主管部门"), td(c % "department", span=3), th("实施单位"), td(c % "implementer", span=3)],
        [th("项目资金\n（{{ money_unit }}）", down=2), th(""), th("年初预算数"), th("全年预算数"), th("全年执行数"), th("分值"),
         th("执行率"), th("得分")],
        [td("年度资金总额"), td(c % "initial", "right"), td(c % "budget", "right"), td(c % "spent", "right"), td(c % "weight", "right"),
         td(c % "rate", "right"), td(c % "execution", "right")],
        [th("年度总体目标", down=2), th("预期目标", span=3), th("实际完成情况", span=4)],
        [td(c % "expected", span=3), td(c % "actual", span=4)],
        [th("一级指标"), th("二级指标"), th("三级指标"), th("年度指标值"), th("实际完成值"), th("分值"), th("得分"),
         th("偏差原因分析\n及改进措施")],
        "{%tr for i in p.indicators %}",
        [td("{{ i.level1 }}", "center"), td("{{ i.level2 }}", "center"), td("{{ i.name }}"), td("{{ i.target }}", "center"),
         td("{{ i.actual }}", "center"), td("{{ i.weight }}", "right"), td("{{ i.score }}", "right"), td("{{ i.reason }}")],
        "{%tr endfor %}",
        [th("总分", span=5), td(c % "full", "right"), td(c % "score", "right"), td("")],
        [th("自评等级", span=5), td(c % "grade", "center", span=3)],
    ], header_rows=1, width=text_width(section))
    indicator_row = document.tables[-1]._tbl
    set_vmerge(indicator_row, 8, 0, "i.m1")
    set_vmerge(indicator_row, 8, 1, "i.m2")
    page_break = after_table(document, "{%r if not loop.last %}")
    page_break.add_run().add_break(docx.enum.text.WD_BREAK.PAGE)
    page_break.add_run("{%r endif %}")
    paragraph(document, "{%p endfor %}")
    document.save(str(path))
    return path


# --- comparing the two outputs -------------------------------------------------------------------

def _on(element) -> bool:
    """Whether a toggle property (w:b, w:pageBreakBefore) is present and not switched off."""
    return element is not None and element.get(qn("w:val")) not in ("0", "false", "off")


def orientation(section) -> str:
    size = section.find(qn("w:pgSz"))
    wide = size.get(qn("w:orient")) == "landscape" or int(size.get(qn("w:w"))) > int(size.get(qn("w:h")))
    return "landscape" if wide else "portrait"


def paragraph_text(p) -> str:
    """A paragraph as it reads: its style and alignment (where set on the paragraph), its text with bold
    runs marked **…**, line and page breaks, a page break before it, a section ending with it (and the
    orientation of that section)."""
    ppr = p.find(qn("w:pPr"))
    style = ppr.find(qn("w:pStyle")) if ppr is not None else None
    align = ppr.find(qn("w:jc")) if ppr is not None else None
    head = (style.get(qn("w:val")) if style is not None else "Normal") + (f"/{align.get(qn('w:val'))}" if align is not None else "")
    segments: list[list] = []   # [text, bold], neighbours of the same weight joined (runs are split anyhow)
    for run in p.iter(qn("w:r")):
        rpr = run.find(qn("w:rPr"))
        bold = rpr is not None and _on(rpr.find(qn("w:b")))
        for child in run:
            if child.tag == qn("w:t"):
                text = child.text or ""
            elif child.tag == qn("w:br"):
                text = "[page break]" if child.get(qn("w:type")) == "page" else "\\n"
            elif child.tag == qn("w:tab"):
                text = "\\t"
            else:
                continue
            if text and segments and segments[-1][1] == bold:
                segments[-1][0] += text
            elif text:
                segments.append([text, bold])
    body = "".join(f"**{text}**" if bold else text for text, bold in segments)
    if ppr is not None and _on(ppr.find(qn("w:pageBreakBefore"))):
        body = "[new page]" + body
    if ppr is not None and ppr.find(qn("w:sectPr")) is not None:
        body += f"[section break: {orientation(ppr.find(qn('w:sectPr')))}]"
    return f"{head}: {body}"


def table_lines(tbl) -> list[str]:
    """Each row as HTML would see it: the cells' paragraphs (as :func:`paragraph_text`) with colspan and
    rowspan; cells continuing a vertical merge are left out, and a merge of one row is no merge. A row
    repeated on each page (w:tblHeader) is marked."""
    rows, headers = [], []
    for tr in tbl.findall(qn("w:tr")):
        cells, column = [], 0
        trpr = tr.find(qn("w:trPr"))
        headers.append(trpr is not None and _on(trpr.find(qn("w:tblHeader"))))
        for tc in tr.findall(qn("w:tc")):
            pr = tc.find(qn("w:tcPr"))
            span = pr.find(qn("w:gridSpan")) if pr is not None else None
            merge = pr.find(qn("w:vMerge")) if pr is not None else None
            span = int(span.get(qn("w:val"))) if span is not None else 1
            state = None if merge is None else ("restart" if merge.get(qn("w:val")) == "restart" else "continue")
            text = " ¶ ".join(paragraph_text(p) for p in tc.findall(qn("w:p")))
            cells.append([column, span, state, text, 1])
            column += span
        rows.append(cells)
    for r, cells in enumerate(rows):   # rowspan of each restart: the continuing cells below it
        for cell in cells:
            if cell[2] == "restart":
                below = r + 1
                while below < len(rows) and any(c[0] == cell[0] and c[2] == "continue" for c in rows[below]):
                    below += 1
                cell[4] = below - r
    return [("  h " if header else "  | ") + " | ".join(
        f"{text}" + (f" (colspan {span})" if span > 1 else "") + (f" (rowspan {down})" if down > 1 else "")
        for _col, span, state, text, down in cells if state != "continue") for cells, header in zip(rows, headers)]


def content(path: Path) -> list[str]:
    """The document body as lines: each paragraph (:func:`paragraph_text`), each table's rows, the last
    section's orientation."""
    body = docx.Document(str(path)).element.body
    out = []
    for element in body:
        if element.tag == qn("w:p"):
            out.append("¶ " + paragraph_text(element))
        elif element.tag == qn("w:tbl"):
            columns = len(element.find(qn("w:tblGrid")).findall(qn("w:gridCol")))
            out.append(f"table of {columns} columns")
            out.extend(table_lines(element))
        elif element.tag == qn("w:sectPr"):
            out.append(f"[last section: {orientation(element)}]")
    return out


def compare(ours: Path, theirs: Path) -> bool:
    a, b = content(ours), content(theirs)
    if a == b:
        tables = sum(1 for line in a if line.startswith("table of "))
        print(f"  same content: {len(a) - tables} paragraphs and table rows, {tables} tables")
        return True
    print("  CONTENT DIFFERS (- perfreport, + docxtpl):")
    for line in difflib.unified_diff(a, b, "perfreport", "docxtpl", n=1, lineterm=""):
        print("   ", line)
    return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=9, help="rounds; each times both sides once, alternately")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="perfreport-bench-"))
    unit = write_unit(work / "shuren-36.yaml", PROJECTS)
    template = build_template(work / "template.docx", work)
    perfreport.render(unit, work / "perfreport.docx")
    docxtpl_render(template, unit, work / "docxtpl.docx")
    print(f"reference unit, {PROJECTS} projects; outputs in {work}")
    if not compare(work / "perfreport.docx", work / "docxtpl.docx"):
        sys.exit("the two sides must produce the same content before they are timed")
    loaded = perfreport.load(unit)
    sides = {
        "perfreport": lambda: perfreport.render(unit, work / "perfreport.docx"),
        "perfreport, render + write from a loaded report": lambda: perfreport.render(loaded, work / "perfreport.docx"),
        "docxtpl": lambda: docxtpl_render(template, unit, work / "docxtpl.docx"),
    }
    best = {name: float("inf") for name in sides}
    for _round in range(options.rounds + 1):   # the first round warms up and is not counted
        for name, function in sides.items():
            start = time.perf_counter()
            function()
            if _round:
                best[name] = min(best[name], time.perf_counter() - start)
    ours, theirs = best["perfreport"], best["docxtpl"]
    print(f"best of {options.rounds} alternating rounds (1-minute load average {os.getloadavg()[0]:.2f}):")
    print(f"  perfreport (read, validate, compute, render, write): {ours * 1000:8.1f} ms")
    print(f"    of which render + write from a loaded report:      {best[list(sides)[1]] * 1000:8.1f} ms")
    print(f"  docxtpl    (read, compute, render, write):           {theirs * 1000:8.1f} ms")
    print(f"  ratio perfreport / docxtpl: {ours / theirs:.2f}  (target ≤ {TARGET}) -> {'OK' if ours <= theirs * TARGET else 'MISSED'}")


if __name__ == "__main__":
    main()

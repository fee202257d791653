"""perfreport against docxtpl on the reference unit: examples/shuren-2023.yaml with 36 projects.

docxtpl renders a Word template built here with python-docx that produces the
same content: title, notice, the numbered sections as headings and paragraphs,
and a project table (序号, 项目名称, 预算数, 执行数, 执行率) with a row per project.
Both sides start from the YAML file and end with a .docx on disk, so both
read the YAML, compute the rates and write the document.

    python -m pip install -e '.[bench]' && python benchmarks/bench_docxtpl.py

Target: perfreport takes at most half of docxtpl's time.
"""
from __future__ import annotations

import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import docx
import yaml
from docxtpl import DocxTemplate

sys.path.insert(0, str(Path(__file__).resolve().parent))
from units import best_of, write_unit  # noqa: E402

import perfreport  # noqa: E402

PROJECTS = 36
SECTIONS = [("项目背景、内容", "background"), ("项目资金管理情况", "fund_management"),
            ("总体目标完成情况", "analysis.overall"), ("产出指标完成情况", "analysis.output"),
            ("经济效益", "analysis.economic_benefit"), ("社会效益", "analysis.social_benefit"),
            ("生态效益", "analysis.ecological_benefit"), ("满意度", "analysis.satisfaction"),
            ("自评结论", "analysis.conclusion")]


def build_template(path: Path) -> Path:
    """A docxtpl template with the same paragraphs and project table as the standard format."""
    document = docx.Document()
    document.add_heading("{{ unit.name }}{{ year }}年度绩效自评报告", 0)
    document.add_paragraph("根据《{{ notice.title }}》（{{ notice.doc_no }}）要求，{{ unit.self_name }}开展了绩效自评。")
    document.add_paragraph("{{ unit.self_name }}{{ year }}年预算{{ budget }}万元，全年执行{{ spent }}万元，资金执行率为{{ rate }}。")
    for number, (heading, key) in enumerate(SECTIONS, start=1):
        document.add_heading(f"{number}、{heading}", 1)
        document.add_paragraph("{{ " + key + " }}")
    document.add_heading("下一步改进措施", 1)
    document.add_paragraph("{%p for item in improvements %}")
    document.add_paragraph("{{ loop.index }}. {{ item }}")
    document.add_paragraph("{%p endfor %}")
    document.add_heading("附件：项目绩效自评表", 1)
    table = document.add_table(rows=3, cols=5)
    for cell, text in zip(table.rows[0].cells, ["序号", "项目名称", "预算数（万元）", "执行数（万元）", "执行率"]):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for p in projects %}"
    for cell, text in zip(table.rows[2].cells, ["{{ loop.index }}", "{{ p.name }}", "{{ p.budget }}",
                                                "{{ p.spent }}", "{{ p.rate }}"]):
        cell.text = text
    row = table.add_row()
    row.cells[0].text = "{%tr endfor %}"
    document.save(str(path))
    return path


def percent(numerator, denominator) -> str:
    return f"{(Decimal(str(numerator)) / Decimal(str(denominator)) * 100).quantize(Decimal('0.01'))}%"


def docxtpl_render(template: Path, unit_file: Path, output: Path) -> None:
    data = yaml.load(unit_file.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    funds = data["funds"]
    context = dict(data, budget=funds["budget"], spent=funds["spent"], rate=percent(funds["spent"], funds["budget"]),
                   projects=[dict(p, rate=percent(p["spent"], p["budget"])) for p in data["projects"]])
    document = DocxTemplate(str(template))
    document.render(context)
    document.save(str(output))


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="perfreport-bench-"))
    unit = write_unit(work / "shuren-36.yaml", PROJECTS)
    template = build_template(work / "template.docx")
    ours = best_of(lambda: perfreport.render(unit, work / "perfreport.docx"))
    loaded = perfreport.load(unit)
    ours_render = best_of(lambda: perfreport.render(loaded, work / "perfreport.docx"))
    theirs = best_of(lambda: docxtpl_render(template, unit, work / "docxtpl.docx"))
    print(f"reference unit, {PROJECTS} projects (best of 5)")
    print(f"  perfreport (read, validate, compute, render, write): {ours * 1000:8.1f} ms")
    print(f"    of which render + write from a loaded report:      {ours_render * 1000:8.1f} ms")
    print(f"  docxtpl    (read, compute rates, render, write):     {theirs * 1000:8.1f} ms")
    print(f"  ratio perfreport / docxtpl: {ours / theirs:.2f}  (target ≤ 0.50) -> {'OK' if ours <= theirs / 2 else 'MISSED'}")


if __name__ == "__main__":
    main()

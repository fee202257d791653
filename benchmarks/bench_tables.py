"""How long the attachment tables take for a large unit: 5,000 projects.

    python benchmarks/bench_tables.py [projects]

Prints the time to render and build the project summary table alone (template
→ markup → WordprocessingML, best of three runs), and the time of the whole report with all its
attachments (the summary and one 自评表 per project). Not a test: the figures
go into docs/performance.md.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's perfreport

from perfreport import api, markup  # noqa: E402
from perfreport.build import build  # noqa: E402
from perfreport.templating import environment  # noqa: E402

UNIT = """\
unit: {name: 基准镇人民政府, short_name: 基准镇}
year: 2023
notice: {title: 基准县财政局关于开展2023年预算绩效自评工作的通知}
funds: {budget: 100000, spent: 90000}
projects:
"""
PROJECT = """\
  - name: 项目{i}
    budget: {budget}
    spent: {spent}
    deviation_reason: 部分资金尚未支付
    indicators:
      - {{level1: 产出指标, level2: 数量指标, name: 完成数量, target: 10, unit: 个, actual: {actual}}}
      - {{level1: 产出指标, level2: 质量指标, name: 验收合格率, target: 100, unit: "%", actual: 100}}
      - {{level1: 效益指标, level2: 社会效益指标, name: 群众受益, target: 改善, actual: 达成}}
      - {{level1: 满意度指标, level2: 满意度指标, name: 群众满意度, target: 90, unit: "%", actual: 92}}
"""


def unit_text(count: int) -> str:
    return UNIT + "".join(PROJECT.format(i=i, budget=20 + i % 7, spent=18 + i % 5, actual=8 + i % 3)
                          for i in range(1, count + 1))


def timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def main(count: int = 5000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "unit.yaml"
        path.write_text(unit_text(count), encoding="utf-8")
        report, load_seconds = timed(lambda: api.load(path))
        env = environment(report.format.search_path)
        template = env.from_string('{% import "tables.xml.j2" as t with context %}'
                                   "<report>{{ t.summary_table(figures) }}</report>")
        context = dict(report.unit, figures=report.figures, settings=report.settings, format=report.format.name)

        def summary():
            build(markup.parse(template.render(context)), report.format.profile)
        summary_seconds = min(timed(summary)[1] for _run in range(3))  # best of 3: a shared machine is noisy
        _path, full_seconds = timed(lambda: api.render(report, Path(folder) / "report.docx"))
    print(f"{count} projects: load {load_seconds:.2f} s; summary table (render + build) {summary_seconds:.2f} s; "
          f"whole report with {count} project tables {full_seconds:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)

"""How long the attachment tables take for a large unit: 5,000 projects.

    python benchmarks/bench_tables.py [projects]

Prints the time to render, build and write the project summary table alone (template
→ markup → WordprocessingML, best of three runs), and the time of the whole report with all its
attachments (the summary and one 自评表 per project). Not a test: the figures
go into docs/performance.md.
"""
from __future__ import annotations

import io
import sys
import tempfile
import time
from pathlib import Path

from units import write_unit  # noqa: E402  (also puts this checkout's perfreport first on sys.path)

from perfreport import api
from perfreport.word import markup  # noqa: E402
from perfreport.word.build import build  # noqa: E402
from perfreport.templating.jinja import environment  # noqa: E402


def timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def main(count: int = 5000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write_unit(Path(folder) / "unit.yaml", count)
        report, load_seconds = timed(lambda: api.load(path))
        env = environment(report.format.search_path)
        template = env.from_string('{% import "tables.xml.j2" as t with context %}'
                                   "<report>{{ t.summary_table(figures) }}</report>")
        context = dict(report.unit, figures=report.figures, settings=report.settings, format=report.format.name)

        def summary():
            build(markup.parse(template.render(context)), report.format.profile).save(io.BytesIO())
        summary_seconds = min(timed(summary)[1] for _run in range(3))  # best of 3: a shared machine is noisy
        _path, full_seconds = timed(lambda: api.render(report, Path(folder) / "report.docx"))
    print(f"{count} projects: load {load_seconds:.2f} s; summary table (render + build + write) {summary_seconds:.2f} s; "
          f"whole report with {count} project tables {full_seconds:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)

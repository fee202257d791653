"""Batch: 1,000 unit files of 36 projects rendered by `perfreport batch --jobs 2`.

    python benchmarks/bench_batch.py [--units 1000] [--jobs 2] [--pdf 30]

Target: at least 50 reports per second on a 2-core machine. The same batch is
rendered again from scratch with --summary, into another folder: the ratio of
the two times is what the summary workbook adds (target: at most 1.10).
PDF: ``--pdf`` reports of the batch converted by one LibreOffice process
(start-up included), as documents per second (target: at least 3). Then re-runs with
everything up to date: as they are (the manifest skips every unit without
loading it), with --summary, and with the manifest deleted (every unit
loaded, as before the manifest). Also prints start-up: the wall time of
`perfreport --version` (best of 5).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from units import ROOT, unit_text

COMMAND = [sys.executable, "-m", "perfreport.cli"]


def run(*args: str) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    subprocess.run([*COMMAND, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--pdf", type=int, default=30, help="reports converted to PDF by one LibreOffice process")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="perfreport-bench-"))
    folder = work / "units"
    folder.mkdir()
    for i in range(options.units):
        (folder / f"unit-{i:04d}.yaml").write_text(unit_text(36, short_name=f"第{i:04d}镇"), encoding="utf-8")
    startup = min(run("--version") for _ in range(5))
    seconds = run("batch", str(folder), "-o", str(work / "out"), "--jobs", str(options.jobs))
    written = len(list((work / "out").glob("*.docx")))
    rate = written / seconds
    fresh = ("batch", str(folder), "-o", str(work / "out-summary"), "--jobs", str(options.jobs))
    with_summary = run(*fresh, "--summary", str(work / "fresh-summary.xlsx"))
    ratio = with_summary / seconds
    pdf_rate = _pdf_rate(sorted((work / "out").glob("*.docx"))[:options.pdf], work / "pdf") if options.pdf else None
    again = ("batch", str(folder), "-o", str(work / "out"), "--jobs", str(options.jobs))
    rerun = run(*again)
    summary = run(*again, "--summary", str(work / "summary.xlsx"))
    (work / "out" / ".perfreport-batch.json").unlink(missing_ok=True)
    unrecorded = run(*again)
    print(f"start-up, perfreport --version: {startup * 1000:.0f} ms")
    print(f"batch of {options.units} units × 36 projects, --jobs {options.jobs}: {written} written in {seconds:.1f} s "
          f"= {rate:.1f} reports/s (target ≥ 50) -> {'OK' if rate >= 50 else 'MISSED'}")
    print(f"the same from scratch with --summary: {with_summary:.1f} s = {ratio:.3f} × without "
          f"(target ≤ 1.10) -> {'OK' if ratio <= 1.10 else 'MISSED'}")
    if pdf_rate is not None:
        print(f"PDF, one LibreOffice process, {options.pdf} reports (start-up included): {pdf_rate:.2f} documents/s "
              f"(target ≥ 3) -> {'OK' if pdf_rate >= 3 else 'MISSED'}")
    print(f"re-run, all up to date: {rerun:.2f} s; with --summary {summary:.2f} s; "
          f"without the manifest (every unit loaded) {unrecorded:.2f} s")


def _pdf_rate(documents: list[Path], outdir: Path) -> float | None:
    """Documents per second converted by one LibreOffice process, or None without LibreOffice."""
    from perfreport.errors import PerfReportError
    from perfreport.word.pdf import convert

    outdir.mkdir()
    start = time.perf_counter()
    try:
        pdfs, _problems = convert(documents, outdir)
    except PerfReportError as error:
        print(f"PDF not measured: {error}")
        return None
    return len(pdfs) / (time.perf_counter() - start)


if __name__ == "__main__":
    main()

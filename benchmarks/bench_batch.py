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

``--against OTHER_CHECKOUT`` (another checkout of perfreport, e.g. an older
commit unpacked with ``git archive``) first renders the batch from scratch
with each checkout in turn, ``--rounds`` times, alternating, and prints each
one's best reports/s and its CPU time per report (all processes: the batch
and its workers), which the machine's other load disturbs less than the wall
time. Then the rest runs with this checkout only.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from units import ROOT, unit_text

COMMAND = [sys.executable, "-m", "perfreport.cli"]


def run(*args: str, root: Path = ROOT) -> float:
    return timed(*args, root=root)[0]


def timed(*args: str, root: Path = ROOT) -> tuple[float, float]:
    """Wall time and CPU time (user + system, the command and all its processes) of a perfreport command."""
    env = dict(os.environ, PYTHONPATH=str(root))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([*COMMAND, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def against(folder: Path, work: Path, other: Path, jobs: int, rounds: int) -> None:
    """The batch from scratch with this checkout and with ``other``, alternately; best of ``rounds`` each."""
    best: dict[str, tuple[float, float]] = {}   # label: (highest reports/s, lowest CPU ms per report)
    for number in range(rounds):
        for label, root in (("this checkout", ROOT), (str(other), other)):
            out = work / "against"
            wall, cpu = timed("batch", str(folder), "-o", str(out), "--jobs", str(jobs), root=root)
            written = len(list(out.glob("*.docx")))
            shutil.rmtree(out)
            rate, per_report = written / wall, cpu / max(written, 1) * 1000
            print(f"  round {number + 1}, {label}: {written} written in {wall:.1f} s = {rate:.1f} reports/s; "
                  f"CPU {per_report:.0f} ms/report; load {os.getloadavg()[0]:.2f}", flush=True)
            previous = best.get(label, (0.0, float("inf")))
            best[label] = (max(rate, previous[0]), min(per_report, previous[1]))
    ours, theirs = best["this checkout"], best[str(other)]
    print(f"best of {rounds}: this checkout {ours[0]:.1f} reports/s, {ours[1]:.0f} ms CPU/report; "
          f"{other}: {theirs[0]:.1f} reports/s, {theirs[1]:.0f} ms CPU/report; "
          f"reports/s ratio {ours[0] / theirs[0]:.3f}, CPU ratio {ours[1] / theirs[1]:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--pdf", type=int, default=30, help="reports converted to PDF by one LibreOffice process")
    parser.add_argument("--against", type=Path, help="another checkout of perfreport, timed alternately with this one")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the comparison with --against")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="perfreport-bench-"))
    folder = work / "units"
    folder.mkdir()
    for i in range(options.units):
        (folder / f"unit-{i:04d}.yaml").write_text(unit_text(36, short_name=f"第{i:04d}镇"), encoding="utf-8")
    if options.against:
        against(folder, work, options.against.resolve(), options.jobs, options.rounds)
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

"""Batch: 1,000 unit files of 36 projects rendered by `perfreport batch --jobs 2`.

    python benchmarks/bench_batch.py [--units 1000] [--jobs 2]

Target: at least 20 reports per second on a 2-core machine. Then re-runs with
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
    again = ("batch", str(folder), "-o", str(work / "out"), "--jobs", str(options.jobs))
    rerun = run(*again)
    summary = run(*again, "--summary", str(work / "summary.xlsx"))
    (work / "out" / ".perfreport-batch.json").unlink(missing_ok=True)
    unrecorded = run(*again)
    print(f"start-up, perfreport --version: {startup * 1000:.0f} ms")
    print(f"batch of {options.units} units × 36 projects, --jobs {options.jobs}: {written} written in {seconds:.1f} s "
          f"= {rate:.1f} reports/s (target ≥ 20) -> {'OK' if rate >= 20 else 'MISSED'}")
    print(f"re-run, all up to date: {rerun:.2f} s; with --summary {summary:.2f} s; "
          f"without the manifest (every unit loaded) {unrecorded:.2f} s")


if __name__ == "__main__":
    main()

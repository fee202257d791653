"""Scaling: the reference unit with 50, 500 and 5,000 projects, read-to-.docx, side by side.

    python benchmarks/bench_scale.py

Targets (issue 18): 5,000 projects in under 1.5 s; growth t(5000) ≤ 10 × t(500); 500 projects in at
most 0.3 s and at most 3 × the floor: the time to write the same word/document.xml bytes into a zip
(deflated at the level perfreport uses), measured here in the same run.
Prints load (read, validate, compute) and render (template, build, write) separately.
"""
from __future__ import annotations

import tempfile
import time
import zipfile
from pathlib import Path

from units import write_unit

import perfreport


def measure(unit: Path, output: Path, repeat: int) -> tuple[float, float]:
    loads, renders = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        report = perfreport.load(unit)
        middle = time.perf_counter()
        perfreport.render(report, output)
        loads.append(middle - start)
        renders.append(time.perf_counter() - middle)
    return min(loads), min(renders)


def floor(docx: Path, repeat: int) -> float:
    """The best time to write the word/document.xml of ``docx`` into a new zip, as perfreport deflates it."""
    from perfreport.word.build import _DEFLATE_LEVEL

    data = zipfile.ZipFile(docx).read("word/document.xml")
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        with zipfile.ZipFile(docx.with_suffix(".floor.zip"), "w", zipfile.ZIP_DEFLATED, compresslevel=_DEFLATE_LEVEL) as package:
            package.writestr("word/document.xml", data)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="perfreport-bench-"))
    perfreport.render(write_unit(work / "warm.yaml", 3), work / "warm.docx")
    totals = {}
    print(f"{'projects':>8} {'load s':>8} {'render s':>9} {'total s':>8}")
    for count, repeat in ((50, 5), (500, 3), (5000, 1)):
        unit = write_unit(work / f"unit-{count}.yaml", count)
        load, render = measure(unit, work / f"unit-{count}.docx", repeat)
        totals[count] = load + render
        print(f"{count:>8} {load:>8.3f} {render:>9.3f} {load + render:>8.3f}")
    growth = totals[5000] / totals[500]
    base = floor(work / "unit-500.docx", 5)
    print(f"t(500) = {totals[500]:.3f} s (target ≤ 0.3 s) -> {'OK' if totals[500] <= 0.3 else 'MISSED'}")
    print(f"floor(500): document.xml into a zip {base:.3f} s; t(500) / floor = {totals[500] / base:.1f}"
          f" (target ≤ 3) -> {'OK' if totals[500] <= 3 * base else 'MISSED'}")
    print(f"t(5000) = {totals[5000]:.2f} s (target < 1.5 s) -> {'OK' if totals[5000] < 1.5 else 'MISSED'}")
    print(f"t(5000) / t(500) = {growth:.1f} (target ≤ 10) -> {'OK' if growth <= 10 else 'MISSED'}")


if __name__ == "__main__":
    main()

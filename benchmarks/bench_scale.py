"""Scaling: the reference unit with 50, 500 and 5,000 projects, read-to-.docx, side by side.

    python benchmarks/bench_scale.py

Targets: 5,000 projects in under 1 s; linear growth, t(5000) ≤ 12 × t(500).
Prints load (read, validate, compute) and render (template, build, write) separately.
"""
from __future__ import annotations

import tempfile
import time
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
    print(f"t(5000) = {totals[5000]:.2f} s (target < 1 s) -> {'OK' if totals[5000] < 1 else 'MISSED'}")
    print(f"t(5000) / t(500) = {growth:.1f} (target ≤ 12) -> {'OK' if growth <= 12 else 'MISSED'}")


if __name__ == "__main__":
    main()

"""Peak resident memory for the 5,000-project unit, measured in a fresh subprocess (resource.getrusage).

    python benchmarks/bench_memory.py

Target: under 300 MB. Also prints the baseline of the same subprocess rendering a 3-project unit.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from units import ROOT, write_unit

CHILD = """
import resource, sys
sys.path.insert(0, sys.argv[3])
import perfreport
perfreport.render(sys.argv[1], sys.argv[2])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KiB on Linux
"""


def peak_mb(unit: Path, output: Path) -> float:
    done = subprocess.run([sys.executable, "-c", CHILD, str(unit), str(output), str(ROOT)],
                          capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1]) / 1024


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="perfreport-bench-"))
    small = peak_mb(write_unit(work / "small.yaml", 3), work / "small.docx")
    large = peak_mb(write_unit(work / "large.yaml", 5000), work / "large.docx")
    print(f"peak RSS,     3 projects: {small:7.1f} MB")
    print(f"peak RSS, 5,000 projects: {large:7.1f} MB (target < 300 MB) -> {'OK' if large < 300 else 'MISSED'}")


if __name__ == "__main__":
    main()

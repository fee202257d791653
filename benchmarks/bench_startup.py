"""Whole processes, as a user runs them: perfreport against a docxtpl script, start-up included.

Each command is a fresh Python process (what a clerk typing ``perfreport render``
waits for): interpreter start-up, imports, compiling templates, preparing the
base package, the work, writing the file. The docxtpl side is a script doing the
same content as ``bench_docxtpl.py`` (read the YAML, compute in plain Python,
render the Word template, save). Commands are run in turn, round after round,
and each one's median over the rounds is printed, so that both sides of a ratio
see the same machine load.

    python -m pip install -e '.[bench]' && python benchmarks/bench_startup.py [rounds]

Targets (issue 21): ``perfreport render`` of the reference unit (36 projects) at
most 0.8 × the docxtpl script with a warm cache, ``perfreport --version`` under
40 ms, ``perfreport check`` of the 36-project unit under 120 ms.

The cache of compiled templates and prepared base packages is a temporary folder
here (``PERFREPORT_CACHE_DIR``); "cold" runs with the cache turned off
(``PERFREPORT_CACHE_DIR=`` empty), as in the first run after installing.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from units import ROOT, write_unit  # noqa: E402

PROJECTS = 36
# the console script `perfreport` does exactly this; -c keeps this checkout's perfreport first on the path
ENTRY = "perfreport.__main__" if (ROOT / "perfreport" / "__main__.py").exists() else "perfreport.cli"  # before issue 21
PERFREPORT = [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
              f"from {ENTRY} import main; main()"]
DOCXTPL = """\
import sys
sys.path.insert(0, {benchmarks!r})
from pathlib import Path
from bench_docxtpl import docxtpl_render
docxtpl_render(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
"""


def timed(command: list[str], env: dict) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr.decode()}")
    return elapsed


def imports(command: list[str], env: dict, runs: int = 7) -> tuple[float, int, list[tuple[str, float]]]:
    """``python -X importtime``, median of ``runs``: the time spent importing (ms), the number of modules,
    and the packages that took longest (the own time of their modules, ms)."""
    totals, counts, per_package = [], [], {}
    for _ in range(runs):
        done = subprocess.run([command[0], "-X", "importtime", *command[1:]], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        packages: dict[str, int] = {}
        for line in done.stderr.splitlines():
            if not line.startswith("import time:") or "cumulative" in line:
                continue
            parts = line[len("import time:"):].split("|")
            top = parts[2].strip().split(".")[0]
            packages[top] = packages.get(top, 0) + int(parts[0])
        totals.append(sum(packages.values()))
        counts.append(sum(1 for line in done.stderr.splitlines() if line.startswith("import time:")) - 1)
        for name, us in packages.items():
            per_package.setdefault(name, []).append(us)
    largest = sorted(((name, statistics.median(found + [0] * (runs - len(found))) / 1000)
                      for name, found in per_package.items()), key=lambda item: -item[1])[:6]
    return statistics.median(totals) / 1000, int(statistics.median(counts)), largest


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    work = Path(tempfile.mkdtemp(prefix="perfreport-startup-"))
    unit = write_unit(work / "shuren-36.yaml", PROJECTS)
    from bench_docxtpl import build_template

    template = build_template(work / "template.docx", work)
    script = work / "docxtpl_script.py"
    script.write_text(DOCXTPL.format(benchmarks=str(Path(__file__).resolve().parent)), encoding="utf-8")
    # as on a user's machine, Python keeps the compiled modules (.pyc) of both sides
    environ = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    warm = dict(environ, PERFREPORT_CACHE_DIR=str(work / "cache"))
    cold = dict(environ, PERFREPORT_CACHE_DIR="")
    commands = {
        "python -c pass": ([sys.executable, "-c", "pass"], warm),
        "perfreport --version": (PERFREPORT + ["--version"], warm),
        "perfreport --help": (PERFREPORT + ["--help"], warm),
        "perfreport check (36 projects)": (PERFREPORT + ["check", str(unit)], warm),
        "perfreport render, warm cache": (PERFREPORT + ["render", str(unit), "-o", str(work / "warm.docx")], warm),
        "perfreport render, cache off": (PERFREPORT + ["render", str(unit), "-o", str(work / "cold.docx")], cold),
        "docxtpl script": ([sys.executable, str(script), str(template), str(unit), str(work / "docxtpl.docx")], warm),
    }
    for command, env in commands.values():  # warm the cache and the file system
        timed(command, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, (command, env) in commands.items():
            times[name].append(timed(command, env))
    median = {name: statistics.median(found) for name, found in times.items()}
    print(f"whole processes, median of {rounds} rounds; load average {os.getloadavg()[0]:.2f} "
          f"{os.getloadavg()[1]:.2f}; outputs in {work}")
    for name, value in median.items():
        spread = f"{min(times[name]) * 1000:.0f}–{max(times[name]) * 1000:.0f}"
        print(f"  {name:34} {value * 1000:7.1f} ms   (range {spread} ms)")
    ratio = median["perfreport render, warm cache"] / median["docxtpl script"]
    cold_ratio = median["perfreport render, cache off"] / median["docxtpl script"]
    print(f"  render / docxtpl: {ratio:.2f} warm cache (target ≤ 0.80 -> {'OK' if ratio <= 0.8 else 'MISSED'}), "
          f"{cold_ratio:.2f} cache off")
    for name, target in (("perfreport --version", 0.040), ("perfreport check (36 projects)", 0.120)):
        print(f"  {name}: target < {target * 1000:.0f} ms -> {'OK' if median[name] < target else 'MISSED'}")
    print("python -X importtime (median of 7 runs each): time importing, modules, largest packages (own time of their modules)")
    for name, (command, env) in commands.items():
        if name.startswith("perfreport"):
            total, count, largest = imports(command, env)
            shown = ", ".join(f"{package} {ms:.0f}" for package, ms in largest)
            print(f"  {name:34} {total:6.1f} ms, {count:3} modules: {shown}")


if __name__ == "__main__":
    main()

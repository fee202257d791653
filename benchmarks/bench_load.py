"""Loading large units: `perfreport.load` (read YAML with positions, validate, check, compute) alone.

    python benchmarks/bench_load.py                          # this checkout
    python benchmarks/bench_load.py --against /work/main     # and another checkout, side by side

Loads the benchmark unit with 50, 500, 1,000 and 5,000 projects and times each stage for the
largest. Each checkout is measured in its own fresh process; with --against the two processes take
turns, round after round, so both see the same machine load. Figures are the best of the rounds.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from units import ROOT, write_unit

SIZES = (50, 500, 1000, 5000)

# Run in a fresh process with the checkout to measure first on sys.path.
MEASURE = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
import perfreport
from perfreport import api
folder, repeat = sys.argv[2], int(sys.argv[3])

def best(function, *args):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(*args)
        times.append(time.perf_counter() - start)
    return min(times), result

perfreport.load(f"{folder}/unit-50.yaml")  # imports, rules and schema read once
sizes = [int(n) for n in sys.argv[4].split(",")]
out = {"load": {n: best(perfreport.load, f"{folder}/unit-{n}.yaml")[0] for n in sizes}}
largest = f"{folder}/unit-{sizes[-1]}.yaml"
stages = {}
stages["read"], source = best(api.load_file, largest)
stages["validate"], unit = best(lambda: api.complete(api.validate(source)))
stages["datacheck"], _ = best(api.check_data, unit, source)
rules = api.load_rules("standard")
stages["compute"], figures = best(api.compute, unit, rules, 2)
stages["check"], _ = best(api.check, unit, figures, source)
out["stages"] = stages
print(json.dumps(out))
"""


def measure(checkout: Path, folder: Path, repeat: int) -> dict:
    done = subprocess.run([sys.executable, "-c", MEASURE, str(checkout), str(folder), str(repeat),
                           ",".join(map(str, SIZES))], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, help="another checkout of perfreport to measure too")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="perfreport-bench-"))
    for count in SIZES:
        write_unit(folder / f"unit-{count}.yaml", count)
    checkouts = {"this": ROOT} | ({"against": args.against.resolve()} if args.against else {})
    best: dict[str, dict] = {}
    for _ in range(args.rounds):
        for name, checkout in checkouts.items():
            result = measure(checkout, folder, repeat=2)
            if name not in best:
                best[name] = result
                continue
            for part in ("load", "stages"):
                best[name][part] = {k: min(v, best[name][part][k]) for k, v in result[part].items()}
    names = list(checkouts)
    print("load s" + "".join(f"{name:>12}" for name in names) + ("     ratio" if len(names) == 2 else ""))
    for count in SIZES:
        row = [best[name]["load"][str(count)] for name in names]
        print(f"{count:>6}" + "".join(f"{t:>12.3f}" for t in row) + (f"{row[1] / row[0]:>10.1f}" if len(row) == 2 else ""))
    for name in names:
        load = best[name]["load"]
        print(f"growth t({SIZES[-1]}) / t(500), {name}: {load[str(SIZES[-1])] / load['500']:.1f} (target ≤ 12)")
    print(f"\nstages for {SIZES[-1]} projects, s" + "".join(f"{name:>12}" for name in names))
    for stage in best["this"]["stages"]:
        print(f"{stage:>27}" + "".join(f"{best[name]['stages'][stage]:>12.3f}" for name in names))


if __name__ == "__main__":
    main()

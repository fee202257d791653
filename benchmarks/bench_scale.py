"""Scaling: the reference unit with 50, 500 and 5,000 projects, read-to-.docx, side by side.

    python benchmarks/bench_scale.py                          # this checkout
    python benchmarks/bench_scale.py --against /tmp/before    # and another checkout, taking turns

Targets (issue 18): 5,000 projects in under 1.5 s; growth t(5000) ≤ 10 × t(500); 500 projects in at
most 0.3 s and at most 3 × the floor: the time to write the same word/document.xml bytes into a zip
(deflated at the level perfreport uses), measured here in the same run.
Prints load (read, validate, compute) and render (template, build, write) separately, and for
5,000 projects the render's stages: template (the markup text), build (markup to WordprocessingML,
into the zip, in memory) and the rest (the file written). Each checkout is measured in its own
fresh process; with --against the processes take turns, round after round, so both see the same
machine load; figures are the best of all rounds. Also prints the machine's speed on a fixed piece
of Python (``sum`` of 1,000 ints), to compare figures taken on different machines.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path

from units import ROOT, write_unit

SIZES = ((50, 5), (500, 3), (5000, 1))   # projects, repeats per round

# Run in a fresh process with the checkout to measure first on sys.path.
MEASURE = r"""
import io, json, sys, time, zipfile
sys.path.insert(0, sys.argv[1])
import perfreport
from perfreport import api, cache
from perfreport.templating import formats
from perfreport.word import markup
folder = sys.argv[2]
sizes = json.loads(sys.argv[3])

def best(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)

perfreport.render(perfreport.load(f"{folder}/unit-50.yaml"), f"{folder}/warm.docx")
out = {}
for count, repeat in sizes:
    unit, docx = f"{folder}/unit-{count}.yaml", f"{folder}/unit-{count}-{sys.argv[4]}.docx"
    loads, renders = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        report = perfreport.load(unit)
        middle = time.perf_counter()
        perfreport.render(report, docx)
        loads.append(middle - start)
        renders.append(time.perf_counter() - middle)
    out[count] = {"load": min(loads), "render": min(renders)}
    if count == sizes[-1][0]:
        entry = str(report.format.templates()[formats.ENTRY_TEMPLATE])
        text = api.render_markup(report)
        out[count]["template"] = best(lambda: api.render_markup(report), 1)
        out[count]["build"] = best(lambda: api.build(markup.stream(text, entry), report.format.profile, entry,
                                                     report.format.reference, cache_dir=cache.folder()).save(io.BytesIO()), 1)
    if count == 500:
        from perfreport.word.build import _DEFLATE_LEVEL
        data = zipfile.ZipFile(docx).read("word/document.xml")

        def floor():
            with zipfile.ZipFile(f"{folder}/floor-{sys.argv[4]}.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=_DEFLATE_LEVEL) as package:
                package.writestr("word/document.xml", data)
        out["floor"] = best(floor, 5)
print(json.dumps(out))
"""


def measure(checkout: Path, folder: Path, tag: str) -> dict:
    done = subprocess.run([sys.executable, "-c", MEASURE, str(checkout), str(folder), json.dumps(SIZES), tag],
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(done.stderr)
    return json.loads(done.stdout)


def merged(best: dict | None, result: dict) -> dict:
    """The best (smallest) of each figure of two rounds."""
    if best is None:
        return result
    return {key: merged(best[key], value) if isinstance(value, dict) else min(best[key], value)
            for key, value in result.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, help="another checkout of perfreport to measure too")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="perfreport-bench-"))
    for count, _repeat in SIZES:
        write_unit(folder / f"unit-{count}.yaml", count)
    checkouts = {"this": ROOT} | ({"against": args.against.resolve()} if args.against else {})
    best: dict[str, dict] = {}
    for _ in range(args.rounds):
        for name, checkout in checkouts.items():
            best[name] = merged(best.get(name), measure(checkout, folder, name))
    speed = min(timeit.repeat("sum(x)", "x = list(range(1000))", number=2000, repeat=5)) / 2000 * 1e6
    print(f"machine: sum of 1,000 ints {speed:.1f} µs (best of 5)\n")
    names = list(checkouts)
    print(f"{'projects':>8} {'':>8}" + "".join(f"{name + ' s':>12}" for name in names) + ("   ratio" if len(names) == 2 else ""))
    for count, _repeat in SIZES:
        for part in ("load", "render", "total"):
            row = [best[name][str(count)]["load"] + best[name][str(count)]["render"] if part == "total"
                   else best[name][str(count)][part] for name in names]
            print(f"{count:>8} {part:>8}" + "".join(f"{t:>12.3f}" for t in row) + (f"{row[0] / row[1]:>8.2f}" if len(row) == 2 else ""))
    largest = str(SIZES[-1][0])
    for part in ("template", "build"):
        row = [best[name][largest][part] for name in names]
        print(f"{largest:>8} {part:>8}" + "".join(f"{t:>12.3f}" for t in row) + (f"{row[0] / row[1]:>8.2f}" if len(row) == 2 else ""))
    if len(names) == 2:
        print("(ratio: this / against)")
    this = best["this"]
    total = {count: this[str(count)]["load"] + this[str(count)]["render"] for count, _repeat in SIZES}
    base = this["floor"]
    print(f"\nt(500) = {total[500]:.3f} s (target ≤ 0.3 s) -> {'OK' if total[500] <= 0.3 else 'MISSED'}")
    print(f"floor(500): document.xml into a zip {base:.3f} s; t(500) / floor = {total[500] / base:.1f}"
          f" (target ≤ 3) -> {'OK' if total[500] <= 3 * base else 'MISSED'}")
    print(f"t(5000) = {total[5000]:.2f} s (target < 1.5 s) -> {'OK' if total[5000] < 1.5 else 'MISSED'}")
    growth = total[5000] / total[500]
    print(f"t(5000) / t(500) = {growth:.1f} (target ≤ 10) -> {'OK' if growth <= 10 else 'MISSED'}")


if __name__ == "__main__":
    main()

"""Benchmark of the matcher on synthetic programs: time, memory, share placed and ratio to the optimum.

Run: `.venv/bin/python benchmarks/matching.py [--quick]`. Each size runs in a fresh process, so the peak
memory reported is that process's maximum resident set size (resource.getrusage), which includes the
interpreter (about 20 MiB) and the generated problem. Time covers `match` alone. The ratio divides the
number placed by the exact optimum (CP-SAT, `matching.exact`), where that is computable.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching.matcher import match
from matching.synthetic import synthetic_problem

SIZES = (300, 3_000, 30_000, 100_000)
QUICK_SIZES = (300, 3_000)
EXACT_UP_TO = 3_000
EXACT_SECONDS_PER_BUCKET = 60.0


def measure(size: int, seed: int) -> dict[str, object]:
    """Figures for one size, measured in this process."""
    problem = synthetic_problem(size, seed=seed)
    started = time.perf_counter()
    assignment = match(problem)
    seconds = time.perf_counter() - started
    figures: dict[str, object] = {
        "size": size,
        "seconds": seconds,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "placed": assignment.placed,
        "cohorts": len(assignment.cohorts),
        "hosted": sum(cohort.host is not None for cohort in assignment.cohorts),
    }
    if size <= EXACT_UP_TO:
        from matching.exact import exact_placed

        optimum = exact_placed(problem, time_limit=EXACT_SECONDS_PER_BUCKET)
        figures.update(optimum=optimum.placed, bound=optimum.bound)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the small sizes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)  # one size, in a child process
    arguments = parser.parse_args()
    if arguments.size:
        print(json.dumps(measure(arguments.size, arguments.seed)))
        return
    columns = ("registrants", "time (s)", "peak RSS (MiB)", "placed", "hosted", "ratio to optimum")
    print(" ".join(f"{name:>{width}}" for name, width in zip(columns, (11, 9, 15, 8, 13, 17), strict=True)))
    for size in QUICK_SIZES if arguments.quick else SIZES:
        child = subprocess.run(
            [sys.executable, __file__, "--size", str(size), "--seed", str(arguments.seed)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(child.stdout)
        ratio = "n/a"
        if "bound" in figures:
            ratio = f"{figures['placed'] / figures['bound']:.4f}" if figures["bound"] else "1.0000"
            if figures["optimum"] != figures["bound"]:
                ratio += " (bound)"
        print(
            f"{size:>11,} {figures['seconds']:>9.2f} {figures['peak_rss_mib']:>15.0f} "
            f"{figures['placed'] / size:>8.1%} {figures['hosted']:>6}/{figures['cohorts']:<6} {ratio:>17}",
            flush=True,
        )


if __name__ == "__main__":
    main()

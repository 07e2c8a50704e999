"""Benchmark of the matcher on synthetic programs: time, memory, share placed and ratio to the optimum.

Run: `.venv/bin/python benchmarks/matching.py [--quick]`. Each size runs in a fresh process. `match (s)`
times `match` alone, in that process; its peak memory is the process's maximum resident set size
(resource.getrusage), which includes the interpreter (about 20 MiB) and the generated problem. `CLI (s)`
and `CLI MiB` time the whole command, `python -m matching IN.json -o OUT.json` (reading, checking,
matching and writing JSON), and its peak memory. `hosted` is cohorts with a host / cohorts, and the most
that could have one (a maximum flow, `matching.exact.most_hosted`). The ratio divides the number placed
by the exact optimum (CP-SAT, `matching.exact`), where that is computable.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching.codec import problem_to_json
from matching.exact import exact_placed, most_hosted
from matching.matcher import match
from matching.model import Problem
from matching.synthetic import synthetic_problem

SIZES = (300, 3_000, 30_000, 100_000)
QUICK_SIZES = (300, 3_000)
EXACT_UP_TO = 3_000
EXACT_WORK_PER_BUCKET = 60.0


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
        "most_hosted": most_hosted([replace(c, host=None) for c in assignment.cohorts], problem.hosts),
        **measure_cli(problem),
    }
    if size <= EXACT_UP_TO:
        optimum = exact_placed(problem, work_limit=EXACT_WORK_PER_BUCKET)
        figures.update(optimum=optimum.placed, bound=optimum.bound)
    return figures


def measure_cli(problem: Problem) -> dict[str, float]:
    """Wall time and peak memory of `python -m matching` on `problem`, in a child process."""
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder, "in.json"), Path(folder, "out.json")
        source.write_text(json.dumps(problem_to_json(problem)), encoding="utf-8")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "matching", str(source), "-o", str(target)], check=True)
        seconds = time.perf_counter() - started
    # The command is the only child this process waited for, so the children's peak is its own.
    return {
        "cli_seconds": seconds,
        "cli_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the small sizes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)  # one size, in a child process
    arguments = parser.parse_args()
    if arguments.size:
        print(json.dumps(measure(arguments.size, arguments.seed)))
        return
    columns = {
        "registrants": 11,
        "match (s)": 9,
        "match MiB": 9,
        "CLI (s)": 7,
        "CLI MiB": 7,
        "placed": 7,
        "hosted (most)": 19,
        "ratio to optimum": 17,
    }
    print(" ".join(f"{name:>{width}}" for name, width in columns.items()))
    for size in QUICK_SIZES if arguments.quick else SIZES:
        child = subprocess.run(
            [sys.executable, __file__, "--size", str(size), "--seed", str(arguments.seed)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(child.stdout)
        hosted = f"{figures['hosted']}/{figures['cohorts']} ({figures['most_hosted']})"
        print(
            f"{size:>11,} {figures['seconds']:>9.2f} {figures['peak_rss_mib']:>9.0f} "
            f"{figures['cli_seconds']:>7.2f} {figures['cli_rss_mib']:>7.0f} {figures['placed'] / size:>7.1%} "
            f"{hosted:>19} {_ratio(figures):>17}",
            flush=True,
        )


def _ratio(figures: dict[str, object]) -> str:
    if "bound" not in figures:
        return "n/a"
    ratio = f"{figures['placed'] / figures['bound']:.4f}" if figures["bound"] else "1.0000"
    return ratio if figures["optimum"] == figures["bound"] else f"{ratio} (bound)"


if __name__ == "__main__":
    main()

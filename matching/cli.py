"""The matcher as a command: `python -m matching INPUT.json [-o OUTPUT.json] [--check] [--progress]`.

Reads the matcher JSON, writes the assignment as JSON to OUTPUT.json (or standard output). A progress
bar goes to stderr when stderr is a terminal or `--progress` is given. Exit codes: 0 done, 1 `--check`
found a rule broken, 2 the input could not be used (the message names the field).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .codec import InputError, assignment_to_json, problem_from_json
from .collector import collector_paused
from .matcher import match
from .progress import ProgressBar
from .validate import check_assignment

EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    arguments = _parser().parse_args(argv)
    with collector_paused():  # reading the problem builds as many lasting objects as matching it
        return _run(arguments)


def _run(arguments: argparse.Namespace) -> int:
    try:
        problem = problem_from_json(json.loads(Path(arguments.input).read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, InputError) as error:
        print(f"error: {arguments.input}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    bar = ProgressBar(sys.stderr) if arguments.progress or sys.stderr.isatty() else None
    assignment = match(problem, on_progress=bar, check=False)  # problem_from_json has checked it
    if bar is not None:
        bar.close()
        print(f"placed {assignment.placed} of {len(problem.registrants)}", file=sys.stderr)
    # One line: indenting would make json use its pure-Python encoder, several times slower.
    text = json.dumps(assignment_to_json(assignment)) + "\n"
    if arguments.output:
        Path(arguments.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    if arguments.check:
        problems = check_assignment(problem, assignment)
        for message in problems:
            print(f"check: {message}", file=sys.stderr)
        if problems:
            return EXIT_CHECK_FAILED
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m matching", description="Group registrants into cohorts.")
    parser.add_argument("input", help="the matcher JSON input")
    parser.add_argument("-o", "--output", help="where to write the assignment (default: standard output)")
    parser.add_argument("--check", action="store_true", help="check the assignment against every rule")
    parser.add_argument(
        "--progress", action="store_true", help="show progress on stderr even when redirected"
    )
    return parser

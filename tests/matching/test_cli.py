"""`python -m matching` as a coordinator's script would run it."""

import json
import subprocess
import sys

import pytest

from matching.codec import assignment_from_json, problem_from_json, problem_to_json
from matching.synthetic import synthetic_problem
from matching.validate import check_assignment


def run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "matching", *arguments], capture_output=True, text=True, check=False
    )


def test_round_trip_writes_a_valid_assignment_and_stays_quiet(tmp_path):
    problem = synthetic_problem(200, seed=3)
    source, target = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text(json.dumps(problem_to_json(problem)))
    result = run(str(source), "-o", str(target), "--check")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assignment = assignment_from_json(json.loads(target.read_text()))
    assert check_assignment(problem_from_json(json.loads(source.read_text())), assignment) == []
    assert assignment.placed > 0


def test_progress_is_shown_on_stderr_when_asked(tmp_path):
    source = tmp_path / "in.json"
    source.write_text(json.dumps(problem_to_json(synthetic_problem(50, seed=1))))
    result = run(str(source), "--progress")
    assert result.returncode == 0
    assert "100%" in result.stderr
    assert json.loads(result.stdout)["cohorts"] is not None


def valid_input() -> dict:
    return {
        "settings": {
            "min_size": 4,
            "max_size": 8,
            "target_size": 6,
            "max_stage_gap": 1,
            "stage_order": {"CLL": ["a"]},
        },
        "registrants": [
            {
                "id": "r1",
                "condition": "CLL",
                "stage": "a",
                "role": "patient",
                "languages": ["en"],
                "availability": [1],
            }
        ],
    }


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("registrants", 0, "availability"), [1, 168], "registrants[0].availability[1]"),
        (("registrants", 0, "stage"), "z", "registrants[0].stage"),
        (("registrants", 0, "languages"), "en", "registrants[0].languages"),
        (("settings", "min_size"), "4", "settings.min_size"),
        (("settings", "target_size"), 9, "settings.target_size"),
        (("registrants",), {}, "registrants"),
    ],
)
def test_bad_input_names_the_field_and_fails(tmp_path, path, value, field):
    document = valid_input()
    *parents, last = path
    container = document
    for key in parents:
        container = container[key]
    container[last] = value
    source = tmp_path / "in.json"
    source.write_text(json.dumps(document))
    result = run(str(source))
    assert result.returncode == 2
    assert f"{field}: " in result.stderr


@pytest.mark.parametrize("unsure", [{"stage": None}, {}], ids=["null", "left_out"])
def test_a_stage_may_be_null_or_left_out_when_someone_is_unsure(unsure):
    document = valid_input()
    registrant = document["registrants"][0]
    del registrant["stage"]
    registrant.update(unsure)
    assert problem_from_json(document).registrants[0].stage is None


def test_unreadable_json_fails_with_a_message(tmp_path):
    source = tmp_path / "in.json"
    source.write_text("{not json")
    result = run(str(source))
    assert result.returncode == 2
    assert "error:" in result.stderr


def test_matching_never_loads_the_web_app_or_the_database():
    code = (
        "import sys, matching.cli, matching.matcher; "
        "print(sorted({'app', 'flask', 'sqlmodel', 'sqlalchemy'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"

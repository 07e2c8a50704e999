"""A `flask` command's process ends as soon as its work does: Python's last collection at exit, which would
walk everything the app built only to free memory the system takes back, is skipped."""

import subprocess
import sys
from pathlib import Path

EXIT_PROBE = """
from app import create_app

class Farewell:
    def __del__(self):
        print("walked at exit")

create_app()
farewell = Farewell()
farewell.itself = farewell  # a cycle: only a collection would free it
print("done")
"""


def test_the_app_process_leaves_its_objects_to_the_system_at_exit(tmp_path):
    environment = {"PATH": "", "APP_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path}/exit.db"}
    result = subprocess.run(
        [sys.executable, "-c", EXIT_PROBE], capture_output=True, text=True, check=True, env=environment,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert result.stdout.split() == ["done"]

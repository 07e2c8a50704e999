"""A process of the app starts and ends without the cycle collector walking, again and again, the objects
that live as long as the process: its modules and libraries while they are imported, everything at exit."""

import subprocess
import sys
from pathlib import Path

START_PROBE = """
import gc
full = []
gc.callbacks.append(lambda phase, info: phase == "stop" and info["generation"] == 2 and full.append(1))
import app
gc.callbacks.clear()
print(len(full))
"""

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


def run_probe(probe: str, tmp_path: Path) -> str:
    environment = {"PATH": "", "APP_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path}/probe.db"}
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=environment,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    return result.stdout


def test_importing_the_app_walks_nothing_it_imported_again(tmp_path):
    assert run_probe(START_PROBE, tmp_path).split() == ["0"]


def test_the_app_process_leaves_its_objects_to_the_system_at_exit(tmp_path):
    assert run_probe(EXIT_PROBE, tmp_path).split() == ["done"]


SQLITE_PROBE = """
from sqlalchemy import text
from app import create_app, database

with create_app().app_context():
    database.session().execute(text("CREATE TABLE kept (n INTEGER)"))
    database.session().execute(text("INSERT INTO kept VALUES (1)"))
    database.session().commit()
"""


def test_a_command_on_sqlite_leaves_everything_in_the_database_file(tmp_path):
    """Its last connection is closed as the process exits, so SQLite writes its journal (the -wal file)
    back: a copy of the database file alone holds all that was committed."""
    run_probe(SQLITE_PROBE, tmp_path)
    assert not (tmp_path / "probe.db-wal").exists()

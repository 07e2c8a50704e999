"""How fast the console's CSV exports stream for a large program, and whether the web worker's memory grows.

Seeds the demo program with N registrants (default 20,000; `--registrants 100000` for the full size) in a
fresh PostgreSQL database with Zoom users enough that meetings at the same hour never limit the groups, and
proposes cohorts (`flask match run demo`). Approving thousands of groups one Zoom placement at a time would
take far longer than the rest, so the groups are marked approved and given a first meeting, held at their
hour, straight in the database; every member then gets a synthetic survey answer (one in three anonymous).
The app is served with gunicorn (one worker) and, signed in as the program's coordinator, each export is
downloaded once to warm up and then `--downloads` times (default 3, as the machine may be busy). For each it
prints the rows, the median seconds and rows per second, the web worker's processor time (which a busy
machine changes less than the seconds), and its resident memory (VmRSS, sampled from /proc every few
milliseconds) before the download, the most it grew while the first half of the bytes arrived, and the most
it grew further while the second half did: a streamed export's memory is flat, so the second half adds
nothing.

    .venv/bin/python benchmarks/exports.py [--registrants 20000] [--downloads 3] [--reuse]

BENCH_DATABASE_URL names the database (default postgresql://postgres@127.0.0.1:5432/csv_exports); it is
emptied first unless `--reuse` says to measure the program already seeded there. gunicorn imports the app
found on PYTHONPATH, so `PYTHONPATH=$PWD` measures this checkout's exports.
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy import text
from support import analyze_postgres, flask, gunicorn, postgres_url, prepare_demo, seeded, sign_in

from app.database import build_engine
from app.models.survey_tally import recount_tallies

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/csv_exports"
PROGRAM = "demo"
COORDINATOR_EMAIL = "exports-coordinator@example.org"
COORDINATOR_PASSWORD = "exports-benchmark-password"  # noqa: S105  (a throwaway account in a throwaway database)
EXPORTS = {
    "cohorts.csv": f"/console/programs/{PROGRAM}/cohorts.csv",
    "results.csv": f"/console/programs/{PROGRAM}/results.csv",
}
CHUNK_BYTES = 64 * 1024
SAMPLE_SECONDS = 0.005
# Business-licensed Zoom users (two meetings at once each), one for every 50 registrants: with the demo's own
# few, Zoom capacity would leave nearly everyone of a large program waiting and the exports short.
ADD_ZOOM_USERS = text("""
    INSERT INTO zoomuser (program_id, "user", concurrent, active, created_at)
    SELECT program.id, 'exports-meetings-' || n || '@example.org', 2, true, now()
    FROM program, generate_series(1, :users) AS n WHERE program.slug = :program
""")
# What approving would leave, without the Zoom calls and messages: every group approved, with a first meeting
# at its hour of the program's first week, already held (the demo's group that met yesterday keeps its own).
APPROVE_ALL = text("UPDATE cohort SET status = 'approved' FROM program WHERE program.id = cohort.program_id "
                   "AND program.slug = :program")  # fmt: skip
HOLD_MEETINGS = text("""
    INSERT INTO meeting (cohort_id, number, starts_at, duration_minutes, status, calendar_uid,
                         calendar_sequence, created_at)
    SELECT cohort.id, 1,
           date_trunc('week', program.first_meeting_on::timestamp) AT TIME ZONE 'UTC'
               + cohort.slot * interval '1 hour',
           program.meeting_minutes, 'ended', 'exports-benchmark-' || cohort.id, 0, now()
    FROM cohort JOIN program ON program.id = cohort.program_id WHERE program.slug = :program
    ON CONFLICT (cohort_id, number) DO NOTHING
""")
# One answer per member of each meeting, as the survey's own questions would hold them; every third is
# anonymous (no participant, the day only), and every seventh carries a comment with a comma, a quote and a
# line break, so the CSV has to quote it.
ANSWER_EVERYONE = text("""
    INSERT INTO surveyresponse (meeting_id, participant_id, response_key, anonymous, answers, submitted_at)
    SELECT meeting.id,
           CASE WHEN member.id % 3 = 0 THEN NULL ELSE member.participant_id END,
           md5('exports-benchmark-' || member.id || '-' || meeting.id),
           member.id % 3 = 0,
           json_build_object(
               'feeling', 1 + member.id % 5,
               'less_alone', (ARRAY['yes', 'a_little', 'no'])[1 + member.id % 3],
               'meet_again', (ARRAY['yes', 'maybe', 'no'])[1 + member.id % 3],
               'comments', CASE WHEN member.id % 7 = 0
                                THEN 'Good to talk, "really".' || chr(10) || 'Thank you, all' ELSE '' END),
           date_trunc('day', meeting.starts_at) + interval '1 day'
               + CASE WHEN member.id % 3 = 0 THEN interval '0'
                      ELSE (member.id % 600) * interval '1 minute' END
    FROM meeting JOIN cohortmember AS member ON member.cohort_id = meeting.cohort_id
""")


@dataclass(frozen=True)
class Download:
    rows: int
    bytes: int
    seconds: float
    cpu_seconds: float  # the worker's, user and system
    rss_before: int  # kB
    peak_first_half: int  # kB
    peak_second_half: int  # kB


def main() -> None:
    args = _arguments()
    url = postgres_url(DEFAULT_POSTGRES_URL)
    if not seeded(url, args.reuse, lambda: _seed(url, args.registrants)):
        return
    with tempfile.TemporaryDirectory() as folder, gunicorn(url, folder, workers=1) as port:
        worker = worker_pid(port)
        cookie = sign_in(port, COORDINATOR_EMAIL, COORDINATOR_PASSWORD)
        downloads = {}
        for name, path in EXPORTS.items():
            download(port, path, cookie, worker, Path(folder) / name)  # warm up
            downloads[name] = [
                download(port, path, cookie, worker, Path(folder) / name) for _ in range(args.downloads)
            ]
    print(f"median of {args.downloads} downloads each (and the most memory any took), after one to warm up;")
    print("gunicorn with 1 worker on PostgreSQL")
    columns = (("rows", 8), ("MB", 6), ("s", 6), ("rows/s", 8), ("CPU s", 6), ("RSS MB", 7), ("+1st half", 9),
               ("+2nd half", 9))  # fmt: skip
    print(" ".join([" " * 11, *(f"{name:>{width}}" for name, width in columns)]))
    for name, runs in downloads.items():
        median = sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]
        first_half = max(run.peak_first_half - run.rss_before for run in runs) / 1024
        second_half = max(run.peak_second_half - run.peak_first_half for run in runs) / 1024
        print(
            f"{name:11} {median.rows:8,d} {median.bytes / 1e6:6.1f} {median.seconds:6.2f} "
            f"{median.rows / median.seconds:8,.0f} {median.cpu_seconds:6.2f} {median.rss_before / 1024:7.1f} "
            f"{first_half:+9.1f} {second_half:+9.1f}"
        )


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrants", type=int, default=20_000, help="registrants of the demo program")
    parser.add_argument("--downloads", type=int, default=3, help="measured downloads of each export")
    parser.add_argument("--reuse", action="store_true", help="measure the program already in the database")
    return parser.parse_args()


def _seed(url: str, registrants: int) -> None:
    started = time.perf_counter()
    print(f"{PROGRAM} program: {prepare_demo(url, registrants)}")
    write(url, ADD_ZOOM_USERS, users=max(registrants // 50, 1), program=PROGRAM)
    print(flask(url, "match", "run", PROGRAM).splitlines()[0])
    write(url, APPROVE_ALL, program=PROGRAM)
    print(f"{write(url, HOLD_MEETINGS, program=PROGRAM):,d} groups approved, each with a meeting held")
    print(f"{answer_everyone(url):,d} survey answers")
    flask(url, "coordinator", "create", COORDINATOR_EMAIL, "--program", PROGRAM, stdin=COORDINATOR_PASSWORD)
    analyze_postgres(url)
    print(f"seeded, matched, approved and answered in {time.perf_counter() - started:.0f} s")


def answer_everyone(url: str) -> int:
    """Write ANSWER_EVERYONE and count the answers into the programs' tallies, as answers the app writes
    are counted (the statement goes round it); how many answers it wrote."""
    engine = build_engine(url)
    with engine.begin() as connection:
        written = connection.execute(ANSWER_EVERYONE).rowcount
        recount_tallies(connection)
    engine.dispose()
    return written


def write(url: str, statement, **values) -> int:
    """Run one writing statement in its own transaction; how many rows it wrote."""
    engine = build_engine(url)
    with engine.begin() as connection:
        written = connection.execute(statement, values).rowcount
    engine.dispose()
    return written


def worker_pid(port: int) -> int:
    """The gunicorn worker serving `port`: the process started with its address whose parent was too."""
    started = {}
    for status in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if f"127.0.0.1:{port}".encode() in status.read_bytes():
                pid = int(status.parent.name)
                started[pid] = int((status.parent / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
    workers = [pid for pid, parent in started.items() if parent in started]
    if len(workers) != 1:
        raise RuntimeError(f"expected one gunicorn worker on port {port}, found {workers}")
    return workers[0]


def _cpu_seconds(pid: int) -> float:
    """The processor time `pid` has used, user and system."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def download(port: int, path: str, cookie: str, worker: int, into: Path) -> Download:
    """Download `path` into the file `into` while sampling the worker's memory; count its rows afterwards."""
    received = 0
    samples: list[tuple[int, int]] = []  # (bytes received so far, VmRSS in kB)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append((received, _rss_kb(worker)))
            time.sleep(SAMPLE_SECONDS)

    before, cpu_before = _rss_kb(worker), _cpu_seconds(worker)
    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    try:
        with (
            requests.get(
                f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie}, stream=True, timeout=300
            ) as response,
            into.open("wb") as file,
        ):
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered HTTP {response.status_code}")
            for chunk in response.iter_content(CHUNK_BYTES):
                file.write(chunk)
                received += len(chunk)
        seconds = time.perf_counter() - started
        cpu_seconds = _cpu_seconds(worker) - cpu_before
    finally:
        done.set()
        sampler.join()
    samples.append((received, _rss_kb(worker)))
    with into.open(newline="", encoding="utf-8") as file:
        rows = sum(1 for _ in csv.reader(file)) - 1  # the header is not a row
    half = received / 2
    return Download(
        rows=rows,
        bytes=received,
        seconds=seconds,
        cpu_seconds=cpu_seconds,
        rss_before=before,
        peak_first_half=max([before] + [rss for got, rss in samples if got <= half]),
        peak_second_half=max([before] + [rss for got, rss in samples if got > half]),
    )


if __name__ == "__main__":
    main()

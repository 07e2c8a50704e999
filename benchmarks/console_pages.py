"""How long the console's pages take for a large program, against `/healthz` on the same server.

Seeds the demo program with N registrants (default 100,000) in a fresh PostgreSQL database, proposes cohorts
(`flask match run demo`), approves them all, opens a place in group 2 (one member leaves it) and serves the
app with gunicorn. One seeded registrant in ten is free only for an hour from half past (`app.demo`), which
holds no meeting start: the match leaves about nine in a hundred waiting ("no common time", with suggested
hours), so the pages are measured with a long waitlist, as a large program has. Signed in as the
program's coordinator, it requests `/healthz` and each page a few times, one request at a time, and prints
for each the median time, the size of the answer and the median's ratio to `/healthz`'s. The last page of
groups is found by following the "Next" links.

    .venv/bin/python benchmarks/console_pages.py [--registrants 100000] [--requests 5] [--reuse] [--held]

`--held` first makes the program's meetings held (`held_meetings.hold_meetings`), so the report counts a
finished program's attendance and surveys (a second time changes nothing).

BENCH_DATABASE_URL names the database (default postgresql://postgres@127.0.0.1:5432/bench_pages); it is
emptied first unless `--reuse` says to measure the program already seeded there. gunicorn imports the app
found on PYTHONPATH, so `PYTHONPATH=$PWD` measures this checkout's pages.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from html import unescape

import requests
from held_meetings import hold_meetings
from sqlalchemy import text
from support import analyze_postgres, flask, gunicorn, postgres_url, prepare_demo, seeded, sign_in

from app.database import build_engine

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/bench_pages"
PROGRAM = "demo"
COORDINATOR_EMAIL = "pages-coordinator@example.org"
COORDINATOR_PASSWORD = "pages-benchmark-password"  # noqa: S105  (a throwaway account in a throwaway database)
CONSOLE = f"/console/programs/{PROGRAM}"
OPENED = 2  # the group one member leaves, so the page looks for people waiting who could take the place
PAGES = {
    "healthz": "/healthz",
    "program": CONSOLE,
    "cohorts, last page": None,  # found by following the "Next" links
    "cohorts, one name": f"{CONSOLE}?name=Ana",
    # The database is made afresh for every seed, so the first group matching proposes is group 1.
    "one cohort": f"{CONSOLE}/cohorts/1",
    "one cohort, a place open": f"{CONSOLE}/cohorts/{OPENED}",
    "waitlist": f"{CONSOLE}/waitlist",
    "waitlist, one reason": f"{CONSOLE}/waitlist?reason=no_common_time",
    "meetings": f"{CONSOLE}/meetings",
    "report": f"{CONSOLE}/report",
}


def main() -> None:
    args = _arguments()
    url = postgres_url(DEFAULT_POSTGRES_URL)
    if not seeded(url, args.reuse, lambda: _seed(url, args.registrants)):
        return
    if args.held:
        print(f"meetings held: {hold_meetings(url, PROGRAM)}")
    with tempfile.TemporaryDirectory() as folder, gunicorn(url, folder, workers=1) as port:
        cookie = sign_in(port, COORDINATOR_EMAIL, COORDINATOR_PASSWORD)
        paths = page_paths(port, cookie)
        figures = {name: time_page(port, path, cookie, args.requests) for name, path in paths.items()}
    healthz = figures["healthz"][0]
    print(f"median of {args.requests} requests each, one at a time, gunicorn with 1 worker on PostgreSQL")
    print(f"{'':24} {'ms':>9} {'bytes':>10} {'× /healthz':>11}")
    for name, (ms, size) in figures.items():
        print(f"{name:24} {ms:9.1f} {size:10,d} {ms / healthz:11.1f}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrants", type=int, default=100_000, help="registrants of the demo program")
    parser.add_argument("--requests", type=int, default=5, help="requests per page (the median is shown)")
    parser.add_argument("--reuse", action="store_true", help="measure the program already in the database")
    parser.add_argument("--held", action="store_true", help="hold the program's meetings first")
    return parser.parse_args()


def _seed(url: str, registrants: int) -> None:
    started = time.perf_counter()
    print(f"{PROGRAM} program: {prepare_demo(url, registrants)}")
    print(flask(url, "match", "run", PROGRAM).splitlines()[0])
    print(flask(url, "cohorts", "approve", PROGRAM, "--all").splitlines()[-1])
    flask(url, "coordinator", "create", COORDINATOR_EMAIL, "--program", PROGRAM, stdin=COORDINATOR_PASSWORD)
    open_a_place(url)
    analyze_postgres(url)
    print(f"seeded, matched and approved in {time.perf_counter() - started:.0f} s")


def page_paths(port: int, cookie: str) -> dict[str, str]:
    """PAGES, with the address of the last page of groups found."""
    return {name: path or _last_page(port, CONSOLE, cookie) for name, path in PAGES.items()}


def open_a_place(url: str) -> None:
    """One member of group OPENED leaves it (as moving them to the waitlist would), so its page has a place
    to offer to the people waiting."""
    engine = build_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text("DELETE FROM cohortmember WHERE id = (SELECT min(id) FROM cohortmember WHERE cohort_id=:c)"),
            {"c": OPENED},
        )
    engine.dispose()


def _last_page(port: int, path: str, cookie: str) -> str:
    """The address of the last page of a list, reached by following its "Next" links from `path`."""
    with requests.Session() as browser:
        browser.headers["Cookie"] = cookie
        while True:
            page = browser.get(f"http://127.0.0.1:{port}{path}", timeout=300).text
            following = re.search(r'<a href="([^"]+)" rel="next">', page)
            if following is None:
                return path
            path = unescape(following.group(1))


def time_page(port: int, path: str, cookie: str, count: int) -> tuple[float, int]:
    """The median milliseconds of `count` requests for `path` (after a first to warm up); its bytes."""
    with requests.Session() as browser:
        browser.headers["Cookie"] = cookie
        times, size = [], 0
        for _ in range(count + 1):
            started = time.perf_counter()
            response = browser.get(f"http://127.0.0.1:{port}{path}", timeout=300, allow_redirects=False)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered HTTP {response.status_code}")
            size = len(response.content)
    return statistics.median(times[1:]), size


if __name__ == "__main__":
    main()

"""How fast the Zoom client creates meetings against the local emulator, and how many tokens it asks for.

Run: .venv/bin/python benchmarks/zoom.py [--meetings 500] [--threads 4]
"""

import argparse
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from integrations.zoom import ZoomClient
from integrations.zoom.emulator import EmulatorConfig, start_in_thread
from integrations.zoom.emulator_control import EmulatorControl

CONFIG = EmulatorConfig(
    account_id="bench", client_id="bench-client", client_secret=secrets.token_urlsafe(), daily_limit=10**6
)
START = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)


def create_meetings(client: ZoomClient, count: int, threads: int, run: str) -> float:
    """Create `count` meetings with `threads` workers; meetings created per second."""

    def create(number: int) -> None:
        client.create_meeting(
            "host@example.org",
            topic="Benchmark meet-up",
            start_time=START + timedelta(hours=number),
            duration=60,
            timezone="UTC",
            idempotency_key=f"{run}-{number}",
        )

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(create, range(count)))
    return count / (time.perf_counter() - began)


def main() -> None:
    """Print meetings per second, sequential and threaded, and the token requests they took."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--meetings", type=int, default=500)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    with start_in_thread(CONFIG) as running:
        control = EmulatorControl(running.url)
        client = ZoomClient(
            CONFIG.account_id, CONFIG.client_id, CONFIG.client_secret, token_url=control.token_url, timeout=10
        )
        sequential = create_meetings(client, args.meetings, 1, "sequential")
        threaded = create_meetings(client, args.meetings, args.threads, "threaded")
        counts = control.recorded_requests()

    print(f"meetings created, sequential:        {sequential:8.1f} per second")
    print(f"meetings created, {args.threads} threads:         {threaded:8.1f} per second")
    print(f"meetings created in all:             {counts['meeting_creates']:8d}")
    print(f"token requests:                      {counts['token_requests']:8d}")


if __name__ == "__main__":
    main()

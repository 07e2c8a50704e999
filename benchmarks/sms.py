"""How fast texts go through the Twilio client and the local emulator, and how fast replies are read and
texts measured.

Run: .venv/bin/python benchmarks/sms.py [--texts 500] [--threads 4]
"""

import argparse
import secrets
import time
from concurrent.futures import ThreadPoolExecutor

from integrations.sms import TwilioClient, classify_reply, segment_text
from integrations.sms.emulator import EmulatorConfig, start_in_thread
from integrations.sms.emulator_control import EmulatorControl

CONFIG = EmulatorConfig(
    account_sid="AC" + secrets.token_hex(16),
    auth_token=secrets.token_urlsafe(),
    auto_deliver=False,
    sender_rate=0,  # no pacing: this measures the client and the emulator, not Twilio's throughput
)
REPLIES = ["STOP", "No, I can't come", "Lo siento, no podré ir", "See you there!", "AYUDA", "No puedo faltar"]
TEXTS = [
    "Reminder: your group meets tomorrow at 19:00. Reply NO if you can't come, STOP to stop texts.",
    "Recordatorio: su grupo se reúne mañana a las 19:00. Responda NO si no puede venir, o ALTO.",
]


def send_texts(client: TwilioClient, count: int, threads: int) -> float:
    """Send `count` texts with `threads` workers; texts sent per second."""
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(lambda number: client.send_message(f"+1555{number:07d}", TEXTS[0]), range(count)))
    return count / (time.perf_counter() - began)


def per_second(work, rounds: int) -> float:
    """How many times a second `work` runs."""
    began = time.perf_counter()
    for _ in range(rounds):
        work()
    return rounds / (time.perf_counter() - began)


def main() -> None:
    """Print texts sent a second (one at a time, threaded), and replies read and texts measured a second."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=int, default=500)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    with start_in_thread(CONFIG) as running:
        control = EmulatorControl(running.url)
        client = TwilioClient(
            CONFIG.account_sid,
            CONFIG.auth_token,
            from_number=CONFIG.from_numbers[0],
            api_base_url=control.url,
        )
        sequential = send_texts(client, args.texts, 1)
        threaded = send_texts(client, args.texts, args.threads)
        created = control.count("messages_created")

    classified = per_second(lambda: [classify_reply(reply) for reply in REPLIES], 2000) * len(REPLIES)
    measured = per_second(lambda: [segment_text(text) for text in TEXTS], 2000) * len(TEXTS)
    print(f"texts sent, sequential:              {sequential:8.1f} per second")
    print(f"texts sent, {args.threads} threads:               {threaded:8.1f} per second")
    print(f"texts sent in all:                   {created:8d}")
    print(f"replies classified:                  {classified:8.0f} per second")
    print(f"texts measured in segments:          {measured:8.0f} per second")


if __name__ == "__main__":
    main()

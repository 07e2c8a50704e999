"""Rate limits counted once for every web process, in a real Redis, and registration going on while Redis is
away.

gunicorn runs with several workers; requests come from one address over separate connections, so that
several workers answer (the access log names each request's worker). Each test counts under a key prefix of
its own in the shared Redis, and removes its counters afterwards.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
import redis
import requests

DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/0"
REGISTRATIONS = "/api/v1/programs/{slug}/registrations"
SEPARATE_CONNECTION = {"Connection": "close"}


@dataclass
class RateLimitStore:
    """The Redis the web processes count in, and the key prefix of this test's counters there."""

    url: str
    prefix: str
    client: redis.Redis

    def settings(self, url: str | None = None) -> dict[str, str]:
        """The web process's settings for counting here (through `url`, a proxy's route, when given)."""
        return {"RATELIMIT_STORAGE_URI": url or self.url, "RATELIMIT_KEY_PREFIX": self.prefix}

    def counters(self) -> dict[str, int]:
        """Every counter of this test in Redis, by its key, read with Redis's own GET."""
        return {key: int(self.client.get(key)) for key in self.client.scan_iter(match=f"*{self.prefix}*")}

    def count(self, scope: str) -> int:
        """The attempts counted in Redis for one limit's scope ("registration", a view's name)."""
        return sum(value for key, value in self.counters().items() if f"/{scope}/" in key)


@pytest.fixture
def store() -> Iterator[RateLimitStore]:
    url = os.environ.get("TEST_REDIS_URL", DEFAULT_TEST_REDIS_URL)
    client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        reason = f"Redis does not answer at {url}: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    store = RateLimitStore(url, f"peer-meetups-test-{os.getpid()}-{secrets.token_hex(4)}", client)
    yield store
    for key in client.scan_iter(match=f"*{store.prefix}*"):
        client.delete(key)
    client.close()


def register(web_url: str, slug: str, body: dict) -> requests.Response:
    return requests.post(
        web_url + REGISTRATIONS.format(slug=slug), json=body, headers=SEPARATE_CONNECTION, timeout=30
    )


def answering_workers(log: str, request_line: str) -> set[str]:
    """The pids of the web workers whose access log lines show `request_line`."""
    return set(re.findall(rf'^<(\d+)> "{re.escape(request_line)} HTTP/1\.1"', log, flags=re.MULTILINE))


def all_at_once(count: int, send) -> list[requests.Response]:
    """`send(number)` for 0 … count-1, all at the same time, so that every web worker gets some."""
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(send, range(count)))


def assert_refused_with_retry_after(answers: list[requests.Response]) -> None:
    for answer in answers:
        if answer.status_code == 429:
            assert 0 < int(answer.headers["Retry-After"]) <= 60


def test_ten_registrations_a_minute_are_ten_whichever_of_four_workers_answers(
    deployment, demo_program, registration, store
):
    web = deployment.start_web(workers=4, REGISTRATION_RATE_LIMIT="10 per minute", **store.settings())

    def register_one(number: int) -> requests.Response:
        return register(deployment.web_url, demo_program, registration(f"many-{number}@example.org"))

    answers = all_at_once(15, register_one)

    assert sorted(answer.status_code for answer in answers) == [201] * 10 + [429] * 5
    assert_refused_with_retry_after(answers)
    workers = answering_workers(web.output(), f"POST {REGISTRATIONS.format(slug=demo_program)}")
    assert len(workers) > 1, "one worker answered every request: the test proves nothing"
    assert store.count("registration") == 15  # every attempt counted in the one shared store


def test_sign_in_attempts_are_limited_across_workers(deployment, store):
    web = deployment.start_web(workers=4, LOGIN_RATE_LIMIT="5 per minute", **store.settings())
    login = f"{deployment.web_url}/console/login"
    page = requests.get(login, timeout=30)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)

    def sign_in(number: int) -> requests.Response:
        form = {"csrf_token": token, "email": f"nobody-{number}@example.org", "password": "a wrong password"}
        return requests.post(login, data=form, cookies=page.cookies, headers=SEPARATE_CONNECTION, timeout=30)

    answers = all_at_once(8, sign_in)

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [401] * 5 + [429] * 3
    assert_refused_with_retry_after(answers)
    assert len(answering_workers(web.output(), "POST /console/login")) > 1


def test_registration_goes_on_while_redis_restarts_and_is_counted_there_again_once_back(
    deployment, demo_program, registration, store, proxy_to, wait_for
):
    redis_proxy = proxy_to(store.url)
    web = deployment.start_web(workers=1, **store.settings(redis_proxy.route(store.url)))
    sent = iter(range(1000))

    def register_next() -> requests.Response:
        return register(deployment.web_url, demo_program, registration(f"restart-{next(sent)}@example.org"))

    assert register_next().status_code == 201
    assert store.count("registration") == 1

    redis_proxy.cut()
    assert [register_next().status_code for _ in range(3)] == [201] * 3  # counted in the worker meanwhile
    assert store.count("registration") == 1
    assert "Rate limit storage unreachable - falling back to in-memory storage" in web.output()

    redis_proxy.restore()
    wait_for(
        lambda: register_next().status_code == 201 and store.count("registration") > 1,
        "the worker to count in Redis again",
        timeout=90,
    )


def test_registration_goes_on_while_redis_does_not_answer(deployment, demo_program, registration, store):
    # A server that takes connections and never answers, as a Redis behind a broken network does.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        silent_url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        deployment.start_web(workers=1, **store.settings(silent_url))

        started = time.monotonic()
        answer = register(deployment.web_url, demo_program, registration("silent@example.org"))

        assert answer.status_code == 201
        assert time.monotonic() - started < 10

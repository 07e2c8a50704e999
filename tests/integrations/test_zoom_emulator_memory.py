"""In practice mode the Zoom emulator keeps its meetings in a file (`flask zoom-emulator --memory`, which
`flask dev` passes), so a meeting made before `make run` was restarted still starts afterwards: the app's
database still has it, and a host's start button must not lead to "meeting not found"."""

from datetime import UTC, datetime, timedelta

from integrations import emulator_server
from integrations.zoom import ZoomClient
from integrations.zoom.emulator import ZoomEmulator
from integrations.zoom.emulator_memory import RememberingEmulator

from .conftest import CONFIG
from .test_zoom_emulator_links import open_link


def _remembering(path):
    emulator = RememberingEmulator(ZoomEmulator(CONFIG), path)
    return emulator_server.serve_in_thread(emulator, "127.0.0.1", 0, "zoom-emulator-memory")


def _client(url: str) -> ZoomClient:
    return ZoomClient(
        account_id=CONFIG.account_id, client_id=CONFIG.client_id, client_secret=CONFIG.client_secret,
        token_url=f"{url}/oauth/token", api_base_url=f"{url}/v2", timeout=2.0,
    )  # fmt: skip


def test_a_meeting_made_before_a_restart_still_starts_after_it(tmp_path):
    memory = tmp_path / "zoom-emulator.json"
    with _remembering(memory) as before:
        made = _client(before.url).create_meeting(
            "host@example.org", topic="Peer meet-up", duration=60, timezone="Europe/Paris",
            start_time=datetime.now(UTC).replace(microsecond=0) + timedelta(days=2), idempotency_key="g1",
        )  # fmt: skip

    with _remembering(memory) as after:
        found = _client(after.url).get_meeting(made.id)
        status, page = open_link(found.start_url.replace(before.url, after.url))

    assert (found.topic, found.start_url) == (made.topic, made.start_url)
    assert status == 200 and "This meeting has started." in page.texts
    with _remembering(memory) as again:  # and it is still under way after a second restart
        assert again.emulator.emulator.state.get_meeting(made.id)["status"] == "started"


def test_without_memory_a_restarted_emulator_knows_no_meeting(tmp_path):
    with _remembering(tmp_path / "one.json") as before:
        made = _client(before.url).create_meeting(
            "host@example.org", topic="Peer meet-up", duration=60, timezone="Europe/Paris",
            start_time=datetime.now(UTC).replace(microsecond=0) + timedelta(days=2), idempotency_key="g1",
        )  # fmt: skip
    with _remembering(tmp_path / "another.json") as after:
        status, _ = open_link(made.start_url.replace(before.url, after.url))
    assert status == 404

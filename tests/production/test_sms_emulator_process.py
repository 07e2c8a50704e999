"""`flask sms-emulator`, as `flask dev` starts it: a process of its own standing in for Twilio with the app's
emulator keys, sending the app's texts and posting replies to the app's `/webhooks/sms`."""

from __future__ import annotations

import requests

from app.cli.dev import dev_processes
from app.messages.senders import build_text_sender
from integrations.sms.emulator_control import EmulatorControl

from ..conftest import free_port, make_settings
from .conftest import STARTUP_SECONDS, Processes, _answers, _flask, process_environment, wait_for


def test_the_sms_emulator_command_takes_the_apps_texts_and_sends_replies_to_its_webhook(tmp_path):
    processes = Processes(tmp_path)
    port = free_port()
    processes.start(
        "sms-emulator", _flask("sms-emulator", "--port", str(port)),
        process_environment(BASE_URL="http://127.0.0.1:5000"),
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(f"{url}/_emulator/requests"), "the SMS emulator", STARTUP_SECONDS)
        assert EmulatorControl(url).configure()["inbound_url"] == "http://127.0.0.1:5000/webhooks/sms"
        sender = build_text_sender(make_settings("sqlite://", tmp_path / "instance", TWILIO_API_BASE_URL=url))
        sent = sender.client.send_message(
            "+12015550123", "Patient Café: hello", status_callback=sender.status_callback
        )
        assert sent.status == "queued" and sent.num_segments == 1
        assert "Patient Café: hello" in requests.get(f"{url}/phone", timeout=5).text
    finally:
        processes.end()


def test_flask_dev_starts_the_sms_emulator_only_without_twilio_keys(tmp_path):
    local = make_settings("sqlite://", tmp_path / "instance")
    with_keys = make_settings(
        "sqlite://", tmp_path / "instance", TWILIO_ACCOUNT_SID="AC" + "1" * 32, TWILIO_AUTH_TOKEN="token",
        TWILIO_FROM_NUMBER="+12015550100",
    )  # fmt: skip

    assert dev_processes(local)["SMS emulator"][-3:] == ["sms-emulator", "--port", "5002"]
    assert "SMS emulator" not in dev_processes(with_keys)

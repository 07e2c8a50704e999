"""The development mail page shows caught mail, with every registrant's signed links, to this machine only."""

from __future__ import annotations

import http.client
from email.message import EmailMessage

import pytest

from app import create_app
from emails.catcher import store_message


@pytest.fixture
def caught(app) -> str:
    """One caught message with a signed link in it; its id."""
    directory = app.config["SETTINGS"].mail_catcher_dir
    directory.mkdir(parents=True, exist_ok=True)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "m@example.org", "ana@example.org", "Confirm"
    link = "http://localhost/p/demo/verify/signed-token"
    message.set_content(f"Confirm: {link}\n")
    message.add_alternative(f'<a href="{link}">Confirm</a>', subtype="html")
    return store_message(directory, "m@example.org", ["ana@example.org"], message.as_bytes())


def _pages(message_id: str) -> list[str]:
    return ["/dev/mail/", f"/dev/mail/{message_id}", f"/dev/mail/{message_id}/html"]


def _get(url: str, path: str, host: str) -> tuple[int, bytes]:
    """A request over real HTTP from this machine, with the Host header a browser would send for `host`."""
    address = url.removeprefix("http://")
    connection = http.client.HTTPConnection(address, timeout=10)
    connection.request("GET", path, headers={"Host": host})
    response = connection.getresponse()
    return response.status, response.read()


@pytest.mark.parametrize("host_name", ["localhost", "127.0.0.1"])
def test_this_machine_reads_the_caught_mail(server, caught, host_name):
    port = server.rsplit(":", 1)[1]
    for path in _pages(caught):
        assert _get(server, path, f"{host_name}:{port}")[0] == 200, path
    assert b"signed-token" in _get(server, f"/dev/mail/{caught}", f"localhost:{port}")[1]


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:5000", "meetups.example.org"])
def test_a_page_from_another_site_pointed_at_this_machine_finds_nothing(server, caught, host):
    """DNS rebinding: a site's name made to resolve to 127.0.0.1 still sends its own name as Host."""
    for path in _pages(caught):
        status, body = _get(server, path, host)
        assert status == 404 and b"signed-token" not in body, path


def test_another_machine_finds_nothing(client, caught):
    for path in _pages(caught):
        response = client.get(path, environ_base={"REMOTE_ADDR": "192.0.2.7"})
        assert response.status_code == 404 and b"signed-token" not in response.data, path
    assert client.get("/dev/mail/", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


def test_behind_a_proxy_the_visitor_not_the_proxy_counts(database_url, tmp_path, settings_for):
    proxied = create_app(
        {"TESTING": True, "SETTINGS": settings_for(database_url, tmp_path / "instance", PROXY_HOPS="1")}
    )
    client = proxied.test_client()
    from_afar = client.get("/dev/mail/", headers={"X-Forwarded-For": "198.51.100.4"})
    from_here = client.get("/dev/mail/", headers={"X-Forwarded-For": "127.0.0.1"})
    assert (from_afar.status_code, from_here.status_code) == (404, 200)
    proxied.extensions["engine"].dispose()

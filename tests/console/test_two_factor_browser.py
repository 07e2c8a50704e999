"""Setting up two-factor sign-in in headless Chromium: the QR code on the page, as a camera would see it,
decoded by ZXing (not by the library that drew it), holds the key shown for typing, the issuer and the
account; the browser shows it under the site's Content-Security-Policy; then signing in takes a code."""

from __future__ import annotations

import io
import time
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect
from sqlmodel import select

from app import database
from app.models import Coordinator
from app.services.accounts import create_coordinator

from ..totp import totp

pytestmark = [
    pytest.mark.browser,
    # One database is enough here: the browser checks the pages, test_two_factor checks both databases.
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
EMAIL, PASSWORD = "kim@example.org", "a long enough test password"


@pytest.fixture
def page(app, desktop_page):
    """Kim, a coordinator of no program yet, has no second factor."""
    with app.app_context():
        create_coordinator(database.session(), EMAIL, PASSWORD)
        database.session().commit()
    return desktop_page


def sign_in_with_password(page, server) -> None:
    page.goto(f"{server}/console/login")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_coordinator_scans_the_qr_code_and_then_signs_in_with_a_code(app, page, server):
    blocked = []
    page.on("console", lambda message: blocked.append(message.text) if message.type == "error" else None)
    sign_in_with_password(page, server)
    page.get_by_role("link", name="Two-factor sign-in").click()
    page.get_by_role("link", name="Set up two-factor sign-in").click()

    qr = page.get_by_role("img", name="QR code that adds your Peer Meet-ups account to an authenticator app")
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0")
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
    assert len(found) == 1 and found[0].format == zxingcpp.BarcodeFormat.QRCode
    uri = urlsplit(found[0].text)
    query = parse_qs(uri.query)
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert unquote(uri.path) == f"/Peer Meet-ups:{EMAIL}"
    assert query["issuer"] == ["Peer Meet-ups"]
    secret = query["secret"][0]
    assert page.locator("code.secret-key").inner_text().replace(" ", "") == secret
    with app.app_context():
        stored = database.session().exec(select(Coordinator).where(Coordinator.email == EMAIL)).one()
        assert stored.totp_secret == secret and not stored.two_factor_enabled

    page.get_by_label("Code from your authenticator app").fill(totp(secret, time.time()))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    assert "Two-factor sign-in is on" in page.locator(".flash").inner_text()
    assert page.locator(".recovery-codes li").count() == 10
    page.get_by_role("link", name="I have saved my recovery codes").click()
    page.get_by_role("button", name="Sign out").click()

    sign_in_with_password(page, server)
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    page.get_by_label("Code from your authenticator app").fill(totp(secret, time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Programs")).to_be_visible()
    assert not [text for text in blocked if "Content Security Policy" in text], blocked

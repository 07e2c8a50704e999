"""In practice mode (the Zoom emulator), the "Start this meeting" button of a host's page leads, through our
site, to the emulator's start page, which a host can read: not to an error or to JSON."""

from __future__ import annotations

import re
from html import unescape

import pytest
import requests

from app import database
from app.database import utcnow
from app.links import make_token
from app.models import Cohort
from app.services.approval import approve_cohort
from app.worker.runner import run_once

START_BUTTON = {"en": "Start this meeting", "es": "Iniciar esta reunión"}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_host_page_start_button_lands_on_the_emulators_start_page(app, make_cohorts, zoom, lang):
    [cohort_id] = make_cohorts(1)
    with app.app_context():
        session = database.session()
        cohort = session.get(Cohort, cohort_id)
        approve_cohort(session, cohort, actor="test", now=utcnow())
        session.commit()
        host_id = cohort.host_id
    run_once(app)  # the worker creates the meeting in the emulator
    with app.test_request_context():
        host_page = f"/host/{make_token('host', {'h': host_id})}?lang={lang}"
    client = app.test_client()

    page = client.get(host_page).text
    [start] = re.findall(rf'<a class="button" href="([^"]+)">{START_BUTTON[lang]}</a>', page)
    redirected = client.get(unescape(start))
    assert redirected.status_code == 303 and redirected.headers["Location"].startswith(f"{zoom.url}/s/")
    landed = requests.get(redirected.headers["Location"], timeout=5)

    assert landed.status_code == 200 and landed.headers["Content-Type"].startswith("text/html")
    assert "This meeting has started." in landed.text
    assert "<h1>Patient Café · " in landed.text  # the meeting's topic, under the demo's neutral title

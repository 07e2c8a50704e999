"""A member may ask not to be grouped again with someone of a group that was since cancelled: the people they
were registered to meet stay on offer, by display name, on their own page."""

from __future__ import annotations

from sqlmodel import select

from app import database
from app.links import make_token
from app.models import CohortMember, Participant

SLUG = "demo"


def test_someone_from_a_cancelled_group_can_still_be_named(
    app, program, console_client, runner, make_cohorts, zoom
):
    app.config["WTF_CSRF_ENABLED"] = False
    [cohort_id] = make_cohorts(1)
    console = console_client(SLUG)
    console.post(f"/console/programs/{SLUG}/cohorts/{cohort_id}/approve", data={"override": "yes"})
    assert runner.invoke(args=["worker", "--once"]).exit_code == 0  # everyone registered at Zoom
    with app.app_context():
        session = database.session()
        asker, other = session.exec(
            select(CohortMember.participant_id)
            .where(CohortMember.cohort_id == cohort_id)
            .order_by(CohortMember.id)
        ).all()[:2]
        other_name = session.get(Participant, other).display_name
        manage = f"/p/{SLUG}/manage/{make_token('manage', {'participant': asker})}"
    cancelled = console.post(f"/console/programs/{SLUG}/cohorts/{cohort_id}/cancel", data={"confirm": "yes"})
    assert cancelled.status_code == 302

    client = app.test_client()
    page = client.get(manage).get_data(as_text=True)
    assert "You are signed up, but you are not in a group yet." in page
    assert f'<option value="{other}">{other_name}</option>' in page
    assert client.post(f"{manage}/keep-apart", data={"member": other}).status_code == 303
    with app.app_context():
        assert database.session().get(Participant, asker).avoid == [other]

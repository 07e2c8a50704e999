"""Each meeting goes to a licensed Zoom user of the program's pool that is free for its whole time, as real
Zoom requires (one meeting at a time on Pro, two on Business); moving, cancelling and meeting again keep it
so."""

from datetime import timedelta

import pytest
from sqlmodel import select

from app import database
from app.database import utcnow
from app.models import Cohort, Host, Meeting, ZoomUser
from app.services.approval import ApprovalError, approve_cohort, approve_each_cohort
from app.services.follow_up import FollowUpError, schedule_next_meeting
from app.services.meeting_changes import MeetingChangeError
from app.services.meeting_changes.cancellation import cancel_cohort
from app.services.meeting_changes.rescheduling import reschedule_meeting
from app.worker.runner import run_zoom_work

PRO_A, PRO_B, BUSINESS = "pro-a@example.org", "pro-b@example.org", "business@example.org"


def _approve(app, *cohort_ids: int) -> list[str]:
    """Approve these cohorts as the console's "approve all" does; why each refused one was refused."""
    with app.app_context():
        session = database.session()
        cohorts = [session.get(Cohort, cohort_id) for cohort_id in cohort_ids]
        refused = approve_each_cohort(session, cohorts, actor="test", now=utcnow()).refused
        session.commit()
        return refused


def _holders(app, *cohort_ids: int) -> list[str | None]:
    with app.app_context():
        session = database.session()
        return [
            session.exec(select(Meeting.zoom_user).where(Meeting.cohort_id == cohort_id)).first()
            for cohort_id in cohort_ids
        ]


def test_two_groups_at_one_hour_meet_under_two_pro_users_and_a_third_is_refused(
    app, program, make_cohorts, zoom, running_emulator, zoom_pool
):
    first, second, third = make_cohorts(3, hosted=False)
    zoom_pool({PRO_A: 1, PRO_B: 1})
    [refusal] = _approve(app, first, second, third)
    assert "Every Zoom user of the program runs other meetings on Mon" in refusal
    assert "Add a Zoom user to the pool, or choose another time." in refusal
    assert sorted(_holders(app, first, second)) == [PRO_A, PRO_B] and _holders(app, third) == [None]
    run_zoom_work(app)
    with app.app_context():
        created = database.session().exec(select(Meeting.zoom_meeting_id, Meeting.zoom_user)).all()
    state = running_emulator.emulator.state
    assert sorted(state.host_of(int(zoom_id)) for zoom_id, _ in created) == [PRO_A, PRO_B]
    assert all(state.host_of(int(zoom_id)) == user for zoom_id, user in created)


def test_a_business_user_runs_two_meetings_at_once(app, program, make_cohorts, zoom_pool):
    cohorts = make_cohorts(3, hosted=False)
    zoom_pool({BUSINESS: 2})
    assert len(_approve(app, *cohorts)) == 1
    assert _holders(app, *cohorts[:2]) == [BUSINESS, BUSINESS]


def test_meetings_of_one_user_keep_a_quarter_of_an_hour_between_them(app, program, make_cohorts, zoom_pool):
    [at_two] = make_cohorts(1, hosted=False, slot=14)
    [at_three] = make_cohorts(1, hosted=False, slot=15)
    [at_four] = make_cohorts(1, hosted=False, slot=16)
    zoom_pool({PRO_A: 1})
    [refusal] = _approve(app, at_two, at_three, at_four)
    assert "15:00 UTC" in refusal  # an hour-long meeting at 14:00 may run over into 15:00
    assert _holders(app, at_two, at_three, at_four) == [PRO_A, None, PRO_A]


def test_a_host_with_a_licensed_zoom_user_holds_their_groups_meeting(
    app, program, make_cohorts, running_emulator, zoom_pool
):
    [hosted] = make_cohorts(1, hosted=True)
    [unhosted] = make_cohorts(1, hosted=False)
    zoom_pool({PRO_A: 1})
    with app.app_context():
        session = database.session()
        host = session.get(Host, session.get(Cohort, hosted).host_id)
        host.zoom_licensed = True
        session.commit()
        host_user = host.zoom_user
    assert _approve(app, hosted, unhosted) == []
    assert _holders(app, hosted, unhosted) == [host_user, PRO_A]
    run_zoom_work(app)
    with app.app_context():
        zoom_id = (
            database.session().exec(select(Meeting.zoom_meeting_id).where(Meeting.cohort_id == hosted)).one()
        )
    stored = running_emulator.emulator.state.get_meeting(int(zoom_id))
    assert running_emulator.emulator.state.host_of(int(zoom_id)) == host_user
    assert host_user not in stored["settings"].get("alternative_hosts", "")  # Zoom refuses the owner as one


def test_a_program_without_zoom_users_cannot_approve_and_says_where_to_add_one(
    app, program, make_cohorts, zoom_pool
):
    [cohort] = make_cohorts(1)
    zoom_pool({})
    with app.app_context(), pytest.raises(ApprovalError, match="Add one on the program's Zoom users page"):
        session = database.session()
        approve_cohort(session, session.get(Cohort, cohort), actor="test", now=utcnow())


def test_a_switched_off_user_keeps_its_meetings_and_takes_no_new_ones(app, program, make_cohorts, zoom_pool):
    [first] = make_cohorts(1, hosted=False, slot=14)
    [later] = make_cohorts(1, hosted=False, slot=40)
    zoom_pool({PRO_A: 1, PRO_B: 1})
    _approve(app, first)
    held = _holders(app, first)[0]
    with app.app_context():
        session = database.session()
        session.exec(select(ZoomUser).where(ZoomUser.user == held)).one().active = False
        session.commit()
    _approve(app, later)
    assert _holders(app, first, later) == [held, PRO_B if held == PRO_A else PRO_A]


def test_a_meeting_moves_only_to_a_time_its_zoom_user_is_free(app, program, make_cohorts, zoom_pool):
    [first] = make_cohorts(1, hosted=False, slot=14)
    [second] = make_cohorts(1, hosted=False, slot=17)
    zoom_pool({PRO_A: 1})
    _approve(app, first, second)
    run_zoom_work(app)  # both exist at Zoom now, under the one user
    with app.app_context():
        session = database.session()
        earlier, later = (
            session.exec(select(Meeting).where(Meeting.cohort_id == cohort_id)).one()
            for cohort_id in (first, second)
        )
        with pytest.raises(MeetingChangeError, match="runs other meetings then"):
            reschedule_meeting(
                session, later, earlier.starts_at + timedelta(minutes=30), actor="test", now=utcnow()
            )
        session.rollback()
        later = session.get(Meeting, later.id)
        reschedule_meeting(session, later, later.starts_at + timedelta(hours=2), actor="test", now=utcnow())
        session.commit()
        assert session.get(Meeting, later.id).zoom_user == PRO_A


def test_cancelling_a_group_frees_its_zoom_user_for_another(app, program, make_cohorts, zoom_pool):
    first, second = make_cohorts(2, hosted=False)
    zoom_pool({PRO_A: 1})
    assert len(_approve(app, first, second)) == 1
    with app.app_context():
        session = database.session()
        cancel_cohort(session, session.get(Cohort, first), actor="test", now=utcnow())
        session.commit()
    assert _approve(app, second) == []
    assert _holders(app, second) == [PRO_A]


def test_meeting_again_needs_a_free_zoom_user_too(app, program, make_cohorts, zoom_pool):
    first, second = make_cohorts(2, hosted=False)
    zoom_pool({PRO_A: 1, PRO_B: 1})
    _approve(app, first, second)
    zoom_pool({PRO_A: 1})
    with app.app_context():
        session = database.session()
        meeting = session.exec(select(Meeting).where(Meeting.cohort_id == first)).one()
        meeting.zoom_user = PRO_A
        other = session.exec(select(Meeting).where(Meeting.cohort_id == second)).one()
        other.zoom_user = PRO_A
        clash = other.starts_at + timedelta(weeks=4)
        session.add(
            Meeting(cohort_id=second, number=2, starts_at=clash, calendar_uid="x@test", zoom_user=PRO_A)
        )
        session.commit()
        with pytest.raises(FollowUpError, match="Every Zoom user of the program runs other meetings"):
            schedule_next_meeting(
                session,
                session.get(Cohort, first),
                starts_at=clash,
                actor="test",
                now=meeting.ends_at + timedelta(hours=1),
            )


def test_meetings_pack_each_users_day_so_a_meeting_in_between_still_finds_a_user(
    app, program, make_cohorts, zoom_pool
):
    """Two Pro users and groups at 0:00, 2:00 and then 1:00: putting the 2:00 group on the user free since
    1:15 keeps the other user free for the 1:00 group, which overlaps both."""
    [at_zero] = make_cohorts(1, hosted=False, slot=0)
    [at_two] = make_cohorts(1, hosted=False, slot=2)
    [at_one] = make_cohorts(1, hosted=False, slot=1)
    zoom_pool({PRO_A: 1, PRO_B: 1})
    assert _approve(app, at_zero, at_two, at_one) == []
    assert _holders(app, at_zero, at_two, at_one) == [PRO_A, PRO_A, PRO_B]


def test_a_meeting_goes_to_the_user_whose_next_meeting_comes_soonest(app, program, make_cohorts, zoom_pool):
    """Groups at 3:00 and 9:00 are approved first, on different users; a group at 1:00 then goes to the user
    free until 3:00, not to the one free until 9:00, leaving the other's morning whole."""
    [at_three] = make_cohorts(1, hosted=False, slot=3)
    [at_nine] = make_cohorts(1, hosted=False, slot=9)
    zoom_pool({PRO_A: 1, PRO_B: 1})
    assert _approve(app, at_nine) == [] and _approve(app, at_three) == []
    first_holders = _holders(app, at_three, at_nine)
    assert first_holders == [PRO_A, PRO_A]  # the least busy takes a meeting none is near: A, then its 3:00

    [at_one] = make_cohorts(1, hosted=False, slot=1)
    zoom_pool({PRO_B: 1, PRO_A: 1})  # B listed first: only nearness can bring the group to A
    assert _approve(app, at_one) == []
    assert _holders(app, at_one) == [PRO_A]

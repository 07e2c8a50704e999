"""When each message about a meeting goes out, and what it does when the meeting moves: the program's timings,
to the minute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import delete, select

from app.demo import seed_demo
from app.messages.kinds import MessageKind
from app.models import Cohort, CohortMember, Host, MessageStatus, OutboundMessage, Participant
from app.services.meeting_changes.rescheduling import reschedule_meeting
from app.services.meeting_setup import queue_member_cancellation, set_up_meeting

NOW = datetime(2030, 2, 20, 9, 0, tzinfo=UTC)
START = datetime(2030, 3, 4, 17, 0, tzinfo=UTC)  # a 90-minute meeting: it ends at 18:30
END = datetime(2030, 3, 4, 18, 30, tzinfo=UTC)


def _approved_group(session, *, invite_at: datetime = NOW):
    """Two members and a host, their meeting set up at `invite_at` with these program timings."""
    program = seed_demo(session, registrants=2)
    program.meeting_minutes, program.tips_days_before, program.reminder_hours_before = 90, 3, 2
    program.survey_hours_after, program.survey_reminder_days = 4, 5
    members = list(session.exec(select(Participant).order_by(Participant.id)).all())
    host = session.exec(select(Host).order_by(Host.id)).first()
    cohort = Cohort(
        program_id=program.id, condition_id=members[0].condition_id, language="en", slot=17, host_id=host.id
    )
    session.add(cohort)
    session.flush()
    for member in members:
        session.add(CohortMember(cohort_id=cohort.id, participant_id=member.id))
    meeting = set_up_meeting(
        session, program, cohort, members, number=1, starts_at=START, invite_at=invite_at
    )
    session.flush()
    return program, meeting, members, host


def _times(session, **recipient) -> dict[str, tuple[datetime, datetime | None]]:
    """Each kind's (send time, moment after which it is no use) of the messages to one member or host."""
    [(column, value)] = recipient.items()
    rows = session.exec(select(OutboundMessage).where(getattr(OutboundMessage, column) == value)).all()
    return {row.kind: (row.send_at, row.not_after) for row in rows if row.status == MessageStatus.PENDING}


def test_each_member_and_the_host_get_their_messages_at_the_program_timings(db_session):
    _, _, members, host = _approved_group(db_session)

    for member in members:
        assert _times(db_session, participant_id=member.id) == {
            MessageKind.COHORT_INVITATION: (NOW, START),
            MessageKind.PREPARATION_TIPS: (datetime(2030, 3, 1, 17, 0, tzinfo=UTC), START),
            MessageKind.REMINDER: (datetime(2030, 3, 4, 15, 0, tzinfo=UTC), START),
            MessageKind.SURVEY: (
                datetime(2030, 3, 4, 22, 30, tzinfo=UTC),
                datetime(2030, 3, 18, 18, 30, tzinfo=UTC),
            ),
            MessageKind.SURVEY_REMINDER: (
                datetime(2030, 3, 9, 22, 30, tzinfo=UTC),
                datetime(2030, 4, 3, 22, 30, tzinfo=UTC),
            ),
        }
    assert _times(db_session, host_id=host.id) == {
        MessageKind.HOST_BRIEFING: (NOW, START),
        MessageKind.HOST_DEBRIEF: (END, END + timedelta(days=14)),  # once it has ended, for two weeks
    }


def test_a_late_invitation_sends_what_is_already_due_at_once(db_session):
    late = START - timedelta(hours=1)
    _, _, [member, _], _ = _approved_group(db_session, invite_at=late)

    times = _times(db_session, participant_id=member.id)

    assert (
        times[MessageKind.PREPARATION_TIPS]
        == times[MessageKind.REMINDER]
        == times[MessageKind.COHORT_INVITATION]
        == (late, START)
    )
    assert times[MessageKind.SURVEY][0] == datetime(2030, 3, 4, 22, 30, tzinfo=UTC)


def test_a_moved_meeting_carries_its_scheduled_messages_and_the_deadlines_of_those_sent_at_once(db_session):
    program, meeting, [staying, leaving], host = _approved_group(db_session)
    invitation = db_session.exec(
        select(OutboundMessage).where(
            OutboundMessage.participant_id == leaving.id,
            OutboundMessage.kind == MessageKind.COHORT_INVITATION,
        )
    ).one()
    invitation.status = MessageStatus.SENT
    db_session.exec(delete(CohortMember).where(CohortMember.participant_id == leaving.id))
    queue_member_cancellation(db_session, program, meeting, leaving, now=NOW)
    day = timedelta(days=1)

    reschedule_meeting(db_session, meeting, START + day, actor="test", now=NOW)

    assert _times(db_session, participant_id=staying.id) == {
        MessageKind.COHORT_INVITATION: (NOW, START + day),
        MessageKind.PREPARATION_TIPS: (datetime(2030, 3, 1, 17, 0, tzinfo=UTC) + day, START + day),
        MessageKind.REMINDER: (datetime(2030, 3, 4, 15, 0, tzinfo=UTC) + day, START + day),
        MessageKind.SURVEY: (
            datetime(2030, 3, 4, 22, 30, tzinfo=UTC) + day,
            datetime(2030, 3, 18, 18, 30, tzinfo=UTC) + day,
        ),
        MessageKind.SURVEY_REMINDER: (
            datetime(2030, 3, 9, 22, 30, tzinfo=UTC) + day,
            datetime(2030, 4, 3, 22, 30, tzinfo=UTC) + day,
        ),
    }
    assert _times(db_session, host_id=host.id) == {
        MessageKind.HOST_BRIEFING: (NOW, START + day),
        MessageKind.HOST_DEBRIEF: (END + day, END + day + timedelta(days=14)),
    }
    # The one who left keeps the cancellation of the meeting as they knew it.
    assert _times(db_session, participant_id=leaving.id) == {MessageKind.MEETING_CANCELLED: (NOW, START)}

"""A coordinator's adjustments to cohorts: checked against the matcher's rules, said in words, audited, and
carried through to Zoom and to people's inboxes when the cohort is already approved."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlmodel import select

from app import database
from app.database import utcnow
from app.messages.kinds import MessageKind
from app.models import (
    AuditEvent,
    Cohort,
    CohortMember,
    CohortStatus,
    Condition,
    Host,
    Meeting,
    MeetingRegistrant,
    MessageStatus,
    OutboundMessage,
    Participant,
    ParticipantStatus,
    Stage,
    ZoomOperation,
    ZoomOperationKind,
    ZoomOperationStatus,
)
from app.services.accounts import create_coordinator
from app.services.adjustments import AdjustmentError, NeedsOverride, StaleCohort
from app.services.adjustments.backfill import backfill_candidates, backfill_cohort
from app.services.adjustments.cohort_edits import merge_cohorts, set_host, set_locked, set_slot, split_cohort
from app.services.adjustments.moves import move_member
from app.services.approval import approve_cohort
from app.services.feasibility import CohortRules, cohort_warnings, host_options, slot_choices
from app.worker.runner import run_once
from emails.catcher import calendar_part

SLOT = 16  # Monday 16:00 UTC: every demo host is free then, whatever the season
TIME = "Monday 16:00 UTC"
MONDAY = [{"weekday": 0, "start": "15:00", "end": "18:00"}]  # in UTC: slots 15, 16 and 17
ACTOR = {"actor": "coordinator@example.org"}


class Build:
    """Registrants and cohorts of the demo program's CLL condition, free on Monday afternoons (UTC)."""

    def __init__(self, session, program):
        self.session, self.program = session, program
        self.cll = session.exec(
            select(Condition).where(Condition.program_id == program.id, Condition.code == "cll")
        ).one()
        self.stages = {
            s.code: s.id for s in session.exec(select(Stage).where(Stage.condition_id == self.cll.id))
        }
        self.hosts = {
            h.display_name: h for h in session.exec(select(Host).where(Host.program_id == program.id))
        }

    def person(
        self, name, *, stage="in-treatment", languages=("en",), free=MONDAY, avoid=(), waited=0, zone="UTC",
        role="patient",
    ):  # fmt: skip
        person = Participant(
            program_id=self.program.id, email=f"{name.lower().replace(' ', '.')}@example.org",
            display_name=name, condition_id=self.cll.id, stage_id=self.stages[stage] if stage else None,
            timezone=zone, role=role, languages=list(languages), availability=free,
            avoid=[other.id for other in avoid],
            consent_version="1", status=ParticipantStatus.VERIFIED,
            verified_at=utcnow() - timedelta(days=waited),
        )  # fmt: skip
        self.session.add(person)
        self.session.flush()
        return person

    def cohort(self, members, *, host="Jonah", slot=SLOT):
        cohort = Cohort(
            program_id=self.program.id, condition_id=self.cll.id, language="en", slot=slot, role="patient",
            host_id=self.hosts[host].id if host else None,
        )  # fmt: skip
        self.session.add(cohort)
        self.session.flush()
        for member in members:
            self.session.add(CohortMember(cohort_id=cohort.id, participant_id=member.id))
        self.session.flush()
        return cohort

    def group(self, *names, **options):
        return self.cohort([self.person(name) for name in names], **options)

    def members(self, cohort):
        return sorted(
            self.session.exec(
                select(Participant.display_name)
                .join(CohortMember, CohortMember.participant_id == Participant.id)
                .where(CohortMember.cohort_id == cohort.id)
            ).all()
        )

    def events(self, action):
        return self.session.exec(select(AuditEvent).where(AuditEvent.action == action)).all()


@pytest.fixture
def session(app, program):
    with app.app_context():
        yield database.session()


@pytest.fixture
def build(session, program):
    return Build(session, program)


def approve(session, cohort):
    meeting = approve_cohort(session, cohort, actor="test", now=utcnow())
    session.commit()
    return meeting


def work(app, session):
    """Commit, let the worker carry out everything due, and read afresh what it did."""
    session.commit()
    run_once(app)
    session.expire_all()


def mail_to(mailbox, address):
    return [message for message in mailbox.messages() if message["To"].addresses[0].addr_spec == address]


def calendar_methods(messages):
    return [str(Calendar.from_ical(part)["METHOD"]) for m in messages if (part := calendar_part(m))]


# Warnings, free hours and hosts, in words


def test_a_cohort_that_keeps_every_rule_has_no_warnings(session, build):
    assert cohort_warnings(session, build.group("Ana", "Ben", "Carmen", "Dev")) == []


def test_warnings_name_people_and_say_what_is_wrong(session, build):
    spanish = build.person("Ana", languages=("es",))
    busy = build.person("Ben", free=[{"weekday": 1, "start": "09:00", "end": "12:00"}])
    early = build.person("Carmen", stage="watch-and-wait")
    late = build.person("Dev", stage="relapsed", avoid=[early])
    build.group("Elena", "Femi", "Gabi", "Hugo")  # Jonah's other group, at the same hour
    cohort = build.cohort([spanish, busy, early, late])
    assert cohort_warnings(session, cohort) == [
        "Ana does not speak English, the group's language.",
        "Ben is not free at the group's time (Monday 16:00 UTC).",
        "Dev asked not to be in a group with Carmen.",
        "Stages span 3 steps; this program allows 1.",
        "Jonah already leads a group at this time.",
    ]


def test_too_small_a_group_and_someone_unsure_of_their_stage(session, build):
    cohort = build.cohort([build.person("Ana", stage="watch-and-wait"), build.person("Ben", stage=None)])
    assert cohort_warnings(session, cohort) == ["The group has 2 people; this program needs at least 4."]


def test_every_hour_is_offered_with_who_of_the_group_is_not_free_then(session, build):
    later = build.person("Dev", free=[{"weekday": 0, "start": "16:00", "end": "20:00"}])
    cohort = build.cohort([build.person("Ana"), build.person("Ben"), later])
    choices = {choice.slot: choice.busy for choice in slot_choices(session, cohort)}
    assert len(choices) == 168
    assert [slot for slot, busy in choices.items() if not busy] == [16, 17]
    assert choices[15] == ("Dev",) and choices[18] == ("Ana", "Ben")
    assert choices[40] == ("Ana", "Ben", "Dev")


def test_host_options_list_hosts_that_fit_first_with_what_others_would_break(session, build):
    cohort = build.group("Ana", "Ben", "Carmen", "Dev", host=None)
    options = {host.display_name: warnings for host, warnings in host_options(session, cohort)}
    assert options["Jonah"] == [] and options["Sam"] == []
    assert options["Lucía"] == ["Lucía does not speak English, the group's language."]
    assert options["Marta"] == ["Marta does not host groups about Chronic lymphocytic leukaemia (CLL)."]
    order = [host.display_name for host, _ in host_options(session, cohort)]
    assert set(order[:2]) == {"Jonah", "Sam"}


# Moving members


def test_a_move_that_breaks_a_rule_needs_an_override_and_changes_nothing_until_then(session, build):
    source = build.group("Ana", "Ben", "Carmen", "Dev")
    target = build.group("Elena", "Femi", "Gabi", "Hugo", host="Sam")
    ana = session.exec(select(Participant).where(Participant.display_name == "Ana")).one()
    ana.languages = ["es"]
    session.commit()
    with pytest.raises(NeedsOverride) as refusal:
        move_member(session, ana, target, now=utcnow(), **ACTOR)
    assert refusal.value.warnings == [
        f"Group {source.id}: The group has 3 people; this program needs at least 4.",
        f"Group {target.id}: Ana does not speak English, the group's language.",
    ]
    session.rollback()
    assert build.members(source) == ["Ana", "Ben", "Carmen", "Dev"]
    assert (source.version, target.version) == (1, 1)

    coordinator = create_coordinator(session, "coordinator@example.org", "a long enough test password")
    overridden = move_member(
        session, ana, target, override=True, now=utcnow(), coordinator_id=coordinator.id, **ACTOR
    )
    session.commit()
    assert overridden == refusal.value.warnings
    assert build.members(target) == ["Ana", "Elena", "Femi", "Gabi", "Hugo"]
    assert (source.version, target.version) == (2, 2)
    [event] = build.events("cohort.member_moved")
    assert event.actor == "coordinator@example.org" and event.coordinator_id == coordinator.id
    assert event.subject_id == str(ana.id)
    assert event.detail == {"from_cohort": source.id, "to_cohort": target.id, "overridden": overridden}


def test_a_move_from_an_out_of_date_page_is_refused(session, build):
    source = build.group("Ana", "Ben", "Carmen", "Dev", "Elena")
    target = build.group("Femi", "Gabi", "Hugo", "Ines", host="Sam")
    ana = session.exec(select(Participant).where(Participant.display_name == "Ana")).one()
    set_locked(session, target, True, expected_version=1, **ACTOR)
    with pytest.raises(StaleCohort, match="changed by someone else"):
        move_member(
            session, ana, target, now=utcnow(), expected_versions={source.id: 1, target.id: 1}, **ACTOR
        )
    move_member(session, ana, target, now=utcnow(), expected_versions={source.id: 1, target.id: 2}, **ACTOR)
    assert build.members(target) == ["Ana", "Femi", "Gabi", "Hugo", "Ines"]


def test_moving_to_the_waitlist_says_a_coordinator_put_them_there(session, build):
    cohort = build.group("Ana", "Ben", "Carmen", "Dev", "Elena")
    ana = session.exec(select(Participant).where(Participant.display_name == "Ana")).one()
    assert move_member(session, ana, None, now=utcnow(), **ACTOR) == []
    assert ana.waitlist_reason == "coordinator" and build.members(cohort) == ["Ben", "Carmen", "Dev", "Elena"]
    with pytest.raises(AdjustmentError, match="Ana is already on the waitlist"):
        move_member(session, ana, None, now=utcnow(), **ACTOR)


def test_no_one_joins_a_cancelled_cohort_or_one_whose_meeting_is_over(session, build):
    cancelled = build.group("Ana", "Ben", "Carmen", "Dev")
    cancelled.status = CohortStatus.CANCELLED
    met = build.group("Elena", "Femi", "Gabi", "Hugo", host="Sam")
    meeting = approve(session, met)
    newcomer = build.person("Ines")
    with pytest.raises(AdjustmentError, match="is cancelled"):
        move_member(session, newcomer, cancelled, now=utcnow(), **ACTOR)
    later = meeting.starts_at + timedelta(hours=2)
    with pytest.raises(AdjustmentError, match="already taken place"):
        move_member(session, newcomer, met, now=later, **ACTOR)
    assert backfill_candidates(session, met, now=later) == []
    with pytest.raises(AdjustmentError, match="already taken place"):
        backfill_cohort(session, met, now=later, **ACTOR)


def test_joining_an_approved_cohort_registers_at_zoom_and_invites(
    app, session, build, mailbox, running_emulator
):
    cohort = build.group("Ana", "Ben", "Carmen", "Dev")
    meeting = approve(session, cohort)
    work(app, session)
    newcomer = build.person("Elena")
    move_member(session, newcomer, cohort, now=utcnow(), **ACTOR)
    work(app, session)
    registered = running_emulator.emulator.state.registrants(int(meeting.zoom_meeting_id))
    assert sorted(r["email"] for r in registered) == [
        f"{name}@example.org" for name in ("ana", "ben", "carmen", "dev", "elena")
    ]
    assert calendar_methods(mail_to(mailbox, "elena@example.org")) == ["REQUEST"]


def test_someone_asking_for_captions_who_joins_an_approved_cohort_has_them_turned_on(
    app, session, build, mailbox, running_emulator
):
    cohort = build.group("Ana", "Ben", "Carmen", "Dev")
    meeting = approve(session, cohort)
    work(app, session)
    assert running_emulator.emulator.state.user_settings(meeting.zoom_user) == {}
    newcomer = build.person("Elena")
    newcomer.accessibility_needs = ["captions"]
    move_member(session, newcomer, cohort, now=utcnow(), **ACTOR)
    work(app, session)
    settings = running_emulator.emulator.state.user_settings(meeting.zoom_user)
    assert settings["in_meeting"]["closed_captioning"] == {"enable": True, "auto_transcribing": True}


def zoom_statuses(running_emulator, meeting) -> dict[str, str]:
    """Each registrant of the meeting at the emulator (Zoom), by email: approved, or cancelled."""
    registrants = running_emulator.emulator.state.registrants(int(meeting.zoom_meeting_id))
    return {registrant["email"]: registrant["status"] for registrant in registrants}


def test_leaving_an_approved_cohort_cancels_and_coming_back_invites_again(
    app, session, build, mailbox, running_emulator
):
    cohort = build.group("Ana", "Ben", "Carmen", "Dev", "Elena")
    meeting = approve(session, cohort)
    work(app, session)
    ana = session.exec(select(Participant).where(Participant.display_name == "Ana")).one()
    move_member(session, ana, None, now=utcnow(), **ACTOR)
    work(app, session)
    assert calendar_methods(mail_to(mailbox, "ana@example.org")) == ["REQUEST", "CANCEL"]
    reminders = session.exec(
        select(OutboundMessage.status).where(
            OutboundMessage.participant_id == ana.id, OutboundMessage.kind == MessageKind.REMINDER
        )
    ).all()
    assert reminders == [MessageStatus.CANCELLED]
    statuses = zoom_statuses(running_emulator, meeting)
    assert statuses.pop("ana@example.org") == "cancelled"  # her personal link no longer lets her in
    assert set(statuses.values()) == {"approved"} and len(statuses) == 4

    move_member(session, ana, cohort, now=utcnow(), **ACTOR)
    work(app, session)
    assert calendar_methods(mail_to(mailbox, "ana@example.org")) == ["REQUEST", "CANCEL", "REQUEST"]
    assert set(zoom_statuses(running_emulator, meeting).values()) == {"approved"}
    link = session.exec(select(MeetingRegistrant.join_url).where(MeetingRegistrant.participant_id == ana.id))
    assert link.one()


def test_moving_between_approved_cohorts_moves_the_zoom_registration(app, session, build, running_emulator):
    leaving = build.group("Ana", "Ben", "Carmen", "Dev", "Elena")
    joining = build.group("Femi", "Gus", "Hana", "Ivo", host="Sam")
    old_meeting, new_meeting = approve(session, leaving), approve(session, joining)
    work(app, session)
    before = {m.id: zoom_statuses(running_emulator, m) for m in (old_meeting, new_meeting)}
    ana = session.exec(select(Participant).where(Participant.display_name == "Ana")).one()

    move_member(session, ana, joining, now=utcnow(), **ACTOR)
    work(app, session)

    assert zoom_statuses(running_emulator, old_meeting) == {
        **before[old_meeting.id],
        "ana@example.org": "cancelled",
    }
    assert zoom_statuses(running_emulator, new_meeting) == {
        **before[new_meeting.id],
        "ana@example.org": "approved",
    }


def test_leaving_and_coming_back_before_the_worker_ran_keeps_the_registration(
    app, session, build, running_emulator
):
    cohort = build.group("Ana", "Ben", "Carmen", "Dev", "Elena")
    meeting = approve(session, cohort)
    work(app, session)
    ana = session.exec(select(Participant).where(Participant.display_name == "Ana")).one()
    link = session.exec(
        select(MeetingRegistrant.join_url).where(MeetingRegistrant.participant_id == ana.id)
    ).one()

    move_member(session, ana, None, now=utcnow(), **ACTOR)
    move_member(session, ana, cohort, now=utcnow(), **ACTOR)
    work(app, session)

    assert zoom_statuses(running_emulator, meeting)["ana@example.org"] == "approved"
    assert (
        session.exec(
            select(MeetingRegistrant.join_url).where(MeetingRegistrant.participant_id == ana.id)
        ).one()
        == link
    )
    kinds = session.exec(
        select(ZoomOperation.kind, ZoomOperation.status).where(ZoomOperation.participant_id == ana.id)
    ).all()
    assert (ZoomOperationKind.CANCEL_REGISTRATION, ZoomOperationStatus.CANCELLED) in kinds


def test_leaving_before_anything_was_sent_drops_the_registration_and_sends_nothing(
    app, session, build, mailbox, running_emulator
):
    cohort = build.group("Ana", "Ben", "Carmen", "Dev", "Elena")
    meeting = approve(session, cohort)
    ana = session.exec(select(Participant).where(Participant.display_name == "Ana")).one()
    move_member(session, ana, None, now=utcnow(), **ACTOR)
    registration = session.exec(select(ZoomOperation).where(ZoomOperation.participant_id == ana.id)).one()
    assert registration.status == ZoomOperationStatus.CANCELLED
    work(app, session)
    assert mail_to(mailbox, "ana@example.org") == []
    registered = running_emulator.emulator.state.registrants(int(meeting.zoom_meeting_id))
    assert "ana@example.org" not in [r["email"] for r in registered] and len(registered) == 4


# Host, time, split, merge, lock


def test_a_host_who_does_not_fit_needs_an_override(session, build):
    cohort = build.group("Ana", "Ben", "Carmen", "Dev")
    lucia = build.hosts["Lucía"]
    with pytest.raises(NeedsOverride) as refusal:
        set_host(session, cohort, lucia.id, expected_version=1, now=utcnow(), **ACTOR)
    assert refusal.value.warnings == [
        f"Group {cohort.id}: Lucía does not speak English, the group's language."
    ]
    set_host(session, cohort, lucia.id, expected_version=1, override=True, now=utcnow(), **ACTOR)
    assert cohort.host_id == lucia.id and cohort.version == 2
    [event] = build.events("cohort.host_changed")
    assert event.detail["overridden"] == refusal.value.warnings
    with pytest.raises(StaleCohort):
        set_host(session, cohort, None, expected_version=1, now=utcnow(), **ACTOR)


def test_a_new_host_of_an_approved_cohort_is_briefed_and_zoom_updated(app, session, build, mailbox):
    cohort = build.group("Ana", "Ben", "Carmen", "Dev")
    approve(session, cohort)
    set_host(session, cohort, build.hosts["Sam"].id, expected_version=2, now=utcnow(), **ACTOR)
    work(app, session)
    assert len(mail_to(mailbox, "host-sam@example.org")) == 1
    assert mail_to(mailbox, "host-jonah@example.org") == []
    update = session.exec(select(ZoomOperation).where(ZoomOperation.kind == ZoomOperationKind.UPDATE)).one()
    assert update.status == ZoomOperationStatus.DONE


def test_the_hour_changes_among_the_common_ones_for_proposed_cohorts_only(session, build):
    cohort = build.group("Ana", "Ben", "Carmen", "Dev")
    with pytest.raises(NeedsOverride) as refusal:
        set_slot(session, cohort, SLOT + 24, expected_version=1, **ACTOR)
    assert (
        f"Group {cohort.id}: Ana is not free at the group's time (Tuesday 16:00 UTC)."
        in refusal.value.warnings
    )
    assert set_slot(session, cohort, 17, expected_version=1, **ACTOR) == []
    assert cohort.slot == 17 and cohort.version == 2
    approve(session, cohort)
    with pytest.raises(AdjustmentError, match="already approved: its meeting is moved by rescheduling"):
        set_slot(session, cohort, 15, expected_version=cohort.version, **ACTOR)


def test_splitting_forms_a_new_proposed_cohort_without_a_host(session, build):
    cohort = build.group("Ana", "Ben", "Carmen", "Dev", "Elena", "Femi", "Gabi", "Hugo")
    chosen = session.exec(
        select(Participant.id).where(Participant.display_name.in_(["Ana", "Ben", "Carmen", "Dev"]))
    ).all()
    new = split_cohort(session, cohort, list(chosen), expected_version=1, **ACTOR)
    assert build.members(new) == ["Ana", "Ben", "Carmen", "Dev"]
    assert build.members(cohort) == ["Elena", "Femi", "Gabi", "Hugo"]
    assert (new.status, new.host_id, new.slot, new.language) == (CohortStatus.PROPOSED, None, SLOT, "en")
    assert cohort.version == 2


def test_splitting_off_too_few_needs_an_override(session, build):
    cohort = build.group("Ana", "Ben", "Carmen", "Dev", "Elena")
    ana = session.exec(select(Participant.id).where(Participant.display_name == "Ana")).one()
    with pytest.raises(NeedsOverride) as refusal:
        split_cohort(session, cohort, [ana], expected_version=1, **ACTOR)
    assert refusal.value.warnings == ["The new group: The group has 1 person; this program needs at least 4."]
    everyone = session.exec(select(CohortMember.participant_id)).all()
    with pytest.raises(AdjustmentError, match="Leave at least one member"):
        split_cohort(session, cohort, list(everyone), expected_version=1, **ACTOR)
    split_cohort(session, cohort, [ana], expected_version=1, override=True, **ACTOR)
    approve(session, cohort)
    with pytest.raises(AdjustmentError, match="already approved"):
        split_cohort(session, cohort, [ana], expected_version=cohort.version, **ACTOR)


def test_merging_brings_the_members_over_and_cancels_the_other(session, build):
    cohort = build.group("Ana", "Ben", "Carmen", host=None)
    other = build.group("Dev", "Elena", "Femi", host="Sam")
    merged = merge_cohorts(session, cohort, other, expected_versions={cohort.id: 1, other.id: 1}, **ACTOR)
    assert merged is cohort and build.members(cohort) == ["Ana", "Ben", "Carmen", "Dev", "Elena", "Femi"]
    assert other.status == CohortStatus.CANCELLED and other.cancelled_at is not None
    assert cohort.host_id == build.hosts["Sam"].id and (cohort.version, other.version) == (2, 2)


def test_merging_past_the_largest_size_needs_an_override(session, build):
    cohort = build.group("Ana", "Ben", "Carmen", "Dev", "Elena")
    other = build.group("Femi", "Gabi", "Hugo", "Ines", host="Sam")
    with pytest.raises(NeedsOverride) as refusal:
        merge_cohorts(session, cohort, other, expected_versions={}, **ACTOR)
    assert refusal.value.warnings == [
        f"Group {cohort.id}: The group has 9 people; this program allows at most 8."
    ]
    with pytest.raises(StaleCohort):
        merge_cohorts(session, cohort, other, expected_versions={other.id: 7}, override=True, **ACTOR)


def test_locking_is_recorded_and_raises_the_version(session, build):
    cohort = build.group("Ana", "Ben", "Carmen", "Dev")
    set_locked(session, cohort, True, expected_version=1, **ACTOR)
    assert cohort.locked and cohort.version == 2
    set_locked(session, cohort, False, expected_version=2, **ACTOR)
    assert [e.action for e in build.events("cohort.locked") + build.events("cohort.unlocked")] == [
        "cohort.locked",
        "cohort.unlocked",
    ]


# Backfilling from the waitlist


def test_backfill_fills_to_the_target_size_with_the_best_fitting_people(session, build):
    cohort = build.group("Ana", "Ben", "Carmen", host=None)
    first = build.person("First", waited=9)
    build.person("Rival", waited=5, avoid=[first])  # as close in stage, but asked not to meet First
    build.person("Further", stage="post-treatment", waited=30)
    build.person("Unsure", stage=None, waited=40)
    build.person("Far", stage="relapsed")
    build.person("Busy", free=[{"weekday": 3, "start": "09:00", "end": "12:00"}])
    build.person("Lola", languages=("es",))
    candidates = [person.display_name for person in backfill_candidates(session, cohort)]
    assert candidates == ["First", "Rival", "Further", "Unsure"]
    added = backfill_cohort(session, cohort, now=utcnow(), **ACTOR)
    assert [person.display_name for person in added] == ["First", "Further", "Unsure"]
    assert build.members(cohort) == ["Ana", "Ben", "Carmen", "First", "Further", "Unsure"]
    [event] = build.events("cohort.backfilled")
    assert event.subject_id == str(cohort.id) and len(event.detail["added"]) == 3
    with pytest.raises(AdjustmentError, match="already has 6 people"):
        backfill_cohort(session, cohort, now=utcnow(), **ACTOR)


def test_people_waiting_fit_when_the_groups_hour_lies_in_a_window_of_their_own_zone(session, build):
    cohort = build.group("Ana", "Ben", "Carmen", "Dev", host=None)  # Monday 16:00 UTC
    for name, zone, weekday, start, end in (
        ("Kolkata", "Asia/Kolkata", 0, "21:00", "23:00"),  # 16:00 UTC is 21:30 there
        ("Kolkata early", "Asia/Kolkata", 0, "20:00", "22:00"),
        ("New York", "America/New_York", 0, "10:00", "13:00"),  # 11:00 or noon, as the season has it
        ("Tokyo", "Asia/Tokyo", 1, "00:00", "02:00"),  # 01:00 on Tuesday there
        ("Tokyo Monday", "Asia/Tokyo", 0, "00:00", "02:00"),
    ):
        build.person(name, zone=zone, free=[{"weekday": weekday, "start": start, "end": end}])
    build.person("Caregiver", role="caregiver")
    build.person("Bilingual", languages=("es", "en"))
    names = [person.display_name for person in backfill_candidates(session, cohort)]
    assert sorted(names) == ["Bilingual", "Kolkata", "New York", "Tokyo"]


def test_a_full_group_is_offered_no_one_and_a_page_of_candidates_stops_at_its_limit(session, build):
    full = build.group("Ana", "Ben", "Carmen", "Dev", "Elena", "Femi", "Gabi", "Hugo", host=None)
    waiting = [build.person(f"Waiting {number}", waited=number) for number in range(5)]
    assert backfill_candidates(session, full) == []
    open_one = build.group("Ines", "Jo", "Kai", "Lola", host=None)
    assert backfill_candidates(session, open_one, limit=2) == [waiting[4], waiting[3]]  # the longest first
    assert backfill_candidates(session, open_one, limit=2, excluding={waiting[4].id}) == waiting[3:1:-1]
    assert backfill_candidates(session, open_one, only=waiting[0].id) == [waiting[0]]


@pytest.mark.parametrize("seed", range(4))
def test_the_database_finds_exactly_the_people_the_rules_let_join(session, build, seed):
    """Many people waiting, varied in every way a rule looks at: the candidates are all those, and only
    those, whom the feasibility rules let join, in the order of the closest stage and the longest wait."""
    rng = random.Random(seed)
    stages = [None, "watch-and-wait", "in-treatment", "post-treatment", "relapsed"]
    zones = ["UTC", "Europe/Madrid", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Pacific/Auckland"]
    members = [build.person(f"Member {n}", stage=rng.choice(stages[1:])) for n in range(rng.randint(4, 7))]
    cohort = build.cohort(members, host=None, slot=rng.randrange(168))
    rules = CohortRules(session, build.program)
    hour = datetime.combine(rules.week, time(), tzinfo=UTC) + timedelta(hours=cohort.slot)
    people = []
    for number in range(120):
        zone = rng.choice(zones)
        people.append(
            build.person(
                f"Person {number}", stage=rng.choice(stages), zone=zone, waited=rng.randrange(60),
                languages=rng.choice([("en",), ("es",), ("es", "en")]), free=_windows(rng, hour, zone),
                role=rng.choice(["patient", "patient", "caregiver"]),
                avoid=rng.sample([*members, *people], 1) if rng.random() < 0.1 else (),
            )
        )  # fmt: skip
    for member in rng.sample(members, 2):
        member.avoid = [rng.choice(people).id]
    session.flush()

    draft = rules.draft(cohort)
    before = rules.violations(draft)
    allowed = [p for p in people if not rules.new_violations(before, draft.with_members([*draft.members, p]))]
    found = backfill_candidates(session, cohort)
    assert {person.id for person in found} == {person.id for person in allowed}
    assert len(allowed) > 3  # so the order is put to the test too
    positions = [rules.catalogue.stages[m.stage_id].position for m in members]
    middle = sum(positions) / len(positions)

    def order(person):
        stage = rules.catalogue.stages.get(person.stage_id)
        return (abs(stage.position - middle) if stage else float("inf"), person.verified_at, person.id)

    assert found == sorted(allowed, key=order)


def _windows(rng, hour, zone):
    """One or two windows anywhere in the week, and often one near `hour` in `zone`, that may or may not
    hold all of it."""
    windows = []
    for _ in range(rng.randint(1, 2)):
        start = rng.randrange(0, 23)
        end = min(start + rng.randint(1, 4), 24)
        windows.append({"weekday": rng.randrange(7), "start": f"{start:02d}:00", "end": f"{end:02d}:00"})
    if rng.random() < 0.7:
        local = hour.astimezone(ZoneInfo(zone))
        start = local - timedelta(minutes=rng.choice([0, 0, 30, 60]))
        end = local + timedelta(minutes=rng.choice([30, 60, 60, 90]))
        end_text = "24:00" if end.date() > start.date() else f"{end:%H:%M}"
        windows.append({"weekday": start.weekday(), "start": f"{start:%H:%M}", "end": end_text})
    return windows


def test_backfill_says_why_no_one_fits(session, build):
    cohort = build.group("Ana", "Ben", "Carmen", "Dev")
    build.person("Busy", free=[{"weekday": 3, "start": "09:00", "end": "12:00"}])
    build.person("Lola", languages=("es",))
    build.person("Mo", languages=("es",), stage="relapsed")
    with pytest.raises(AdjustmentError) as refusal:
        backfill_cohort(session, cohort, now=utcnow(), **ACTOR)
    assert str(refusal.value) == (
        "No one on the waitlist fits this group: of the 3 people waiting with this condition, "
        "2 do not speak English; 1 is not free at Monday 16:00 UTC; "
        "1 is at a stage too far from the members'."
    )


def test_backfilling_an_approved_cohort_registers_and_invites_the_newcomers(app, session, build, mailbox):
    cohort = build.group("Ana", "Ben", "Carmen", "Dev", "Elena")
    approve(session, cohort)
    build.person("Femi")
    backfill_cohort(session, cohort, now=utcnow(), **ACTOR)
    work(app, session)
    assert calendar_methods(mail_to(mailbox, "femi@example.org")) == ["REQUEST"]
    assert session.exec(select(Meeting)).one().zoom_meeting_id

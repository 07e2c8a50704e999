"""What members asked for so they can take part (the registration form's accessibility needs), acted on.

Someone who joins by phone gets the number to call for their country, the meeting ID and the numeric passcode;
a group where someone asked for captions has them turned on at Zoom, and its host is told; someone who asked
for large text gets emails in larger type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import phonenumbers
from sqlmodel import Session, select

from app.models import CohortMember, Meeting, Participant, Program
from emails import context as mail
from integrations import zoom

# The registration form's codes (`app.inputs.registration.ACCESSIBILITY_NEEDS`).
JOINS_BY_PHONE = "phone"
CAPTIONS = "captions"
LARGE_TEXT = "large_text"


def keep_phone_details(meeting: Meeting, zoom_meeting: zoom.Meeting) -> None:
    """Keep what phone joiners need from Zoom's answer: its dial-in numbers (with Zoom's field names) and the
    digits a phone keys in as passcode."""
    meeting.zoom_dial_in_numbers = [
        {"country": number.country, "number": number.number, "city": number.city, "type": number.kind}
        for number in zoom_meeting.dial_in_numbers
    ]
    meeting.zoom_phone_passcode = zoom_meeting.phone_passcode or None


def dial_in_for(meeting: Meeting, participant: Participant, program: Program) -> mail.DialIn | None:
    """How this member joins the meeting by phone; None unless they asked to, and Zoom gave the meeting a
    number to call."""
    if JOINS_BY_PHONE not in participant.accessibility_needs or not meeting.zoom_meeting_id:
        return None
    number = local_number(meeting.zoom_dial_in_numbers, caller_country(participant, program))
    if number is None:
        return None
    return mail.DialIn(number, meeting.zoom_meeting_id, meeting.zoom_phone_passcode)


def caller_country(participant: Participant, program: Program) -> str:
    """The country someone calls from: their phone number's, else the program's."""
    if participant.phone:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(participant.phone))
        if region and region != phonenumbers.UNKNOWN_REGION:
            return region
    return program.country


def local_number(numbers: Sequence[Mapping[str, str]], country: str) -> str | None:
    """The number to call from `country`: its first toll number (or any of its numbers), else the first
    toll number of all (or any number); None when there is none."""
    toll = [number for number in numbers if number.get("type", "toll") == "toll"]
    local = [number for number in numbers if number.get("country") == country]
    for candidates in ([number for number in toll if number in local], local, toll, numbers):
        if candidates:
            return candidates[0]["number"]
    return None


def group_needs_captions(session: Session, cohort_id: int) -> bool:
    """Whether a member of the group asked for captions."""
    needs = session.exec(
        select(Participant.accessibility_needs)
        .join(CohortMember, CohortMember.participant_id == Participant.id)
        .where(CohortMember.cohort_id == cohort_id)
    ).all()
    return any(CAPTIONS in asked for asked in needs)


def reads_large_text(participant: Participant) -> bool:
    """Whether the member asked for larger type."""
    return LARGE_TEXT in participant.accessibility_needs

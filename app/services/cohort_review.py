"""What the console's cohort page shows for reviewing one cohort: its members, the rules it breaks, and the
changes on offer (every hour, with who is not free then; hosts; where members may move, groups that may merge
in, who could fill a place), and its meet-ups. What is on offer depends on the cohort's status: only a
proposed cohort changes its hour or takes in another group, and a cancelled one offers nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.models import Cohort, CohortStatus, Host, Participant, Program
from app.services.adjustments.backfill import backfill_candidates
from app.services.approval_risks import exceeds_pool
from app.services.destinations import Destination, merge_partners, move_destinations
from app.services.feasibility import SlotChoice, host_options, rules_for, slot_choices
from app.services.follow_up import MeetAgainPanel, meet_again_panel
from app.services.keep_apart import KeptApart, requests_in
from app.services.overview import CohortRow, describe_cohorts

CANDIDATES_SHOWN = 20


@dataclass(frozen=True)
class CohortReview:
    row: CohortRow
    warnings: list[str]
    slots: list[SlotChoice]  # every hour of the week, with who is not free then
    hosts: list[tuple[Host, list[str]]]
    destinations: dict[int, list[Destination]]
    merge_partners: list[Destination]
    candidates: list[Participant]
    meet_again: MeetAgainPanel
    over_capacity: bool  # a proposed group meeting when the Zoom users cannot run every meeting at once
    kept_apart: list[KeptApart]  # its members' keep-apart requests


def review_cohort(session: Session, program: Program, cohort: Cohort, *, now: datetime) -> CohortReview:
    row = describe_cohorts(session, program, [cohort], today=now.date())[0]
    editable = cohort.status == CohortStatus.PROPOSED
    live = cohort.status != CohortStatus.CANCELLED
    rules = rules_for(session, cohort)
    draft = rules.draft(cohort)
    size = len(draft.members)
    return CohortReview(
        row=row,
        warnings=rules.warnings(draft) if live else [],
        slots=slot_choices(session, cohort, rules, draft) if editable else [],
        hosts=host_options(session, cohort, rules, draft) if live else [],
        destinations=move_destinations(session, cohort, draft.members, rules) if live else {},
        merge_partners=merge_partners(session, cohort, size, program.max_size) if editable else [],
        candidates=backfill_candidates(session, cohort, now=now, limit=CANDIDATES_SHOWN, rules=rules)
        if live
        else [],
        meet_again=meet_again_panel(session, cohort, now=now),
        over_capacity=editable and exceeds_pool(session, program, cohort),
        kept_apart=requests_in(session, cohort) if live else [],
    )

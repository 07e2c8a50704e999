"""The domain model. Importing this package registers every table on `SQLModel.metadata`."""

from app.models.account import Coordinator, CoordinatorProgram, RecoveryCode
from app.models.audit import AuditEvent
from app.models.cohort import Cohort, CohortMember, CohortStatus
from app.models.concern import Concern, ConcernStatus, HostDebrief, Mood, Reporter
from app.models.host import Host
from app.models.marked_attendance import MarkedAttendance
from app.models.match_run import MatchRun, MatchRunStatus
from app.models.meeting import (
    ERASED_GUEST_KEY,
    ERASED_REGISTRANT_KEY,
    Attendance,
    Meeting,
    MeetingRegistrant,
    MeetingStatus,
)
from app.models.meeting_answer import Answer, MeetingAnswer, SeatOffer, SeatOfferStatus
from app.models.meeting_tally import recount_meetings
from app.models.outbox import MessageStatus, OutboundMessage
from app.models.participant import Participant, ParticipantStatus, Role
from app.models.program import Condition, Program, Stage
from app.models.survey import DEFAULT_SURVEY_QUESTIONS, SurveyReceipt, SurveyResponse
from app.models.survey_tally import SurveyTally
from app.models.text_message import ReplyMeaning, TextPace, TextReply
from app.models.unplaced import Unplaced
from app.models.zoom import ZoomEvent, ZoomOperation, ZoomOperationKind, ZoomOperationStatus
from app.models.zoom_pool import ZoomUser, ZoomUserDay
from app.models.zoom_token import ZoomToken

__all__ = [
    "DEFAULT_SURVEY_QUESTIONS",
    "ERASED_GUEST_KEY",
    "ERASED_REGISTRANT_KEY",
    "Answer",
    "Attendance",
    "AuditEvent",
    "Cohort",
    "CohortMember",
    "CohortStatus",
    "Concern",
    "ConcernStatus",
    "Condition",
    "Coordinator",
    "CoordinatorProgram",
    "Host",
    "HostDebrief",
    "MarkedAttendance",
    "MatchRun",
    "MatchRunStatus",
    "Meeting",
    "MeetingAnswer",
    "MeetingRegistrant",
    "MeetingStatus",
    "MessageStatus",
    "Mood",
    "OutboundMessage",
    "Participant",
    "ParticipantStatus",
    "Program",
    "RecoveryCode",
    "ReplyMeaning",
    "Reporter",
    "Role",
    "SeatOffer",
    "SeatOfferStatus",
    "Stage",
    "SurveyReceipt",
    "SurveyResponse",
    "SurveyTally",
    "TextPace",
    "TextReply",
    "Unplaced",
    "ZoomEvent",
    "ZoomOperation",
    "ZoomOperationKind",
    "ZoomOperationStatus",
    "ZoomToken",
    "ZoomUser",
    "ZoomUserDay",
    "recount_meetings",
]

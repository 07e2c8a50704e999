"""The demo program: synthetic conditions, hosts and registrants, so a fresh checkout has something to show.

Every name and address here is invented; `example.org` addresses never reach a real inbox.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, func, select

from app.bulk import insert_rows
from app.database import utcnow
from app.models import (
    Cohort,
    CohortStatus,
    Condition,
    Host,
    Meeting,
    MeetingStatus,
    Participant,
    ParticipantStatus,
    Program,
    Role,
    Stage,
    ZoomUser,
)

DEMO_SLUG = "demo"
REGISTRANT_PREFIX = "demo-participant-"
# Licensed Zoom users of the Pro kind (one meeting at a time each) the demo's meetings are shared over.
DEMO_ZOOM_USERS = 4

CONDITIONS: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "breast-cancer": (
        "Breast cancer",
        [
            ("early", "Early stage (0–II)", "The cancer is in the breast and maybe nearby lymph nodes."),
            (
                "locally-advanced",
                "Locally advanced (III)",
                "It has spread to more lymph nodes or the chest wall.",
            ),
            ("metastatic", "Metastatic (IV)", "It has spread to other parts of the body."),
            ("after-treatment", "After treatment", "You have finished active treatment."),
        ],
    ),
    "cll": (
        "Chronic lymphocytic leukaemia (CLL)",
        [
            (
                "watch-and-wait",
                "Watch and wait",
                "Your doctors are keeping an eye on it without treatment yet.",
            ),
            ("in-treatment", "In treatment", "You are having treatment now."),
            ("post-treatment", "After treatment", "You have finished a course of treatment."),
            ("relapsed", "Relapsed", "It has come back after treatment."),
        ],
    ),
    "lung-cancer": (
        "Lung cancer",
        [
            ("early", "Early stage (I–II)", "The cancer is only in the lung, or nearby lymph nodes."),
            ("locally-advanced", "Locally advanced (III)", "It has spread within the chest."),
            ("advanced", "Advanced (IV)", "It has spread beyond the chest."),
            ("after-treatment", "After treatment", "You have finished active treatment."),
        ],
    ),
    "colorectal-cancer": (
        "Bowel (colorectal) cancer",
        [
            ("early", "Early stage (I–II)", "The cancer is in the bowel wall."),
            ("locally-advanced", "Stage III", "It has reached nearby lymph nodes."),
            ("metastatic", "Metastatic (IV)", "It has spread to other organs."),
            ("after-treatment", "After treatment", "You have finished active treatment."),
        ],
    ),
}


# The same in Spanish, the demo's other language (addressing people as "usted"): {code: (name, {stage: (name,
# hint)})}.
SPANISH_CONDITIONS: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "breast-cancer": (
        "Cáncer de mama",
        {
            "early": (
                "Etapa inicial (0–II)",
                "El cáncer está en la mama y quizá en ganglios linfáticos cercanos.",
            ),
            "locally-advanced": (
                "Localmente avanzado (III)",
                "Se ha extendido a más ganglios linfáticos o a la pared torácica.",
            ),
            "metastatic": ("Metastásico (IV)", "Se ha extendido a otras partes del cuerpo."),
            "after-treatment": ("Después del tratamiento", "Ha terminado el tratamiento activo."),
        },
    ),
    "cll": (
        "Leucemia linfocítica crónica (LLC)",
        {
            "watch-and-wait": (
                "Vigilancia activa",
                "Sus médicos la vigilan sin tratarla todavía.",
            ),
            "in-treatment": ("En tratamiento", "Está recibiendo tratamiento ahora."),
            "post-treatment": ("Después del tratamiento", "Ha terminado un ciclo de tratamiento."),
            "relapsed": ("Recaída", "Ha vuelto después del tratamiento."),
        },
    ),
    "lung-cancer": (
        "Cáncer de pulmón",
        {
            "early": ("Etapa inicial (I–II)", "El cáncer está solo en el pulmón o en ganglios cercanos."),
            "locally-advanced": ("Localmente avanzado (III)", "Se ha extendido dentro del tórax."),
            "advanced": ("Avanzado (IV)", "Se ha extendido fuera del tórax."),
            "after-treatment": ("Después del tratamiento", "Ha terminado el tratamiento activo."),
        },
    ),
    "colorectal-cancer": (
        "Cáncer de intestino (colorrectal)",
        {
            "early": ("Etapa inicial (I–II)", "El cáncer está en la pared del intestino."),
            "locally-advanced": ("Etapa III", "Ha llegado a ganglios linfáticos cercanos."),
            "metastatic": ("Metastásico (IV)", "Se ha extendido a otros órganos."),
            "after-treatment": ("Después del tratamiento", "Ha terminado el tratamiento activo."),
        },
    ),
}
DESCRIPTION = {
    "en": (
        "Small video conversations of about an hour between people living with the same kind of cancer, "
        "each hosted by a fellow patient. A friendly talk, not medical advice."
    ),
    "es": (
        "Pequeñas conversaciones por vídeo de una hora, más o menos, entre personas que viven con el mismo "
        "tipo de cáncer, cada una moderada por una persona que también es paciente. Una charla amable, no "
        "un consejo médico."
    ),
}
PREPARATION_TIPS = {
    "en": "Have a glass of water nearby.\nIf you feel tired on the day, you can listen without talking.",
    "es": "Tenga un vaso de agua a mano.\nSi ese día tiene poca energía, puede escuchar sin hablar.",
}


@dataclass(frozen=True)
class DemoHost:
    name: str
    timezone: str
    languages: tuple[str, ...]
    conditions: tuple[str, ...]
    hours: tuple[int, int]


HOSTS = (
    DemoHost("Marta", "Europe/Madrid", ("es", "en"), ("breast-cancer", "colorectal-cancer"), (17, 21)),
    DemoHost("Jonah", "America/New_York", ("en",), ("cll", "lung-cancer"), (10, 20)),
    DemoHost("Lucía", "America/Mexico_City", ("es",), ("breast-cancer", "cll"), (9, 19)),
    DemoHost(
        "Priya", "Europe/London", ("en",), ("breast-cancer", "lung-cancer", "colorectal-cancer"), (12, 20)
    ),
    DemoHost("Sam", "America/Los_Angeles", ("en", "es"), ("cll", "colorectal-cancer"), (8, 18)),
)

TIMEZONES = (
    "America/New_York", "America/Chicago", "America/Los_Angeles", "America/Mexico_City", "America/Bogota",
    "Europe/London", "Europe/Madrid", "Europe/Berlin", "Asia/Kolkata", "Asia/Singapore",
)  # fmt: skip
# One synthetic registrant in this many, after the first thousand, is free only for an hour from half past,
# as people free over lunch or between appointments say: a large program seeded with them has a waitlist of
# about a tenth, left there by the matcher with its own reasons, as a real one has. The first thousand (the
# demo of `make run`, the tests' programs) are drawn as before.
HARD_TO_PLACE = 10
EASY_FIRST = 1_000
NICKNAMES = (
    "Ana", "Ben", "Carmen", "Dev", "Elena", "Femi", "Gabi", "Hugo", "Ines", "Jo", "Kai", "Lola", "Mo", "Nell",
    "Omar", "Pau", "Quinn", "Rosa", "Sol", "Tess", "Uma", "Vic", "Wen", "Xavi", "Yara", "Zoe",
)  # fmt: skip


def seed_demo(
    session: Session, *, registrants: int = 0, today: date | None = None, mobiles: bool = False
) -> Program:
    """Create the demo program with its hosts if missing, and top its registrants up to `registrants`; with
    `mobiles`, some of those added have a mobile number and take texts (`_demo_mobile`)."""
    program = session.exec(select(Program).where(Program.slug == DEMO_SLUG)).first()
    if program is None:
        program = _create_program(session, today or utcnow().date())
    _add_registrants(session, program, registrants, mobiles=mobiles)
    return program


def registrant_count(session: Session, program: Program) -> int:
    """How many of the numbered synthetic registrants there are: what `registrants` tops up to (the members
    of the group that has already met, `app.demo_past`, are not counted)."""
    return session.exec(
        select(func.count()).where(
            Participant.program_id == program.id, Participant.email.like(f"{REGISTRANT_PREFIX}%")
        )
    ).one()


def next_demo_meeting(
    session: Session, program: Program, *, now: datetime, group: int | None = None
) -> Meeting | None:
    """The next meeting still ahead of an approved group of `program` (of group number `group`, if given)."""
    query = (
        select(Meeting)
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .where(Cohort.program_id == program.id, Cohort.status == CohortStatus.APPROVED)
        .where(Meeting.status == MeetingStatus.SCHEDULED, Meeting.starts_at > now)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    if group is not None:
        query = query.where(Cohort.id == group)
    return session.exec(query).first()


def _create_program(session: Session, today: date) -> Program:
    program = Program(
        slug=DEMO_SLUG,
        # A name that says what the meet-ups are about, as the sign-up page should, and a neutral title for
        # where others may see it: the sender's name in inboxes, meeting titles in calendars and Zoom.
        name="Cancer Patient Café",
        neutral_title="Patient Café",
        organisation="Example Cancer Centre",
        description=DESCRIPTION["en"],
        preparation_tips=PREPARATION_TIPS["en"],
        translations={
            "description": {"es": DESCRIPTION["es"]},
            "preparation_tips": {"es": PREPARATION_TIPS["es"]},
        },
        contact_email="cafe@example.org",
        languages=["en", "es"],
        timezone="Europe/Madrid",
        first_meeting_on=today + timedelta(days=14),
        last_meeting_on=today + timedelta(days=21),
    )
    session.add(program)
    session.flush()
    for position, (code, (name, stages)) in enumerate(CONDITIONS.items()):
        spanish_name, spanish_stages = SPANISH_CONDITIONS[code]
        condition = Condition(
            program_id=program.id,
            code=code,
            name=name,
            translations={"name": {"es": spanish_name}},
            position=position,
        )
        session.add(condition)
        session.flush()
        for stage_position, (stage_code, stage_name, hint) in enumerate(stages):
            spanish_stage, spanish_hint = spanish_stages[stage_code]
            session.add(
                Stage(
                    condition_id=condition.id,
                    code=stage_code,
                    name=stage_name,
                    hint=hint,
                    translations={"name": {"es": spanish_stage}, "hint": {"es": spanish_hint}},
                    position=stage_position,
                )
            )
    for host in HOSTS:
        address = f"host-{host.name.lower().replace('í', 'i')}@example.org"
        session.add(
            Host(
                program_id=program.id,
                display_name=host.name,
                email=address,
                zoom_user=address,
                timezone=host.timezone,
                languages=list(host.languages),
                conditions=list(host.conditions),
                availability=[_window(weekday, *host.hours) for weekday in range(5)],
            )
        )
    session.add_all(
        ZoomUser(program_id=program.id, user=f"meetings-{number}@example.org", concurrent=1)
        for number in range(1, DEMO_ZOOM_USERS + 1)
    )
    session.flush()
    return program


def _add_registrants(session: Session, program: Program, wanted: int, *, mobiles: bool) -> None:
    """Deterministic synthetic registrants, numbered so seeding twice adds nobody twice."""
    conditions = session.exec(select(Condition).where(Condition.program_id == program.id)).all()
    stages = {
        condition.id: session.exec(select(Stage).where(Stage.condition_id == condition.id)).all()
        for condition in conditions
    }
    existing = set(session.exec(select(Participant.email).where(Participant.program_id == program.id)).all())
    rng = random.Random(20261121)  # noqa: S311  (synthetic demo data, not security)
    weights = [5, 3, 2, 2][: len(conditions)]
    now = utcnow()
    rows = []
    for number in range(1, wanted + 1):
        condition = rng.choices(conditions, weights=weights)[0]
        person = _synthetic_person(rng, number)
        stage = rng.choice(stages[condition.id])
        if person["email"] not in existing:
            rows.append(
                {
                    "program_id": program.id,
                    "condition_id": condition.id,
                    "stage_id": stage.id,
                    "consent_version": program.privacy_notice_version,
                    "status": ParticipantStatus.VERIFIED,
                    "verified_at": now,
                    **person,
                    **_demo_mobile(number if mobiles else 0, now),
                }
            )
    insert_rows(session, Participant, rows)


def _demo_mobile(number: int, now: datetime) -> dict:
    """One registrant in three of the first 300 has a fictional mobile number (+1 201-555-0100 to -0199,
    numbers no one has) and agreed to texts, so the demo shows texts on the SMS emulator's phone page."""
    if not 0 < number <= 300 or number % 3 != 1:
        return {"phone": None, "sms_consent_at": None}
    return {"phone": f"+120155501{number // 3:02d}", "sms_consent_at": now}


def _synthetic_person(rng: random.Random, number: int) -> dict:
    timezone = rng.choice(TIMEZONES)
    spanish = (
        timezone.startswith(("America/Mexico", "America/Bogota", "Europe/Madrid")) or rng.random() < 0.15
    )
    start = rng.choice((9, 10, 12, 14, 16, 17, 18, 19))
    days = rng.sample(range(7), k=rng.randint(2, 4))
    return {
        "email": f"{REGISTRANT_PREFIX}{number:05d}@example.org",
        "display_name": f"{rng.choice(NICKNAMES)} {number}",
        "role": Role.CAREGIVER if rng.random() < 0.1 else Role.PATIENT,
        "timezone": timezone,
        "languages": ["es", "en"] if spanish else ["en"],
        "locale": "es" if spanish else "en",
        "availability": [
            _half_past(day, start) if _hard_to_place(number) else _window(day, start, end)
            for day, end in ((day, min(start + rng.randint(2, 4), 23)) for day in sorted(days))
        ],
    }


def _hard_to_place(number: int) -> bool:
    return number > EASY_FIRST and number % HARD_TO_PLACE == 0


def _half_past(weekday: int, hour: int) -> dict:
    """An hour from half past: it holds no meeting start (they start on the hour) unless the person's time
    zone is half an hour off UTC's, so the matcher can rarely place them and suggests them a time."""
    return {"weekday": weekday, "start": f"{hour:02d}:30", "end": f"{hour + 1:02d}:30"}


def _window(weekday: int, start_hour: int, end_hour: int) -> dict:
    return {"weekday": weekday, "start": f"{start_hour:02d}:00", "end": f"{end_hour:02d}:00"}

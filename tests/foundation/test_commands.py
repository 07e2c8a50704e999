from sqlmodel import func, select

from app.models import Condition, Coordinator, CoordinatorProgram, Host, Participant, Program, Stage
from app.services.accounts import password_matches


def test_demo_seed_creates_a_realistic_program_once(runner, db_session):
    first = runner.invoke(args=["demo", "seed"])
    second = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    program = db_session.exec(select(Program).where(Program.slug == "demo")).one()
    assert program.languages == ["en", "es"]
    conditions = db_session.exec(select(Condition).where(Condition.program_id == program.id)).all()
    assert len(conditions) >= 3
    for condition in conditions:
        stages = db_session.exec(
            select(Stage).where(Stage.condition_id == condition.id).order_by(Stage.position)
        )
        assert len(stages.all()) == 4
    assert db_session.exec(select(func.count()).select_from(Host)).one() >= 3
    assert db_session.exec(select(func.count()).select_from(Program)).one() == 1


def test_demo_seed_tops_up_synthetic_registrants_without_duplicates(runner, db_session):
    runner.invoke(args=["demo", "seed", "--registrants", "40"])
    result = runner.invoke(args=["demo", "seed", "--registrants", "60"])
    assert "60 registrants" in result.output
    emails = db_session.exec(
        select(Participant.email).where(Participant.email.like("demo-participant-%"))
    ).all()
    assert len(emails) == len(set(emails)) == 60  # beside the five of the group that met yesterday
    assert all(email.endswith("@example.org") for email in emails)
    texted = db_session.exec(select(Participant).where(Participant.phone.is_not(None))).all()
    assert len(texted) == 20  # one in three, with numbers no one has: +1 201-555-0100 to -0199
    assert all(person.phone.startswith("+120155501") and person.sms_consent_at for person in texted)
    assert len({person.phone for person in texted}) == 20


def test_coordinator_create_reads_the_password_from_stdin(runner, db_session):
    runner.invoke(args=["demo", "seed"])
    result = runner.invoke(
        args=["coordinator", "create", "Lee@Example.org", "--program", "demo"], input="a long passphrase\n"
    )
    assert result.exit_code == 0, result.output
    account = db_session.exec(select(Coordinator)).one()
    assert account.email == "lee@example.org"
    assert password_matches(account, "a long passphrase")
    assert not password_matches(account, "a wrong passphrase")
    assert db_session.exec(select(CoordinatorProgram)).one().coordinator_id == account.id


def test_coordinator_create_explains_what_is_wrong(runner):
    short = runner.invoke(args=["coordinator", "create", "lee@example.org"], input="short\n")
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    bad = runner.invoke(args=["coordinator", "create", "not-an-address"], input="a long passphrase\n")
    assert bad.exit_code != 0 and "not a valid email address" in bad.output
    runner.invoke(args=["coordinator", "create", "lee@example.org"], input="a long passphrase\n")
    again = runner.invoke(args=["coordinator", "create", "lee@example.org"], input="a long passphrase\n")
    assert again.exit_code != 0 and "already exists" in again.output

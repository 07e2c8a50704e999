"""The site's front door, `/`: the programs open for registration, or the only one's page at once."""

from __future__ import annotations

import re
from html import unescape

from sqlmodel import select

from app import database
from app.models import Program


def _open(app, slug: str, name: str, *, open_: bool = True) -> None:
    with app.app_context():
        session = database.session()
        demo = session.exec(select(Program).where(Program.slug == "demo")).one()
        columns = {c: getattr(demo, c) for c in ("contact_email", "timezone", "default_locale", "languages")}
        session.add(Program(slug=slug, name=name, organisation="Synthetic Care Network",
                            registration_open=open_, **columns))  # fmt: skip
        session.commit()


def _listed(page: str) -> list[tuple[str, str]]:
    return [
        (unescape(name), href) for href, name in re.findall(r'<li>\s*<a href="([^"]+)">([^<]+)</a>', page)
    ]


def test_with_one_program_open_the_front_door_leads_to_its_page(client):
    answer = client.get("/")

    assert answer.status_code == 302 and answer.headers["Location"] == "/p/demo"
    assert client.get(answer.headers["Location"]).status_code == 200


def test_with_several_open_the_front_door_lists_them_by_name_and_leaves_out_closed_ones(app, client):
    _open(app, "arthritis-cafe", "A joint conversation")
    _open(app, "closed-round", "Autumn round (closed)", open_=False)

    page = client.get("/").get_data(as_text=True)

    assert _listed(page) == [("A joint conversation", "/p/arthritis-cafe"), (_demo_name(app), "/p/demo")]
    assert "Synthetic Care Network" in page
    assert 'rel="icon"' in page and client.get("/static/favicon.svg").status_code == 200


def test_with_none_open_it_says_so_kindly_in_the_visitor_s_language(app, client):
    with app.app_context():
        session = database.session()
        for program in session.exec(select(Program)).all():
            program.registration_open = False
            session.add(program)
        session.commit()

    english = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    spanish = client.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)

    assert "No program is taking sign-ups right now" in english and _listed(english) == []
    assert "Ahora mismo ningún programa acepta inscripciones" in spanish
    assert '<html lang="es">' in spanish


def test_every_page_s_brand_leads_to_the_front_door(client):
    page = client.get("/p/demo").get_data(as_text=True)

    assert re.search(r'<a href="/" class="brand">', page)


def _demo_name(app) -> str:
    with app.app_context():
        return database.session().exec(select(Program.name).where(Program.slug == "demo")).one()

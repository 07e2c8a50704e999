import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app import database


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_answers_503_when_the_database_is_gone(app, client):
    app.extensions["engine"].dispose()
    app.extensions["engine"] = _unreachable_engine()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def _unreachable_engine():
    from app.database import build_engine

    engine = build_engine("postgresql://nobody@127.0.0.1:1/none?connect_timeout=1")
    try:
        engine.connect()
    except OperationalError:
        return engine
    raise AssertionError("expected port 1 to refuse connections")


def test_healthz_answers_503_when_the_database_host_takes_connections_but_never_answers(
    app, client, monkeypatch
):
    import socket
    import time

    monkeypatch.setattr(database, "CONNECT_TIMEOUT_SECONDS", 1)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # the kernel accepts; nobody ever answers
        port = silent.getsockname()[1]
        app.extensions["engine"].dispose()
        app.extensions["engine"] = database.build_engine(f"postgresql://nobody@127.0.0.1:{port}/none")
        started = time.monotonic()
        response = client.get("/healthz")
    assert response.status_code == 503
    assert time.monotonic() - started < 10


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"could not find that page" in response.data
    assert b'<html lang="en">' in response.data


def test_unknown_api_route_answers_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"] == "Not Found"


def test_error_pages_speak_spanish_to_a_spanish_browser(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "es-ES,es;q=0.9"})
    assert response.status_code == 404
    assert "Página no encontrada" in response.get_data(as_text=True)
    assert '<html lang="es">' in response.get_data(as_text=True)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresql_never_compiles_the_apps_statements_to_machine_code(app):
    with app.app_context():
        assert database.session().exec(text("SHOW jit")).one() == ("off",)

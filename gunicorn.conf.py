"""gunicorn's settings for the web process (see Procfile); gunicorn also reads this file by itself when it is
started from this folder.

The access log writes each request's path, and the path of a signed link (verify, manage, unsubscribe, survey,
host) holds the token that acts as its holder's key. The logger below passes every value the access log can
show (request line, path, query, referrer, headers, environment) through `app.logs.redact`, so a line reads
`"GET /p/demo/verify/… HTTP/1.1" 200`, whatever `access_log_format` is chosen.
"""

from gunicorn.glogging import Logger

from app.logs import redact


class RedactingLogger(Logger):
    """gunicorn's own logger, with tokens, Zoom link secrets and addresses taken out of access lines."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {name: redact(value) if isinstance(value, str) else value for name, value in atoms.items()}


logger_class = RedactingLogger
# The control interface is not used, and its socket's default path is one per machine user: two gunicorns on
# one machine (blue-green deploys, the test suite) would take it from each other.
control_socket_disable = True

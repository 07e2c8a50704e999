"""Security headers on every response, and trusting a reverse proxy only as far as configured.

The policy allows scripts and styles from our own origin only (no inline script anywhere), forbids being
framed, and sends no Referer, so a signed link in the address bar never leaks to another site. No answer but a
static file may be stored by a browser or a shared cache.
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
HSTS = "max-age=31536000; includeSubDomains"


def init_security(app: Flask, proxy_hops: int) -> None:
    if proxy_hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxy_hops, x_proto=proxy_hops, x_host=proxy_hops)
    app.after_request(add_security_headers)


def add_security_headers(response: Response) -> Response:
    # A page may set a stricter policy of its own (the development mail viewer sandboxes emails).
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static":
        # Pages, CSV exports, JSON answers and calendar files show personal data or carry signed links, and
        # even an error page names a program: nothing but the static files is kept in any cache.
        response.headers["Cache-Control"] = "no-store"
    return response

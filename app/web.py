"""Cross-cutting web behaviour: security headers, error pages, htmx conventions."""

from __future__ import annotations

from datetime import date

from flask import Flask, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from jinja2_fragments.flask import render_blocks
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from app import markdown
from app.database import write_intent
from app.extensions import db, login_manager

HTMX_VERSION = "2.0.11"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

ERROR_TEXT = {
    400: ("Bad request", "The request could not be understood. Reload the page and try again."),
    403: ("Not allowed", "You do not have permission to do that."),
    404: ("Not found", "There is nothing here, or you do not have access to it."),
    405: ("Not allowed", "That action is not available at this address."),
    409: ("Not saved", "This can no longer be changed as it was. Reload the page to see it now."),
    413: ("Too large", "That upload is too large. The limit is {limit}."),
    429: ("Slow down", "Too many attempts. Wait a moment and try again."),
    500: ("Something went wrong", "The error has been logged. Nothing you saved was lost."),
}


# Ids are INTEGER columns, 32-bit on PostgreSQL: a bigger id from a URL or a form cannot
# name a row, and passing it to the driver would fail with a server error instead of a 404.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """The ``int`` URL converter: ASCII digits only, bounded to what the database can hold."""

    # Werkzeug's \d+ also matches other scripts' digits, and int() reads them: /rubrics/١
    # would be /rubrics/1.
    regex = r"[0-9]+"

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def id_value(text: str | None) -> int | None:
    """Read a non-negative id from a query string or form field; None if it is not one."""
    text = (text or "").strip()
    if not text.isdigit() or not text.isascii():
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def parse_day(text: str | None) -> date | None:
    """Read a YYYY-MM-DD date between 1970 and 2100, or None if absent or malformed."""
    try:
        day = date.fromisoformat(text.strip()) if text and text.strip() else None
    except ValueError:
        return None
    return day if day and date(1970, 1, 1) <= day <= date(2100, 12, 31) else None


def is_htmx() -> bool:
    """Tell whether the current request was sent by htmx."""
    return request.headers.get("HX-Request") == "true"


def page_or_fragment(template: str, blocks: list[str], status: int = 200, **context) -> Response:
    """Answer htmx with some blocks of a page and everyone else with the whole page.

    One URL answers both, so caches must keep them apart: ``Vary: HX-Request``.
    """
    if is_htmx():
        body = render_blocks(template, blocks, fragment=True, **context)
    else:
        body = render_template(template, **context)
    response = Response(body, status)
    response.vary.add("HX-Request")
    return response


def fragment(template: str, blocks: list[str], status: int = 200, **context) -> Response:
    """Answer htmx with some blocks of a page (whose plain-form twin redirects instead)."""
    response = Response(render_blocks(template, blocks, fragment=True, **context), status)
    response.vary.add("HX-Request")
    return response


def see_other(endpoint: str, anchor: str = "", **values) -> Response:
    """Answer a plain form POST: back to a page (and a place on it) with 303 See Other."""
    return redirect(url_for(endpoint, **values) + (f"#{anchor}" if anchor else ""), code=303)


def init_app(app: Flask) -> None:
    """Install headers, error pages and the sign-in behaviour on the app."""
    app.url_map.converters["int"] = IdConverter
    if app.config["HTTPS"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    # Fragments travel on every click; keep them free of template indentation noise.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals["htmx_version"] = HTMX_VERSION
    app.jinja_env.globals["is_htmx"] = is_htmx
    app.jinja_env.filters["markdown"] = markdown.render
    app.jinja_env.filters["inline_markdown"] = markdown.render_inline
    app.jinja_env.filters["short_text"] = markdown.short_text

    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.unauthorized_handler(unauthorized)

    @app.get("/favicon.ico")
    def favicon():
        """Send browsers that ask for /favicon.ico by habit to the SVG icon."""
        return redirect(url_for("static", filename="favicon.svg"), code=301)

    @app.before_request
    def declare_write_intent():
        write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))

    @app.teardown_request
    def end_reads_with_commit(error: BaseException | None) -> None:
        # A request that only read ends its transaction with COMMIT, not the session's
        # ROLLBACK: the same for the data, but psycopg forgets its prepared statements on
        # every ROLLBACK, so PostgreSQL planned each query of every page and poll afresh.
        if error is not None or write_intent.get() or not db.session.registry.has():
            return
        session = db.session()
        if session.in_transaction() and not (session.new or session.dirty or session.deleted):
            session.commit()

    @app.before_request
    def refuse_nul_characters():
        # No text a person types contains NUL, and PostgreSQL cannot store it: say so early.
        # The query is read as sent (a NUL comes as %00, in any of a key's values); only a
        # request that may write has a form to parse.
        query = request.query_string
        if "\x00" in request.path or b"%00" in query or b"\x00" in query:
            abort(400)
        if write_intent.get() and any("\x00" in v for _, v in request.form.items(multi=True)):
            abort(400)

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if app.config["HTTPS"]:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        # A signed-out page's token went with its session: htmx is sent to sign in
        # (HX-Redirect), not shown "bad request" inside a fragment.
        if is_htmx() and not current_user.is_authenticated:
            return unauthorized()
        return error_page(400, app)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # abort(409, "why") says why in place of the generic text; Werkzeug's own wording
        # of each code is for developers and stays out of the page.
        said = error.description if error.description != type(error).description else None
        return error_page(error.code or 500, app, said)

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        app.logger.exception("Unhandled error", exc_info=error)
        db.session.rollback()
        return error_page(500, app)


def error_page(code: int, app: Flask, said: str | None = None):
    """Render a friendly error page (or a short fragment for htmx)."""
    title, text = ERROR_TEXT.get(code, ("Error", "Something went wrong."))
    text = said or text
    if code == 413:
        text = text.format(limit=f"{app.config['MAX_CONTENT_LENGTH'] // (1024 * 1024)} MB")
    template = "errors/fragment.html" if is_htmx() else "errors/error.html"
    response = Response(render_template(template, code=code, title=title, text=text), code)
    if is_htmx():
        # htmx does not swap error responses by default; the page shows this in its alert area.
        response.headers["HX-Retarget"] = "#alerts"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


def unauthorized():
    """Send signed-out visitors to the sign-in page, as a full page even from htmx."""
    target = url_for("auth.login", next=request.full_path.rstrip("?"))
    if is_htmx():
        return Response(status=204, headers={"HX-Redirect": target})
    return redirect(target)

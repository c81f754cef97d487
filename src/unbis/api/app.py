"""The FastAPI application: Annif-compatible ``/v1``, our richer ``/api``, and the web page at ``/``.

Routes stay thin: they parse input, ask the registry for a project and call ``unbis.service`` / ``Project``.
Every error a client can cause becomes a problem-details JSON with a 4xx status, never a 500.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from unbis import __version__
from unbis.api import annif, queue, rich, web
from unbis.api.auth import Forbidden, Unauthorized, WritePolicy, is_loopback
from unbis.api.documents import DEFAULT_LIMITS, LimitExceeded, Limits, UnsupportedFileType
from unbis.api.registry import ProjectRegistry, ProjectUnavailable
from unbis.api.state import WEB_DIR, ServerState
from unbis.errors import (
    IncompatibleModelError,
    NotFittedError,
    NotFoundError,
    UnbisError,
    VocabularyError,
)
from unbis.feedback import FeedbackStore, default_db_path
from unbis.feedback.queue import ReviewQueue

logger = logging.getLogger("unbis.api")

DEFAULT_MAX_BODY = 10 * 1024 * 1024
DEFAULT_MAX_BATCH = 32


def problem(status: int, detail: str) -> JSONResponse:
    """An RFC 7807 problem body (Annif's error shape: clients read ``detail``)."""
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    return JSONResponse({"type": "about:blank", "title": title, "status": status, "detail": detail},
                        status_code=status)


def status_for(exc: UnbisError) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, Unauthorized):
        return 401
    if isinstance(exc, Forbidden):
        return 403
    if isinstance(exc, LimitExceeded):
        return exc.status
    if isinstance(exc, UnsupportedFileType):
        return 415
    if isinstance(exc, ProjectUnavailable | NotFittedError | IncompatibleModelError | VocabularyError):
        return 503
    return 400


class _TooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """413 for bodies over ``max_body`` bytes: by Content-Length up front, or counted while streaming."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = f"request body over the limit of {self.max_body} bytes"
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_large = int(value) > self.max_body
                except ValueError:
                    await problem(400, "malformed Content-Length header")(scope, receive, send)
                    return
                if too_large:
                    await problem(413, message)(scope, receive, send)
                    return
        seen = 0
        too_large = False

        async def counting_receive() -> Message:
            nonlocal seen, too_large
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.max_body:
                    too_large = True
                    raise _TooLarge
            return msg

        async def guarded_send(msg: Message) -> None:
            # The framework may catch _TooLarge and answer on its own (a 400 "error parsing the body"):
            # replace whatever it answers with our 413.
            if too_large:
                if msg["type"] == "http.response.start":
                    await problem(413, message)(scope, receive, send)
                return
            await send(msg)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _TooLarge:
            await problem(413, message)(scope, receive, send)


def _validation_detail(exc: RequestValidationError) -> str:
    """One readable line per problem, e.g. ``body.text: empty text``; malformed JSON says so."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "body"
        kind = err.get("type", "")
        if kind == "json_invalid":
            return f"malformed JSON: {err.get('ctx', {}).get('error', err.get('msg'))}"
        if loc.endswith("text") and kind in {"missing", "string_pattern_mismatch", "string_too_short"}:
            parts.append(f"{loc}: empty text: nothing to suggest from")
        else:
            parts.append(f"{loc}: {err.get('msg')}")
    return "; ".join(parts) or "invalid request"


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema with its 422 replaced by the 400 we really return for invalid input."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    for ops in schema.get("paths", {}).values():
        for op in ops.values():
            responses = op.get("responses", {})
            if "422" in responses:
                responses.pop("422")
                responses.setdefault("400", {"description": "Bad Request",
                                             "content": {"application/json": {"schema": {
                                                 "$ref": "#/components/schemas/Problem"}}}})
    app.openapi_schema = schema
    return schema


def create_app(
    projects_dir: Path | None = None,
    feedback_db: Path | None = None,
    max_body: int = DEFAULT_MAX_BODY,
    max_batch: int = DEFAULT_MAX_BATCH,
    api_key: str | None = None,
    host: str = "127.0.0.1",
    limits: Limits = DEFAULT_LIMITS,
    queues: dict[str, Path] | None = None,
) -> FastAPI:
    """The application. ``projects_dir`` holds trained projects (the bundled UNBIS one is always there);
    ``feedback_db`` defaults to ``default_db_path()``. ``api_key`` protects every write; without one, writes
    are accepted only when ``host`` (the address served on) is loopback (see ``unbis.api.auth``).
    ``queues``: review queues, name -> JSONL of an ``unbis index`` run."""
    app = FastAPI(
        title="UNBIS Indexer",
        version=__version__,
        description="Suggests UNBIS Thesaurus descriptors. `/v1` is Annif-compatible; `/api` adds "
                    "multilingual labels, thesaurus paths, evidence spans, file uploads and feedback.",
    )
    app.state.unbis = ServerState(
        registry=ProjectRegistry(projects_dir),
        feedback=FeedbackStore(feedback_db or default_db_path()),
        max_body=max_body,
        max_batch=max_batch,
        writes=WritePolicy(api_key or None, is_loopback(host)),
        limits=limits,
        queues={name: ReviewQueue.load(name, path) for name, path in (queues or {}).items()},
    )

    @app.exception_handler(UnbisError)
    async def _unbis_error(_request: Request, exc: UnbisError) -> JSONResponse:
        response = problem(status_for(exc), str(exc))
        if isinstance(exc, Unauthorized):
            response.headers["WWW-Authenticate"] = 'Bearer realm="unbis"'
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(400, _validation_detail(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail))

    app.include_router(annif.router(max_batch))
    app.include_router(rich.router)
    app.include_router(web.router)
    app.include_router(queue.router)
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    app.add_middleware(BodyLimitMiddleware, max_body=max_body)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app

"""The state one server shares between its routers: the project registry, the feedback store and limits.

It lives apart from ``app.py`` so that the routers (``annif``, ``rich``, ``web``) depend on it and the
application depends on them, never the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request

from unbis.api.auth import WritePolicy
from unbis.api.documents import DEFAULT_LIMITS, Limits
from unbis.api.registry import ProjectRegistry
from unbis.feedback import FeedbackStore
from unbis.feedback.queue import ReviewQueue

#: The web page's templates and static files.
WEB_DIR = Path(__file__).resolve().parent.parent / "web"


@dataclass
class ServerState:
    """What a running server holds.

    Attributes
    ----------
    registry : the projects it serves, loaded on demand and reloaded when retrained.
    feedback : where indexers' decisions are stored.
    max_body : the largest request body accepted, in bytes.
    max_batch : the most documents one batch request may carry.
    writes : who may write (the API key, or whether the bind is loopback-only).
    limits : the bounds on extracting text from one uploaded file.
    queues : review queues by name (``unbis serve --queue NAME=OUT.jsonl``).
    """

    registry: ProjectRegistry
    feedback: FeedbackStore
    max_body: int
    max_batch: int
    writes: WritePolicy = WritePolicy()
    limits: Limits = DEFAULT_LIMITS
    queues: dict[str, ReviewQueue] = field(default_factory=dict)


def state(request: Request) -> ServerState:
    """FastAPI dependency: the server's registry, feedback store and limits."""
    return request.app.state.unbis  # type: ignore[no-any-return]

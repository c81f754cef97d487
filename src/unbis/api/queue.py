"""Review queues on the server: ``/queue/{name}`` (the page) and ``/api/queues`` (its data).

The page records decisions through the same ``POST /api/documents`` and ``POST /api/feedback`` as the
main page (with ``queue`` set), so whatever guards those writes guards the queue's too; this router only
reads (the queue, its progress, its export).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from unbis.api import schemas
from unbis.api.evidence import evidence_for
from unbis.api.state import WEB_DIR, ServerState, state
from unbis.errors import NotFoundError
from unbis.feedback.queue import EXPORT_FORMATS, ReviewQueue

router = APIRouter(tags=["Review queues"])
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": schemas.Problem, "description": "Bad Request"},
    404: {"model": schemas.Problem, "description": "Queue or document not found"},
    413: {"model": schemas.Problem, "description": "Payload Too Large"},
    503: {"model": schemas.Problem, "description": "The queue's project cannot be loaded"},
}
State = Annotated[ServerState, Depends(state)]
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
MEDIA = {"json": "application/json", "tsv": "text/tab-separated-values; charset=utf-8",
         "marc": "application/marc"}


def _queue(st: ServerState, name: str) -> ReviewQueue:
    queue = st.queues.get(name)
    if queue is None:
        raise NotFoundError(f"no review queue {name!r} on this server (start it with `unbis serve --queue "
                            f"{name}=OUT.jsonl`)")
    return queue


@router.get("/api/queues", responses=ERRORS)
def list_queues(st: State) -> list[dict[str, Any]]:
    """Every review queue with its progress ("n of N reviewed")."""
    return [q.progress(st.feedback) for q in st.queues.values()]


@router.get("/api/queues/{name}", responses=ERRORS)
def queue_progress(name: str, st: State) -> dict[str, Any]:
    """One queue's progress; ``next`` is the first document not reviewed yet (null when done)."""
    return _queue(st, name).progress(st.feedback)


@router.get("/api/queues/{name}/items/{index}", responses=ERRORS)
def queue_item(name: str, index: int, st: State) -> dict[str, Any]:
    """One document of the queue: text, the run's suggestions with evidence spans, the decisions so far."""
    queue = _queue(st, name)
    item = queue.item(index)
    text = queue.text(index)
    loaded = st.registry.get(queue.project)
    vocab = loaded.project.vocab
    ids = {s["uri"]: vocab.resolve(s["uri"]) for s in item.suggestions}
    spans = evidence_for(loaded.project, text, [cid for cid in ids.values() if cid is not None])
    decided = queue.decisions(st.feedback).get(index, {})
    suggestions = [{**s, "evidence": spans.get(cid, []) if (cid := ids[s["uri"]]) is not None else [],
                    "decision": decided.get(s["uri"])} for s in item.suggestions]
    added = [{"uri": u, "label": vocab.label(cid) if (cid := vocab.resolve(u)) is not None else u,
              "decision": d} for u, d in decided.items() if u not in ids]
    return {"queue": name, "project": queue.project, "model_version": loaded.version, "index": index,
            "total": len(queue.items), "document": item.document, "source": item.source, "text": text,
            "suggestions": suggestions, "added": added, "reviewed": index in queue.decisions(st.feedback)}


@router.get("/api/queues/{name}/export", response_class=Response, responses={
    **ERRORS, 200: {"description": "The reviewed set", "content": {m.split(";")[0]: {} for m in MEDIA.values()}}})
def export_queue(
    name: str, st: State,
    format: Annotated[str, Query(pattern="^(json|tsv|marc)$", description=", ".join(EXPORT_FORMATS))] = "json",
) -> Response:
    """The reviewed documents with their accepted subjects, as JSON, TSV or MARC 21."""
    queue = _queue(st, name)
    body = queue.export(st.feedback, format)
    return Response(body, media_type=MEDIA[format], headers={
        "Content-Disposition": f'attachment; filename="{name}-reviewed.{"mrc" if format == "marc" else format}"'})


@router.get("/queue/{name}", response_class=HTMLResponse, include_in_schema=False)
def queue_page(name: str, request: Request, st: State) -> Any:
    queue = _queue(st, name)
    return templates.TemplateResponse(request, "queue.html", {"queue": queue.progress(st.feedback)})

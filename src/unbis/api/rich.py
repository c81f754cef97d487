"""Our richer API under ``/api``: multilingual labels, thesaurus paths, evidence, uploads, feedback."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile

from unbis.analysis import UN_LANGUAGES, detect_language
from unbis.api import schemas
from unbis.api.annif import ERRORS, WRITE_ERRORS
from unbis.api.auth import WriteAccess
from unbis.api.documents import extract_text
from unbis.api.evidence import evidence_for
from unbis.api.search import LabelSearch
from unbis.api.state import ServerState, state
from unbis.api.views import check_label_language, concept, paths, project_detail
from unbis.errors import InputError
from unbis.textnorm import require_words

router = APIRouter(prefix="/api", tags=["UNBIS Indexer"])
State = Annotated[ServerState, Depends(state)]
UPLOAD_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS, 415: {"model": schemas.Problem, "description": "Unsupported file type"},
    422: {"model": schemas.Problem, "description": "File over a page, part or parse-time limit"},
}


@router.get("/projects", response_model=list[schemas.ProjectDetail], responses=ERRORS)
def list_projects(st: State) -> list[dict[str, Any]]:
    """Every project with its model version and label languages."""
    return [project_detail(pid, loaded) for pid, loaded in st.registry.available()]


@router.post("/projects/{project_id}/suggest", response_model=schemas.RichSuggestResponse,
             responses=UPLOAD_ERRORS)
def suggest(
    project_id: str,
    st: State,
    text: Annotated[str | None, Form(description="The document text (or upload a file).")] = None,
    file: Annotated[UploadFile | None, File(description=".txt, .pdf, .docx or .html")] = None,
    limit: Annotated[int | None, Form(ge=1, le=1000, description="[default: the project's, set by "
                                                              "`unbis optimize`; else 10]")] = None,
    threshold: Annotated[float | None, Form(ge=0.0, le=1.0, description="[default: the project's]")] = None,
    language: Annotated[str | None, Form(description="Document language (ar, zh, en, fr, ru, es); "
                                                  "detected when absent or 'auto'.")] = None,
    label_language: Annotated[str | None, Form(description="Language of `label`; default: the "
                                                        "document language.")] = None,
) -> dict[str, Any]:
    """Ranked suggestions with labels in every language, domain / micro-thesaurus paths and evidence."""
    loaded = st.registry.get(project_id)
    project = loaded.project
    filename = None
    if file is not None and file.filename:
        filename = file.filename
        body = extract_text(filename, file.file.read(), st.limits)
    elif text is not None:
        body = text
    else:
        raise InputError("empty text: give `text` or upload a `file`")
    require_words(body, filename or "text")
    doc_lang, detected = _document_language(language, body)
    shown = check_label_language(project.vocab, label_language) or (
        doc_lang if doc_lang in project.vocab.languages else None)
    [row] = project.suggest([body], limit, threshold, shown)
    spans = evidence_for(project, body, [s.subject for s in row])
    vocab = project.vocab
    suggestions = [
        {
            "rank": rank,
            "uri": s.uri,
            "notation": vocab.concepts[s.subject].notation,
            "label": s.label,
            "labels": dict(vocab.concepts[s.subject].labels),
            "score": round(float(s.score), 6),
            "paths": paths(vocab, s.subject),
            "evidence": spans.get(s.subject, []),
        }
        for rank, s in enumerate(row, start=1)
    ]
    return {
        "project": project_id, "model_version": loaded.version, "language": doc_lang,
        "language_detected": detected, "label_language": shown or vocab.default_language,
        "text": body, "filename": filename, "suggestions": suggestions,
    }


def _document_language(language: str | None, text: str) -> tuple[str, bool]:
    if language is None or language.strip().lower() in {"", "auto"}:
        return detect_language(text), True
    lang = language.strip().lower()
    if lang not in UN_LANGUAGES:
        raise InputError(f"language {language!r}: choose one of {', '.join(UN_LANGUAGES)} or auto")
    return lang, False


@router.get("/projects/{project_id}/concepts", response_model=list[schemas.ConceptHit], responses=ERRORS)
def search_concepts(
    project_id: str,
    st: State,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Part of a label, any language.")],
    language: Annotated[str | None, Query(description="Search only labels in this language.")] = None,
    label_language: Annotated[str | None, Query(description="Language of `label` in the results.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 15,
) -> list[dict[str, Any]]:
    """Autocomplete over the project's thesaurus: prefix matches first, then infix."""
    project = st.registry.get(project_id).project
    search_lang = check_label_language(project.vocab, language)
    shown = check_label_language(project.vocab, label_language)
    ids = LabelSearch.of(project.vocab).search(q, search_lang, limit)
    return [concept(project.vocab, cid, shown) for cid in ids]


@router.post("/documents", response_model=schemas.DocumentOut, status_code=201, responses=WRITE_ERRORS)
def add_document(doc: schemas.DocumentIn, st: State, _: WriteAccess) -> dict[str, int]:
    """Register the document that feedback is about (stored once per distinct text)."""
    return {"document_id": st.feedback.add_document(doc.text, doc.name, doc.language)}


@router.post("/feedback", response_model=schemas.FeedbackOut, status_code=201, responses=WRITE_ERRORS)
def add_feedback(fb: schemas.FeedbackIn, st: State, _: WriteAccess) -> dict[str, Any]:
    """Accept or reject a suggestion, or add a missing descriptor (``source: added``)."""
    loaded = st.registry.get(fb.project)
    vocab = loaded.project.vocab
    cid = vocab.resolve(fb.uri)
    if cid is None:
        raise InputError(f"unknown subject {fb.uri!r} in vocabulary {vocab.name!r}")
    if fb.queue is not None and (fb.queue not in st.queues or st.queues[fb.queue].project != fb.project):
        raise InputError(f"no review queue {fb.queue!r} of project {fb.project!r} on this server")
    decision = st.feedback.record(
        fb.document_id, fb.project, fb.model_version or loaded.version, vocab.uri(cid), vocab.label(cid),
        fb.decision, fb.source, fb.score, queue=fb.queue,
    )
    return decision.as_json()


@router.get("/feedback", response_model=list[schemas.FeedbackOut], responses=ERRORS)
def list_feedback(
    st: State,
    project: Annotated[str | None, Query(max_length=128)] = None,
    document_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> list[dict[str, Any]]:
    """Stored decisions, oldest first."""
    return [d.as_json() for d in st.feedback.decisions(project, document_id)]

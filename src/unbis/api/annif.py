"""The Annif-compatible REST API under ``/v1``: Annif's paths, request and response shapes."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Form, Query, Response
from pydantic import BaseModel, ConfigDict, Field, create_model

from unbis import __version__
from unbis.analysis import detect_language
from unbis.api import schemas
from unbis.api.auth import WriteAccess
from unbis.api.state import ServerState, state
from unbis.api.views import annif_project, check_label_language, vocab_info
from unbis.errors import InputError
from unbis.textnorm import require_words

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": schemas.Problem, "description": "Bad Request"},
    404: {"model": schemas.Problem, "description": "Project not found"},
    413: {"model": schemas.Problem, "description": "Payload Too Large"},
    503: {"model": schemas.Problem, "description": "Service Unavailable"},
}
#: Routes that write also answer 401 (no or wrong key) and 403 (no key on a public bind).
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    401: {"model": schemas.Problem, "description": "API key missing or wrong"},
    403: {"model": schemas.Problem, "description": "Writes refused: no API key on a public bind"},
}
State = Annotated[ServerState, Depends(state)]
Limit = Annotated[int, Field(ge=1, le=1000)]
Threshold = Annotated[float, Field(ge=0.0, le=1.0)]


def router(max_batch: int) -> APIRouter:
    """The ``/v1`` routes; ``max_batch`` goes into the batch schema (Annif's ``maxItems: 32``)."""
    api = APIRouter(prefix="/v1", tags=["Annif-compatible"])

    batch_model: type[BaseModel] = create_model(
        "BatchRequest",
        __config__=ConfigDict(extra="ignore"),
        documents=(list[schemas.BatchDocument], Field(max_length=max_batch)),
    )

    @api.get("/", response_model=schemas.ApiInfo)
    def show_info() -> dict[str, str]:
        """Basic information about the API service."""
        return {"title": "UNBIS Indexer REST API (Annif-compatible)", "version": __version__}

    @api.get("/vocabs", response_model=schemas.VocabList, responses=ERRORS)
    def list_vocabs(st: State) -> dict[str, Any]:
        """The vocabularies of all projects."""
        vocabs: dict[str, dict[str, Any]] = {}
        for _pid, loaded in st.registry.available():
            vocab = loaded.project.vocab
            vocabs.setdefault(vocab.name, vocab_info(vocab))
        return {"vocabs": list(vocabs.values())}

    @api.get("/projects", response_model=schemas.ProjectList, responses=ERRORS)
    def list_projects(st: State) -> dict[str, Any]:
        """Every project: the bundled UNBIS one and the trained ones."""
        return {"projects": [annif_project(pid, loaded) for pid, loaded in st.registry.available()]}

    @api.get("/projects/{project_id}", response_model=schemas.AnnifProject, responses=ERRORS)
    def show_project(project_id: str, st: State) -> dict[str, Any]:
        return annif_project(project_id, st.registry.get(project_id))

    @api.post("/projects/{project_id}/suggest", response_model=schemas.SuggestionResultList, responses=ERRORS)
    def suggest(
        project_id: str,
        st: State,
        text: Annotated[str, Form(description="input text")],
        limit: Annotated[Limit | None, Form(description="maximum number of results [default: the project's, "
                                                        "set by `unbis optimize`; else 10]")] = None,
        threshold: Annotated[Threshold | None, Form(description="minimum score [default: the project's]")] = None,
        language: Annotated[str | None, Form(description="language of subject labels")] = None,
    ) -> dict[str, Any]:
        """Suggest subjects for a text (form-encoded, as in Annif)."""
        project = st.registry.get(project_id).project
        lang = check_label_language(project.vocab, language)
        [rows] = project.suggest([require_words(text, "text")], limit, threshold, lang)
        return {"results": [_annif_row(project, s) for s in rows]}

    @api.post("/projects/{project_id}/suggest-batch", response_model=list[schemas.BatchSuggestionResult],
              responses=ERRORS, description=f"Suggest subjects for up to {max_batch} documents (JSON).")
    def suggest_batch(
        project_id: str,
        st: State,
        body: Annotated[batch_model, Body()],  # type: ignore[valid-type]
        limit: Annotated[Limit | None, Query(description="[default: the project's]")] = None,
        threshold: Annotated[Threshold | None, Query(description="[default: the project's]")] = None,
        language: Annotated[str | None, Query()] = None,
    ) -> list[dict[str, Any]]:
        project = st.registry.get(project_id).project
        lang = check_label_language(project.vocab, language)
        docs: list[schemas.BatchDocument] = body.documents  # type: ignore[attr-defined]
        texts = [require_words(d.text, f"documents[{i}].text") for i, d in enumerate(docs)]
        rows = project.suggest(texts, limit, threshold, lang) if texts else []
        return [{"results": [_annif_row(project, s) for s in row], "document_id": d.document_id}
                for d, row in zip(docs, rows, strict=True)]

    @api.post("/projects/{project_id}/learn", status_code=204, response_class=Response,
              responses={**WRITE_ERRORS, 204: {"description": "stored as feedback for `unbis learn`"}})
    def learn(project_id: str, st: State, _: WriteAccess,
              documents: Annotated[list[schemas.IndexedDocument], Body()]) -> Response:
        """Store manually indexed documents as accepted feedback; `unbis learn` retrains from them."""
        loaded = st.registry.get(project_id)
        vocab = loaded.project.vocab
        resolved = []
        for i, doc in enumerate(documents):
            text = require_words(doc.text, f"[{i}].text", "learn from")
            ids = []
            for subject in doc.subjects:
                cid = vocab.resolve(subject.uri)
                if cid is None:
                    raise InputError(f"[{i}].subjects: unknown subject {subject.uri!r} in vocabulary {vocab.name!r}")
                ids.append(cid)
            resolved.append((text, doc.metadata or {}, ids))
        for text, metadata, ids in resolved:  # validate everything first: all or nothing
            doc_id = st.feedback.add_document(text, name=metadata.get("document_id"))
            for cid in ids:
                st.feedback.record(doc_id, project_id, loaded.version, vocab.uri(cid), vocab.label(cid),
                                   "accepted", source="learn")
        return Response(status_code=204)

    @api.post("/detect-language", response_model=schemas.DetectedLanguages, responses=ERRORS)
    def detect(body: schemas.DetectLanguageRequest) -> dict[str, Any]:
        """The language of a text among candidates (UN languages are detected; others score 0)."""
        found = detect_language(body.text) if body.text.strip() else None
        ranked = sorted(body.languages, key=lambda lang: lang != found)
        results: list[dict[str, Any]] = [{"language": lang, "score": 1.0 if lang == found else 0.0}
                                         for lang in ranked]
        if found not in body.languages:
            results.insert(0, {"language": None, "score": 1.0})
        return {"results": results}

    return api


def _annif_row(project: Any, s: Any) -> dict[str, Any]:
    row = s.as_json()
    row["notation"] = project.vocab.concepts[s.subject].notation
    return row

"""Request and response bodies. The ``/v1`` ones copy Annif's OpenAPI shapes field for field."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# -- errors (RFC 7807 problem details, as Annif returns them) -----------------------------------


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str


# -- Annif-compatible (/v1) ---------------------------------------------------------------------


class ApiInfo(BaseModel):
    title: str
    version: str


class ProjectBackend(BaseModel):
    backend_id: str


class VocabInfo(BaseModel):
    vocab_id: str
    languages: list[str]
    size: int | None = None
    loaded: bool = True


class VocabList(BaseModel):
    vocabs: list[VocabInfo]


class AnnifProject(BaseModel):
    project_id: str
    name: str
    language: str
    backend: ProjectBackend
    vocab: VocabInfo | None = None
    vocab_language: str | None = None
    is_trained: bool | None = True
    modification_time: str | None = None


class ProjectList(BaseModel):
    projects: list[AnnifProject]


class SuggestionResult(BaseModel):
    uri: str
    label: str
    notation: str | None = None
    score: float


class SuggestionResultList(BaseModel):
    results: list[SuggestionResult]


class BatchSuggestionResult(SuggestionResultList):
    document_id: str | None = None


class BatchDocument(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str
    document_id: str | None = None
    metadata: dict[str, str] | None = None


class SubjectRef(BaseModel):
    uri: str
    label: str | None = None


class IndexedDocument(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str = ""
    metadata: dict[str, str] | None = None
    subjects: list[SubjectRef] = Field(default_factory=list)


class DetectLanguageRequest(BaseModel):
    text: str
    languages: list[str] = Field(min_length=1, max_length=5)


class DetectedLanguage(BaseModel):
    language: str | None
    score: float


class DetectedLanguages(BaseModel):
    results: list[DetectedLanguage]


# -- our richer API (/api) -----------------------------------------------------------------------


class GroupRef(BaseModel):
    """A UNBIS domain or micro-thesaurus."""

    code: str
    labels: dict[str, str]


class Evidence(BaseModel):
    start: int = Field(description="Character offset in the returned `text` where the match starts.")
    end: int
    label: str = Field(description="The vocabulary label that matched.")
    language: str


class RichSuggestion(BaseModel):
    rank: int
    uri: str
    notation: str | None = None
    label: str = Field(description="The preferred label in the requested label language.")
    labels: dict[str, str] = Field(description="Preferred labels in every language of the vocabulary.")
    score: float
    paths: list[list[GroupRef]] = Field(description="For each group of the concept: domain, then micro-thesaurus.")
    evidence: list[Evidence]


class RichSuggestResponse(BaseModel):
    project: str
    model_version: str
    language: str = Field(description="The document language, as given or as detected.")
    language_detected: bool
    label_language: str
    text: str = Field(description="The text suggested from (extracted from the file for uploads).")
    filename: str | None = None
    suggestions: list[RichSuggestion]


class ProjectDetail(BaseModel):
    id: str
    name: str
    backend: str
    language: str
    version: str
    vocab: str
    vocab_size: int
    languages: list[str]
    limit: int
    threshold: float
    bundled: bool


class ConceptHit(BaseModel):
    uri: str
    label: str
    labels: dict[str, str]
    paths: list[list[GroupRef]]


class DocumentIn(BaseModel):
    text: str = Field(min_length=1, pattern=r"\S")
    name: str | None = Field(default=None, max_length=300)
    language: str | None = Field(default=None, max_length=8)


class DocumentOut(BaseModel):
    document_id: int


class FeedbackIn(BaseModel):
    document_id: int = Field(ge=1)
    project: str = Field(min_length=1, max_length=128)
    model_version: str | None = Field(default=None, max_length=200)
    uri: str = Field(min_length=1, max_length=2000)
    decision: Literal["accepted", "rejected"]
    source: Literal["suggested", "added"] = "suggested"
    score: float | None = Field(default=None, ge=0, le=1)
    queue: str | None = Field(default=None, max_length=128, description="The review queue the decision was "
                              "made in (`unbis serve --queue`); it must exist on this server.")


class FeedbackOut(BaseModel):
    id: int
    document_id: int
    project: str
    model_version: str
    uri: str
    label: str
    decision: str
    source: str
    score: float | None
    created: str
    queue: str | None = None

"""A project: vocabulary + language + one trained backend, saved as a self-contained directory."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from unbis.analysis import detect_language
from unbis.backends.base import Backend, Context
from unbis.backends.registry import get_backend_class
from unbis.corpus.document import Document
from unbis.errors import IncompatibleModelError, NotFittedError, NotFoundError, UnservableDocumentError
from unbis.evaluation import filter_suggestions
from unbis.project.atomic import current_version, derive_version, new_version
from unbis.project.manifest import Manifest
from unbis.vocab.subject_index import Vocabulary

CONFIG = "project.json"
VOCAB = "vocab.json.gz"
MODEL = "model"
DEFAULT_BACKEND = "ensemble"
LANGUAGE_NAMES = {"ar": "Arabic", "zh": "Chinese", "en": "English", "fr": "French", "ru": "Russian", "es": "Spanish",
                  "auto": "several languages"}


@dataclass
class ProjectConfig:
    """What a project is, as stored in ``project.json`` next to the model."""

    name: str
    backend: str
    language: str  # UN language code, or "auto" for per-document detection
    params: dict[str, Any] = field(default_factory=dict)
    limit: int = 10
    threshold: float = 0.0
    #: The UN languages documents may be written in: the training language and those its crosslingual
    #: members serve (empty in projects saved before it was recorded: ask the backend).
    languages: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Suggestion:
    subject: int
    uri: str
    label: str
    score: float

    def as_json(self) -> dict[str, Any]:
        return {"uri": self.uri, "label": self.label, "score": round(float(self.score), 6)}


class Project:
    """A loaded, ready-to-suggest project."""

    def __init__(
        self,
        config: ProjectConfig,
        vocab: Vocabulary,
        backend: Backend,
        path: Path | None = None,
        manifest: Manifest | None = None,
    ) -> None:
        self.config = config
        self.vocab = vocab
        self.backend = backend
        self.path = path
        self.manifest = manifest
        # The version this object was loaded from; ``current`` may move on when the project is retrained.
        self._version = _version_name(path)

    @property
    def project_id(self) -> str:
        return self.config.name

    @property
    def version(self) -> str:
        """The model version this object holds (its directory name), for feedback records and hot reload."""
        return self._version

    # -- suggesting ----------------------------------------------------------------------------
    def suggest_matrix(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.backend.suggest_batch(list(texts))

    def check_served(self, texts: Sequence[str], scores: sp.csr_matrix) -> None:
        """Say why a document got no suggestion when the reason is its language: one the project does not
        serve (``UnservableDocumentError``), never an empty list in silence. Only texts left without any
        suggestion are looked at, so this costs nothing on the others."""
        served = self.backend.languages_served()
        for i in np.flatnonzero(np.diff(scores.indptr) == 0).tolist():
            text = texts[i]
            if not text.strip() or (language := detect_language(text)) in served:
                continue
            name = LANGUAGE_NAMES.get(language, language)
            raise UnservableDocumentError(
                f"document {i + 1} of {len(texts)} is in {name}: project {self.project_id!r} serves "
                f"{', '.join(LANGUAGE_NAMES.get(x, x) for x in sorted(served))} (it was trained in "
                f"{LANGUAGE_NAMES.get(self.config.language, self.config.language)}, its vocabulary has no "
                f"{name} labels and none of its members reads {name}): train it on {name} documents, or with "
                "--language auto, or use a vocabulary with labels in that language")

    def suggest(
        self,
        texts: Sequence[str],
        limit: int | None = None,
        threshold: float | None = None,
        language: str | None = None,
    ) -> list[list[Suggestion]]:
        """Ranked suggestions per text, best first (labels in ``language`` when given)."""
        scores = self.suggest_matrix(texts)
        self.check_served(texts, scores)
        return self.suggest_rows(scores, limit, threshold, language)

    def suggest_rows(
        self, scores: sp.csr_matrix, limit: int | None = None, threshold: float | None = None,
        language: str | None = None,
    ) -> list[list[Suggestion]]:
        """Each row of ``scores`` as ranked suggestions, cut by ``limit`` and ``threshold`` (the project's
        stored ones when not given)."""
        top = filter_suggestions(
            scores,
            limit=self.config.limit if limit is None else limit,
            threshold=self.config.threshold if threshold is None else threshold,
        )
        return [self.to_suggestions(top.getrow(i), language) for i in range(top.shape[0])]

    def to_suggestions(self, row: sp.csr_matrix, language: str | None = None) -> list[Suggestion]:
        order = np.lexsort((row.indices, -row.data))
        return [
            Suggestion(
                int(row.indices[j]),
                self.vocab.uri(int(row.indices[j])),
                self.vocab.label(int(row.indices[j]), language),
                float(row.data[j]),
            )
            for j in order
        ]

    # -- persistence ---------------------------------------------------------------------------
    def save(self, project_dir: Path, training: dict[str, Any] | None = None) -> None:
        """Write config, vocabulary, manifest and model as a new version, atomically."""
        project_dir.mkdir(parents=True, exist_ok=True)
        with new_version(project_dir) as staging:
            (staging / CONFIG).write_text(json.dumps(asdict(self.config), indent=1, ensure_ascii=False), "utf-8")
            self.vocab.save(staging / VOCAB)
            (staging / MODEL).mkdir()
            self.backend.save(staging / MODEL)
            Manifest(
                backend=self.backend.name,
                params=self.backend.params_dict(),
                vocab_hash=self.vocab.content_hash(),
                vocab_size=len(self.vocab),
                language=self.config.language,
                training=training or {},
            ).save(staging)
        self.path = project_dir
        self._version = _version_name(project_dir)

    def update_config(self, **changes: Any) -> None:
        """Change stored settings (limit, threshold), published as a new version (the model files are shared
        with the previous one): a running server sees ``current`` move and reloads."""
        for key, value in changes.items():
            setattr(self.config, key, value)
        if self.path is not None and current_version(self.path) is not None:
            derive_version(self.path, {CONFIG: json.dumps(asdict(self.config), indent=1, ensure_ascii=False)})
            self._version = _version_name(self.path)

    @classmethod
    def load(cls, project_dir: Path) -> Project:
        """Load the current version; refuse models from another format or vocabulary with a retrain hint."""
        if not project_dir.is_dir():
            raise NotFoundError(f"no project at {project_dir}")
        version = current_version(project_dir)
        if version is None:
            raise NotFittedError(f"{project_dir}: the project has no trained model; run `unbis train` first")
        manifest = Manifest.load(version)
        try:
            config = ProjectConfig(**json.loads((version / CONFIG).read_text("utf-8")))
        except (OSError, TypeError, json.JSONDecodeError) as exc:
            raise IncompatibleModelError(f"{version / CONFIG}: unreadable ({exc}); retrain the project") from exc
        vocab = Vocabulary.load(version / VOCAB)
        manifest.check_vocab(vocab.content_hash(), project_dir)
        backend_cls = get_backend_class(manifest.backend)
        context = Context(vocab, config.language)
        backend = backend_cls.load(version / MODEL, context, manifest.params)
        return cls(config, vocab, backend, path=project_dir, manifest=manifest)


def _version_name(path: Path | None) -> str:
    if path is None:
        return "bundled"
    current = current_version(path)
    return current.name if current else "unsaved"


def train_project(
    project_dir: Path,
    documents: Iterable[Document],
    vocab: Vocabulary,
    language: str,
    backend: str = DEFAULT_BACKEND,
    params: dict[str, Any] | None = None,
    name: str | None = None,
    training: dict[str, Any] | None = None,
) -> Project:
    """Fit ``backend`` on ``documents`` and save the project atomically; the old model stays until then."""
    backend_cls = get_backend_class(backend)
    model = backend_cls(Context(vocab, language), **(params or {}))
    started = time.perf_counter()
    model.fit(documents)
    info = {**(training or {}), "train_seconds": round(time.perf_counter() - started, 3)}
    config = ProjectConfig(name=name or project_dir.name, backend=backend, language=language,
                           params=model.params_dict(), languages=sorted(model.languages_served()))
    project = Project(config, vocab, model)
    project.save(project_dir, training=info)
    project.manifest = Manifest.load(current_version(project_dir))  # type: ignore[arg-type]
    return project


@cache
def default_project() -> Project:
    """The bundled zero-shot UNBIS project: the thesaurus matcher in all six languages."""
    from unbis.vocab.loaders import load_unbis

    vocab = load_unbis()
    backend = get_backend_class("matcher")(Context(vocab, "auto")).fit([])
    config = ProjectConfig(name="unbis-default", backend="matcher", language="auto",
                           params=backend.params_dict(), limit=10, languages=sorted(backend.languages_served()))
    return Project(config, vocab, backend)

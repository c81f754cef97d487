"""A project: vocabulary + language + one trained backend, saved as a self-contained directory."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from unbis.analysis import detect_language
from unbis.analysis.factory import ANALYSIS_VERSIONS, UN_LANGUAGES
from unbis.analysis.langdetect import foreign_language, language_name
from unbis.backends.base import Backend, Context
from unbis.backends.registry import get_backend_class
from unbis.corpus.document import Document
from unbis.errors import IncompatibleModelError, NotFittedError, NotFoundError, UnservableDocumentError
from unbis.evaluation import filter_suggestions
from unbis.project.atomic import current_version, derive_version, new_version, write_text_atomic
from unbis.project.manifest import Manifest
from unbis.vocab.subject_index import Vocabulary

if TYPE_CHECKING:
    from unbis.evaluation.extended import LabelFrequencies
    from unbis.vocab.subset import SubjectFilter

CONFIG = "project.json"
VOCAB = "vocab.json.gz"
MODEL = "model"
#: how many training documents carry each subject (propensity-scored evaluation needs them)
LABEL_COUNTS = "label_counts.npz"
#: the figures of the last `unbis eval` of this version (shown by `unbis projects`)
EVALUATION = "evaluation.json"
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
    #: the part of the vocabulary the project suggests from: ``{"include": [...], "exclude": [...]}``
    #: rules of :mod:`unbis.vocab.subset` (``unbis train --include/--exclude``)
    subjects: dict[str, list[str]] = field(default_factory=dict)


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
    def subject_filter(self, extra: SubjectFilter | None = None) -> SubjectFilter | None:
        """The project's own subject rules, with ``extra`` ones (a request's) added."""
        from unbis.vocab.subset import SubjectFilter

        own = SubjectFilter.from_json(self.config.subjects) if self.config.subjects else SubjectFilter()
        both = own & extra if extra else own
        return both or None

    def suggest_matrix(self, texts: Sequence[str], subjects: SubjectFilter | None = None) -> sp.csr_matrix:
        """Scores (documents x subjects); subjects outside the project's part of the vocabulary (and
        outside ``subjects``) score 0, i.e. are never suggested."""
        scores = self.backend.suggest_batch(list(texts))
        rules = self.subject_filter(subjects)
        if rules is not None:
            scores = sp.csr_matrix(scores, copy=True)
            scores.data[~rules.mask(self.vocab)[scores.indices]] = 0
            scores.eliminate_zeros()
        return scores

    def check_languages(self, texts: Sequence[str], names: Sequence[str] | None = None) -> None:
        """Refuse a document written in none of the six UN languages (``UnservableDocumentError``, naming
        it by ``names[i]`` or its place in ``texts``): every analyzer and label is in a UN language, so a
        German text would be read as English and its "Land" suggest LAND. Costs one language guess on
        each document's opening (:func:`unbis.analysis.langdetect.foreign_language`)."""
        for i, text in enumerate(texts):
            if (code := foreign_language(text)) is None:
                continue
            where = names[i] if names else f"document {i + 1} of {len(texts)}" if len(texts) > 1 else "the document"
            raise UnservableDocumentError(
                f"{where} is in {language_name(code)}, not in one of the six UN languages that project "
                f"{self.project_id!r} reads ({', '.join(LANGUAGE_NAMES[x] for x in UN_LANGUAGES)}), so it is not "
                "indexed: read as one of them, its words would suggest false descriptors; give its version in "
                "a UN language")

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
        subjects: SubjectFilter | None = None, names: Sequence[str] | None = None,
    ) -> list[list[Suggestion]]:
        """Ranked suggestions per text, best first (labels in ``language`` when given; only subjects
        ``subjects`` keeps, besides the project's own rules; ``names``: the texts' names in errors)."""
        self.check_languages(texts, names)
        scores = self.suggest_matrix(texts, subjects)
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
    def save(
        self, project_dir: Path, training: dict[str, Any] | None = None, label_counts: np.ndarray | None = None,
        n_train_docs: int | None = None,
    ) -> None:
        """Write config, vocabulary, manifest and model as a new version, atomically (with the training
        corpus's label counts when given)."""
        project_dir.mkdir(parents=True, exist_ok=True)
        with new_version(project_dir) as staging:
            if label_counts is not None:
                np.savez(staging / LABEL_COUNTS, counts=np.asarray(label_counts, dtype=np.int64),
                         n_docs=np.int64(n_train_docs or 0))
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
                analysis=dict(ANALYSIS_VERSIONS),
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

    def label_frequencies(self) -> LabelFrequencies | None:
        """How many training documents carried each subject, when the project recorded it."""
        from unbis.evaluation.extended import LabelFrequencies

        version = current_version(self.path) if self.path is not None else None
        if version is None or not (version / LABEL_COUNTS).is_file():
            return None
        with np.load(version / LABEL_COUNTS, allow_pickle=False) as data:
            counts, n_docs = data["counts"], int(data["n_docs"])
        if counts.shape != (len(self.vocab),) or n_docs <= 0:
            return None
        return LabelFrequencies(counts, n_docs, "training")

    def last_evaluation(self) -> dict[str, Any] | None:
        """The figures ``unbis eval`` recorded for this version, or None."""
        version = current_version(self.path) if self.path is not None else None
        try:
            return json.loads((version / EVALUATION).read_text("utf-8")) if version else None  # type: ignore[no-any-return]
        except (OSError, json.JSONDecodeError):
            return None

    def record_evaluation(self, figures: dict[str, Any]) -> None:
        """Keep the figures of an evaluation beside the version they are of (atomically replaced)."""
        version = current_version(self.path) if self.path is not None else None
        if version is None:
            return
        try:
            write_text_atomic(version / EVALUATION, json.dumps(figures, indent=1, ensure_ascii=False))
        except OSError as exc:  # a read-only project is still evaluated; only the record is lost
            logging.getLogger("unbis.project").warning("%s: evaluation not recorded: %s", version, exc)

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
        manifest.check_analysis(project_dir)
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
    subjects: dict[str, list[str]] | None = None,
) -> Project:
    """Fit ``backend`` on ``documents`` and save the project atomically; the old model stays until then.
    ``subjects``: the project's part of the vocabulary (rules of :mod:`unbis.vocab.subset`), applied
    when suggesting; the caller keeps the training labels inside it."""
    backend_cls = get_backend_class(backend)
    model = backend_cls(Context(vocab, language), **(params or {}))
    started = time.perf_counter()
    counted = _LabelCounter(documents)
    # A one-shot iterator stays one-shot (backends list() those they need to read twice).
    model.fit(iter(counted) if iter(documents) is documents else counted)
    info = {**(training or {}), "train_seconds": round(time.perf_counter() - started, 3)}
    config = ProjectConfig(name=name or project_dir.name, backend=backend, language=language,
                           params=model.params_dict(), languages=sorted(model.languages_served()),
                           subjects=subjects or {})
    project = Project(config, vocab, model)
    counts = counted.counts(len(vocab))
    project.save(project_dir, training=info, label_counts=None if counts is None else counts[0],
                 n_train_docs=None if counts is None else counts[1])
    project.manifest = Manifest.load(current_version(project_dir))  # type: ignore[arg-type]
    return project


class _LabelCounter:
    """A re-iterable view of the training documents that counts their labels on the first complete pass
    (backends may read the corpus more than once, or stop a pass early)."""

    def __init__(self, documents: Iterable[Document]) -> None:
        self.documents = documents
        self._done: tuple[np.ndarray, int] | None = None

    def __iter__(self) -> Iterator[Document]:
        if self._done is not None:
            yield from self.documents
            return
        subjects: list[int] = []
        n = 0
        for doc in self.documents:
            n += 1
            subjects.extend(set(doc.subjects))
            yield doc
        if self._done is None:
            self._done = (np.asarray(subjects, dtype=np.int64), n)

    def counts(self, n_subjects: int) -> tuple[np.ndarray, int] | None:
        """Documents per subject id and the number of documents, once a pass has completed."""
        if self._done is None:
            return None
        ids, n = self._done
        ids = ids[(ids >= 0) & (ids < n_subjects)]
        return np.bincount(ids, minlength=n_subjects), n


def bundled_backend() -> str:
    """The backend of the bundled project: ``zeroshot`` when the package has its ranker and the sentence
    encoder's package is installed, else the ``matcher`` alone (decided without loading either)."""
    from unbis.backends.zeroshot import ranker_shipped
    from unbis.embedding.registry import embedder_available

    return "zeroshot" if ranker_shipped() and embedder_available() else "matcher"


@cache
def default_project() -> Project:
    """The bundled zero-shot UNBIS project in all six languages: label matches and meaning scored by the
    bundled transfer ranker (``zeroshot``), or the thesaurus matcher alone when the package lacks that
    ranker or the sentence encoder's package."""
    from unbis.vocab.loaders import load_unbis

    vocab = load_unbis()
    name = bundled_backend()
    backend = get_backend_class(name)(Context(vocab, "auto")).fit([])
    config = ProjectConfig(name="unbis-default", backend=name, language="auto",
                           params=backend.params_dict(), limit=10, languages=sorted(backend.languages_served()))
    return Project(config, vocab, backend)

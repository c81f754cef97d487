"""The one service layer that the CLI, the REST API and the web page call.

Front ends stay thin: they parse their input, call a function here and format its result.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from unbis.analysis import language_option
from unbis.backends.registry import backend_names
from unbis.corpus.document import Document
from unbis.corpus.readers import Corpus, read_documents
from unbis.corpus.report import ReadReport
from unbis.corpus.scan import CorpusScan, scan_corpus
from unbis.errors import InputError, ParameterError
from unbis.evaluation import EvaluationBatch, gold_matrix
from unbis.project import Project, default_project, train_project
from unbis.project.project import DEFAULT_BACKEND
from unbis.textnorm import require_words
from unbis.vocab.derived import vocab_from_labels
from unbis.vocab.loaders import load_unbis, load_vocabulary
from unbis.vocab.subject_index import Vocabulary

BATCH_SIZE = 32
Progress = Callable[[int], None]


#: stands for the bundled zero-shot UNBIS project wherever a project directory is taken (the REST API
#: names it ``unbis``)
BUNDLED_PROJECT = "@unbis"


OPTIMIZE_BUNDLED = (
    f"{BUNDLED_PROJECT} is the bundled zero-shot project: it is read-only and has nowhere to store a limit "
    "and threshold; train a project directory (unbis train DIR CORPUS) and optimize that, or pass "
    f"--limit / --threshold to index and eval with {BUNDLED_PROJECT}")


def is_bundled(path: Path | str | None) -> bool:
    """Whether ``path`` names the bundled project (``@unbis``) rather than a directory."""
    return path is not None and str(path) == BUNDLED_PROJECT


def open_project(path: Path | None) -> Project:
    """A trained project directory, or the bundled zero-shot UNBIS project when ``path`` is None or
    ``@unbis``."""
    return default_project() if path is None or is_bundled(path) else Project.load(path)


def parse_params(items: Sequence[str], default_backend: str) -> dict[str, dict[str, str]]:
    """``backend.key=value`` strings (``key=value`` means the trained backend) into a nested dict."""
    params: dict[str, dict[str, str]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ParameterError(f"--param {item!r}: expected backend.key=value")
        backend, dot, name = key.rpartition(".")
        params.setdefault(backend if dot else default_backend, {})[name] = value
    return params


# -- vocabulary and language choice -------------------------------------------------------------
def choose_vocabulary(spec: str | None, labels: Counter[str], language: str) -> tuple[Vocabulary, str]:
    """The vocabulary for training: the given one, else bundled UNBIS if the corpus ``labels`` (label
    strings with their document counts) are UNBIS descriptors, else one derived from those labels.
    Returns it with a sentence saying why."""
    if spec:
        return load_vocabulary(spec, language=language), f"vocabulary {spec}"
    if not labels:
        raise InputError("the training corpus has no labels and no --vocab was given")
    unbis = load_unbis(fresh=True)  # training may add labels to it (--on-unknown add)
    known = sum(n for label, n in labels.items() if unbis.resolve(label) is not None)
    share = known / sum(labels.values())
    if share >= 0.9:
        return unbis, f"bundled UNBIS Thesaurus ({share:.0%} of the corpus labels are UNBIS descriptors)"
    vocab = vocab_from_labels([[label] for label in labels], language=language)
    return vocab, f"vocabulary derived from the corpus labels ({len(vocab)} subjects; only {share:.0%} are UNBIS)"


def choose_language(language: str | None, votes: Counter[str]) -> str:
    """The given language, or the majority of the languages detected in the first documents (``votes``),
    "auto" (detected per document) when no language has 80% of them."""
    if language:
        return language_option(language) or "auto"
    if not votes:
        return "en"
    (best, n), = votes.most_common(1)
    return best if n / sum(votes.values()) >= 0.8 else "auto"


# -- training --------------------------------------------------------------------------------------
@dataclass
class TrainResult:
    project: Project
    report: ReadReport
    vocab_note: str
    language: str
    seconds: float


def train(
    project_dir: Path,
    corpus: Sequence[Path],
    *,
    vocab_spec: str | None = None,
    language: str | None = None,
    backend: str | None = None,
    params: Sequence[str] = (),
    on_unknown: str = "skip",
    strict: bool = False,
    progress: Progress | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> TrainResult:
    """Train a project directory from labelled corpora; the previous model stays until the new one is saved.
    ``include`` / ``exclude``: subject rules (:mod:`unbis.vocab.subset`): training labels outside them
    are dropped and the project never suggests such subjects."""
    from unbis.vocab.subset import SubjectFilter

    backend = backend or DEFAULT_BACKEND
    if backend not in backend_names():
        raise ParameterError(f"unknown backend {backend!r}; available: {', '.join(backend_names())}")
    started = time.perf_counter()
    # One read serves both choices (none when both are given); training then streams the corpus.
    scan = (scan_corpus(corpus, sample=0 if language else 20, labels=not vocab_spec)
            if not (language and vocab_spec) else CorpusScan())
    lang = choose_language(language, scan.languages)
    vocab, note = choose_vocabulary(vocab_spec, scan.labels, lang)
    nested = parse_params(params, backend)
    own = nested.pop(backend, {})
    if nested:
        own.update({f"{b}.{k}": v for b, values in nested.items() for k, v in values.items()})
    added = _add_unknown_labels(corpus, vocab, strict) if on_unknown == "add" else None
    docs = Corpus(corpus, vocab, on_unknown=on_unknown, strict=strict)  # type: ignore[arg-type]
    stream: Iterable[Document] = _counting(docs, progress) if progress else docs
    rules = SubjectFilter.parse(include, exclude)
    if rules:
        stream = _kept_subjects(stream, rules.mask(vocab))
    project = train_project(
        project_dir, stream, vocab, lang, backend=backend, params=own,
        training={"corpus": [str(p) for p in corpus], "vocabulary": note}, subjects=rules.to_json() if rules else None,
    )
    return TrainResult(project, added or docs.report, note, lang, time.perf_counter() - started)


def _add_unknown_labels(corpus: Sequence[Path], vocab: Vocabulary, strict: bool) -> ReadReport:
    """``--on-unknown add``: one reading pass that adds every unknown label before training starts.

    Backends size their label matrices by the vocabulary when fitting begins; labels added while the
    training pass streams the corpus came too late ("subject id outside the vocabulary"). The vocabulary
    is complete before the backend sees it. Returns that pass's report, which counts the added labels
    (the training pass then finds them all known)."""
    report = ReadReport()
    for _doc in read_documents(corpus, vocab, on_unknown="add", strict=strict, report=report):
        pass
    return report


class _kept_subjects:
    """A re-iterable view of the documents with only the subjects ``keep`` marks."""

    def __init__(self, docs: Iterable[Document], keep: Any) -> None:
        self.docs = docs
        self.keep = keep

    def __iter__(self) -> Iterator[Document]:
        from dataclasses import replace

        for doc in self.docs:
            yield replace(doc, subjects=[s for s in doc.subjects if self.keep[s]])


class _counting:
    """A re-iterable wrapper that reports each document of the first pass (progress bars; training
    may read the corpus more than once)."""

    def __init__(self, docs: Iterable[Document], progress: Progress) -> None:
        self.docs = docs
        self.progress = progress
        self.passes = 0

    def __iter__(self) -> Iterator[Document]:
        self.passes += 1
        report = self.passes == 1
        for doc in self.docs:
            if report:
                self.progress(1)
            yield doc


# -- suggesting, indexing, evaluating ------------------------------------------------------------
def batches(documents: Iterable[Document], size: int = BATCH_SIZE) -> Iterator[list[Document]]:
    it = iter(documents)
    while batch := list(islice(it, size)):
        yield batch


def suggest_texts(
    project: Project, texts: Sequence[str], limit: int | None = None, threshold: float | None = None,
    language: str | None = None, include: Sequence[str] = (), exclude: Sequence[str] = (),
    names: Sequence[str] | None = None,
) -> list[list[dict[str, Any]]]:
    """JSON-ready suggestions per text: ``{"uri", "label", "score"}``, best first; ``include`` /
    ``exclude``: only subjects these rules keep (:mod:`unbis.vocab.subset`); ``names``: the texts' names
    in errors."""
    from unbis.vocab.subset import SubjectFilter

    for text in texts:
        require_words(text)
    rules = SubjectFilter.parse(include, exclude)
    rows = project.suggest(texts, limit, threshold, language, subjects=rules or None, names=names)
    return [[s.as_json() for s in row] for row in rows]


def suggest_as_one(
    project: Project, versions: Sequence[tuple[str, str]], limit: int | None = None, threshold: float | None = None,
    language: str | None = None, include: Sequence[str] = (), exclude: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """JSON-ready suggestions for one document given as several language versions (``(name, text)``).

    Each version is scored on its own; a descriptor's score is the median of its scores over the versions
    (0 where a version does not suggest it): it needs at least half of the versions, so that what one
    version's wording alone brings (a false friend, a segmentation accident) falls out, and what the
    versions agree on ranks by what they agree on. Each suggestion carries its score in every version
    (``versions``: name -> score), the evidence per version. ``benchmarks/as_one.py`` compares it with
    the single versions.
    """
    if len(versions) < 2:
        raise InputError("--as-one needs at least two language versions of the document")
    names = [name for name, _ in versions]
    if len(set(names)) != len(names):
        raise InputError("--as-one: each language version must be a different file")
    texts = [text for _, text in versions]
    for name, text in versions:
        require_words(text, name)
    from unbis.vocab.subset import SubjectFilter

    project.check_languages(texts, names)
    scores = project.suggest_matrix(texts, SubjectFilter.parse(include, exclude) or None)
    project.check_served(texts, scores)
    median = sp.csr_matrix(np.median(scores.toarray(), axis=0, keepdims=True))
    [row] = project.suggest_rows(median, limit, threshold, language)
    per_version = scores.tocsc()
    return [{**s.as_json(), "versions": {names[i]: round(float(per_version[i, s.subject]), 6)
                                         for i in range(len(names))}} for s in row]


def read_text_file(path: Path) -> str:
    """The text of one document file, through the corpus reader: a ``%%%`` label line is dropped, and an
    empty, binary or non-UTF-8 file is an ``InputError`` naming the file and line."""
    docs = list(read_documents([path], None, labelled=False, strict=True, fmt="input"))
    return docs[0].text if docs else ""


def index_files(project: Project, inputs: Sequence[Path], out: Path, **options: Any) -> Any:
    """Batch indexing into a file: parallel, resumable, crash-safe (see :func:`unbis.batch.run_index`
    for the options); returns an :class:`unbis.batch.IndexSummary`."""
    from unbis.batch import run_index

    return run_index(project, inputs, out, **options)


@dataclass
class EvalResult:
    metrics: dict[str, Any]
    report: ReadReport
    per_subject: list[dict[str, Any]]
    #: 95% bootstrap intervals over documents, ``{"f1@5": [low, high], "ndcg": [...]}``, when asked for
    confidence: dict[str, list[float]] | None = None
    #: the accumulated scores and gold labels (for ``--report``)
    batch: EvaluationBatch | None = None
    #: label frequencies the propensity-scored metrics used
    frequencies: Any = None


def evaluate(
    project: Project, corpus: Sequence[Path], limit: int = 10, threshold: float = 0.0,
    progress: Progress | None = None, on_unknown: str = "skip", confidence: bool = False,
    propensity_a: float = 0.55, propensity_b: float = 1.5, record: bool = True,
) -> EvalResult:
    """Annif-identical metrics of ``project`` against the gold labels of ``corpus`` (``confidence``:
    with bootstrap intervals of F1@5 and NDCG), then the field's other metrics (P/R/F1 at 10, 15, 20,
    propensity-scored P@k and nDCG@k with label frequencies from the training corpus when the project
    recorded them). ``record``: keep the figures in the project (``unbis projects`` shows them)."""
    from unbis.evaluation.extended import LabelFrequencies

    report = ReadReport()
    docs = read_documents(corpus, project.vocab, on_unknown=on_unknown, report=report)  # type: ignore[arg-type]
    n = len(project.vocab)
    acc = EvaluationBatch(n)
    for batch in batches(docs):
        batch = _in_un_languages(batch, report)
        if not batch:
            continue
        pred = project.suggest_matrix([d.text for d in batch])
        gold = gold_matrix([d.subjects for d in batch], n)
        acc.add(sp.csr_matrix(pred), gold)
        if progress:
            progress(len(batch))
    if report.read == 0:
        raise InputError(f"no documents to evaluate in {', '.join(map(str, corpus))}: {report.summary()}")
    metrics: dict[str, Any] = dict(acc.results(limit=limit, threshold=threshold))
    frequencies = project.label_frequencies()
    if frequencies is None:
        frequencies = LabelFrequencies.of_gold(acc.matrices()[1], "evaluation")
    metrics.update(acc.extended(threshold, frequencies, propensity_a, propensity_b))
    if record:
        project.record_evaluation({
            "evaluated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "corpus": [str(p) for p in corpus], "limit": limit, "threshold": threshold,
            **{k: metrics[k] for k in ("docs", "p@5", "f1@5", "ndcg", "f1@10", "psp@5", "psndcg@5")},
        })
    return EvalResult(metrics, report, acc.per_subject(limit=limit, threshold=threshold),
                      acc.confidence(limit=limit, threshold=threshold) if confidence else None,
                      batch=acc, frequencies=frequencies)


def _in_un_languages(batch: list[Document], report: ReadReport) -> list[Document]:
    """The documents of ``batch`` written in a UN language; each other one is counted as skipped, with its
    language (scored as if read in a UN language, it would only lower the figures)."""
    from unbis.analysis.langdetect import foreign_language, language_name

    kept = []
    for doc in batch:
        if (code := foreign_language(doc.text)) is None:
            kept.append(doc)
            continue
        report.read -= 1  # read, but not evaluated: the summary's "read" counts what the figures cover
        report.skip("not in a UN language", doc.source or doc.name,
                    f"in {language_name(code)}, not in one of the six UN languages")
    return kept


def optimize(project: Project, corpus: Sequence[Path]) -> tuple[dict[str, Any], ReadReport]:
    """Store the F1-maximising limit/threshold in ``project`` (``unbis optimize``)."""
    from unbis.optimize import optimize_project

    if project.path is None:
        raise InputError(OPTIMIZE_BUNDLED)

    report = ReadReport()
    docs = read_documents(corpus, project.vocab, on_unknown="skip", report=report)
    return optimize_project(project, docs), report

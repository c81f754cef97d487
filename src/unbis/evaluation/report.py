"""``unbis eval --report DIR``: an evaluation as Markdown and HTML, with the per-subject table and plots.

Plots (PNG, matplotlib imported here only, from the ``report`` extra):

- ``threshold.png``: document-averaged precision, recall and F1 against the score threshold (at the
  evaluation's limit), so the threshold ``unbis optimize`` picks can be seen in context;
- ``scores.png``: the score distribution of correct and of wrong suggestions;
- ``frequency.png``: micro precision and recall per frequency band of the subjects (how many training
  documents carry them, else how many evaluated documents), where the long tail of a 7,000-descriptor
  thesaurus shows.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from unbis.errors import UnbisError
from unbis.evaluation.filtering import Ranking, filter_suggestions
from unbis.evaluation.metrics import Scored

if TYPE_CHECKING:
    from unbis.project import Project
    from unbis.service import EvalResult

#: frequency bands: (lowest count, highest count or None, name)
BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 0, "0"), (1, 2, "1-2"), (3, 9, "3-9"), (10, 49, "10-49"), (50, 199, "50-199"), (200, None, "200+"),
)
THRESHOLDS = tuple(round(t, 2) for t in np.linspace(0.0, 0.95, 20))
_DOC_AVG = ("Precision (doc avg)", "Recall (doc avg)", "F1 score (doc avg)")


@dataclass(frozen=True)
class Band:
    name: str
    subjects: int
    support: int
    suggested: int
    true_positives: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.suggested if self.suggested else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.support if self.support else 0.0


def frequency_bands(per_subject: Sequence[dict[str, Any]], counts: np.ndarray) -> list[Band]:
    """Micro figures per band of subject frequency (subjects neither gold nor suggested are left out)."""
    out = []
    for low, high, name in BANDS:
        rows = [r for r in per_subject if (r["support"] or r["suggested"])
                and counts[r["subject"]] >= low and (high is None or counts[r["subject"]] <= high)]
        out.append(Band(name, len(rows), sum(r["support"] for r in rows), sum(r["suggested"] for r in rows),
                        sum(r["true_positives"] for r in rows)))
    return out


def threshold_curve(result: EvalResult, limit: int) -> list[tuple[float, float, float, float]]:
    """(threshold, precision, recall, F1), document-averaged, at each of :data:`THRESHOLDS`."""
    assert result.batch is not None
    rows = []
    for t in THRESHOLDS:
        m = result.batch.results(list(_DOC_AVG), limit=limit, threshold=t)
        rows.append((t, *(float(m[k]) for k in _DOC_AVG)))
    return rows


def _plots(out: Path, curve: list[tuple[float, float, float, float]], correct: np.ndarray, wrong: np.ndarray,
           bands: list[Band], source: str) -> list[Path]:
    try:
        import matplotlib
    except ImportError:
        raise UnbisError("--report draws plots with matplotlib: pip install 'unbis-indexer[report]'") from None
    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    paths = [out / "threshold.png", out / "scores.png", out / "frequency.png"]
    fig, ax = plt.subplots(figsize=(6, 4))
    t = [c[0] for c in curve]
    for i, name in enumerate(("precision", "recall", "F1")):
        ax.plot(t, [c[i + 1] for c in curve], marker="o", markersize=3, label=name)
    ax.set(xlabel="score threshold", ylabel="document average", title="Precision and recall by threshold",
           ylim=(0, 1))
    ax.legend()
    fig.tight_layout()
    fig.savefig(paths[0], dpi=100)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 4))
    bins = np.linspace(0, 1, 21).tolist()
    ax.hist([correct, wrong], bins=bins, label=[f"correct ({correct.size})", f"wrong ({wrong.size})"],
            color=["tab:green", "tab:red"], alpha=0.8)
    ax.set(xlabel="score", ylabel="suggestions", title="Score distribution of the suggestions")
    ax.legend()
    fig.tight_layout()
    fig.savefig(paths[1], dpi=100)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 4))
    x = np.arange(len(bands))
    ax.bar(x - 0.2, [b.precision for b in bands], 0.4, label="precision")
    ax.bar(x + 0.2, [b.recall for b in bands], 0.4, label="recall")
    ax.set_xticks(x, [b.name for b in bands])
    ax.set(xlabel=f"documents carrying the subject ({source} set)", ylabel="micro average", ylim=(0, 1),
           title="Precision and recall by subject frequency")
    ax.legend()
    fig.tight_layout()
    fig.savefig(paths[2], dpi=100)
    plt.close(fig)
    return paths


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def write_report(
    out: Path, result: EvalResult, project: Project, limit: int = 10, threshold: float = 0.0,
) -> list[Path]:
    """Write ``report.md``, ``report.html`` and the plots into ``out``; returns the paths written."""
    if result.batch is None or result.frequencies is None:
        raise UnbisError("the evaluation kept no scores to report on")
    out.mkdir(parents=True, exist_ok=True)
    pred, gold = result.batch.matrices()
    scored = Scored(gold, Ranking.of(filter_suggestions(pred, limit, threshold)))
    scores = scored.ranking.scores.astype(np.float64)
    correct, wrong = scores[scored.is_gold], scores[~scored.is_gold]
    counts = result.frequencies.counts
    source = result.frequencies.source
    bands = frequency_bands(result.per_subject, counts)
    curve = threshold_curve(result, limit)
    images = _plots(out, curve, correct, wrong, bands, source)

    vocab = project.vocab
    subjects = sorted((r for r in result.per_subject if r["support"] or r["suggested"]),
                      key=lambda r: (-r["support"], -r["suggested"], r["subject"]))
    subject_head = ["URI", "Label", f"{source} docs", "Support", "TP", "FP", "FN", "Precision", "Recall", "F1"]
    subject_rows = [[vocab.uri(r["subject"]), vocab.label(r["subject"]), str(int(counts[r["subject"]])),
                     str(r["support"]), str(r["true_positives"]), str(r["false_positives"]),
                     str(r["false_negatives"]), f"{r['precision']:.4f}", f"{r['recall']:.4f}", f"{r['f1']:.4f}"]
                    for r in subjects]
    band_head = ["Band", "Subjects", "Support", "Suggested", "TP", "Precision", "Recall"]
    band_rows = [[b.name, str(b.subjects), str(b.support), str(b.suggested), str(b.true_positives),
                  f"{b.precision:.4f}", f"{b.recall:.4f}"] for b in bands]
    metric_rows = [[k, _fmt(v)] for k, v in result.metrics.items()]
    title = f"Evaluation of {project.project_id} ({project.config.backend}, version {project.version})"
    setting = (f"{result.report.summary()}; limit {limit}, threshold {threshold}; label frequencies from the "
               f"{source} set ({result.frequencies.n_docs} documents)")

    md = [f"# {title}", "", setting, "", "## Metrics", "", *_md_table(["Metric", "Value"], metric_rows), "",
          "## Plots", "", *(f"![{p.stem}]({p.name})" for p in images), "",
          "## Frequency bands", "", *_md_table(band_head, band_rows), "",
          f"## Per subject ({len(subject_rows)} subjects gold or suggested)", "",
          *_md_table(subject_head, [[r[0], r[1].replace("|", "\\|"), *r[2:]] for r in subject_rows]), ""]
    md_path = out / "report.md"
    md_path.write_text("\n".join(md), encoding="utf-8")

    body = [f"<h1>{html.escape(title)}</h1>", f"<p>{html.escape(setting)}</p>",
            "<h2>Metrics</h2>", _html_table(["Metric", "Value"], metric_rows),
            "<h2>Plots</h2>", *(f'<img src="{p.name}" alt="{p.stem}">' for p in images),
            "<h2>Frequency bands</h2>", _html_table(band_head, band_rows),
            f"<h2>Per subject ({len(subject_rows)} subjects gold or suggested)</h2>",
            _html_table(subject_head, subject_rows)]
    page = ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;margin:2em}}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}"
            "img{max-width:32%;margin-right:1%}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
    html_path = out / "report.html"
    html_path.write_text(page, encoding="utf-8")
    (out / "metrics.json").write_text(json.dumps(result.metrics, indent=1), encoding="utf-8")
    return [md_path, html_path, out / "metrics.json", *images]


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head), *("| " + " | ".join(r) + " |" for r in rows)]


def _html_table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>"

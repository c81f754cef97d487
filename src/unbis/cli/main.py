"""The `unbis` command line: a thin layer over unbis.service."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from unbis.cli import feedback_cmd, projects_cmd, serve_cmd
from unbis.cli.progress import err_console, progress_bar
from unbis.cli.vocab_cmd import app as vocab_app
from unbis.errors import UnbisError
from unbis.textnorm import require_words

if TYPE_CHECKING:
    from unbis.project import Project

# Start-up time: `unbis --help` must answer at once, so this module imports only typer and rich. The
# service layer (numpy, scipy, scikit-learn, the backends) is imported inside the commands that use it.

app = typer.Typer(
    help="UNBIS Indexer: suggest UNBIS Thesaurus descriptors for UN documents in six languages.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(vocab_app, name="vocab")
app.add_typer(feedback_cmd.app, name="feedback")
app.command("serve")(serve_cmd.serve)
app.command("learn")(feedback_cmd.learn)
app.command("projects")(projects_cmd.projects)
app.command("show")(projects_cmd.show)
app.command("export")(projects_cmd.export)
app.command("import")(projects_cmd.import_)

ProjectArg = Annotated[Path, typer.Argument(
    help="Project directory (created by `unbis train`), or @unbis for the bundled zero-shot UNBIS project.")]
CorpusArg = Annotated[list[Path], typer.Argument(help="Corpus files or directories (input format, TSV, JSONL, .gz).")]
LimitOpt = Annotated[int, typer.Option("--limit", "-l", min=1, help="Number of suggestions per document.")]
IncludeOpt = Annotated[list[str] | None, typer.Option(
    "--include", help="Only subjects matching KIND:VALUE (domain:17, mt:17.04.00, collection:URI, scheme:URI, "
    "type:URI, uri:PATTERN; values joined by |); repeatable.")]
ExcludeOpt = Annotated[list[str] | None, typer.Option(
    "--exclude", help="No subject matching KIND:VALUE (as --include; applied after it); repeatable.")]


def _version(value: bool) -> None:
    if value:
        from unbis import __version__

        typer.echo(f"unbis {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every skipped document.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True)] = False,
) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s",
                        stream=sys.stderr)


@app.command()
def train(
    project_dir: ProjectArg,
    corpus: CorpusArg,
    vocab: Annotated[str | None, typer.Option(help="Vocabulary: SKOS/TSV/CSV path or 'unbis'.")] = None,
    language: Annotated[str | None, typer.Option(help="ar, zh, en, fr, ru, es or auto (default: detect).")] = None,
    backend: Annotated[str | None, typer.Option(help="Train one backend instead of the default pipeline.")] = None,
    param: Annotated[list[str] | None, typer.Option(help="backend.key=value hyperparameter (repeatable).")] = None,
    on_unknown: Annotated[str, typer.Option(help="Unknown labels: error, skip or add.")] = "skip",
    strict: Annotated[bool, typer.Option(help="Stop at the first bad document.")] = False,
    include: IncludeOpt = None,
    exclude: ExcludeOpt = None,
) -> None:
    """Train a project from labelled documents (written atomically: the old model stays until done).
    With --include/--exclude the project learns and suggests only that part of the vocabulary."""
    from unbis import service

    with progress_bar("training: reading") as advance:
        result = service.train(project_dir, corpus, vocab_spec=vocab, language=language, backend=backend,
                               params=param or [], on_unknown=on_unknown, strict=strict, progress=advance,
                               include=include or [], exclude=exclude or [])
    err_console.print(result.report.summary())
    err_console.print(
        f"trained {result.project.config.backend} ({result.language}) on {result.vocab_note} "
        f"in {result.seconds:.1f} s -> {project_dir}"
    )


@app.command()
def suggest(
    files: Annotated[list[str] | None, typer.Argument(
        help="Text files, or - for standard input (the default).", show_default=False)] = None,
    project: Annotated[Path | None, typer.Option(help="Project directory; default: bundled UNBIS.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", "-l", min=1, help="Number of suggestions per document "
                                              "[default: the project's, set by `unbis optimize`; else 10].")]
    = None,
    threshold: Annotated[float | None, typer.Option(help="Minimum score [default: the project's].")] = None,
    language: Annotated[str | None, typer.Option(help="Language of the labels shown.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    include: IncludeOpt = None,
    exclude: ExcludeOpt = None,
    as_one: Annotated[bool, typer.Option("--as-one", help="The files are language versions of one document: "
                                         "suggest from all of them together (each suggestion shows its score "
                                         "in every version).")] = False,
) -> None:
    """Suggest descriptors for documents. With one file: score, label, <uri> lines (JSON:
    {"suggestions": [...]}). With several: each file's lines under "Suggestions for FILE", as Annif
    prints them (JSON: [{"file": FILE, "suggestions": [...]}, ...]); a file that cannot be read is
    reported and the others still get their suggestions (exit status 2). With --as-one, one list for
    all the files (JSON: {"suggestions": [{..., "versions": {FILE: score}}]})."""
    from unbis import service

    paths = files or ["-"]
    proj = service.open_project(project)
    cut = proj.config.threshold if threshold is None else threshold  # what an empty list is explained by
    filtered = bool(include or exclude)
    if as_one:
        rows = service.suggest_as_one(proj, [(path, _read_text(path)) for path in paths], limit=limit,
                                      threshold=threshold, language=language, include=include or [],
                                      exclude=exclude or [])
        if as_json:
            typer.echo(json.dumps({"suggestions": rows}, ensure_ascii=False))
            return
        short = _short_names(paths)
        for row in rows:
            shares = "  ".join(f"{short[name]} {score:.2f}" for name, score in row["versions"].items())
            typer.echo(f"{_suggestion_line(row)}	{shares}")
        return
    if len(paths) == 1:
        text = _read_text(paths[0])
        [rows] = service.suggest_texts(proj, [text], limit=limit, threshold=threshold, language=language,
                                       include=include or [], exclude=exclude or [], names=[paths[0]])
        _note_if_empty(paths[0], rows, cut, filtered)
        if as_json:
            typer.echo(json.dumps({"suggestions": rows}, ensure_ascii=False))
            return
        for row in rows:
            typer.echo(_suggestion_line(row))
        return
    texts: dict[int, str] = {}
    errors: dict[int, str] = {}
    for i, path in enumerate(paths):
        try:
            texts[i] = require_words(_read_text(path), str(path))
            proj.check_languages([texts[i]], [str(path)])  # one foreign file is reported, the others indexed
        except UnbisError as exc:
            texts.pop(i, None)
            errors[i] = str(exc)
            err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
    order = sorted(texts)
    results = dict(zip(order, service.suggest_texts(proj, [texts[i] for i in order], limit=limit,
                                                    threshold=threshold, language=language, include=include or [],
                                                    exclude=exclude or []), strict=True))
    for i, rows in results.items():
        _note_if_empty(paths[i], rows, cut, filtered)
    if as_json:
        typer.echo(json.dumps([{"file": path, "error": errors[i]} if i in errors else
                               {"file": path, "suggestions": results[i]} for i, path in enumerate(paths)],
                              ensure_ascii=False))
    else:
        for i, path in enumerate(paths):
            if i in results:
                typer.echo(f"Suggestions for {path}")
                for row in results[i]:
                    typer.echo(_suggestion_line(row))
    if errors:
        raise typer.Exit(2)


def _note_if_empty(path: str, rows: list[dict], threshold: float, filtered: bool) -> None:
    """Say on standard error why a document got no suggestion: an empty list is never left unexplained
    (standard output keeps its shape for scripts)."""
    if rows:
        return
    why = [f"none scores at least the threshold {threshold:g}"] if threshold > 0 else []
    if filtered:
        why.append("none with evidence is kept by --include / --exclude")
    reason = " or ".join(why) if why else "no descriptor has any evidence in it"
    err_console.print(f"[yellow]note:[/yellow] {'standard input' if path == '-' else path}: no suggestion: "
                      f"{reason}", highlight=False, soft_wrap=True)


def _short_names(paths: list[str]) -> dict[str, str]:
    """Each path by its file name, or by its folder and file name where file names repeat (en/a.txt)."""
    names = [Path(p).name for p in paths]
    unique = len(set(names)) == len(names)
    return {p: n if unique else f"{Path(p).parent.name}/{n}" for p, n in zip(paths, names, strict=True)}


def _suggestion_line(row: dict) -> str:
    return f"{row['score']:.4f}\t{row['label']}\t<{row['uri']}>"


def _read_text(file: str) -> str:
    from unbis import service

    return sys.stdin.read() if file == "-" else service.read_text_file(Path(file))


@app.command()
def index(
    project_dir: ProjectArg,
    inputs: Annotated[list[Path], typer.Argument(help="Files or directories of documents.")],
    jsonl: Annotated[Path | None, typer.Option("--jsonl", help="Write JSON Lines here (the default format).")]
    = None,
    tsv: Annotated[Path | None, typer.Option("--tsv", help="Write Annif-style TSV: name, <uri>, label, score.")]
    = None,
    marc: Annotated[Path | None, typer.Option("--marc", help="Write MARC 21 records with 650 fields.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", "-l", min=1, help="Number of suggestions per document "
                                              "[default: the project's, set by `unbis optimize`; else 10].")]
    = None,
    threshold: Annotated[float | None, typer.Option(help="Minimum score [default: the project's].")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes [default: all cores].")]
    = None,
    force: Annotated[bool, typer.Option("--force", help="Redo from scratch instead of resuming.")] = False,
    errors: Annotated[Path | None, typer.Option(help="Errors file [default: OUT.errors].")] = None,
    dask: Annotated[str | None, typer.Option(help="Run on a Dask cluster: tcp://HOST:8786, or 'local'.")] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Documents per batch (one atomic append).")] = 64,
) -> None:
    """Suggest for every document, in parallel, into one output file (resumable: rerun to continue)."""
    from unbis import service
    from unbis.batch import count_documents
    from unbis.batch.progress import eta_bar

    outputs = [(fmt, path) for fmt, path in (("jsonl", jsonl), ("tsv", tsv), ("marc", marc)) if path]
    if len(outputs) != 1:
        raise UnbisError("give exactly one output: --jsonl OUT, --tsv OUT or --marc OUT")
    [(fmt, out)] = outputs
    proj = service.open_project(project_dir)
    total = count_documents(inputs)
    try:
        with eta_bar(err_console, "indexing", total) as advance:
            result = service.index_files(proj, inputs, out, fmt=fmt, limit=limit, threshold=threshold, jobs=jobs,
                                         batch_size=batch_size, force=force, errors=errors, dask=dask,
                                         progress=advance, total=total)
    except KeyboardInterrupt:
        err_console.print(f"interrupted: what was written to {out} is kept; rerun the same command to continue")
        raise typer.Exit(130) from None
    err_console.print(result.report.summary())
    err_console.print(result.line())


@app.command("eval")
def eval_(
    project_dir: ProjectArg,
    corpus: CorpusArg,
    limit: LimitOpt = 10,
    threshold: Annotated[float, typer.Option(help="Minimum score for a suggestion to count.")] = 0.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    results_file: Annotated[Path | None, typer.Option(help="Write a per-subject TSV report here.")] = None,
    confidence: Annotated[bool, typer.Option(
        "--confidence", help="Add 95% bootstrap intervals over documents for f1@5 and ndcg "
        "(JSON key confidence_95).")] = False,
    report: Annotated[Path | None, typer.Option(
        "--report", help="Write report.md and report.html with the per-subject table and PNG plots here.")] = None,
    propensity_a: Annotated[float, typer.Option(help="A of the propensity model (Jain et al. 2016).")] = 0.55,
    propensity_b: Annotated[float, typer.Option(help="B of the propensity model.")] = 1.5,
) -> None:
    """Evaluate a project against labelled documents, with Annif's metric definitions, plus P/R/F1 at
    10/15/20 and propensity-scored P@k and nDCG@k (label frequencies of the training corpus when known)."""
    from unbis import service

    proj = service.open_project(project_dir)
    with progress_bar("evaluating") as advance:
        result = service.evaluate(proj, corpus, limit=limit, threshold=threshold, progress=advance,
                                  confidence=confidence, propensity_a=propensity_a, propensity_b=propensity_b)
    err_console.print(result.report.summary())
    if results_file:
        _write_per_subject(results_file, result.per_subject, proj)
    if report:
        from unbis.evaluation.report import write_report

        written = write_report(report, result, proj, limit=limit, threshold=threshold)
        err_console.print(f"report: {', '.join(str(p) for p in written)}")
    if as_json:
        extra = {"confidence_95": result.confidence} if result.confidence is not None else {}
        typer.echo(json.dumps({**result.metrics, **extra}))
        return
    for key, value in result.metrics.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        interval = (result.confidence or {}).get(key)
        ci = f"  (95% interval {interval[0]:.4f}-{interval[1]:.4f})" if interval else ""
        typer.echo(f"{key:<28}{value:.4f}{ci}" if isinstance(value, float) else f"{key:<28}{value}")


@app.command()
def optimize(project_dir: ProjectArg, corpus: CorpusArg) -> None:
    """Find the limit and threshold that maximise F1 on labelled documents and store them with the model."""
    from unbis import service

    if service.is_bundled(project_dir):  # refused before the bundled project is loaded
        raise UnbisError(service.OPTIMIZE_BUNDLED)
    proj = service.open_project(project_dir)
    best, report = service.optimize(proj, corpus)
    err_console.print(report.summary())
    typer.echo(json.dumps(best))


def _write_per_subject(path: Path, rows: list[dict], proj: Project) -> None:
    """Annif's ``--results-file`` TSV, so existing scripts read ours unchanged."""
    from unbis.evaluation.batch import results_file_lines

    n = len(proj.vocab)
    lines = results_file_lines(rows, [proj.vocab.uri(i) for i in range(n)], [proj.vocab.label(i) for i in range(n)])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run() -> None:
    """Entry point with clean errors: a message and exit 2 for bad input (click handles Ctrl-C)."""
    try:
        app()
    except UnbisError as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise SystemExit(2) from None

"""`unbis feedback export` and `unbis learn`: indexers' decisions back into training."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from unbis.cli.progress import err_console, progress_bar
from unbis.errors import InputError
from unbis.feedback import FeedbackStore, default_db_path

app = typer.Typer(help="Indexers' decisions stored by `unbis serve`.", no_args_is_help=True)
FEEDBACK_DIR = "feedback-corpus"
DbOpt = Annotated[Path | None, typer.Option(
    "--db", help="Feedback SQLite file [default: $UNBIS_FEEDBACK_DB or ~/.local/share/unbis/feedback.sqlite3].")]


def _store(db: Path | None) -> FeedbackStore:
    path = db or default_db_path()
    if not path.exists():
        raise InputError(f"{path}: no feedback database (start `unbis serve` and record decisions first)")
    return FeedbackStore(path)


@app.command("export")
def export(
    project: Annotated[str, typer.Argument(help="Project id as served (e.g. 'unbis' or a directory name).")],
    out_dir: Annotated[Path, typer.Argument(help="Directory to write documents into (input format).")],
    db: DbOpt = None,
) -> None:
    """Write the accepted feedback of a project as a corpus in the input format (one .txt per document)."""
    n = _store(db).export_input_format(project, out_dir)
    err_console.print(f"wrote {n} documents with accepted subjects to {out_dir}")


def learn(
    project_dir: Annotated[Path, typer.Argument(help="A trained project directory (served under its name).")],
    db: DbOpt = None,
    project_id: Annotated[str | None, typer.Option(
        "--project-id", help="Id the feedback was recorded under [default: the directory name].")] = None,
) -> None:
    """Retrain a project from its original corpus plus the accepted feedback (a running server reloads it)."""
    from unbis import service  # imported here: `unbis --help` must not pay for numpy and scikit-learn
    from unbis.project.atomic import current_version

    project = service.open_project(project_dir)
    pid = project_id or project_dir.name
    store = _store(db)
    feedback_dir = project_dir / FEEDBACK_DIR
    training: dict[str, Any] = project.manifest.training if project.manifest else {}
    original = [Path(p) for p in training.get("corpus", []) if Path(p).resolve() != feedback_dir.resolve()]
    missing = [str(p) for p in original if not p.exists()]
    if missing:
        raise InputError(f"{project_dir}: the original training corpus is gone: {', '.join(missing)}")
    # The feedback corpus lives inside the project so the manifest can name it for the next `learn`.
    staging = Path(tempfile.mkdtemp(prefix=".feedback-", dir=project_dir))
    try:
        n = store.export_input_format(pid, staging)
        if n == 0:
            raise InputError(f"no accepted feedback for project {pid!r} in {store.path}")
        shutil.rmtree(feedback_dir, ignore_errors=True)
        staging.rename(feedback_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    version = current_version(project_dir)
    with tempfile.TemporaryDirectory() as tmp:
        # A copy: the current version directory may be pruned once the new one is published.
        vocab_copy = Path(tmp) / "vocab.json.gz"
        if version is not None:
            shutil.copy(version / "vocab.json.gz", vocab_copy)
        params = [f"{k}={v}" for k, v in project.config.params.items()
                  if isinstance(v, str | int | float | bool)]
        with progress_bar("learning: reading") as advance:
            result = service.train(
                project_dir, [*original, feedback_dir], vocab_spec=str(vocab_copy) if version else None,
                language=project.config.language, backend=project.config.backend, params=params,
                progress=advance,
            )
    err_console.print(result.report.summary())
    err_console.print(f"retrained {project_dir} on {len(original)} original corpus path(s) and {n} feedback "
                      f"document(s) in {result.seconds:.1f} s -> version {result.project.version}")

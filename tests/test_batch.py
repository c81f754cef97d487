"""Batch indexing: resume after interruption (raised and kill -9), the errors file, TSV and MARC output,
worker processes and a Dask LocalCluster giving the same results as a run in this process."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from run_cli import unbis
from unbis import service
from unbis.batch import IndexSummary, errors_path_for, journal_path, run_index
from unbis.batch.executors import DaskExecutor, InlineExecutor, PoolExecutor
from unbis.batch.results import Item
from unbis.batch.workers import ProjectRef
from unbis.corpus import read_documents
from unbis.errors import InputError
from unbis.project import Project

POISON = "POISON-PILL-FOR-TESTS"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, eurlex_train: Path, eurlex_vocab: Path) -> Project:
    out = tmp_path_factory.mktemp("batch") / "proj"
    return service.train(out, [eurlex_train], vocab_spec=str(eurlex_vocab), language="en",
                         backend="tfidf").project


@pytest.fixture()
def docs(tmp_path: Path, eurlex_train: Path, eurlex_validation: Path) -> Path:
    """40 real documents in a tree of two folders (names unique)."""
    root = tmp_path / "docs"
    for sub, src in (("a", eurlex_train), ("b/deep", eurlex_validation)):
        shutil.copytree(src, root / sub)
    return root


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def reference(project: Project, docs: Path, tmp_path: Path, limit: int = 5) -> list[dict[str, Any]]:
    out = tmp_path / "reference.jsonl"
    run_index(project, [docs], out, limit=limit, jobs=1, batch_size=7)
    return jsonl(out)


# -- output contract ---------------------------------------------------------------------------
def test_jsonl_contract_and_same_as_suggesting_each_document(project: Project, docs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    summary = run_index(project, [docs], out, limit=4, jobs=1, batch_size=8)
    lines = jsonl(out)
    assert summary.written == len(lines) == 40 and summary.failed == 0
    assert {line["document"] for line in lines} == {p.name for p in docs.rglob("*.txt")}
    for line in lines:
        assert set(line) == {"document", "suggestions", "source"}
        scores = [s["score"] for s in line["suggestions"]]
        assert 0 < len(scores) <= 4 and scores == sorted(scores, reverse=True)
        assert all(set(s) == {"uri", "label", "score"} for s in line["suggestions"])
    # The same as suggesting for each document alone, in reading order.
    alone = [{"document": doc.name, "suggestions": [s.as_json() for s in project.suggest([doc.text], limit=4)[0]],
              "source": doc.source} for doc in read_documents([docs], None, labelled=False)]
    assert alone == lines


def test_tsv_is_annif_suggestion_lines_with_the_document(project: Project, docs: Path, tmp_path: Path) -> None:
    expected = reference(project, docs, tmp_path, limit=3)
    out = tmp_path / "out.tsv"
    run_index(project, [docs], out, fmt="tsv", limit=3, jobs=1)
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    assert all(len(row) == 4 and row[1].startswith("<") and row[1].endswith(">") for row in rows)
    want = [[d["document"], f"<{s['uri']}>", s["label"], f"{s['score']:.6f}"]
            for d in expected for s in d["suggestions"]]
    assert rows == want


def test_marc_parses_back_with_pymarc(project: Project, docs: Path, tmp_path: Path) -> None:
    from pymarc import MARCReader

    expected = reference(project, docs, tmp_path)
    out = tmp_path / "out.mrc"
    run_index(project, [docs], out, fmt="marc", limit=5, jobs=1, batch_size=6)
    with out.open("rb") as fh:
        records = list(MARCReader(fh, to_unicode=True, force_utf8=True))
    assert len(records) == len(expected) and all(r is not None for r in records)
    for record, doc in zip(records, expected, strict=True):
        assert record["001"].data == doc["document"]
        subjects = record.get_fields("650")
        assert [(f["a"], f["0"]) for f in subjects] == [(s["label"], s["uri"]) for s in doc["suggestions"]]
        assert all(f.indicators[1] == "7" and f["2"] == "eurovoc-vocab" for f in subjects)
        scores = [float(f["c"]) for f in record.get_fields("883")]
        assert scores == pytest.approx([s["score"] for s in doc["suggestions"]], abs=1e-6)
        assert [f["8"] for f in record.get_fields("883")] == [f["8"] for f in subjects]


# -- errors ------------------------------------------------------------------------------------
class PoisonProject(Project):
    """The real project, except that suggesting for a text carrying ``POISON`` raises (fault injection)."""

    def suggest(self, texts: Sequence[str], *args: Any, **kwargs: Any) -> Any:
        if any(POISON in t for t in texts):
            raise RuntimeError("model exploded on this text")
        return super().suggest(texts, *args, **kwargs)


def test_failed_documents_go_to_the_errors_file_and_the_run_goes_on(
    project: Project, docs: Path, tmp_path: Path
) -> None:
    (docs / "latin1.txt").write_bytes("Résolution sur la paix".encode("latin-1"))
    (docs / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    (docs / "blank.txt").write_text("  \n\n", encoding="utf-8")
    (docs / "numbers.txt").write_text("S/2001/1373 (2001) 4385", encoding="utf-8")
    (docs / "poison.txt").write_text(f"The Council decides on trade. {POISON}", encoding="utf-8")
    poisoned = PoisonProject(project.config, project.vocab, project.backend, project.path, project.manifest)
    out = tmp_path / "out.jsonl"
    summary = run_index(poisoned, [docs], out, limit=3, jobs=1, batch_size=5)
    errors = jsonl(errors_path_for(out))
    by_name = {e["document"]: e for e in errors}
    assert set(by_name) == {"latin1.txt", "binary.txt", "blank.txt", "numbers.txt", "poison.txt"}
    assert by_name["latin1.txt"]["reason"] == "invalid utf-8"
    assert by_name["binary.txt"]["reason"] == "binary"
    assert by_name["blank.txt"]["reason"] == "empty text"
    assert by_name["numbers.txt"]["message"] == "no words (only digits and signs)"
    assert by_name["poison.txt"]["reason"] == "suggest failed"
    assert "model exploded" in by_name["poison.txt"]["message"]
    assert by_name["latin1.txt"]["source"].endswith("latin1.txt:1")
    # The poison's batch-mates were indexed all the same.
    assert summary.written == 40 and summary.failed == 5
    assert len(jsonl(out)) == 40
    assert "indexed 40, failed 5" in summary.line()
    # A rerun neither redoes nor re-reports anything.
    again = run_index(poisoned, [docs], out, limit=3, jobs=1, batch_size=5)
    assert (again.written, again.failed, again.already_done) == (0, 0, 41)
    assert len(jsonl(errors_path_for(out))) == 5


# -- resuming ----------------------------------------------------------------------------------
class InterruptAfter(InlineExecutor):
    """Suggests for real, but Ctrl-C strikes after ``n`` batches (a raise mid-run)."""

    def __init__(self, project: Project, limit: int, n: int) -> None:
        super().__init__(project, limit, None)
        self.left = n

    def submit(self, items: list[Item]) -> Any:
        if self.left == 0:
            raise KeyboardInterrupt
        self.left -= 1
        return super().submit(items)


def test_resume_after_ctrl_c_and_a_torn_write(project: Project, docs: Path, tmp_path: Path) -> None:
    expected = reference(project, docs, tmp_path)
    out = tmp_path / "out.jsonl"
    with pytest.raises(KeyboardInterrupt):
        run_index(project, [docs], out, limit=5, batch_size=7, executor=InterruptAfter(project, 5, 3))
    assert jsonl(out) == expected[:14]  # 3 batches submitted, 2 committed, the one in flight dropped
    # A crash in the middle of the next append: half a line in the output and in the journal.
    with out.open("ab") as fh:
        fh.write(b'{"document": "half')
    with journal_path(out).open("ab") as fh:
        fh.write(b'{"out": 99999, "err"')
    summary = run_index(project, [docs], out, limit=5, jobs=1, batch_size=7)
    assert summary.resumed and summary.already_done == 14 and summary.written == 26
    assert jsonl(out) == expected


CHILD = """
import sys, time
from pathlib import Path
from unbis import service
from unbis.batch import run_index
project = service.open_project(Path(sys.argv[1]))
# Slow each batch down so that the parent can kill the run in the middle.
run_index(project, [Path(sys.argv[2])], Path(sys.argv[3]), limit=5, jobs=1, batch_size=2,
          progress=lambda n: time.sleep(0.15))
"""


def test_resume_after_kill_9(project: Project, docs: Path, tmp_path: Path) -> None:
    expected = reference(project, docs, tmp_path)
    out = tmp_path / "killed.jsonl"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(project.path), str(docs), str(out)])
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and child.poll() is None:
            if journal_path(out).exists() and journal_path(out).read_bytes().count(b"\n") >= 4:
                break
            time.sleep(0.05)
        assert child.poll() is None, "the child finished before it could be killed"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    partial = jsonl(out)  # every line complete
    assert 6 <= len(partial) < 40 and partial == expected[:len(partial)]
    summary = run_index(project, [docs], out, limit=5, jobs=1, batch_size=2)
    assert summary.already_done == len(partial) and summary.written == 40 - len(partial)
    assert jsonl(out) == expected


def test_other_settings_are_refused_and_force_redoes(project: Project, docs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    run_index(project, [docs], out, limit=5, jobs=1)
    with pytest.raises(InputError, match=r"limit: 5 -> 3.*--force"):
        run_index(project, [docs], out, limit=3, jobs=1)
    summary = run_index(project, [docs], out, limit=3, jobs=1, force=True)
    assert summary.written == 40 and not summary.resumed
    assert all(len(line["suggestions"]) == 3 for line in jsonl(out))


def test_a_foreign_output_file_is_not_overwritten(project: Project, docs: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine.jsonl"
    out.write_text("precious\n", encoding="utf-8")
    with pytest.raises(InputError, match="mine.jsonl exists.*--force"):
        run_index(project, [docs], out, jobs=1)
    assert out.read_text(encoding="utf-8") == "precious\n"


# -- parallel ----------------------------------------------------------------------------------
def test_worker_processes_give_the_local_results(project: Project, docs: Path, tmp_path: Path) -> None:
    expected = reference(project, docs, tmp_path)
    out = tmp_path / "pool.jsonl"
    summary: IndexSummary = run_index(project, [docs], out, limit=5, jobs=2, batch_size=7)
    assert summary.written == 40
    assert jsonl(out) == expected


def _blas_threads() -> int:
    from threadpoolctl import threadpool_info

    return max(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas")


def test_each_worker_process_runs_blas_on_one_thread(project: Project) -> None:
    """A worker per core, each starting a BLAS thread per core, oversubscribes the machine."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=2, user_api="blas"):  # what the workers would inherit
        assert _blas_threads() == 2
        executor = PoolExecutor(project, jobs=2, limit=5, threshold=None)
        try:
            assert {executor.pool.submit(_blas_threads).result() for _ in range(4)} == {1}
        finally:
            executor.close()


def test_dask_local_cluster_gives_the_local_results(project: Project, docs: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    expected = reference(project, docs, tmp_path)
    out = tmp_path / "dask.jsonl"
    executor = DaskExecutor("local", ProjectRef.of(project), 5, None,
                            cluster_options={"n_workers": 1, "processes": False})
    summary = run_index(project, [docs], out, limit=5, batch_size=7, executor=executor)
    assert summary.written == 40
    assert jsonl(out) == expected


# -- the command line --------------------------------------------------------------------------


def test_cli_tsv_with_workers_then_resume(project: Project, docs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.tsv"
    args = ("index", str(project.path), str(docs), "--tsv", str(out), "--limit", "2", "--jobs", "2",
            "--batch-size", "8")
    first = unbis(*args)
    assert first.returncode == 0, first.stderr
    assert "indexed 40, failed 0" in first.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 80
    again = unbis(*args)
    assert again.returncode == 0, again.stderr
    assert "indexed 0, failed 0, already done 40 (resumed)" in again.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 80


def test_default_pipeline_with_forked_workers_gives_the_local_results(
    tmp_path: Path, eurlex_train: Path, eurlex_vocab: Path, docs: Path,
) -> None:
    """The learned ensemble (LightGBM, OpenMP) in forked workers: they once hung for ever in libgomp
    because loading the model had started its thread pool in the parent. A child process with a
    timeout turns a hang into a failure."""
    project_dir = tmp_path / "ensemble"
    trained = unbis("train", str(project_dir), str(eurlex_train), "--vocab", str(eurlex_vocab), "--language", "en",
                    "--param", "ensemble.folds=3")
    assert trained.returncode == 0, trained.stderr
    assert json.loads((project_dir / "current" / "manifest.json").read_text())["backend"] == "ensemble"
    results = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"j{jobs}.jsonl"
        done = unbis("index", str(project_dir), str(docs), "--jsonl", str(out), "--jobs", jobs, "--batch-size", "6")
        assert done.returncode == 0, done.stderr
        results[jobs] = jsonl(out)
    assert len(results["2"]) == 40 and all(line["suggestions"] for line in results["2"])
    assert results["2"] == results["1"]


def test_cli_wants_exactly_one_output(project: Project, docs: Path, tmp_path: Path) -> None:
    result = unbis("index", str(project.path), str(docs), "--jsonl", str(tmp_path / "a"), "--marc",
                   str(tmp_path / "b"))
    assert result.returncode == 2
    assert "exactly one output" in result.stderr


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_cli_ctrl_c_with_workers_keeps_whole_batches_and_resumes(
    project: Project, docs: Path, tmp_path: Path
) -> None:
    many = tmp_path / "many"
    for i in range(6):  # 240 documents: long enough to interrupt
        shutil.copytree(docs, many / f"copy{i}")
    out = tmp_path / "out.jsonl"
    args = ["index", str(project.path), str(many), "--jsonl", str(out), "--jobs", "2", "--batch-size", "4"]
    code = "from unbis.cli.main import run; run()"
    # SIGINT as a terminal's user has it: a test run from a background job (``pytest &``) would hand the
    # child an ignored SIGINT, which Python and ``unbis index`` rightly leave ignored.
    child = subprocess.Popen([sys.executable, "-c", code, *args], stderr=subprocess.PIPE, text=True,
                             start_new_session=True, preexec_fn=_default_sigint)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and child.poll() is None:
            if journal_path(out).exists() and journal_path(out).read_bytes().count(b"\n") >= 3:
                break
            time.sleep(0.02)
        assert child.poll() is None, "the run finished before it could be interrupted"
        child.send_signal(signal.SIGINT)
        _, stderr = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130, stderr
    assert "rerun the same command to continue" in stderr
    done = jsonl(out)
    assert 0 < len(done) < 240 and len(done) % 4 == 0
    result = unbis(*args)
    assert result.returncode == 0, result.stderr
    names = [(line["document"], line["suggestions"][0]["uri"]) for line in jsonl(out)]
    assert len(names) == 240 and jsonl(out)[:len(done)] == done

"""The indexer's toolbox on the command line: eval's new keys and report, projects, show, export/import,
suggest of several files."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from run_cli import unbis

NEW_EVAL_KEYS = {"p@10", "r@10", "f1@10", "p@15", "r@15", "f1@15", "p@20", "r@20", "f1@20",
                 "psp@1", "psp@3", "psp@5", "psp@10", "psndcg@3", "psndcg@5", "psndcg@10", "propensity"}
CONTRACT = {"p@1", "p@3", "p@5", "r@5", "f1@5", "ndcg", "ndcg@5", "ndcg@10", "docs"}




@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory, eurlex_train: Path, eurlex_vocab: Path) -> Path:
    root = tmp_path_factory.mktemp("toolbox") / "runs"
    result = unbis("train", str(root / "eurlex"), str(eurlex_train), "--vocab", str(eurlex_vocab),
                   "--language", "en", "--backend", "tfidf")
    assert result.returncode == 0, result.stderr
    return root


def test_eval_json_adds_the_fields_metrics_and_keeps_the_contract(projects: Path, eurlex_validation: Path) -> None:
    result = unbis("eval", str(projects / "eurlex"), str(eurlex_validation), "--json")
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert set(metrics) >= CONTRACT | NEW_EVAL_KEYS
    # frequencies from the training corpus the project recorded (30 documents)
    assert metrics["propensity"] == {"A": 0.55, "B": 1.5, "frequencies": "training", "documents": 30}
    assert metrics["r@20"] >= metrics["r@15"] >= metrics["r@10"] >= metrics["r@5"]
    assert all(0 <= metrics[k] <= 1 for k in NEW_EVAL_KEYS - {"propensity"})
    other = json.loads(unbis("eval", str(projects / "eurlex"), str(eurlex_validation), "--json",
                             "--propensity-a", "1.5").stdout)
    assert other["propensity"]["A"] == 1.5 and other["psp@5"] != metrics["psp@5"]
    assert {k: other[k] for k in CONTRACT} == {k: metrics[k] for k in CONTRACT}


def test_eval_report_writes_markdown_html_and_plots(projects: Path, eurlex_validation: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = unbis("eval", str(projects / "eurlex"), str(eurlex_validation), "--report", str(out))
    assert result.returncode == 0, result.stderr
    for name in ("threshold.png", "scores.png", "frequency.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = (out / "report.md").read_text(encoding="utf-8")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "## Per subject" in md and "psndcg@5" in md and "![threshold](threshold.png)" in md
    assert '<img src="frequency.png"' in page and "<table>" in page
    # the per-subject table holds every subject that is gold in the evaluation set
    support_rows = [line for line in md.split("## Per subject")[1].splitlines()
                    if line.startswith("| http") and line.split(" | ")[3] != "0"]
    gold = {label for p in eurlex_validation.glob("*.txt")
            for label in p.read_text(encoding="utf-8").splitlines()[0].removeprefix("%%%").split("|") if label}
    assert len(support_rows) == len(gold)


# -- projects, show, export, import -------------------------------------------------------------------
def test_projects_lists_id_backend_version_and_last_evaluation(projects: Path, eurlex_validation: Path) -> None:
    assert unbis("eval", str(projects / "eurlex"), str(eurlex_validation)).returncode == 0
    result = unbis("projects", str(projects), "--json")
    assert result.returncode == 0, result.stderr
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    assert rows["unbis"]["backend"] == "zeroshot" and len(rows["unbis"]["languages"]) == 6
    ours = rows["eurlex"]
    assert ours["backend"] == "tfidf" and ours["language"] == "en" and ours["languages"] == ["en"]
    assert ours["vocabulary"]["size"] > 100 and ours["version"] == (projects / "eurlex" / "current").resolve().name
    assert ours["trained"].startswith("20") and ours["evaluation"]["docs"] == 10
    assert 0 <= ours["evaluation"]["f1@5"] <= 1
    table = unbis("projects", str(projects)).stdout
    assert "eurlex" in table and "f1@5=" in table
    shown = json.loads(unbis("show", str(projects / "eurlex"), "--json").stdout)
    assert shown["params"] and shown["corpus"] and shown["versions"] == [ours["version"]]


def _suggest(project: Path, doc: Path) -> list[dict[str, object]]:
    result = unbis("suggest", str(doc), "--project", str(project), "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["suggestions"]  # type: ignore[no-any-return]


def test_export_then_import_gives_the_same_project(projects: Path, eurlex_validation: Path, tmp_path: Path) -> None:
    archive = tmp_path / "eurlex.tar.gz"
    result = unbis("export", str(projects / "eurlex"), str(archive))
    assert result.returncode == 0, result.stderr
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert names[0] == "unbis-archive.json" and names[1] == "version/manifest.json"
    elsewhere = tmp_path / "elsewhere"
    result = unbis("import", str(archive), str(elsewhere))
    assert result.returncode == 0, result.stderr
    doc = sorted(eurlex_validation.glob("*.txt"))[0]
    assert _suggest(elsewhere / "eurlex", doc) == _suggest(projects / "eurlex", doc)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["eurlex"]  # no staging left behind
    again = unbis("import", str(archive), str(elsewhere))
    assert again.returncode == 2 and "already has version" in again.stderr


def _rewrite(src: Path, dst: Path, change: Callable[[list[tuple[tarfile.TarInfo, bytes | None]]], None]) -> None:
    """Copy an archive member by member, letting ``change`` alter the list first."""
    with tarfile.open(src) as tar:
        members = [(m, tar.extractfile(m).read() if m.isfile() else None) for m in tar.getmembers()]  # type: ignore[union-attr]
    change(members)
    with tarfile.open(dst, "w:gz") as out:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            out.addfile(info, io.BytesIO(data) if data is not None else None)


def _meta(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> dict[str, object]:
    return json.loads(members[0][1] or b"")  # type: ignore[no-any-return]


def _set_meta(members: list[tuple[tarfile.TarInfo, bytes | None]], meta: dict[str, object]) -> None:
    members[0] = (members[0][0], json.dumps(meta).encode())


def _flip_model_byte(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> None:
    i = next(i for i, (m, _) in enumerate(members) if m.name.endswith("centroids.npz"))
    data = bytearray(members[i][1] or b"")
    data[len(data) // 2] ^= 0xFF
    members[i] = (members[i][0], bytes(data))


def _traversal(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> None:
    info = tarfile.TarInfo("version/../../escaped.txt")
    members.append((info, b"owned"))


def _symlink(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> None:
    meta = _meta(members)
    meta["files"]["model/link"] = {"size": 0, "sha256": "0" * 64}  # type: ignore[index]
    _set_meta(members, meta)
    info = tarfile.TarInfo("version/model/link")
    info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
    members.append((info, None))


def _bomb(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> None:
    meta = _meta(members)
    meta["files"]["model/zeros.bin"] = {"size": 20 * 1024**3, "sha256": "0" * 64}  # type: ignore[index]
    _set_meta(members, meta)


def _newer_format(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> None:
    meta = _meta(members)
    meta["format_version"] = 99
    _set_meta(members, meta)


def _manifest_not_first(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> None:
    members.append(members.pop(0))


@pytest.mark.parametrize(("change", "message"), [
    (_flip_model_byte, "checksum mismatch"),
    (_traversal, "unsafe member name"),
    (_symlink, "not a regular file"),
    (_bomb, "unpacks to"),
    (_newer_format, "retrain"),
    (_manifest_not_first, "first member must be"),
])
def test_import_refuses_altered_or_hostile_archives(
    projects: Path, tmp_path: Path, change: Callable[[list[tuple[tarfile.TarInfo, bytes | None]]], None], message: str,
) -> None:
    good = tmp_path / "good.tar.gz"
    assert unbis("export", str(projects / "eurlex"), str(good)).returncode == 0
    bad = tmp_path / "bad.tar.gz"
    _rewrite(good, bad, change)
    target = tmp_path / "target"
    target.mkdir()
    result = unbis("import", str(bad), str(target))
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "nothing was imported" in result.stderr
    assert list(target.iterdir()) == []  # never half-imported
    assert not (tmp_path / "escaped.txt").exists()


def test_import_refuses_a_file_that_is_no_archive(tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not gzip at all")
    result = unbis("import", str(junk), str(tmp_path / "target"))
    assert result.returncode == 2 and "not a gzipped tar archive" in result.stderr


# -- suggest with several files ---------------------------------------------------------------------
def test_suggest_several_files_prints_a_header_per_file_and_json_keyed_by_file(
    projects: Path, eurlex_validation: Path, tmp_path: Path,
) -> None:
    docs = sorted(eurlex_validation.glob("*.txt"))[:2]
    single = [_suggest(projects / "eurlex", d) for d in docs]
    result = unbis("suggest", *map(str, docs), "--project", str(projects / "eurlex"), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"file": str(d), "suggestions": s} for d, s in zip(docs, single, strict=True)]
    text = unbis("suggest", *map(str, docs), "--project", str(projects / "eurlex"), "--limit", "2").stdout
    lines = text.splitlines()
    assert lines[0] == f"Suggestions for {docs[0]}" and lines[3] == f"Suggestions for {docs[1]}"
    assert lines[1].split("\t")[2] == f"<{single[0][0]['uri']}>"
    # one unreadable file: reported, the others still answered, exit status 2
    broken = unbis("suggest", str(docs[0]), str(tmp_path / "missing.txt"), "--project", str(projects / "eurlex"),
                   "--json")
    assert broken.returncode == 2 and "missing.txt" in broken.stderr
    out = json.loads(broken.stdout)
    assert out[0]["suggestions"] == single[0] and "error" in out[1]


def test_import_stops_decompressing_at_the_cap(projects: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pax header of 2 MiB (the content is never listed anywhere) is refused by the byte cap, in process."""
    from unbis.errors import InputError
    from unbis.project import archive as arc

    good = tmp_path / "good.tar.gz"
    arc.export_project(projects / "eurlex", good)
    bomb = tmp_path / "bomb.tar.gz"

    def big_pax(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> None:
        members[0][0].pax_headers = {"comment": "x" * (2 * 1024 * 1024)}

    _rewrite(good, bomb, big_pax)
    monkeypatch.setattr(arc, "HEADER_SLACK", 1024 * 1024)
    monkeypatch.setattr(arc, "MAX_UNPACKED", 0)
    with pytest.raises(InputError, match="unpacks to more than"):
        arc.import_project(bomb, tmp_path / "target")
    assert list((tmp_path / "target").iterdir()) == []

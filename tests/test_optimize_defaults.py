"""`unbis optimize` publishes a new version (a running server reloads it; the old version is untouched, the
model files shared), and the stored limit/threshold are the defaults of the CLI, the REST API and the page
wherever the caller gives none."""

from __future__ import annotations

import json
import os
from pathlib import Path

from fastapi.testclient import TestClient

from run_cli import unbis
from unbis import service
from unbis.api.app import create_app
from unbis.project import Project
from unbis.project.atomic import current_version

EURLEX = Path(__file__).parent / "data" / "corpus" / "eurlex-en"
TEXT_FILE = EURLEX / "validation" / "32007R0458.txt"
TEXT = TEXT_FILE.read_text("utf-8").split("\n", 1)[1]




def test_optimize_publishes_and_stored_settings_are_the_defaults(tmp_path: Path) -> None:
    project = tmp_path / "eurlex"
    service.train(project, [EURLEX / "train"], vocab_spec=str(EURLEX / "eurovoc-vocab.tsv"), language="en",
                  backend="tfidf")
    before = current_version(project)
    assert before is not None
    app = create_app(tmp_path, tmp_path / "fb.sqlite3")
    with TestClient(app) as c:
        assert c.post("/api/projects/eurlex/suggest", data={"text": TEXT}).json()["model_version"] == before.name
        done = unbis("optimize", str(project), str(EURLEX / "validation"))
        assert done.returncode == 0, done.stderr
        best = json.loads(done.stdout)
        after = current_version(project)
        assert after is not None and after != before  # a new version, published
        old_config = json.loads((before / "project.json").read_text("utf-8"))
        assert (old_config["limit"], old_config["threshold"]) == (10, 0.0)  # the old version was not written into
        new_config = json.loads((after / "project.json").read_text("utf-8"))
        assert (new_config["limit"], new_config["threshold"]) == (best["limit"], best["threshold"])
        model_files = [p.relative_to(before) for p in (before / "model").rglob("*") if p.is_file()]
        assert model_files and all(os.path.samefile(before / f, after / f) for f in model_files)  # shared
        c.get("/v1/projects/eurlex")
        app.state.unbis.registry.wait_for_reloads()
        assert c.post("/api/projects/eurlex/suggest", data={"text": TEXT}).json()["model_version"] == after.name

        def store(limit: int, threshold: float) -> list[int]:
            """Store settings, let the server reload, and count the suggestions of each route."""
            Project.load(project).update_config(limit=limit, threshold=threshold)
            c.get("/v1/projects/eurlex")
            app.state.unbis.registry.wait_for_reloads()
            v1 = c.post("/v1/projects/eurlex/suggest", data={"text": TEXT}).json()["results"]
            assert all(r["score"] >= threshold for r in v1)
            rich = c.post("/api/projects/eurlex/suggest", data={"text": TEXT}).json()["suggestions"]
            batch = c.post("/v1/projects/eurlex/suggest-batch", json={"documents": [{"text": TEXT}]}).json()
            return [len(v1), len(rich), len(batch[0]["results"])]

        scores = [s.score for s in Project.load(project).suggest([TEXT], limit=3, threshold=0.0)[0]]
        threshold = round((scores[1] + scores[2]) / 2, 6)  # between the scores of ranks 2 and 3
        assert store(3, 0.0) == [3, 3, 3]  # the stored limit binds
        assert store(10, threshold) == [2, 2, 2]  # the stored threshold binds
        assert store(3, threshold) == [2, 2, 2]
        given = c.post("/v1/projects/eurlex/suggest", data={"text": TEXT, "limit": "5", "threshold": "0"}).json()
        assert len(given["results"]) == 5  # what the caller gives wins

    cli = unbis("suggest", str(TEXT_FILE), "--project", str(project), "--json")
    assert cli.returncode == 0, cli.stderr
    assert len(json.loads(cli.stdout)["suggestions"]) == 2
    out = tmp_path / "out.jsonl"
    indexed = unbis("index", str(project), str(EURLEX / "validation"), "--jsonl", str(out), "--jobs", "1")
    assert indexed.returncode == 0, indexed.stderr
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert rows and all(len(r["suggestions"]) <= 3 for r in rows) and any(len(r["suggestions"]) < 3 for r in rows)
    assert all(s["score"] >= threshold for r in rows for s in r["suggestions"])

"""REST API: every endpoint and error, Annif compatibility (PyPI's annif-client), schemathesis."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from live_server import live_server
from unbis import service
from unbis.api.app import create_app
from unbis.feedback import FeedbackStore

DATA = Path(__file__).parent / "data" / "corpus"
EURLEX = DATA / "eurlex-en"
SEED = DATA / "seed" / "000_c7475b1adc391e1b.txt"
MAX_BODY = 200_000
MAX_BATCH = 4


def seed_text() -> str:
    return SEED.read_text("utf-8").split("\n", 1)[1].strip()


def eurlex_text(name: str = "32007R0458.txt") -> str:
    return (EURLEX / "validation" / name).read_text("utf-8").split("\n", 1)[1].strip()


def train_eurlex(projects_dir: Path, corpus: Path = EURLEX / "train") -> None:
    service.train(projects_dir / "eurlex", [corpus], vocab_spec=str(EURLEX / "eurovoc-vocab.tsv"),
                  language="en", backend="tfidf")


@pytest.fixture(scope="module")
def projects_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("projects")
    train_eurlex(root)
    return root


@pytest.fixture(scope="module")
def feedback_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("feedback") / "feedback.sqlite3"


@pytest.fixture(scope="module")
def app(projects_dir: Path, feedback_db: Path):  # type: ignore[no-untyped-def]
    return create_app(projects_dir, feedback_db, max_body=MAX_BODY, max_batch=MAX_BATCH)


@pytest.fixture(scope="module")
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        yield c


def assert_problem(response, status: int, *words: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status and body["title"]
    for word in words:
        assert word in body["detail"], body["detail"]


# -- Annif-compatible /v1 ------------------------------------------------------------------------
def test_api_info(client: TestClient) -> None:
    body = client.get("/v1/").json()
    assert "Annif" in body["title"] and body["version"]


def test_list_and_show_projects(client: TestClient) -> None:
    projects = client.get("/v1/projects").json()["projects"]
    assert [p["project_id"] for p in projects] == ["unbis", "eurlex"]
    bundled = projects[0]
    assert bundled["backend"] == {"backend_id": "zeroshot"}
    assert bundled["vocab"]["languages"] == ["ar", "en", "es", "fr", "ru", "zh"]
    eurlex = client.get("/v1/projects/eurlex").json()
    assert eurlex["language"] == "en" and eurlex["backend"]["backend_id"] == "tfidf"
    assert eurlex["is_trained"] is True and eurlex["modification_time"].endswith("Z")


def test_unknown_project_is_404(client: TestClient) -> None:
    assert_problem(client.get("/v1/projects/nope"), 404, "nope")
    assert_problem(client.post("/v1/projects/nope/suggest", data={"text": "x"}), 404, "nope")
    assert_problem(client.post("/api/projects/nope/suggest", data={"text": "x"}), 404)


def test_project_id_cannot_leave_the_projects_dir(tmp_path: Path) -> None:
    """A trained project one level above the served directory: `..` (as %2E%2E, which the router passes
    as a project id) must not reach it. The id check is what stops it, so without it this answers 200."""
    service.train(tmp_path, [EURLEX / "train"], vocab_spec=str(EURLEX / "eurovoc-vocab.tsv"), language="en",
                  backend="tfidf")
    (tmp_path / "served").mkdir()
    with TestClient(create_app(tmp_path / "served", tmp_path / "fb.sqlite3")) as c:
        for path in ("/v1/projects/%2E%2E", "/v1/projects/%2E%2E/suggest", "/api/projects/%2E%2E/suggest"):
            r = c.get(path) if path.endswith("E") else c.post(path, data={"text": "fisheries"})
            assert_problem(r, 404, "'..'")
        assert_problem(c.post("/v1/projects/..%2F..%2Fetc/suggest", data={"text": "x"}), 404)


def test_vocabs(client: TestClient) -> None:
    vocabs = {v["vocab_id"]: v for v in client.get("/v1/vocabs").json()["vocabs"]}
    assert vocabs["unbis"]["size"] > 7000 and len(vocabs) == 2


def test_suggest_form(client: TestClient) -> None:
    r = client.post("/v1/projects/eurlex/suggest", data={"text": eurlex_text(), "limit": "3"})
    results = r.json()["results"]
    assert len(results) == 3
    assert set(results[0]) == {"uri", "label", "notation", "score"}
    assert results[0]["score"] >= results[1]["score"] >= results[2]["score"] > 0
    ten = client.post("/v1/projects/eurlex/suggest", data={"text": eurlex_text(), "limit": "10"}).json()["results"]
    cut = (ten[1]["score"] + ten[-1]["score"]) / 2  # keeps the top ones, drops the tail: neither list is empty
    high = client.post("/v1/projects/eurlex/suggest", data={"text": eurlex_text(), "threshold": str(cut)})
    kept = high.json()["results"]
    assert 2 <= len(kept) < len(ten) and all(row["score"] >= cut for row in kept)
    assert kept == [row for row in ten if row["score"] >= cut]


def test_suggest_label_language(client: TestClient) -> None:
    r = client.post("/v1/projects/unbis/suggest", data={"text": seed_text(), "language": "fr", "limit": 20})
    labels = [row["label"] for row in r.json()["results"]]
    assert "FRANCOPHONIE" in labels and "LANGUE FRANCAISE" in labels
    assert_problem(client.post("/v1/projects/unbis/suggest", data={"text": "peace", "language": "xx"}),
                   400, "xx")


def test_suggest_bad_input(client: TestClient) -> None:
    assert_problem(client.post("/v1/projects/unbis/suggest", data={"text": "  \n "}), 400, "empty text")
    # Digits and signs only: no word to index from, refused rather than answered with centuries.
    assert_problem(client.post("/v1/projects/unbis/suggest", data={"text": "57/43 - 1999-11-15 !!"}), 400,
                   "no words")
    assert_problem(client.post("/v1/projects/unbis/suggest", data={}), 400, "text")
    assert_problem(client.post("/v1/projects/unbis/suggest", data={"text": "a", "limit": "many"}), 400, "limit")
    assert_problem(client.post("/v1/projects/unbis/suggest", data={"text": "a", "threshold": "2"}), 400)


def test_a_document_in_another_language_is_a_400_naming_it(client: TestClient) -> None:
    """German is none of the six UN languages: refused with its name, not read as English (and in a batch
    the document's place is named)."""
    german = (Path(__file__).parent / "data" / "langid" / "32006D0213.de.txt").read_text(encoding="utf-8")
    assert_problem(client.post("/v1/projects/unbis/suggest", data={"text": german}), 400, "German")
    docs = {"documents": [{"text": "The Security Council condemns the attacks on peacekeepers."}, {"text": german}]}
    assert_problem(client.post("/v1/projects/unbis/suggest-batch", json=docs), 400, "document 2 of 2", "German")


def test_body_over_limit_is_413(client: TestClient) -> None:
    big = "peace " * (MAX_BODY // 5)
    assert_problem(client.post("/v1/projects/unbis/suggest", data={"text": big}), 413, str(MAX_BODY))

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
        for _ in range(50):
            yield b"x" * 10_000

    r = client.post("/v1/projects/unbis/suggest-batch", content=chunks(),
                    headers={"Content-Type": "application/json"})
    assert_problem(r, 413)


def test_suggest_batch(client: TestClient) -> None:
    docs = [{"text": eurlex_text(), "document_id": "a"}, {"text": eurlex_text("32008R1100.txt")}]
    r = client.post("/v1/projects/eurlex/suggest-batch?limit=2", json={"documents": docs})
    body = r.json()
    assert [b["document_id"] for b in body] == ["a", None]
    assert all(len(b["results"]) == 2 for b in body)
    single = client.post("/v1/projects/eurlex/suggest", data={"text": eurlex_text(), "limit": 2}).json()
    assert body[0]["results"] == single["results"]


def test_suggest_batch_errors(client: TestClient) -> None:
    url = "/v1/projects/eurlex/suggest-batch"
    too_many = {"documents": [{"text": "tax"}] * (MAX_BATCH + 1)}
    assert_problem(client.post(url, json=too_many), 400, "documents")
    bad_json = client.post(url, content=b'{"documents": [', headers={"Content-Type": "application/json"})
    assert_problem(bad_json, 400, "malformed JSON")
    assert_problem(client.post(url, json={"docs": []}), 400, "documents")
    assert_problem(client.post(url, json={"documents": [{"text": "tax"}, {"text": " "}]}), 400,
                   "documents[1].text", "empty text")
    assert client.post(url, json={"documents": []}).json() == []


def test_learn_stores_feedback(client: TestClient, feedback_db: Path) -> None:
    uri = "http://example.org/subject/3902a086d7379971"
    docs = [{"text": "cooperation with ACP countries", "subjects": [{"uri": uri, "label": "ACP countries"}],
             "metadata": {"document_id": "learn-1"}}]
    r = client.post("/v1/projects/eurlex/learn", json=docs)
    assert r.status_code == 204 and r.content == b""
    stored = [d for d in FeedbackStore(feedback_db).decisions("eurlex") if d.source == "learn"]
    assert [(d.uri, d.decision, d.label) for d in stored] == [(uri, "accepted", "ACP countries")]
    bad = [{"text": "cooperation", "subjects": [{"uri": "http://nowhere/1"}]}]
    assert_problem(client.post("/v1/projects/eurlex/learn", json=bad), 400, "http://nowhere/1")
    numbers = [{"text": "2001/1373", "subjects": [{"uri": uri}]}]
    assert_problem(client.post("/v1/projects/eurlex/learn", json=numbers), 400, "no words", "nothing to learn from")
    assert_problem(client.post("/v1/projects/nope/learn", json=[]), 404)


def test_detect_language(client: TestClient) -> None:
    r = client.post("/v1/detect-language", json={"text": "Le Conseil de sécurité décide", "languages": ["en", "fr"]})
    assert r.json()["results"][0] == {"language": "fr", "score": 1.0}


# -- richer /api ---------------------------------------------------------------------------------
def test_rich_suggest_bundled(client: TestClient) -> None:
    body = client.post("/api/projects/unbis/suggest", data={"text": seed_text(), "label_language": "en"}).json()
    assert body["model_version"] == "bundled" and body["language"] == "zh" and body["language_detected"]
    by_label = {s["labels"]["en"]: s for s in body["suggestions"]}
    franco = by_label["FRANCOPHONIE"]
    assert set(franco["labels"]) == {"ar", "zh", "en", "fr", "ru", "es"}
    assert franco["label"] == "FRANCOPHONIE" and franco["uri"].startswith("http://metadata.un.org/thesaurus/")
    assert [[g["code"] for g in chain] for chain in franco["paths"]] == [["15", "15.01.01"]]
    assert franco["paths"][0][0]["labels"]["en"] == "culture"
    assert franco["evidence"]
    for ev in franco["evidence"]:  # a span covers the label or one word of it (segmented Chinese)
        matched = body["text"][ev["start"]:ev["end"]].replace(" ", "")
        assert matched and matched in ev["label"].replace(" ", "") and ev["language"] == "zh"
    assert [s["rank"] for s in body["suggestions"]] == list(range(1, len(body["suggestions"]) + 1))


def test_rich_suggest_trained_project_has_fallback_evidence(client: TestClient) -> None:
    text = "Joint action on customs cooperation and the fight against drug traffic: an action programme."
    body = client.post("/api/projects/eurlex/suggest", data={"text": text, "language": "en"}).json()
    assert body["language"] == "en" and not body["language_detected"]
    assert body["model_version"] == client.get("/api/projects").json()[1]["version"]
    spans = [ev for s in body["suggestions"] for ev in s["evidence"]]
    assert spans and all(text[e["start"]:e["end"]].lower() == e["label"].lower() for e in spans)


def _docx_bytes(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf_bytes(text: str) -> bytes:
    """A one-page PDF with ``text`` in Helvetica, built by hand (xref offsets computed)."""
    stream = f"BT /F1 12 Tf 50 750 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.mark.parametrize(("name", "make"), [
    ("doc.txt", lambda t: t.encode("utf-8")),
    ("doc.html", lambda t: f"<html><head><style>p{{}}</style></head><body><p>{t}</p>"
                           "<script>var FRANCE=1</script></body></html>".encode()),
    ("doc.docx", _docx_bytes),
    ("doc.pdf", _pdf_bytes),
])
def test_rich_suggest_uploads(client: TestClient, name: str, make) -> None:  # type: ignore[no-untyped-def]
    text = "The Security Council discussed peacekeeping operations and refugees in Africa."
    r = client.post("/api/projects/unbis/suggest", files={"file": (name, make(text))}, data={"limit": "20"})
    body = r.json()
    assert r.status_code == 200, body
    assert body["filename"] == name and "peacekeeping operations" in body["text"]
    assert "var FRANCE" not in body["text"]
    labels = {s["labels"]["en"] for s in body["suggestions"]}
    assert {"PEACEKEEPING OPERATIONS", "REFUGEES"} <= labels


def test_rich_suggest_errors(client: TestClient) -> None:
    url = "/api/projects/unbis/suggest"
    assert_problem(client.post(url, files={"file": ("a.exe", b"MZ")}), 415, ".exe")
    assert_problem(client.post(url, files={"file": ("a.pdf", b"not a pdf")}), 400, "a.pdf")
    assert_problem(client.post(url, files={"file": ("a.docx", b"not a zip")}), 400, "a.docx")
    assert_problem(client.post(url, files={"file": ("a.txt", b"\xff\xfe\x00bad")}), 400, "UTF-8")
    assert_problem(client.post(url, files={"file": ("a.txt", b"   ")}), 400, "empty text")
    assert_problem(client.post(url, data={}), 400, "empty text")
    assert_problem(client.post(url, data={"text": "peace", "language": "tlh"}), 400, "tlh")
    assert_problem(client.post(url, data={"text": "peace", "label_language": "tlh"}), 400, "tlh")


def test_concept_autocomplete(client: TestClient) -> None:
    hits = client.get("/api/projects/unbis/concepts", params={"q": "francoph", "label_language": "ar"}).json()
    assert hits[0]["labels"]["en"] == "FRANCOPHONIE" and hits[0]["label"] == "الفرانكوفونية"
    ru = client.get("/api/projects/unbis/concepts", params={"q": "Франкоф", "language": "ru"}).json()
    assert ru[0]["uri"] == hits[0]["uri"]
    assert_problem(client.get("/api/projects/unbis/concepts", params={"q": ""}), 400, "q")


def test_documents_and_feedback(client: TestClient, feedback_db: Path) -> None:
    doc_id = client.post("/api/documents", json={"text": "Some text", "name": "n.txt"}).json()["document_id"]
    assert client.post("/api/documents", json={"text": "Some text"}).json()["document_id"] == doc_id
    uri = client.get("/api/projects/unbis/concepts", params={"q": "refugees"}).json()[0]["uri"]
    r = client.post("/api/feedback", json={"document_id": doc_id, "project": "unbis", "uri": uri,
                                           "decision": "rejected", "score": 0.5})
    assert r.status_code == 201 and r.json()["model_version"] == "bundled" and r.json()["label"] == "REFUGEES"
    listed = client.get("/api/feedback", params={"project": "unbis", "document_id": doc_id}).json()
    assert [(d["uri"], d["decision"]) for d in listed] == [(uri, "rejected")]
    assert_problem(client.post("/api/feedback", json={"document_id": doc_id, "project": "unbis",
                                                      "uri": "urn:none", "decision": "accepted"}), 400, "urn:none")
    assert_problem(client.post("/api/feedback", json={"document_id": 99999, "project": "unbis", "uri": uri,
                                                      "decision": "accepted"}), 404, "99999")
    assert_problem(client.post("/api/feedback", json={"document_id": doc_id, "project": "unbis", "uri": uri,
                                                      "decision": "maybe"}), 400, "decision")
    assert_problem(client.post("/api/documents", json={"text": " "}), 400, "empty text")


def test_openapi_and_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ["/v1/projects", "/v1/projects/{project_id}", "/v1/projects/{project_id}/suggest",
                 "/v1/projects/{project_id}/suggest-batch", "/v1/projects/{project_id}/learn", "/v1/vocabs"]:
        assert path in spec["paths"]
    batch = spec["components"]["schemas"]["BatchRequest"]["properties"]["documents"]
    assert batch["maxItems"] == MAX_BATCH
    assert "swagger-ui" in client.get("/docs").text


def test_hot_reload_after_retrain(tmp_path: Path) -> None:
    train_eurlex(tmp_path)
    app = create_app(tmp_path, tmp_path / "fb.sqlite3")
    with TestClient(app) as c:
        first = c.get("/api/projects").json()[1]["version"]
        time.sleep(1.1)  # version names carry a timestamp to the second
        train_eurlex(tmp_path, EURLEX / "validation")  # different data: a different model
        assert c.get("/api/projects").json()[1]["version"] == first  # the old model answers while loading
        app.state.unbis.registry.wait_for_reloads()
        projects = c.get("/api/projects").json()
        assert projects[1]["version"] != first
        body = c.post("/api/projects/eurlex/suggest", data={"text": eurlex_text()}).json()
        assert body["model_version"] == projects[1]["version"]


# -- annif-client against a live server ----------------------------------------------------------
@pytest.fixture(scope="module")
def live_url(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with live_server(app) as url:
        yield url


def test_annif_client(live_url: str) -> None:
    from annif_client import AnnifClient

    annif = AnnifClient(api_base=f"{live_url}/v1/")
    assert annif.api_info["title"].startswith("UNBIS")
    assert {p["project_id"] for p in annif.projects} == {"unbis", "eurlex"}
    assert annif.get_project("eurlex")["backend"]["backend_id"] == "tfidf"
    with pytest.raises(ValueError, match="nope"):
        annif.get_project("nope")
    results = annif.suggest("unbis", seed_text(), limit=10, threshold=0.1)
    assert "FRANCOPHONIE" in [r["label"] for r in results] and all(r["score"] >= 0.1 for r in results)
    assert len(annif.suggest("eurlex", io.StringIO(eurlex_text()), limit=3)) == 3
    batch = annif.suggest_batch("eurlex", [{"text": eurlex_text(), "document_id": "d1"}], limit=2)
    assert batch[0]["document_id"] == "d1" and len(batch[0]["results"]) == 2
    uri = results[0]["uri"]
    assert annif.learn("unbis", [{"text": seed_text(), "subjects": [{"uri": uri}]}]).status_code == 204
    with pytest.raises(ValueError, match="nope"):
        annif.suggest("nope", "text")


# -- schemathesis ---------------------------------------------------------------------------------
EXAMPLES = 10  # per operation and generation mode: about two hundred requests in all


def test_schemathesis(app) -> None:  # type: ignore[no-untyped-def]
    """Valid and invalid requests generated from our OpenAPI: no 500s, and every status, content type and
    body is the one the document declares. (Driven with hypothesis directly: schemathesis' pytest plugin
    does not support pytest 9 yet.)"""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    failures: list[str] = []
    calls = [0]

    def runner(operation, mode):  # type: ignore[no-untyped-def]
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), phases=[Phase.generate])
        def run(case) -> None:  # type: ignore[no-untyped-def]
            calls[0] += 1
            try:
                case.call_and_validate(checks=checks)
            except Exception as exc:  # noqa: BLE001 - collected and reported together below
                failures.append(f"{operation.label} [{mode.value}]: {str(exc)[:500]}")

        return run

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                runner(operation, mode)()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # nothing to get wrong, e.g. GET /v1/
    print(f"schemathesis: {calls[0]} generated requests over {len(operations)} operations, {len(failures)} failures")
    assert not failures, "\n\n".join(failures[:5])


def test_errors_are_json(client: TestClient) -> None:
    r = client.post("/v1/projects/unbis/suggest", content=b"\x00\xff", headers={"Content-Type": "text/plain"})
    assert r.status_code == 400 and json.loads(r.text)["status"] == 400


def test_broken_project_is_503_and_left_out_of_listings(tmp_path: Path) -> None:
    version = tmp_path / "broken" / "versions" / "v1"
    version.mkdir(parents=True)
    (version / "manifest.json").write_text("{not json", "utf-8")
    (tmp_path / "broken" / "current").symlink_to("versions/v1")
    with TestClient(create_app(tmp_path, tmp_path / "fb.sqlite3")) as c:
        assert [p["project_id"] for p in c.get("/v1/projects").json()["projects"]] == ["unbis"]
        assert_problem(c.get("/v1/projects/broken"), 503, "broken")
        assert_problem(c.post("/v1/projects/broken/suggest", data={"text": "peace"}), 503, "retrain")
        assert c.get("/").status_code == 200

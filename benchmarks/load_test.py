"""Load test: N concurrent clients for D seconds against a server on loopback.

Starts `unbis serve` in a subprocess on a free loopback port (or targets --url, which must be loopback),
then runs ``--clients`` asyncio clients that each POST a UN resolution to
``/v1/projects/unbis/suggest`` back to back until ``--duration`` seconds have passed.
Prints requests per second, p50/p95/p99 latency and the error count (non-200 answers or failures).

``--mixed`` (issue 18): trains a project from the repository's EUR-Lex sample (tests/data), serves it, and
the clients cycle through ``/v1/.../suggest``, ``/v1/.../suggest-batch`` (4 documents) and file uploads
(.docx, .html, .txt) to ``/api/.../suggest``; a quarter of the way through, the project is retrained in another process
and the server reloads it while answering. Prints the figures per kind of request and the model versions
seen, and appends them to ``--results`` (Markdown).

    python benchmarks/load_test.py                      # 20 clients, 60 s, the bundled project
    python benchmarks/load_test.py --clients 5 --duration 10
    python benchmarks/load_test.py --mixed --results benchmarks/results/load.md
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "samples" / "S_RES_0827_1993_EN_GOLD.txt"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def check_loopback(url: str) -> None:
    """Load is only ever sent to this machine."""
    host = urlparse(url).hostname or ""
    if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
        raise SystemExit(f"refusing to load-test {host}: only loopback addresses are allowed")


def start_server(port: int, projects_dir: Path | None = None) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-c", "from unbis.cli.main import run; run()", "serve", "--host", "127.0.0.1",
           "--port", str(port), "--feedback-db", "/tmp/unbis-load-test-feedback.sqlite3",
           *([str(projects_dir)] if projects_dir else [])]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def wait_ready(url: str, proc: subprocess.Popen[bytes] | None, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            if httpx.get(f"{url}/v1/projects", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"server at {url} not ready after {timeout} s")


async def client(url: str, text: str, deadline: float, latencies: list[float], errors: list[str]) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                r = await http.post(url, data={"text": text, "limit": "10"})
                if r.status_code != 200 or not r.json()["results"]:
                    errors.append(f"HTTP {r.status_code}")
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                errors.append(type(exc).__name__)
            latencies.append(time.perf_counter() - started)


async def run(url: str, clients: int, duration: float, text: str) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    started = time.monotonic()
    deadline = started + duration
    await asyncio.gather(*(client(url, text, deadline, latencies, errors) for _ in range(clients)))
    return latencies, errors, time.monotonic() - started


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


# -- --mixed: suggest, suggest-batch and uploads, with a retrain in the middle ------------------------------
EURLEX = ROOT / "tests" / "data" / "corpus" / "eurlex-en"


def unbis_cmd(*args: str) -> list[str]:
    return [sys.executable, "-c", "from unbis.cli.main import run; run()", *args]


def train_cmd(project: Path, corpus: Path, backend: str, params: list[str]) -> list[str]:
    return unbis_cmd("train", str(project), str(corpus), "--vocab", str(EURLEX / "eurovoc-vocab.tsv"),
                     "--language", "en", "--backend", backend, *(f"--param={p}" for p in params))


def docx_bytes(text: str) -> bytes:
    import io

    import docx

    document = docx.Document()
    for paragraph in text.split("\n"):
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def mixed_requests(base: str, project: str, texts: list[str]) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, url, httpx keyword arguments) of each request a client cycles through."""
    v1 = f"{base}/v1/projects/{project}"
    rich = f"{base}/api/projects/{project}/suggest"
    t = texts[0]
    return [
        ("suggest", f"{v1}/suggest", {"data": {"text": t}}),
        ("suggest-batch", f"{v1}/suggest-batch", {"json": {"documents": [{"text": x} for x in texts[:4]]}}),
        ("upload", rich, {"files": {"file": ("doc.docx", docx_bytes(t))}}),
        ("suggest", f"{v1}/suggest", {"data": {"text": texts[1]}}),
        ("upload", rich, {"files": {"file": ("doc.html", f"<html><body><p>{t}</p></body></html>".encode())}}),
        ("upload", rich, {"files": {"file": ("doc.txt", texts[2].encode())}}),
    ]


async def mixed_client(requests: list[tuple[str, str, dict[str, Any]]], offset: int, deadline: float,
                       out: dict[str, list[float]], errors: list[str], versions: list[tuple[float, str]]) -> None:
    async with httpx.AsyncClient(timeout=60) as http:
        i = offset
        while time.monotonic() < deadline:
            kind, url, kwargs = requests[i % len(requests)]
            i += 1
            started = time.perf_counter()
            try:
                r = await http.post(url, **kwargs)
                body = r.json()
                if r.status_code != 200:
                    errors.append(f"{kind} HTTP {r.status_code}: {str(body)[:120]}")
                elif kind == "upload":
                    versions.append((time.monotonic(), body["model_version"]))
                    if not body["suggestions"]:
                        errors.append(f"{kind}: no suggestions")
                elif kind == "suggest-batch" and not all(row["results"] for row in body):
                    errors.append(f"{kind}: an empty result")
                elif kind == "suggest" and not body["results"]:
                    errors.append(f"{kind}: no results")
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                errors.append(f"{kind} {type(exc).__name__}")
            out.setdefault(kind, []).append(time.perf_counter() - started)


async def run_mixed(requests: list[tuple[str, str, dict[str, Any]]], clients: int, duration: float,
                    retrain: list[str]) -> tuple[dict[str, list[float]], list[str], list[tuple[float, str]], float,
                                                 tuple[float, float] | None]:
    out: dict[str, list[float]] = {}
    errors: list[str] = []
    versions: list[tuple[float, str]] = []
    started = time.monotonic()
    deadline = started + duration

    async def retrain_midway() -> tuple[float, float] | None:
        await asyncio.sleep(duration / 4)  # leaves the retrain time to finish and the new model time to serve
        begun = time.monotonic()
        proc = await asyncio.create_subprocess_exec(*retrain, stdout=asyncio.subprocess.DEVNULL,
                                                    stderr=asyncio.subprocess.PIPE)
        _, err = await proc.communicate()
        if proc.returncode != 0:
            errors.append(f"retrain failed: {err.decode()[-300:]}")
            return None
        return begun - started, time.monotonic() - started

    *_, window = await asyncio.gather(
        *(mixed_client(requests, k, deadline, out, errors, versions) for k in range(clients)), retrain_midway())
    return out, errors, versions, time.monotonic() - started, window


def mixed_main(args: argparse.Namespace) -> None:
    import tempfile
    from datetime import UTC, datetime

    texts = [p.read_text("utf-8").split("\n", 1)[1] for p in sorted((EURLEX / "validation").glob("*.txt"))[:4]]
    with tempfile.TemporaryDirectory() as tmp:
        projects = Path(tmp)
        subprocess.run(train_cmd(projects / "eurlex", EURLEX / "train", args.backend, args.param), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{free_port()}"
        proc = start_server(int(base.rsplit(":", 1)[1]), projects)
        try:
            wait_ready(base, proc)
            requests = mixed_requests(base, "eurlex", texts)
            for _kind, url, kwargs in requests:  # warm-up (lazy imports)
                httpx.post(url, timeout=120, **kwargs)
            retrain = train_cmd(projects / "eurlex", EURLEX / "validation", args.backend, args.param)
            out, errors, versions, elapsed, window = asyncio.run(
                run_mixed(requests, args.clients, args.duration, retrain))
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(20)
    total = sum(len(v) for v in out.values())
    seen = list(dict.fromkeys(v for _, v in sorted(versions)))
    lines = [
        f"## Mixed load, {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        "",
        f"`python benchmarks/load_test.py --mixed --clients {args.clients} --duration {args.duration:g} "
        f"--backend {args.backend}" + "".join(f" --param {p}" for p in args.param) + "`",
        "",
        f"{args.clients} clients for {elapsed:.1f} s on {os.cpu_count()} CPU cores shared with other engineers' "
        "jobs (a loaded machine: figures are indicative). Project: "
        f"`{args.backend}` trained on tests/data/corpus/eurlex-en/train (30 documents), retrained on .../validation "
        + (f"from {window[0]:.0f} s to {window[1]:.0f} s" if window else "(retrain failed)")
        + f" while serving; versions answered, in order: {' -> '.join(seen) or 'none'}.",
        "",
        "| requests | count | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in ("suggest", "suggest-batch", "upload"):
        ms = [x * 1000 for x in out.get(kind, [])]
        if ms:
            lines.append(f"| {kind} | {len(ms)} | {len(ms) / elapsed:.1f} | {percentile(ms, 50):.0f} | "
                         f"{percentile(ms, 95):.0f} | {percentile(ms, 99):.0f} | {max(ms):.0f} |")
    every = [x * 1000 for v in out.values() for x in v]
    lines.append(f"| all | {total} | {total / elapsed:.1f} | {percentile(every, 50):.0f} | {percentile(every, 95):.0f}"
                 f" | {percentile(every, 99):.0f} | {max(every):.0f} |")
    lines += ["", f"Errors: {len(errors)}" + (f" ({'; '.join(sorted(set(errors))[:5])})" if errors else "") + ".",
              ""]
    report = "\n".join(lines)
    print(report)
    if args.results:
        with open(args.results, "a", encoding="utf-8") as fh:
            fh.write(report + "\n")
    if errors or len(seen) < 2:
        if len(seen) < 2:
            print("the retrained version was not served before the end of the run")
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds (the run stops by itself)")
    parser.add_argument("--project", default="unbis")
    parser.add_argument("--url", help="an already running server on loopback, e.g. http://127.0.0.1:8000")
    parser.add_argument("--document", type=Path, default=DOCUMENT)
    parser.add_argument("--mixed", action="store_true", help="suggest + suggest-batch + uploads, retrain midway")
    parser.add_argument("--backend", default="ensemble", help="--mixed: the backend trained and retrained")
    parser.add_argument("--results", type=Path, help="--mixed: append the Markdown figures to this file")
    parser.add_argument("--param", action="append", default=[], help="--mixed: a training --param (repeatable)")
    args = parser.parse_args()
    if args.mixed:
        mixed_main(args)
        return

    proc = None
    base = args.url
    if base is None:
        base = f"http://127.0.0.1:{free_port()}"
        proc = start_server(int(base.rsplit(":", 1)[1]))
    check_loopback(base)
    try:
        wait_ready(base, proc)
        text = args.document.read_text("utf-8")
        endpoint = f"{base}/v1/projects/{args.project}/suggest"
        httpx.post(endpoint, data={"text": text}, timeout=60)  # warm-up (lazy loads)
        latencies, errors, elapsed = asyncio.run(run(endpoint, args.clients, args.duration, text))
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(20)
    ms = [x * 1000 for x in latencies]
    print(f"endpoint        POST {endpoint.replace(base, '')} ({len(text)} chars, {args.document.name})")
    print(f"clients         {args.clients}, {elapsed:.1f} s, {os.cpu_count()} CPU cores")
    print(f"requests        {len(latencies)}  ({len(latencies) / elapsed:.1f} req/s)")
    print(f"latency ms      p50 {percentile(ms, 50):.1f}  p95 {percentile(ms, 95):.1f}  p99 {percentile(ms, 99):.1f}"
          f"  max {max(ms):.1f}")
    print(f"errors          {len(errors)}" + (f"  ({', '.join(sorted(set(errors)))})" if errors else ""))
    if errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

"""Load test of the suggest endpoint: N concurrent clients for D seconds against a server on loopback.

Starts `unbis serve` in a subprocess on a free loopback port (or targets --url, which must be loopback),
then runs ``--clients`` asyncio clients that each POST a UN resolution to
``/v1/projects/unbis/suggest`` back to back until ``--duration`` seconds have passed.
Prints requests per second, p50/p95/p99 latency and the error count (non-200 answers or failures).

    python benchmarks/load_test.py                      # 20 clients, 60 s, the bundled project
    python benchmarks/load_test.py --clients 5 --duration 10
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


def start_server(port: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-c", "from unbis.cli.main import run; run()", "serve", "--host", "127.0.0.1",
           "--port", str(port), "--feedback-db", "/tmp/unbis-load-test-feedback.sqlite3"]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds (the run stops by itself)")
    parser.add_argument("--project", default="unbis")
    parser.add_argument("--url", help="an already running server on loopback, e.g. http://127.0.0.1:8000")
    parser.add_argument("--document", type=Path, default=DOCUMENT)
    args = parser.parse_args()

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

"""Memory of a real server under a DOCX bomb: a ~7 MB upload whose document.xml unpacks to 1 GiB.

Starts `unbis serve` (bundled project) on a free loopback port, reads the server's resident memory
(VmRSS) and its peak (VmHWM) from /proc, uploads the bomb ``--repeat`` times, and reads both again.
Prints the HTTP statuses and the growth in MiB (the issue's bound: 300 MB).

    python benchmarks/upload_bomb.py              # 1 GiB bomb, 3 uploads
    python benchmarks/upload_bomb.py --size-mib 256 --repeat 1
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_test import free_port, wait_ready  # noqa: E402

from bombs import docx_bomb  # noqa: E402


def memory_mib(pid: int) -> dict[str, float]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in {"VmRSS", "VmHWM"}:
            out[key] = int(value.split()[0]) / 1024
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mib", type=int, default=1024, help="what document.xml unpacks to")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    import subprocess

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-c", "from unbis.cli.main import run; run()", "serve", "--host", "127.0.0.1",
               "--port", str(port), "--feedback-db", str(Path(tmp) / "fb.sqlite3")]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            wait_ready(url, proc)
            # one ordinary upload first, so the lazily imported parsers count in the baseline
            httpx.post(f"{url}/api/projects/unbis/suggest", files={"file": ("w.txt", b"peace and security")},
                       timeout=120)
            before = memory_mib(proc.pid)
            bomb = docx_bomb(args.size_mib << 20)
            statuses = []
            for _ in range(args.repeat):
                r = httpx.post(f"{url}/api/projects/unbis/suggest", files={"file": ("bomb.docx", bomb)},
                               timeout=600)
                statuses.append(f"{r.status_code} {r.json().get('detail', '')[:90]}")
            after = memory_mib(proc.pid)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)
    print(f"upload: {len(bomb) / 2**20:.1f} MiB, unpacks to {args.size_mib} MiB, {args.repeat} uploads")
    for s in statuses:
        print(f"  answer: {s}")
    print(f"server RSS  before {before['VmRSS']:.0f} MiB, after {after['VmRSS']:.0f} MiB "
          f"(+{after['VmRSS'] - before['VmRSS']:.1f})")
    print(f"server peak before {before['VmHWM']:.0f} MiB, after {after['VmHWM']:.0f} MiB "
          f"(+{after['VmHWM'] - before['VmHWM']:.1f})")


if __name__ == "__main__":
    main()

"""Start-up time of the CLI, as a user meets it: whole processes, median of N warm runs.

    python benchmarks/startup.py [RUNS]

Prints the median wall time of ``unbis --help`` and of ``unbis suggest`` of a 12 KB resolution with the
bundled default project (goals: 0.5 s and 1.5 s). One run of each is made first and not counted, so the
OS file cache and the start-up cache (``unbis.cache``) are warm.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "S_RES_1445_2002_EN_GOLD.txt"  # 12,466 bytes


def unbis() -> str:
    found = Path(sys.executable).with_name("unbis")
    return str(found) if found.exists() else (shutil.which("unbis") or "unbis")


def wall_times(argv: list[str], runs: int) -> list[float]:
    subprocess.run(argv, check=True, capture_output=True)  # warm-up, not counted
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    exe = unbis()
    for name, argv, goal in (("unbis --help", [exe, "--help"], 0.5),
                             (f"unbis suggest {SAMPLE.name}", [exe, "suggest", str(SAMPLE)], 1.5)):
        times = wall_times(argv, runs)
        print(f"{name:<48} median {statistics.median(times):.3f} s  (min {min(times):.3f}, max {max(times):.3f}, "
              f"{runs} runs; goal {goal} s)")


if __name__ == "__main__":
    main()

"""`unbis train --on-unknown add`: labels missing from the given vocabulary are added and trained on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from unbis.project import Project

EURLEX = Path(__file__).parent / "data" / "corpus" / "eurlex-en"


def test_train_on_unknown_add_trains(tmp_path: Path) -> None:
    vocab = tmp_path / "five.tsv"  # the first five subjects of the corpus vocabulary; the corpus uses 126
    vocab.write_text("".join((EURLEX / "eurovoc-vocab.tsv").read_text("utf-8").splitlines(True)[:5]), "utf-8")
    project = tmp_path / "p"
    r = subprocess.run([sys.executable, "-c", "from unbis.cli.main import run; run()", "train", str(project),
                        str(EURLEX / "train"), "--vocab", str(vocab), "--language", "en", "--backend", "tfidf",
                        "--on-unknown", "add"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "labels added to the vocabulary: 121" in r.stderr.replace("\n", " ")
    loaded = Project.load(project)
    assert len(loaded.vocab) == 126
    text = (EURLEX / "validation" / "32007R0458.txt").read_text("utf-8").split("\n", 1)[1]
    suggested = {s.subject for s in loaded.suggest([text], limit=10)[0]}
    assert suggested and any(cid >= 5 for cid in suggested)  # added labels are suggested, not only the five

"""One document in several language versions: is suggesting from all of them at least as good as the best
single version? Measured on ../shared/data/parallel-un, where every unit exists in the six UN languages.

    python benchmarks/as_one.py [--data ../shared/data/parallel-un/udhr-articles] [--project DIR] [--limit 10]

There are no gold descriptors there, so two things that can be measured are:

* consistency: the mean Jaccard overlap of a top-``limit`` list with the top lists of the six single
  versions (for a single version, with the other five); a list that many versions agree with is less a
  product of one version's wording;
* support: the share of a top list's descriptors that at least two of the six versions suggest on their
  own (their top ``limit``).

Prints one row per single version and one for ``--as-one`` (``service.suggest_as_one``), averaged over units.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from unbis import service

LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh")
DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "parallel-un" / "udhr-articles"


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--project", type=Path, default=None, help="project directory (default: bundled UNBIS)")
    parser.add_argument("--limit", type=int, default=10)
    args = parser.parse_args()
    project = service.open_project(args.project)
    units = sorted(p.name for p in (args.data / "en").glob("*.txt"))
    consistency: dict[str, list[float]] = {k: [] for k in (*LANGUAGES, "as-one")}
    support: dict[str, list[float]] = {k: [] for k in consistency}
    for unit in units:
        versions = [(lang, (args.data / lang / unit).read_text(encoding="utf-8")) for lang in LANGUAGES]
        single = service.suggest_texts(project, [text for _, text in versions], limit=args.limit)
        tops = {lang: {s["uri"] for s in row} for (lang, _), row in zip(versions, single, strict=True)}
        together = {s["uri"] for s in service.suggest_as_one(project, versions, limit=args.limit)}
        for name, top in (*tops.items(), ("as-one", together)):
            others = [tops[lang] for lang in LANGUAGES if lang != name]
            consistency[name].append(float(np.mean([jaccard(top, o) for o in others])))
            backed = sum(1 for uri in top if sum(uri in tops[lang] for lang in LANGUAGES) >= 2)
            support[name].append(backed / len(top) if top else 0.0)
    print(f"{len(units)} units of {args.data} in {len(LANGUAGES)} languages, top {args.limit}")
    print(f"{'list':8} {'consistency':>12} {'support':>8}")
    for name in consistency:
        print(f"{name:8} {np.mean(consistency[name]):12.3f} {np.mean(support[name]):8.3f}")


if __name__ == "__main__":
    main()

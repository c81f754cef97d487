"""Build the bundled UN text statistics, src/unbis/data/un-stats.json.gz (prints what it found; reads ../shared).

Usage: python benchmarks/un_stats.py [--out src/unbis/data/un-stats.json.gz]

Texts (statistics only are kept, no text): unga-sdg/train (paragraphs of GA resolutions, CC BY 4.0), the
odd-numbered unsc-en resolutions (CC0; the even-numbered half stays out, so that the false-friend benchmark
can be read on resolutions these statistics never saw), parallel-un udhr-articles and unga-res-55-100 in
all six languages (public domain / UN text). Not the seed, nor any labelled evaluation corpus.

1. Plural senses (English, then per concept, so the same in every language): a one-word plural label
   whose singular occurs in at least MIN_DF documents and in at least RATIO times as many documents as
   the plural (SECURITIES: "security" is in nearly every resolution, "securities" in almost none), fixed
   before looking at any result.
2. Concept document frequencies: in how many of these documents the matcher (UN body names masked,
   inflection-checked, plural senses applied) finds any label of each concept.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

from unbis.analysis.snowball import strip_accents
from unbis.backends.base import Context
from unbis.backends.matcher.backend import MatcherBackend
from unbis.corpus.readers import read_documents
from unbis.vocab.loaders import load_unbis

DATA = Path("/work/shared/data")
MIN_DF = 10
RATIO = 10.0
WORD = re.compile(r"[^\W\d_]+")


def _fold(word: str) -> str:
    return strip_accents(unicodedata.normalize("NFKC", word).casefold())


def sources() -> list[tuple[str, list[str]]]:
    """(source name, texts) of the UN documents the statistics read."""
    out: list[tuple[str, list[str]]] = []
    sdg = [d.text for d in read_documents([DATA / "unga-sdg" / "train"], None, labelled=False)]
    out.append(("unga-sdg/train (CC BY 4.0)", sdg))
    unsc = [d.text for d in read_documents([DATA / "unsc-en"], None, labelled=False)
            if int(re.search(r"RES_(\d+)", d.name).group(1)) % 2 == 1]  # type: ignore[union-attr]
    out.append(("unsc-en, odd-numbered resolutions (CC0)", unsc))
    par: list[str] = []
    for folder in ("udhr-articles", "unga-res-55-100"):
        for lang in ("ar", "zh", "en", "fr", "ru", "es"):
            folder_dir = DATA / "parallel-un" / folder / lang
            par.extend(p.read_text(encoding="utf-8") for p in sorted(folder_dir.glob("*.txt")))
    out.append(("parallel-un udhr-articles + unga-res-55-100, six languages (public domain / UN text)", par))
    return out


def _singulars(plural: str) -> list[str]:
    if plural.endswith("ies"):
        return [plural[:-3] + "y"]
    if plural.endswith("es"):
        return [plural[:-2], plural[:-1]]
    return [plural[:-1]]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=Path("src/unbis/data/un-stats.json.gz"))
    args = ap.parse_args()
    vocab = load_unbis()
    srcs = sources()
    english = [t for name, texts in srcs if not name.startswith("parallel") for t in texts]
    term_df: Counter[str] = Counter()
    for text in english:
        term_df.update({_fold(w) for w in WORD.findall(text)})

    plural_sense: list[str] = []
    words_kept: dict[str, int] = {}
    for cid, concept in enumerate(vocab.concepts):
        for lang, _kind, label in concept.all_labels():
            word = _fold(label)
            if lang != "en" or not WORD.fullmatch(word) or not word.endswith("s") or word.endswith("ss"):
                continue
            sing = max(_singulars(word), key=lambda w: term_df[w])
            if term_df[sing] >= MIN_DF and term_df[sing] >= RATIO * (term_df[word] + 1):
                plural_sense.append(vocab.uri(cid))
                words_kept[word], words_kept[sing] = term_df[word], term_df[sing]
                print(f"plural sense: {label:<24} singular {sing!r} in {term_df[sing]} documents, "
                      f"plural in {term_df[word]}")
                break
    print(f"{len(plural_sense)} plural-sense concepts")

    # Concept document frequencies, with the plural senses just found applied.
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload: dict[str, object] = {"format_version": 1, "plural_sense": plural_sense, "concept_df": {}, "n_docs": 0}
    tmp = args.out.with_suffix(".tmp")
    tmp.write_bytes(gzip.compress(json.dumps(payload).encode("utf-8"), mtime=0))
    tmp.replace(args.out)
    from unbis.backends.matcher import bundled

    bundled._stats.cache_clear()
    matcher = MatcherBackend(Context(vocab, "auto"), background="none", ranker="hand").fit([])
    df: Counter[int] = Counter()
    n_docs = 0
    for _name, texts in srcs:
        for text in texts:
            concepts, _rows = matcher._candidates(text)
            df.update(concepts.tolist())
            n_docs += 1
    payload = {
        "format_version": 1,
        "about": "Document frequencies of UNBIS concepts' label matches over UN documents; see data/PROVENANCE.md",
        "sources": [{"texts": name, "documents": len(texts)} for name, texts in srcs],
        "n_docs": n_docs,
        "concept_df": {vocab.uri(c): n for c, n in sorted(df.items())},
        "plural_sense": plural_sense,
        "plural_sense_rule": {"min_df": MIN_DF, "ratio": RATIO},
        "term_df_en": dict(sorted(words_kept.items())),
    }
    tmp.write_bytes(gzip.compress(json.dumps(payload, ensure_ascii=False).encode("utf-8"), mtime=0))
    tmp.replace(args.out)
    print(f"{n_docs} documents, {len(df)} concepts matched; most common:")
    for c, n in df.most_common(15):
        print(f"  {n / n_docs:.2f}  {vocab.label(c)}")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

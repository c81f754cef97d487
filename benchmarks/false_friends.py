"""False friends of the bundled default on UN Security Council resolutions (prints figures; reads ../shared).

Usage: python benchmarks/false_friends.py [--docs DIR] [--limit 10] [--top 25] [--half all|odd|even] [--json OUT]

Runs the bundled zero-shot project (what ``unbis index @unbis DIR`` runs) over the unsc-en resolutions and
classifies every top-``limit`` suggestion from the matcher's own evidence (``MatcherBackend.explain``):
each evidence span's text words are compared with the label's unstemmed words (same stem by construction).

- ``ok``: some span outside UN body names whose words are the label's up to inflection, in its number;
- ``body``: every span lies inside the name of a UN body (Security Council, United Nations, ...);
- ``derivation``: reached only through words that share a stem but are other words (adopted: ADOPTION);
- ``number``: reached only through the singular of a one-word plural label (security: SECURITIES).
- ``meaning``: no label match at all: proposed by the semantic member (listed, to be read by a person).

False-friend share = (body + derivation + number) / all top-``limit`` suggestions. ``number`` also counts
correct singular matches (refugee: REFUGEES), so the share is an upper bound; the worst offenders are listed.
``--half odd|even``: only odd- or even-numbered resolutions (the bundled UN statistics read the odd ones
only, so ``even`` is the held-out half).
"""

from __future__ import annotations

import argparse
import json
import re
import time
import unicodedata
from collections import Counter
from pathlib import Path

import ahocorasick

from unbis.analysis import get_analyzer
from unbis.analysis.inflection import number_differs, same_word
from unbis.analysis.snowball import strip_accents
from unbis.backends.matcher.labels import nationalities
from unbis.backends.matcher.units import SEP
from unbis.corpus.readers import read_documents
from unbis.project import default_project

DATA = Path("/work/shared/data")
BODIES = Path(__file__).resolve().parents[1] / "src" / "unbis" / "data" / "un-bodies.json"


def _words(text: str) -> list[tuple[str, str]]:
    """(stem, folded surface) of each kept word."""
    analyzer = get_analyzer("en")
    return [(t.term, strip_accents(unicodedata.normalize("NFKC", text[t.start:t.end]).casefold()))
            for t in analyzer.tokens(text)]


def _body_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of UN body names (English) in ``text``, matched on stems as the matcher does."""
    names = json.loads(BODIES.read_text(encoding="utf-8"))["bodies"]
    automaton = ahocorasick.Automaton()
    analyzer = get_analyzer("en")
    for per_lang in names.values():
        for name in per_lang.get("en", ()):
            units = analyzer.terms(name)
            automaton.add_word(SEP + SEP.join(units) + SEP, len(units))
    automaton.make_automaton()
    tokens = analyzer.tokens(text)
    haystack = SEP + SEP.join(t.term for t in tokens) + SEP
    ends: dict[int, int] = {}
    pos = 0
    for i, t in enumerate(tokens):
        pos += len(t.term) + 1
        ends[pos] = i
    spans = []
    for end, n in automaton.iter(haystack):
        last = ends[end]
        spans.append((tokens[last - n + 1].start, tokens[last].end))
    return spans


def classify_span(text: str, start: int, end: int, label: str, bodies: list[tuple[int, int]],
                  lent: bool = False) -> str:
    """``lent``: ``label`` is a nationality's, matched for its country ("Israeli" for ISRAEL through
    ISRAELIS): the singular adjective is the country's word, so its number is no false friend."""
    if any(s <= start and end <= e for s, e in bodies):
        return "body"
    label_words = _words(label)
    by_stem = {stem: surface for stem, surface in label_words}
    verdict = "ok"
    for stem, surface in _words(text[start:end]):
        want = by_stem.get(stem)
        if want is None:
            continue
        if not same_word("en", want, surface):
            return "derivation"
        if len(label_words) == 1 and not lent and number_differs("en", want, surface):
            verdict = "number"
    return verdict


def classify(text: str, evidence: list, bodies: list[tuple[int, int]], lent: frozenset[str] = frozenset()) -> str:
    """``lent``: the labels the concept has from its nationality (``matcher.labels.nationalities``)."""
    if not evidence:
        return "meaning"  # proposed by the semantic member alone: no label words in the text
    classes = {classify_span(text, ev.start, ev.end, ev.label, bodies, lent=ev.label in lent) for ev in evidence}
    for c in ("ok", "derivation", "number", "body"):
        if c in classes:
            return c
    return "ok"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=Path, default=DATA / "unsc-en")
    ap.add_argument("--limit", type=int, default=10)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--half", choices=("all", "odd", "even"), default="all")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    project = default_project()
    # the label matches: the matcher's own, or the zero-shot backend's matcher member
    matcher = getattr(project.backend, "matcher_", project.backend)
    vocab = project.vocab
    people_of = nationalities(vocab)  # the countries the matcher gives their nationality's labels
    docs = list(read_documents([args.docs], None, labelled=False))
    if args.half != "all":
        want = 1 if args.half == "odd" else 0
        docs = [d for d in docs if int(re.search(r"RES_(\d+)", d.name).group(1)) % 2 == want]  # type: ignore[union-attr]
    appears: Counter[str] = Counter()
    by_class: Counter[str] = Counter()
    offenders: dict[str, Counter[str]] = {"body": Counter(), "derivation": Counter(), "number": Counter(),
                                          "meaning": Counter()}
    n_suggestions = 0
    started = time.perf_counter()
    for doc in docs:
        text = doc.text[:30_000]
        [row] = project.suggest([doc.text], limit=args.limit)
        evidence = matcher.explain(text, [s.subject for s in row])
        bodies = _body_spans(text)
        for s in row:
            appears[s.label] += 1
            lent = frozenset(label for p in people_of.get(s.subject, ())
                             for _lang, _kind, label in vocab.concepts[p].all_labels())
            c = classify(text, evidence.get(s.subject, []), bodies, lent)
            by_class[c] += 1
            if c != "ok":
                offenders[c][s.label] += 1
        n_suggestions += len(row)
    seconds = time.perf_counter() - started
    total = max(n_suggestions, 1)
    false = by_class["body"] + by_class["derivation"] + by_class["number"]
    print(f"documents {len(docs)} ({args.docs.name}, half={args.half}), top {args.limit}, {seconds:.1f} s")
    print(f"mean suggestions per document {n_suggestions / max(len(docs), 1):.2f}")
    print(f"false-friend share {false / total:.4f} ({false} of {n_suggestions}): "
          + ", ".join(f"{c} {by_class[c] / total:.4f}" for c in ("body", "derivation", "number")))
    print(f"found by meaning only (no label words in the text; not a false friend of a stem or a name) "
          f"{by_class['meaning'] / total:.4f}")
    print(f"\nmost frequent in top {args.limit} (documents):")
    for label, n in appears.most_common(args.top):
        print(f"  {n:5d}  {label}")
    for c, counter in offenders.items():
        print(f"\nworst '{c}' offenders (documents):")
        for label, n in counter.most_common(12):
            print(f"  {n:5d}  {label}")
    if args.json:
        args.json.write_text(json.dumps({
            "documents": len(docs), "suggestions": n_suggestions,
            "mean_suggestions": n_suggestions / max(len(docs), 1),
            "false_friend_share": false / total,
            "share": {c: by_class[c] / total for c in ("ok", "body", "derivation", "number", "meaning")},
            "appears": dict(appears.most_common(200)),
            "offenders": {c: dict(v.most_common(50)) for c, v in offenders.items()},
        }, indent=1))


if __name__ == "__main__":
    main()

"""Build ``src/unbis/data/demonyms.json``: which UNBIS country each UNBIS nationality concept names.

    python scripts/build_demonyms.py [--check]

UNBIS has a concept for the people of most countries (micro-thesaurus 08.03.02: ISRAELIS, LEBANESE,
TUNISIANS ...). In UN text the same word is mostly an adjective: "Israeli armed forces", "Lebanese
territory", "les forces israéliennes". An indexer gives such a text the country (ISRAEL, LEBANON), which
the matcher cannot reach from the adjective. This table lets the matcher read a nationality's labels as
hidden labels of its country too (``matcher.labels``).

The pairs come from the thesaurus itself: a nationality goes to the country (micro-thesaurus 17) whose
labels in English, French, Spanish and Russian share the longest prefixes with its own. Where that rule
is wrong or the word has another common sense, ``OVERRIDES`` and ``LEFT_OUT`` decide; both were written by
reading the whole list once, before any result was measured. ``--check`` verifies that the bundled file
is what this script builds (the thesaurus may change).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "src" / "unbis" / "data"
OUT = DATA / "demonyms.json"
FORMAT_VERSION = 1
PEOPLE_GROUP = "08.03.02"
LANGUAGES = ("en", "fr", "es", "ru")

#: nationality -> country where the prefix rule picks another country (English preferred labels)
OVERRIDES = {
    "BELARUSIANS": "BELARUS", "BELGIANS": "BELGIUM", "DANES": "DENMARK",
    "BOLIVIANS": "BOLIVIA (PLURINATIONAL STATE OF)",
    "BRITISH": "UNITED KINGDOM", "GREEKS": "GREECE", "IRANIANS": "IRAN (ISLAMIC REPUBLIC OF)",
    "LAO": "LAO PEOPLE'S DEMOCRATIC REPUBLIC", "MACEDONIANS": "NORTH MACEDONIA", "MALAGASIES": "MADAGASCAR",
    "MALDIVIANS": "MALDIVES", "MOLDOVANS": "REPUBLIC OF MOLDOVA", "NETHERLANDERS": "NETHERLANDS (KINGDOM OF THE)",
    "NIGERIANS": "NIGERIA", "SWAZIS": "ESWATINI", "SYRIANS": "SYRIAN ARAB REPUBLIC",
    "TANZANIANS": "UNITED REPUBLIC OF TANZANIA", "TURKS": "TÜRKİYE",
    "VENEZUELANS": "VENEZUELA (BOLIVARIAN REPUBLIC OF)",
}

#: nationalities left out, and why: the word names a language of UN documents ("in Arabic, Chinese,
#: English, French, Russian and Spanish"), a people without one country, or two countries
LEFT_OUT = {
    "CHINESE": "language", "FRENCH": "language", "RUSSIANS": "language", "SPANIARDS": "language (es: español)",
    "AMERICANS": "the Americas, Latin American, Inter-American", "INDIANS": "Indian Ocean; es INDIOS",
    "KOREANS": "two countries", "PALESTINIANS": "a people before a State", "DOMINICANS": "two countries",
    "CONGOLESE (DEMOCRATIC REPUBLIC OF THE CONGO)": "the bare word names two countries",
    "CONGOLESE (REPUBLIC OF THE CONGO)": "the bare word names two countries",
}


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):  # noqa: B905 (up to the shorter)
        if x != y:
            break
        n += 1
    return n


def _score(people: dict[str, str], country: dict[str, str]) -> float:
    """Summed over languages: the share of the country's label that the nationality's label begins with
    (at least three letters)."""
    total = 0.0
    for lang in LANGUAGES:
        a, b = people.get(lang, "").casefold(), country.get(lang, "").casefold()
        if a and b and (k := _common_prefix(a, b)) >= 3:
            total += k / len(b)
    return total


def build(concepts: list[dict]) -> dict:
    by_label = {c["labels"]["en"]: c for c in concepts}
    countries = [c for c in concepts if any(g.startswith("17") for g in c.get("groups", []))]
    pairs = []
    for person in concepts:
        name = person["labels"]["en"]
        if PEOPLE_GROUP not in person.get("groups", []) or name in LEFT_OUT:
            continue
        if name in OVERRIDES:
            country = by_label[OVERRIDES[name]]
        else:
            score, country = max(((_score(person["labels"], c["labels"]), c) for c in countries),
                                 key=lambda sc: sc[0])
            if score < 1.0:
                print(f"no country for {name} (best {country['labels']['en']}, {score:.2f})", file=sys.stderr)
                continue
        pairs.append({"people": person["uri"], "country": country["uri"],
                      "en": f"{name} -> {country['labels']['en']}"})
    return {"format_version": FORMAT_VERSION,
            "about": "UNBIS nationality concepts (micro-thesaurus 08.03.02) and the UNBIS country each names, "
                     "built from the thesaurus's own labels by scripts/build_demonyms.py. The matcher reads a "
                     "nationality's labels as hidden labels of its country too: 'Lebanese territory' is LEBANON.",
            "left_out": LEFT_OUT, "pairs": pairs}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="fail if the bundled file differs from a fresh build")
    args = ap.parse_args()
    with gzip.open(DATA / "unbis.json.gz", "rt", encoding="utf-8") as f:
        concepts = json.load(f)["concepts"]
    text = json.dumps(build(concepts), ensure_ascii=False, indent=1) + "\n"
    if args.check:
        sys.exit(0 if OUT.read_text(encoding="utf-8") == text else "demonyms.json is stale: rebuild it")
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()

"""Train the matcher's zero-shot transfer ranker on other thesauri's corpora (prints the leave-one-corpus-out table).

Usage: python benchmarks/transfer_ranker.py [--write src/unbis/data/matcher-ranker.txt] [--rounds 50,100,200]

Corpora (../shared/data), each matched with its own vocabulary by the zero-shot matcher:
eurlex-en (EuroVoc; train for learning, validation for evaluation), abo-en (YSO), csl-zh (CSL keywords),
unga-sdg (SDG goals). Features are the matcher's vocabulary-independent evidence: the concept-prior
columns (keyphraseness, prior) are zeroed; commonness is each corpus's own document frequency of the
concept's matches, the document itself left out (as the bundled UN statistics give it for UNBIS).

For every setting (boosting rounds), each corpus is held out in turn: the ranker learns on the other three
and is evaluated on the held-out one (F1@5, nDCG, top 10). The setting with the best mean nDCG over the
held-out corpora is chosen, then trained on all four corpora and written (LightGBM text format). The seed
document plays no part. LightGBM is deterministic here (seed 0, deterministic=True), so reruns give the
same file.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from unbis.backends.base import Context
from unbis.backends.matcher.backend import MatcherBackend
from unbis.backends.matcher.features import FEATURES
from unbis.backends.matcher.scoring import hand_scores
from unbis.backends.matcher.transfer import CandidateRows, candidate_rows, held_out_scores, train_ranker
from unbis.corpus.readers import read_documents
from unbis.vocab.loaders import load_vocabulary

DATA = Path("/work/shared/data")


@dataclass
class CorpusData:
    name: str
    train: CandidateRows  # what the ranker learns from when this corpus is in the training set
    test: CandidateRows  # what it is evaluated on when this corpus is held out


def load_corpus(name: str) -> CorpusData:
    started = time.perf_counter()
    specs = {
        "eurlex-en": ("eurlex-en/eurovoc-vocab.tsv", "en", "eurlex-en/train", "eurlex-en/validation"),
        "abo-en": ("abo-en/yso-en.tsv", "en", "abo-en/train", None),
        "csl-zh": ("csl-zh/csl-vocab.tsv", "zh", "csl-zh/dev", None),
        "unga-sdg": ("sdg-vocab/sdg-goals.csv", "en", "unga-sdg/train", None),
    }
    vocab_path, lang, train_dir, test_dir = specs[name]
    vocab = load_vocabulary(str(DATA / vocab_path), language=lang)
    matcher = MatcherBackend(Context(vocab, lang), background="none", ranker="hand").fit([])
    docs = list(read_documents([DATA / train_dir], vocab, on_unknown="skip", language=lang))
    texts = [d.text for d in docs]
    labelled = [d for d in docs if d.subjects]
    train = candidate_rows(matcher, [d.text for d in labelled], [list(d.subjects) for d in labelled], texts)
    if test_dir:
        tdocs = [d for d in read_documents([DATA / test_dir], vocab, on_unknown="skip", language=lang) if d.subjects]
        ttexts = [d.text for d in tdocs]
        test = candidate_rows(matcher, ttexts, [list(d.subjects) for d in tdocs], ttexts)
    else:
        test = train
    print(f"{name}: {len(labelled)} labelled documents for learning, {len(test.rows)} for evaluation, "
          f"{len(vocab)} concepts ({time.perf_counter() - started:.0f} s)", flush=True)
    return CorpusData(name, train, test)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", type=Path)
    ap.add_argument("--rounds", default="50,100,200")
    ap.add_argument("--corpora", default="eurlex-en,abo-en,csl-zh,unga-sdg")
    args = ap.parse_args()
    corpora = [load_corpus(n) for n in args.corpora.split(",")]
    names = [c.name for c in corpora]
    print("\nzero-shot, hand weights (no background statistics: today's default scorer):")
    hand = {c.name: c.test.evaluate(lambda r: hand_scores(_no_background(r))) for c in corpora}
    _table(names, {"hand": hand})
    train = {c.name: c.train for c in corpora}
    test = {c.name: c.test for c in corpora}
    results = {f"lightgbm rounds={r}": held_out_scores(train, test, int(r)) for r in args.rounds.split(",")}
    print("\nleave one corpus out (ranker learnt on the other corpora, evaluated on the named one):")
    _table(names, results)
    best = max(results, key=lambda k: np.mean([results[k][n]["ndcg"] for n in names]))
    rounds = int(best.split("=")[1])
    print(f"\nchosen by mean held-out nDCG: {best}")
    if args.write:
        ranker = train_ranker(train, names, rounds)
        n_rows = sum(len(c.train.xy()[1]) for c in corpora)
        tmp = args.write.with_suffix(".tmp")
        ranker.save(tmp)
        tmp.replace(args.write)
        print(f"trained on {n_rows} candidate rows of {len(corpora)} corpora -> {args.write}")
        print("gain share:", {k: v for k, v in ranker.importance(list(FEATURES)).items() if v > 0})


def _no_background(rows: np.ndarray) -> np.ndarray:
    from unbis.backends.matcher.features import COL

    out = rows.copy()
    out[:, COL["commonness"]] = 0.0
    return out


def _table(names: list[str], results: dict[str, dict[str, dict[str, float]]]) -> None:
    print(f"  {'setting':<22}" + "".join(f"{n + ' F1@5':>16}{n + ' nDCG':>16}" for n in names) + f"{'mean nDCG':>12}")
    for setting, per in results.items():
        cells = "".join(f"{per[n]['f1@5']:>16.4f}{per[n]['ndcg']:>16.4f}" for n in names)
        print(f"  {setting:<22}{cells}{np.mean([per[n]['ndcg'] for n in names]):>12.4f}")


if __name__ == "__main__":
    main()

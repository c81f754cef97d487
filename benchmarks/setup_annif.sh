#!/usr/bin/env bash
# Install Annif into its own virtualenv (/work/main/.venv-annif by default) so benchmarks and
# comparisons can run Annif's analyzers/backends side by side with ours without mixing dependencies.
# Idempotent: a second run only checks that everything is in place.
#
# Usage: bash benchmarks/setup_annif.sh            (env: ANNIF_VENV, ANNIF_PYTHON, ANNIF_SPEC)
# Afterwards: $ANNIF_VENV/bin/python -c 'import annif.analyzer'
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ANNIF_VENV="${ANNIF_VENV:-$REPO_ROOT/.venv-annif}"
ANNIF_PYTHON="${ANNIF_PYTHON:-python3.11}"   # Annif supports 3.10-3.12; pin 3.11 for reproducibility
ANNIF_SPEC="${ANNIF_SPEC:-annif}"

if ! command -v "$ANNIF_PYTHON" >/dev/null 2>&1; then
    echo "setup_annif: $ANNIF_PYTHON not found; set ANNIF_PYTHON to a Python 3.10-3.12 interpreter" >&2
    exit 1
fi

if [ ! -x "$ANNIF_VENV/bin/python" ]; then
    echo "setup_annif: creating $ANNIF_VENV with $ANNIF_PYTHON"
    "$ANNIF_PYTHON" -m venv "$ANNIF_VENV"
fi

if "$ANNIF_VENV/bin/python" -c 'import annif.analyzer' >/dev/null 2>&1; then
    echo "setup_annif: annif already installed ($("$ANNIF_VENV/bin/python" -m pip show annif 2>/dev/null | awk '/^Version:/{print $2}'))"
else
    echo "setup_annif: installing $ANNIF_SPEC"
    "$ANNIF_VENV/bin/python" -m pip install --quiet --upgrade pip
    "$ANNIF_VENV/bin/python" -m pip install --quiet "$ANNIF_SPEC"
fi

# Annif's analyzers tokenize with NLTK's punkt_tab tokenizer, whose data NLTK normally downloads
# from the internet at first use. We have no internet, so we create the four files punkt_tab reads
# for English, EMPTY: NLTK then loads an empty (untrained) Punkt model, which still splits sentences
# on punctuation and words with its regexes — enough for word tokenisation, which is all analyzers need.
# (Sentence splitting is marginally naive without abbreviation lists; word tokens are unaffected.)
NLTK_DIR="${NLTK_DATA:-$HOME/nltk_data}"
PUNKT_DIR="$NLTK_DIR/tokenizers/punkt_tab/english"
mkdir -p "$PUNKT_DIR"
for f in collocations.tab sent_starters.txt abbrev_types.txt ortho_context.tab; do
    [ -e "$PUNKT_DIR/$f" ] || : > "$PUNKT_DIR/$f"
done

# Smoke check: the analyzer our benchmark compares against must work offline.
"$ANNIF_VENV/bin/python" - <<'PY'
import annif.analyzer
a = annif.analyzer.get_analyzer("snowball(english)")
words = a.tokenize_words("The Security Councils decided to extend the mandates.")
assert words, "Annif analyzer produced no tokens"
print("setup_annif: ok, snowball(english) ->", words)
PY

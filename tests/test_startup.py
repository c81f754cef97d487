"""The start-up cache (unbis.cache) and the lazy imports that keep `unbis --help` fast."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from unbis import cache
from unbis.analysis import langdetect

TEXTS = [
    "La résolution adoptée par le Conseil de sécurité sur la situation au Moyen-Orient",
    "The Security Council adopted the resolution on the situation in the Middle East",
    "El Consejo de Seguridad aprobó la resolución sobre la situación en el Oriente Medio",
    "Der Sicherheitsrat verabschiedet die Resolution über die Lage im Nahen Osten",
    "Resolution",
]


def test_cached_arrays_builds_once_then_memory_maps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.ENV_CACHE, str(tmp_path))
    calls = []

    def build() -> tuple[dict[str, np.ndarray], dict[str, object]]:
        calls.append(1)
        return {"a": np.arange(5, dtype=np.int32)}, {"classes": ["en", "fr"]}

    first, meta1 = cache.cached_arrays("demo", "k1", build)
    second, meta2 = cache.cached_arrays("demo", "k1", build)
    assert len(calls) == 1
    assert isinstance(second["a"], np.memmap)
    np.testing.assert_array_equal(first["a"], second["a"])
    assert meta1 == meta2 == {"classes": ["en", "fr"]}
    cache.cached_arrays("demo", "k2", build)  # another key: built again
    assert len(calls) == 2


def test_damaged_entry_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.ENV_CACHE, str(tmp_path))
    cache.cached_arrays("demo", "k", lambda: ({"a": np.ones(3)}, {}))
    (tmp_path / "demo-k" / "a.npy").write_bytes(b"not an npy file")
    arrays, _ = cache.cached_arrays("demo", "k", lambda: ({"a": np.zeros(3)}, {}))
    np.testing.assert_array_equal(arrays["a"], np.zeros(3))


def test_cache_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.ENV_CACHE, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    arrays, _ = cache.cached_arrays("demo", "k", lambda: ({"a": np.ones(2)}, {}))
    assert arrays["a"].sum() == 2 and list(tmp_path.iterdir()) == []


def test_cached_language_identifier_decides_like_py3langid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    monkeypatch.setenv(cache.ENV_CACHE, str(tmp_path))
    world = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    reference.set_languages(list(langdetect.LATIN_LANGUAGES))
    for _ in range(2):  # the first call builds the entry, the second memory-maps it
        langdetect._identifier.cache_clear()
        langdetect._world_identifier.cache_clear()
        for ours, theirs in ((langdetect._identifier(), reference), (langdetect._world_identifier(), world)):
            for text in TEXTS:
                lang, prob = ours.classify(text)
                ref_lang, ref_prob = theirs.classify(text)
                assert lang == ref_lang and prob == pytest.approx(ref_prob)
    assert any(p.name.startswith("langid-") for p in tmp_path.iterdir())
    langdetect._identifier.cache_clear()
    langdetect._world_identifier.cache_clear()


def test_help_imports_no_numerical_library() -> None:
    code = ("import sys; from unbis.cli.main import app; "
            "print(sorted(m for m in ('numpy', 'scipy', 'sklearn', 'lightgbm', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"


def test_suggesting_imports_neither_sklearn_nor_matplotlib() -> None:
    """The bundled default's scorer is a LightGBM ranker: LightGBM is loaded, its scikit-learn and Dask
    wrappers are not (they would cost more start-up than everything else)."""
    code = ("import sys; from unbis import service; p = service.open_project(None); "
            "rows = service.suggest_texts(p, ['The General Assembly condemns terrorism in all its forms and "
            "manifestations and calls for international cooperation.']); "
            "print(len(rows[0]) > 0, "
            "sorted(m for m in ('sklearn', 'dask', 'matplotlib', 'lightgbm') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "True ['lightgbm']"

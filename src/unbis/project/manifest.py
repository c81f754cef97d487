"""The manifest every saved model carries, and the compatibility check on load."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from unbis import __version__
from unbis.analysis.factory import ANALYSIS_VERSIONS, UN_LANGUAGES
from unbis.errors import IncompatibleModelError

#: Bump when the on-disk layout of any backend changes incompatibly.
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


@dataclass
class Manifest:
    backend: str
    params: dict[str, Any]
    vocab_hash: str
    vocab_size: int
    language: str
    format_version: int = FORMAT_VERSION
    package_version: str = __version__
    created: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    training: dict[str, Any] = field(default_factory=dict)  # corpus paths, document counts, seconds
    # the text analysis each language had when the model learnt its terms (absent: version 1, as every
    # language had before the versions were recorded)
    analysis: dict[str, int] = field(default_factory=dict)

    def save(self, directory: Path) -> None:
        (directory / MANIFEST).write_text(json.dumps(asdict(self), indent=1, ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, directory: Path) -> Manifest:
        path = directory / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise IncompatibleModelError(f"{directory}: no {MANIFEST}; retrain the project") from None
        except json.JSONDecodeError as exc:
            raise IncompatibleModelError(f"{path}: unreadable manifest ({exc}); retrain the project") from exc
        if data.get("format_version") != FORMAT_VERSION:
            raise IncompatibleModelError(
                f"{directory}: model format {data.get('format_version')} but this unbis {__version__} reads "
                f"format {FORMAT_VERSION}; retrain the project with `unbis train`"
            )
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    def check_analysis(self, directory: Path) -> None:
        """Refuse a model whose terms came from another analysis of its language (every UN language
        for a multilingual, ``auto``, project) than this version's."""
        for lang in UN_LANGUAGES if self.language == "auto" else (self.language,):
            saved, now = self.analysis.get(lang, 1), ANALYSIS_VERSIONS.get(lang, 1)
            if saved != now:
                raise IncompatibleModelError(
                    f"{directory}: the model learnt from version {saved} of the {lang!r} text analysis, this unbis "
                    f"{__version__} analyses {lang!r} text with version {now}; retrain the project with `unbis train`"
                )

    def check_vocab(self, vocab_hash: str, directory: Path) -> None:
        if vocab_hash != self.vocab_hash:
            raise IncompatibleModelError(
                f"{directory}: the model was trained with another vocabulary (hash {self.vocab_hash}, "
                f"now {vocab_hash}); retrain the project"
            )

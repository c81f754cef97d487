"""``unbis vocab``: inspect and search a vocabulary (the bundled UNBIS Thesaurus by default)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from unbis.errors import UnbisError

if TYPE_CHECKING:
    from unbis.vocab.subject_index import Vocabulary

app = typer.Typer(help="Inspect and search vocabularies (thesauri).", no_args_is_help=True)

VocabOption = Annotated[
    str,
    typer.Option("--vocab", "-v", help="'unbis' (bundled), or a .ttl/.rdf/.nt/.jsonld, .tsv, .csv, .json.gz file."),
]
LanguageOption = Annotated[
    str | None, typer.Option("--language", "-l", help="Language of labels shown (default: the vocabulary's).")
]


def _fail(message: str) -> typer.Exit:
    Console(stderr=True).print(Text(f"error: {message}", style="bold red"))
    return typer.Exit(code=1)


def _load(spec: str, language: str | None) -> Vocabulary:
    from unbis.vocab.loaders import load_vocabulary

    try:
        return load_vocabulary(spec, language or "en")
    except UnbisError as exc:
        raise _fail(str(exc)) from exc


def _find(vocab: Vocabulary, query: str) -> int | None:
    """A concept by URI, notation or label; else by the last segment of its URI (``1000001``)."""
    cid = vocab.resolve(query)
    if cid is not None:
        return cid
    tail = query.strip()
    matches = [i for i, c in enumerate(vocab.concepts) if c.uri.rsplit("/", 1)[-1].rsplit("#", 1)[-1] == tail]
    return matches[0] if len(matches) == 1 else None


def _summary(console: Console, vocab: Vocabulary) -> None:
    table = Table(show_header=False, box=None)
    table.add_row("name", vocab.name)
    table.add_row("concepts", str(len(vocab)))
    coverage = ", ".join(
        f"{lang} {sum(1 for c in vocab.concepts if lang in c.labels)}" for lang in vocab.languages
    )
    table.add_row("languages", Text(coverage))
    top = sum(1 for g in vocab.groups.values() if g.parent is None)
    table.add_row("groups", f"{len(vocab.groups)} ({top} top-level)")
    table.add_row("default language", vocab.default_language)
    table.add_row("hash", vocab.content_hash())
    console.print(table)


def _ids_table(vocab: Vocabulary, title: str, ids: list[int], language: str | None) -> Table:
    table = Table(title=title, title_justify="left", show_header=False, box=None)
    for i in ids:
        table.add_row(Text(vocab.label(i, language)), Text(vocab.uri(i), style="dim"))
    return table


def _concept(console: Console, vocab: Vocabulary, cid: int, language: str | None) -> None:
    c = vocab.concepts[cid]
    console.print(Text(vocab.label(cid, language), style="bold"))
    console.print(Text(c.uri, style="cyan"))
    if c.notation:
        console.print(Text(f"notation {c.notation}"))
    labels = Table("lang", "preferred", "alternative", box=None)
    for lang in sorted(set(c.labels) | set(c.alt_labels) | set(c.hidden_labels)):
        alts = c.alt_labels.get(lang, []) + [f"({h})" for h in c.hidden_labels.get(lang, [])]
        labels.add_row(lang, Text(c.labels.get(lang, "")), Text("; ".join(alts)))
    console.print(labels)
    for chain in vocab.group_path(cid):
        parts = []
        for code in chain:
            group = vocab.groups.get(code)
            name = group.labels.get(language or vocab.default_language) if group else None
            name = name or (next(iter(group.labels.values()), "") if group else "")
            parts.append(f"{code} {name}".strip())
        console.print(Text("group: " + " > ".join(parts)))
    for title, ids in (("broader", c.broader), ("narrower", c.narrower), ("related", c.related)):
        if ids:
            console.print(_ids_table(vocab, title, ids, language))


@app.command()
def show(
    concept: Annotated[
        str | None, typer.Argument(help="URI, label in any language, notation or id; omit for a summary.")
    ] = None,
    vocab: VocabOption = "unbis",
    language: LanguageOption = None,
) -> None:
    """Summarise a vocabulary, or show one concept: labels by language, groups, related concepts."""
    voc = _load(vocab, language)
    console = Console()
    if concept is None:
        _summary(console, voc)
        return
    cid = _find(voc, concept)
    if cid is None:
        raise _fail(f"no concept {concept!r} in vocabulary {voc.name!r}; try 'unbis vocab search'")
    _concept(console, voc, cid, language)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Text to find in labels (case and accents ignored).")],
    vocab: VocabOption = "unbis",
    language: LanguageOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Maximum results.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Find concepts whose labels contain QUERY (prefix matches first)."""
    voc = _load(vocab, language)
    ids = voc.search(query, language=language, limit=limit)
    if as_json:
        rows = [
            {"uri": voc.uri(i), "label": voc.label(i, language), "notation": voc.concepts[i].notation}
            for i in ids
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    console = Console()
    if not ids:
        console.print(Text(f"no concept matches {query!r}"))
        raise typer.Exit(code=1)
    table = Table("label", "uri")
    for i in ids:
        table.add_row(Text(voc.label(i, language)), Text(voc.uri(i), style="dim"))
    console.print(table)

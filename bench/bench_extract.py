"""Extraction throughput (documents/s, MB/s) against a naive baseline, in one run.

Corpus: ``$EVENTLOG_CORPUS`` or ``../shared/corpus``; without one, generated English and
Dutch text is used (and the output says so). The baseline does the same kind of work
naively: it re-compiles every date, trigger and amount pattern for each sentence (after
clearing ``re``'s cache) and finds actors with a ``str.find`` loop over every alias.
Wall-clock and CPU seconds are both reported: on a shared machine CPU time is the steadier
figure. The last line checks that the keyword pre-filters change no result.

    python bench/bench_extract.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import time
from pathlib import Path


def corpus_texts() -> tuple[list[str], str]:
    """The documents to time and a description of where they came from."""
    env = os.environ.get("EVENTLOG_CORPUS")
    folder = Path(env) if env else Path.cwd().parent / "shared" / "corpus"
    files = sorted(folder.glob("*.txt")) if folder.is_dir() else []
    if files:
        return [f.read_text(encoding="utf-8") for f in files], f"corpus {folder} ({len(files)} documents)"
    rng = random.Random(7)
    en = ["Putin visited Beijing on 16 May 2024.", "The EU imposed sanctions on Russia last year.",
          "Trade reached $240 billion in 2023.", "Chinese banks stopped accepting payments in June 2024.",
          "Analysts said the relationship is lopsided."]
    nl = ["Op 4 februari 2022 bracht Poetin een bezoek aan China.", "Eind 2023 weigerden Chinese banken betalingen.",
          "De handel bereikte 240 miljard $ in 2023.", "Rusland en China sloten in 2001 een verdrag."]
    docs = [" ".join(rng.choice(en if i % 2 else nl) for _ in range(300)) for i in range(5)]
    return docs, "NO CORPUS FOUND: 5 generated documents of 300 sentences (set EVENTLOG_CORPUS to time the real one)"


def naive_extract(text: str, aliases: list[str], patterns: list[tuple[str, int]]) -> int:
    """The baseline: per sentence, compile every pattern afresh and scan every alias with str.find."""
    from eventlog._extract.sentences import split_sentences

    found = 0
    for s, e in split_sentences(text):
        sentence = text[s:e]
        low = sentence.lower()
        re.purge()  # no help from re's compiled-pattern cache
        for src, flags in patterns:
            found += sum(1 for _ in re.compile(src, flags).finditer(sentence))
        for alias in aliases:
            i = low.find(alias)
            while i != -1:
                found += 1
                i = low.find(alias, i + 1)
    return found


def timed(fn, docs: list[str], repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Best wall-clock and best CPU seconds over ``repeat`` runs (CPU time is steadier on a busy machine)."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        for d in docs:
            fn(d)
        wall, cpu = min(wall, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
    return wall, cpu


def same_with_and_without_prefilter(docs: list[str]) -> bool:
    """The keyword pre-filters of dates and triggers change no result on these documents."""
    from eventlog._extract.datetext import find_dates
    from eventlog._extract.sentences import split_sentences
    from eventlog._extract.triggers import find_triggers

    for d in docs:
        if find_dates(d, doc_date="2024-05-15") != find_dates(d, doc_date="2024-05-15", prefilter=False):
            return False
        if any(find_triggers(d, s, e) != find_triggers(d, s, e, prefilter=False) for s, e in split_sentences(d)):
            return False
    return True


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    from eventlog._extract import amounts, datetext, triggers
    from eventlog._extract.actors import matcher_for
    from eventlog._extract.pipeline import extract

    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3, help="runs per method; the best is reported")
    args = ap.parse_args()
    docs, where = corpus_texts()
    matcher = matcher_for(None)
    aliases = [a.lower() for a in matcher.aliases]
    patterns = [(p, re.IGNORECASE) for p in (*datetext.PATTERNS, *triggers.PATTERNS, *amounts.PATTERNS)]
    extract(docs[0], registry=matcher)  # warm up imports
    mb = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    ours = timed(lambda d: extract(d, registry=matcher, doc_date="2024-05-15"), docs, args.repeat)
    naive = timed(lambda d: naive_extract(d, aliases, patterns), docs, args.repeat)
    table = Table(title=f"extraction throughput - {where}, {mb:.3f} MB")
    for col in ("method", "seconds", "documents/s", "MB/s", "CPU seconds", "MB/s (CPU)"):
        table.add_column(col, justify="right" if col != "method" else "left")
    for name, (t, c) in (("eventlog.extract (full pipeline)", ours), ("naive baseline (matching only)", naive)):
        table.add_row(name, f"{t:.3f}", f"{len(docs) / t:.1f}", f"{mb / t:.2f}", f"{c:.3f}", f"{mb / c:.2f}")
    Console().print(table)
    print(f"speed-up of extract over the naive baseline: {naive[0] / ours[0]:.1f}x (CPU: {naive[1] / ours[1]:.1f}x)")
    print("pre-filters change no result:", "yes" if same_with_and_without_prefilter(docs) else "NO")


if __name__ == "__main__":
    main()

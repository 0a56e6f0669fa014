"""Comments, stars and saved views: the API, checks, build and export, history, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

import eventlog
from eventlog._cli import main as cli
from eventlog._models import Comment, View


def _rows(output: str) -> list[dict]:
    """The rows of --format json (one JSON object per line)."""
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_comments_thread_on_events_links_and_views(populated_store: eventlog.Store) -> None:
    s = populated_store
    with s.change(author="ana", message="a view and a link") as cs:
        cs.put(View(id="banks", author="ana", filters={"type": ["bank_withdrawal"]}))
        cs.link("sanction-2022", "bank-2024", relation="contributes_to")
    with s.change(author="ana", message="ask") as cs:
        q = cs.comment("Which bank was first?", event="bank-2024")
        on_link = cs.comment("Plausible, but weak", link="sanction-2022|bank-2024|contributes_to")
        on_view = cs.comment("Start with 2024", view="banks")
    with s.change(author="bo", message="answer") as cs:
        a = cs.comment("Sberbank, per the source", event="bank-2024", reply_to=q.id)
    with s.change(author="ana", message="thanks") as cs:
        cs.comment("Thanks", event="bank-2024", reply_to=a.id)
    thread = s.comments(event="bank-2024")
    assert thread["text"].to_list() == ["Which bank was first?", "Sberbank, per the source", "Thanks"]
    assert thread["depth"].to_list() == [0, 1, 2] and thread["author"].to_list() == ["ana", "bo", "ana"]
    assert s.comments(link="sanction-2022|bank-2024|contributes_to")["id"].to_list() == [on_link.id]
    assert s.comments(view="banks")["id"].to_list() == [on_view.id]
    assert s.views()["comments"].to_list() == [1]
    assert set(s.comments(as_of=s.last_changeset() - 2)["id"]) == {q.id, on_link.id, on_view.id}
    # Edited like any record: the history has both texts.
    answer = next(c for c in s.records("comment") if c.id == a.id)
    with s.change(author="bo", message="fix") as cs:
        cs.put(answer.model_copy(update={"text": "Sberbank, per the second source"}))
    assert s.history(a.id, kind="comment")["version"].to_list() == [1, 2]


def test_comments_name_what_exists_and_keep_it(populated_store: eventlog.Store) -> None:
    s = populated_store
    head = s.last_changeset()
    for kwargs, match in [({"event": "nope"}, "unknown event 'nope'"), ({"view": "nope"}, "unknown view 'nope'"),
                          ({"link": "a|b|causes"}, "unknown link"), ({"event": "bank-2024", "reply_to": "c1"},
                                                                     "unknown comment 'c1'")]:
        with pytest.raises(eventlog.ValidationError, match=match), s.change(author="a", message="m") as cs:
            cs.comment("text", **kwargs)
    with pytest.raises(eventlog.ValidationError, match="exactly one of event, link, view"):
        Comment(id="c1", author="a", text="t", event="e", view="v")
    with pytest.raises(eventlog.ValidationError, match="text"), s.change(author="a", message="m") as cs:
        cs.comment("", event="bank-2024")
    assert s.last_changeset() == head
    with s.change(author="a", message="m") as cs:
        cs.comment("keep me", event="bank-2024")
    with pytest.raises(eventlog.ValidationError, match="named by comment"), s.change(author="a", message="m") as cs:
        cs.delete("bank-2024", reason="gone")


def test_stars_per_analyst(populated_store: eventlog.Store) -> None:
    s = populated_store
    with s.change(author="ana", message="stars") as cs:
        cs.star(event="bank-2024")
        cs.star(event="visit-2024", note="for the brief")
    with s.change(author="bo", message="star") as cs:
        cs.star(event="bank-2024")
    assert sorted(s.stars()["analyst"].to_list()) == ["ana", "ana", "bo"]
    assert s.stars(analyst="ana").sort("event")["note"].to_list() == ["", "for the brief"]
    with s.change(author="ana", message="unstar") as cs:
        cs.unstar(event="bank-2024")
    assert s.stars().filter(pl.col("event") == "bank-2024")["analyst"].to_list() == ["bo"]
    with pytest.raises(eventlog.ValidationError, match="unknown event"), s.change(author="a", message="m") as cs:
        cs.star(event="nope")


def test_a_saved_view_reopens_as_its_query(populated_store: eventlog.Store) -> None:
    s = populated_store
    with s.change(author="ana", message="views") as cs:
        cs.put(View(id="recent", title="Since 2023", author="ana", filters={"start": "2023", "type": ["bank_withdrawal", "visit"]},
                    lanes="actor"))
    assert s.query(view="recent").equals(s.query(start="2023", type=["bank_withdrawal", "visit"]))
    assert s.query(view="recent", type="visit")["id"].to_list() == ["visit-2024"]  # given filters win
    assert s.view("recent").lanes == "actor"
    with pytest.raises(eventlog.NotFound, match="did you mean 'recent'"):
        s.query(view="recnt")
    with pytest.raises(eventlog.ValidationError, match="filters.type: unknown type 'vist'") as exc, \
            s.change(author="a", message="m") as cs:
        cs.put(View(id="bad", author="a", filters={"type": "vist"}))
    assert exc.value.record == "bad"
    with pytest.raises(eventlog.ValidationError, match="unknown filter 'colour'"):
        View(id="bad", author="a", filters={"colour": "red"})


def test_judgements_export_to_files_and_build_back(populated_store: eventlog.Store, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENTLOG_CORPUS", str(tmp_path / "no-corpus"))  # the fixture's document is not real
    s = populated_store
    with s.change(author="ana", message="all kinds") as cs:
        cs.put(View(id="banks", author="ana", filters={"type": "bank_withdrawal"}, range=("2023", "2025")))
        c = cs.comment("Check the date", event="bank-2024")
        cs.comment("Agreed", event="bank-2024", reply_to=c.id, author="bo")
        cs.star(event="visit-2024")
    folder = tmp_path / "events"
    eventlog.export(s, folder)
    for name in ("views.yaml", "comments.yaml", "stars.yaml"):
        assert (folder / name).read_text(encoding="utf-8").startswith("# ")
    db = tmp_path / "copy.duckdb"
    eventlog.build(folder, db, author="b", message="from files")
    copy = eventlog.open(db)
    assert copy.comments().drop("posted").equals(s.comments().drop("posted"))
    assert copy.stars().equals(s.stars()) and copy.views().equals(s.views())
    # A comment added to the file by hand comes in with the next build, beside one made in the store.
    with copy.change(author="cy", message="in the store") as cs:
        cs.comment("From the store", event="visit-2024")
    text = (folder / "comments.yaml").read_text(encoding="utf-8")
    (folder / "comments.yaml").write_text(text + "- id: c-by-hand\n  event: visit-2024\n  author: dee\n  text: By hand\n",
                                          encoding="utf-8")
    eventlog.build(folder, db, author="b", message="again")
    assert sorted(copy.comments(event="visit-2024")["text"].to_list()) == ["By hand", "From the store"]


def test_cli_comment_star_views_and_query_view(populated_store: eventlog.Store) -> None:
    db = populated_store.location
    run = CliRunner().invoke
    saved = run(cli, ["views", "--db", db, "--save", "banks", "--filter", "type=bank_withdrawal", "--filter",
                      "type=sanction", "--title", "Bank curbs", "--author", "ana"])
    assert saved.exit_code == 0, saved.output
    assert populated_store.view("banks").filters == {"type": ["bank_withdrawal", "sanction"]}
    listed = run(cli, ["views", "--db", db, "--format", "json"])
    assert _rows(listed.output)[0]["id"] == "banks"
    q = run(cli, ["query", "--db", db, "--view", "banks", "--format", "json"])
    assert sorted(r["id"] for r in _rows(q.output)) == ["bank-2024", "sanction-2022"]
    c = run(cli, ["comment", "--db", db, "bank-2024", "Which bank?", "--author", "bo"])
    assert c.exit_code == 0 and "comment c" in c.output
    cid = c.output.split("comment ")[1].split()[0]
    r = run(cli, ["comment", "--db", db, "bank-2024", "Sberbank", "--reply-to", cid, "--author", "ana"])
    assert r.exit_code == 0, r.output
    v = run(cli, ["comment", "--db", db, "view:banks", "Start here"])
    assert v.exit_code == 0, v.output
    thread = run(cli, ["comments", "--db", db, "bank-2024", "--format", "json"])
    assert [(x["text"], x["depth"]) for x in _rows(thread.output)] == [("Which bank?", 0), ("Sberbank", 1)]
    st = run(cli, ["star", "--db", db, "bank-2024", "--author", "bo"])
    assert st.exit_code == 0 and populated_store.stars()["analyst"].to_list() == ["bo"]
    bad = run(cli, ["views", "--db", db, "--save", "x", "--filter", "type=vist"])
    assert bad.exit_code == 1 and "filters.type" in bad.output and "Traceback" not in bad.output
    gone = run(cli, ["query", "--db", db, "--view", "nope"])
    assert gone.exit_code == 1 and "unknown view 'nope'" in gone.output

"""Timelines: uncertain dates as bars, lanes, colours, tooltips, links, aggregation, escaping, the CLI."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

import eventlog
import eventlog._store.opener
from eventlog import EVENT_TYPES
from eventlog._charts import timeline as _timeline
from eventlog._charts.timeline import (
    MAX_LANES,
    MAX_LINKS,
    MAX_ROWS,
    MAX_TEXT,
    PICKS,
    SPEC_BOUND,
    chart_rows,
    save,
    spec_size,
    timeline,
    to_html,
)
from eventlog._cli import main
from tests.helpers import make_event


def _datasets(chart) -> dict:
    return chart.to_dict()["datasets"]


def _events(chart) -> list[dict]:
    return _datasets(chart)["events"]


def _svg(chart) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_dict())


def test_import_eventlog_loads_no_chart_or_widget_library():
    code = ("import sys, eventlog; bad = [m for m in ('altair', 'ipywidgets', 'anywidget', 'eventlog.widgets', "
            "'eventlog._charts.timeline') if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_day_events_are_points_and_vaguer_dates_are_bars_across_their_bounds(populated_store):
    rows = {r["id"]: r for r in _events(timeline(populated_store.query(), store=populated_store))}
    year = rows["trade-2023"]
    assert (year["start"], year["stop"], year["point"]) == ("2023-01-01", "2024-01-01", False)
    assert year["when"] == "sometime in 2023" and year["date"] == "2023"
    # A two-day interval covers both days; an approximate month widens by a month each side.
    assert (rows["visit-2024"]["start"], rows["visit-2024"]["stop"]) == ("2024-05-16", "2024-05-18")
    assert (rows["bank-2024"]["start"], rows["bank-2024"]["stop"]) == ("2023-12-01", "2024-03-01")
    assert "old-2014" not in rows  # deleted events are not drawn


def test_point_layer_draws_only_day_events_and_bar_layer_the_rest(fresh_store):
    with fresh_store.change(author="t", message="two") as cs:
        cs.put(make_event("day", date="2024-05-16"))
        cs.put(make_event("year", date="2014"))
    spec = timeline(fresh_store, overview=False).to_dict()
    marks = {layer["mark"]["type"]: layer["transform"][0]["filter"] for layer in spec["layer"][:2]}
    assert marks == {"bar": "!datum.point", "point": "datum.point"}
    rows = {r["id"]: r["point"] for r in spec["datasets"]["events"]}
    assert rows == {"day": True, "year": False}
    # The SVG vl-convert draws has one symbol (the day) and one bar (the year) in the main view.
    svg = _svg(timeline(fresh_store, overview=False))
    assert svg.count('aria-roledescription="bar"') == 1
    assert svg.count('aria-roledescription="point"') == 1


def test_colour_is_the_taxonomy_colour_of_each_type(populated_store):
    spec = timeline(populated_store).to_dict()
    scale = spec["vconcat"][0]["layer"][0]["encoding"]["color"]["scale"]
    assert scale["domain"] == ["sanction", "bank_withdrawal", "visit", "trade"]  # taxonomy order
    assert scale["range"] == [EVENT_TYPES[t].colour for t in scale["domain"]]


def test_tooltip_has_title_dates_actors_amounts_sources_and_evidence(populated_store):
    populated_store.add_evidence({("doc", 0, 10): "Quoted words"})
    chart = timeline(populated_store.query(), store=populated_store)
    tips = {t["field"] for t in chart.to_dict()["vconcat"][0]["layer"][0]["encoding"]["tooltip"]}
    assert tips == {"title", "date", "when", "actors", "amounts", "n_sources", "quote"}
    row = next(r for r in _events(chart) if r["id"] == "trade-2023")
    assert row["actors"] == "Russia, China"
    assert row["amounts"] == "240 billion USD (trade)"
    assert row["n_sources"] == 1
    assert row["quote"] == "Quoted words"
    # Without the store (a bare frame) there is no quote to show.
    assert all(r["quote"] is None for r in _events(timeline(populated_store.query())))


def test_lanes_by_actor_put_an_event_in_each_of_its_actors_lanes(populated_store):
    rows = _events(timeline(populated_store, lanes="actor"))
    lanes = sorted(r["lane"] for r in rows if r["id"] == "sanction-2022")
    assert lanes == ["Russia", "United States"]
    tag_lanes = {r["id"]: r["lane"] for r in _events(timeline(populated_store, lanes="tag"))}
    assert tag_lanes["bank-2024"] == "(no tag)" and tag_lanes["visit-2024"] == "diplomacy"
    with pytest.raises(eventlog.ValidationError, match="lanes"):
        timeline(populated_store, lanes="colour")


def test_overlapping_events_in_a_lane_get_separate_sub_rows(fresh_store):
    with fresh_store.change(author="t", message="overlap") as cs:
        for i in range(3):
            cs.put(make_event(f"y{i}", type="trade", date="2020"))
    rows = _events(timeline(fresh_store))
    assert sorted(r["track"] for r in rows) == [0, 1, 2]
    assert len({r["band"] for r in rows}) == 3


def test_causal_links_are_drawn_from_cause_to_effect_and_can_be_left_out(populated_store):
    with populated_store.change(author="ana", message="link") as cs:
        cs.link("sanction-2022", "bank-2024", relation="contributes_to", confidence=0.8)
    chart = timeline(populated_store)
    links = _datasets(chart)["links"]
    assert len(links) == 1
    lk = links[0]
    rows = {r["id"]: r for r in _events(chart)}
    assert (lk["cause"], lk["effect"], lk["relation"]) == ("sanction-2022", "bank-2024", "contributes_to")
    assert (lk["x"], lk["x2"]) == (rows["sanction-2022"]["mid"], rows["bank-2024"]["mid"])
    assert lk["head"] == "triangle-right"  # the effect comes later
    assert any(p.get("name") == "show_links" for p in chart.to_dict()["params"])
    assert 'aria-roledescription="rule mark"' in _svg(chart)  # drawn: the checkbox parameter starts on
    plain = timeline(populated_store, links=False)
    assert _datasets(plain)["links"] == []
    assert len(plain.to_dict()["vconcat"][0]["layer"]) == 2


def test_links_follow_as_of(populated_store):
    before = populated_store.last_changeset()
    with populated_store.change(author="ana", message="link") as cs:
        cs.link("sanction-2022", "bank-2024", relation="triggers")
    assert len(_datasets(timeline(populated_store))["links"]) == 1
    assert _datasets(timeline(populated_store, as_of=before))["links"] == []


def test_brush_on_overview_zooms_main_view_and_clicks_select_by_id(populated_store):
    spec = timeline(populated_store).to_dict()
    params = {p["name"]: p for p in spec["params"]}
    assert params["brush"]["select"]["encodings"] == ["x"] and params["brush"]["views"] == ["overview"]
    names = [layer.get("name") for layer in spec["vconcat"][0]["layer"]]
    for pick in PICKS:
        assert params[pick]["select"]["fields"] == ["id"]
        assert params[pick]["views"][0] in names
    assert spec["vconcat"][0]["layer"][0]["encoding"]["x"]["scale"]["domain"] == {"param": "brush"}
    _svg(timeline(populated_store))  # Vega compiles it: every selection and view name resolves


def test_a_few_old_events_do_not_squeeze_the_rest(fresh_store):
    with fresh_store.change(author="t", message="many") as cs:
        cs.put(make_event("old", date="1850"))
        for i in range(40):
            cs.put(make_event(f"e{i}", date=f"20{10 + i % 14}-0{1 + i % 9}-1{i % 9}"))
    brush = next(p for p in timeline(fresh_store).to_dict()["params"] if p["name"] == "brush")
    lo, hi = brush["value"]["x"]
    assert lo["year"] >= 2000 and hi["year"] >= 2023


def _big_frame(n: int, n_actors: int = 3) -> pl.DataFrame:
    base = dt.date(1990, 1, 1)
    starts = [base + dt.timedelta(days=(i * 37) % 12000) for i in range(n)]
    return pl.DataFrame({
        "id": [f"e{i}" for i in range(n)],
        "type": [list(EVENT_TYPES)[i % len(EVENT_TYPES)] for i in range(n)],
        "title": ["x" * 300 for _ in range(n)],
        "date": [s.isoformat() for s in starts],
        "start": starts, "end": starts,
        "actors": [[f"Actor {i % n_actors}", f"Actor {(i + 1) % n_actors}"] for i in range(n)],
        "tags": [["t"] for _ in range(n)],
        "amounts": [["1 billion USD (" + "y" * 300 + ")"] for _ in range(n)],
        "n_sources": [1] * n,
        "status": ["confirmed"] * n,
    })


def test_large_inputs_aggregate_per_lane_and_period_and_stay_bounded():
    chart = timeline(_big_frame(20_000))  # Altair alone refuses more than 5,000 rows
    counts = _datasets(chart)["counts"]
    assert "events" not in _datasets(chart)
    assert len(counts) <= MAX_ROWS
    assert sum(c["count"] for c in counts) == 20_000
    assert spec_size(chart) < 200_000
    assert "counts per" in chart.to_dict()["title"]["text"]


def test_actor_lanes_are_capped_and_the_rest_merged():
    rows = _events(timeline(_big_frame(300, n_actors=80), lanes="actor"))
    lanes = {r["lane"] for r in rows}
    assert len(lanes) == MAX_LANES and "(other)" in lanes


class _LinkSource:
    """A store stand-in with far more links than a chart draws, every text at full length."""

    def links(self, event, as_of=None):
        n = len(event)
        return pl.DataFrame({"cause": event, "effect": event[1:] + event[:1], "relation": ["contributes_to"] * n,
                             "confidence": [0.5] * n})


def test_worst_case_chart_stays_under_the_stated_bound(monkeypatch):
    """Every row and every text at its limit (long ids, many long actor names, quotes, links)."""
    monkeypatch.setattr(_timeline, "_quotes", lambda store, frame: dict.fromkeys(frame["id"], "é" * 1000))
    frame = _big_frame(MAX_ROWS, n_actors=500).with_columns(
        id=pl.Series([f"{i:04d}-" + "a" * 115 for i in range(MAX_ROWS)]),
        date=pl.lit("2001-03-04~/2003-05-06~"),
        actors=pl.Series([[f"{'é' * 200} {i % 500}", f"{'ü' * 200} {i % 7}"] for i in range(MAX_ROWS)]),
        tags=pl.Series([[f"t{k}" * 20 for k in range(10)] for _ in range(MAX_ROWS)]),
        title=pl.lit("é" * 1000),
    )
    chart = timeline(frame, store=_LinkSource(), lanes="type")
    data = _datasets(chart)
    assert len(data["events"]) == MAX_ROWS and len(data["links"]) == MAX_LINKS
    assert max(len(r["title"]) for r in data["events"]) == MAX_TEXT["title"]
    assert max(len(r["quote"]) for r in data["events"]) == MAX_TEXT["quote"]
    assert spec_size(chart) < SPEC_BOUND
    lanes = {r["lane"] for r in _events(timeline(frame.head(500), store=_LinkSource(), lanes="actor"))}
    assert max(len(x) for x in lanes) <= MAX_TEXT["lane"]


def test_forced_aggregation_and_too_many_rows_both_switch_modes(populated_store):
    assert "counts" in _datasets(timeline(populated_store, aggregate=True))
    assert "counts" in _datasets(timeline(populated_store, max_rows=2))
    assert "events" in _datasets(timeline(populated_store, max_rows=4))


def test_default_store_is_queried_with_filters(populated_store, monkeypatch):
    monkeypatch.setenv("EVENTLOG_DB", populated_store.location)
    eventlog._store.opener._default_stores.clear()
    ids = {r["id"] for r in _events(eventlog.timeline(type="trade"))}
    assert ids == {"trade-2023"}
    with pytest.raises(eventlog.ValidationError, match="filters"):
        timeline(populated_store.query(), type="trade")


HOSTILE = "</script><script>alert('x')</script> & <b>bold</b>"


def test_record_text_stays_text_in_standalone_html(fresh_store):
    with fresh_store.change(author="t", message="hostile") as cs:
        cs.put(make_event("evil", title=HOSTILE, summary="<img src=x onerror=alert(1)>"))
    page = to_html(timeline(fresh_store))
    assert "alert('x')" in page.replace("\\u003c", "<").replace("\\u003e", ">")  # the text is there...
    assert "<script>alert" not in page and "<b>bold" not in page  # ...but never as markup
    assert page.count("<script") == 2  # the bundle and the embed call, nothing from records
    spec = json.loads(page.split("const spec = ", 1)[1].split(";\n", 1)[0])
    assert spec["datasets"]["events"][0]["title"] == HOSTILE


def test_record_text_is_escaped_in_svg_labels(fresh_store):
    with fresh_store.change(author="t", message="actor") as cs:
        cs.put(eventlog.Actor(id="evil", name="<script>alert(1)</script>", category="state"))
        cs.put(make_event("e", actors=["evil"]))
    svg = _svg(timeline(fresh_store, lanes="actor"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg


@pytest.mark.parametrize("aggregate", [False, True])
def test_control_characters_never_reach_a_renderer(fresh_store, tmp_path: Path, aggregate: bool):
    """An escape or NUL in a title, an actor name or --title: PNG, PDF and SVG still render
    (vl-convert refuses non-XML characters, and a title one aborted the process)."""
    import xml.dom.minidom

    with fresh_store.change(author="t\x1b[31m", message="m") as cs:
        cs.put(eventlog.Actor(id="evil", name="Ev\x07il", category="state"))
        cs.put(make_event("e", actors=["evil"], title="Bad \x1b[2J \x00 \x0c title"))
    chart = timeline(fresh_store, lanes="actor", aggregate=aggregate, title="Report \x1b\x00")
    xml.dom.minidom.parse(str(save(chart, tmp_path / "t.svg")))
    assert save(chart, tmp_path / "t.png").read_bytes()[:4] == b"\x89PNG"
    assert save(chart, tmp_path / "t.pdf").read_bytes()[:4] == b"%PDF"


def test_save_writes_offline_html_png_svg(populated_store, tmp_path: Path):
    chart = timeline(populated_store)
    html = save(chart, tmp_path / "t.html").read_text()
    assert "vegaEmbed" in html and "cdn.jsdelivr" not in html and "<script src" not in html
    assert save(chart, tmp_path / "t.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert save(chart, tmp_path / "t.svg").read_text().lstrip().startswith("<svg")
    with pytest.raises(eventlog.ValidationError, match=r"\.html"):
        save(chart, tmp_path / "t.txt")


def test_cli_timeline_writes_the_filtered_events(populated_store, tmp_path: Path):
    db = populated_store.location
    populated_store.close()
    runner = CliRunner()
    out = tmp_path / "sanctions.html"
    res = runner.invoke(main, ["timeline", "--db", db, "--type", "sanction", "--type", "trade", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "wrote 2 events" in res.output
    spec = json.loads(out.read_text().split("const spec = ", 1)[1].split(";\n", 1)[0])
    assert sorted(r["id"] for r in spec["datasets"]["events"]) == ["sanction-2022", "trade-2023"]
    res = runner.invoke(main, ["timeline", "--db", db, "--lanes", "actor", "--no-links", "--out", str(tmp_path / "a.png")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "a.png").read_bytes()[:4] == b"\x89PNG"
    res = runner.invoke(main, ["timeline", "--db", db, "--start", "nonsense", "--out", str(tmp_path / "b.svg")])
    assert res.exit_code == 1 and "error:" in res.output


def test_chart_rows_of_an_empty_frame(fresh_store):
    rows, order = chart_rows(fresh_store.query())
    assert rows == [] and order == []
    timeline(fresh_store).to_dict()  # an empty store still gives a valid chart

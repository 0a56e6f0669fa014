"""Timelines: uncertain dates as bars, lanes, colours, tooltips, links, aggregation, escaping, the CLI."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

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
    TimeScale,
    aggregate_rows,
    chart_rows,
    save,
    spec_size,
    timeline,
    to_html,
)
from eventlog._cli import main
from tests.helpers import EVENTS, make_event
from tests.scenegraph import axis_labels, items, plot_width, read_axis, scenegraph


def _datasets(chart) -> dict:
    return chart.to_dict()["datasets"]


def _events(chart) -> list[dict]:
    return _datasets(chart)["events"]


def _layer(spec: dict, name: str) -> dict:
    """The main view's layer called ``name`` (Altair suffixes names in a concatenation)."""
    layers = spec["vconcat"][0]["layer"] if "vconcat" in spec else spec["layer"]
    return next(layer for layer in layers if re.sub(r"_\d+$", "", layer.get("name", "")) == name)


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
    marks = {layer["mark"]["type"]: layer["transform"][0]["filter"]
             for layer in (_layer(spec, "event_bars"), _layer(spec, "event_points"))}
    assert marks == {"bar": "!datum.point", "point": "datum.point"}
    rows = {r["id"]: r["point"] for r in spec["datasets"]["events"]}
    assert rows == {"day": True, "year": False}
    # The SVG vl-convert draws has one symbol (the day) and one bar (the year) in the main view.
    svg = _svg(timeline(fresh_store, overview=False))
    assert len(re.findall(r'event_bars[^>]*>\s*<path[^>]*aria-roledescription="bar"', svg)) == 1
    assert svg.count('aria-roledescription="point"') == 1


def test_colour_is_the_taxonomy_colour_of_each_type(populated_store):
    spec = timeline(populated_store).to_dict()
    scale = _layer(spec, "event_bars")["encoding"]["color"]["scale"]
    assert scale["domain"] == ["sanction", "bank_withdrawal", "visit", "trade"]  # taxonomy order
    assert scale["range"] == [EVENT_TYPES[t].colour for t in scale["domain"]]


def test_tooltip_has_title_dates_actors_amounts_sources_and_evidence(populated_store):
    populated_store.add_evidence({("doc", 0, 10): "Quoted words"})
    chart = timeline(populated_store.query(), store=populated_store)
    tips = {t["field"] for t in _layer(chart.to_dict(), "event_bars")["encoding"]["tooltip"]}
    assert tips == {"title", "date", "when", "status", "confidence", "actors", "amounts", "n_sources", "grades",
                    "reported", "quote", "id"}
    row = next(r for r in _events(chart) if r["id"] == "trade-2023")
    assert row["actors"] == "Russia, China"
    assert row["amounts"] == "240 billion USD (trade)"
    assert row["n_sources"] == 1
    assert row["quote"] == "Quoted words"
    assert row["grades"] == "doc ??"  # neither the source nor the citation graded yet
    assert row["reported"] == "sometime in May 2024"
    # Without the store (a bare frame) there is no quote to show, nor grades (not in the default columns).
    bare = _events(timeline(populated_store.query()))
    assert all(r["quote"] is None and r["grades"] is None for r in bare)


def test_grades_in_the_tooltip_follow_the_sources_and_citations(populated_store):
    with populated_store.change(author="ana", message="grade") as cs:
        doc = populated_store.records("source")[0]
        cs.put(doc.model_copy(update={"reliability": "B"}))
        ev = populated_store.get("visit-2024")
        cs.put(ev.model_copy(update={"sources": [ev.sources[0].model_copy(update={"credibility": 2})]}))
    rows = {r["id"]: r for r in _events(timeline(populated_store.query(), store=populated_store))}
    assert rows["visit-2024"]["grades"] == "doc B2" and rows["trade-2023"]["grades"] == "doc B?"
    # As of before the grading, the tooltip shows the grades of then.
    before = populated_store.last_changeset() - 1
    rows = {r["id"]: r for r in _events(timeline(populated_store.query(as_of=before), store=populated_store, as_of=before))}
    assert rows["visit-2024"]["grades"] == "doc ??"


def test_hindsight_marks_the_events_no_source_had_published_by_the_day(populated_store):
    with populated_store.change(author="ana", message="an older source") as cs:
        cs.put(eventlog.Source(id="old", file="old.txt", title="Old", publisher="p", language="en", published="2022-03",
                               sha256="1" * 64))
        cs.put(populated_store.get("sanction-2022").model_copy(update={"sources": [
            eventlog.Citation(source="old", span=(0, 4))]}))
    chart = timeline(populated_store.query(), store=populated_store, hindsight="2023-01-01")
    marked = {r["id"] for r in _events(chart) if r.get("hindsight")}
    # "doc" came out in May 2024; only the sanction's source was out by 2023.
    assert marked == {"visit-2024", "trade-2023", "bank-2024"}
    assert marked == set(populated_store.query()["id"]) - set(populated_store.query(known_by="2023-01-01")["id"])
    layer = _layer(chart.to_dict(), "event_hindsight")
    assert layer["transform"] == [{"filter": "datum.hindsight"}]
    assert "reported only after 2023-01-01 (3 of 4)" in " ".join(chart.to_dict()["title"]["subtitle"])
    # A narrow frame without first_reported: the store is asked.
    narrow = populated_store.query(columns=["id", "type", "title", "date", "start", "end", "version"])
    assert {r["id"] for r in _events(timeline(narrow, store=populated_store, hindsight="2023-01-01")) if r.get("hindsight")} == marked
    assert "event_hindsight" not in json.dumps(timeline(populated_store.query(), store=populated_store).to_dict())


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
    points, ends = _datasets(chart)["links"], _datasets(chart)["link_ends"]
    assert [p["k"] for p in points] == [0, 1, 2, 3]  # one curve: out of the cause, across, into the effect
    rows = {r["id"]: r for r in _events(chart)}
    assert [(e["link"], e["cause"], e["effect"], e["relation"]) for e in ends] == [
        (0, "sanction-2022", "bank-2024", "contributes_to")]
    assert {p["link"] for p in points} == {0}
    assert points[0]["w_x"] == rows["sanction-2022"]["w_stop"] and points[0]["band"] == rows["sanction-2022"]["band"]
    assert points[3]["w_x"] == rows["bank-2024"]["w_start"] and points[3]["band"] == rows["bank-2024"]["band"]
    assert points[3]["head"] == "triangle-right"  # the effect comes later
    assert any(p.get("name") == "all_links" for p in chart.to_dict()["params"])
    # By default a link is drawn only for the selected or hovered event; "all" draws every one.
    assert 'aria-roledescription="line mark"' not in _svg(chart)
    assert 'aria-roledescription="line mark"' in _svg(timeline(populated_store, links="all"))
    relation = _layer(chart.to_dict(), "link_curves")["encoding"]["stroke"]
    assert relation["field"] == "relation" and relation["title"] == "causal link"
    plain = timeline(populated_store, links=False)
    assert _datasets(plain)["links"] == []
    assert not any(re.match("link_", layer.get("name", "")) for layer in plain.to_dict()["vconcat"][0]["layer"])
    with pytest.raises(eventlog.ValidationError, match="links"):
        timeline(populated_store, links="some")


def test_links_follow_as_of(populated_store):
    before = populated_store.last_changeset()
    with populated_store.change(author="ana", message="link") as cs:
        cs.link("sanction-2022", "bank-2024", relation="triggers")
    assert len({p["link"] for p in _datasets(timeline(populated_store))["links"]}) == 1
    assert _datasets(timeline(populated_store, as_of=before))["links"] == []


def test_overview_brush_and_wheel_zoom_drive_the_main_view_and_clicks_select_by_id(populated_store):
    spec = timeline(populated_store).to_dict()
    params = {p["name"]: p for p in spec["params"]}
    assert params["brush"]["select"]["encodings"] == ["x"] and params["brush"]["views"] == ["overview"]
    assert "value" not in params["brush"]  # the overview opens without a brush: a drag draws one
    assert params["zoom"]["bind"] == "scales" and params["zoom"]["select"]["zoom"] == "wheel!"
    names = [layer.get("name") for layer in spec["vconcat"][0]["layer"]]
    for pick in PICKS:
        assert params[pick]["select"]["fields"] == ["id"]
        assert params[pick]["views"][0] in names
    assert "brush.w_start" in _layer(spec, "event_bars")["encoding"]["x"]["scale"]["domain"]["expr"]
    # The overview counts events per period on a square-root scale.
    density = spec["datasets"]["density"]
    assert sum(d["count"] for d in density) == len({r["id"] for r in spec["datasets"]["events"]})
    assert spec["vconcat"][1]["encoding"]["y"]["scale"]["type"] == "sqrt"
    _svg(timeline(populated_store))  # Vega compiles it: every selection and view name resolves


def test_a_few_old_events_do_not_squeeze_the_rest(fresh_store):
    with fresh_store.change(author="t", message="many") as cs:
        cs.put(make_event("old", date="1850"))
        for i in range(40):
            cs.put(make_event(f"e{i}", date=f"20{10 + i % 14}-0{1 + i % 9}-1{i % 9}"))
    chart = timeline(fresh_store, overview=False)
    sg = scenegraph(chart)
    marks = [i for i in items(sg, "event_") if i.mark in ("event_bars", "event_points")]
    xs = sorted(m.centre[0] for m in marks if m.event_id != "old")
    assert xs[-1] - xs[0] > 0.6 * plot_width(sg)  # 2010-2023 take most of the width...
    old = next(m for m in marks if m.event_id == "old")
    assert old.x0 >= 0  # ...and 1850 is still in view, on the shaded compressed stretch
    shaded = [i for i in items(sg, "compressed") if i.mark == "compressed"]
    assert shaded and shaded[0].x0 <= old.centre[0] <= shaded[0].x1
    assert "compressed scale" in " ".join(chart.to_dict()["title"]["subtitle"])


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


_TYPES = list(EVENT_TYPES)[:5]
_NAMES = ["Russia", "China", "Gazprom", "A very long actor name that a lane label cuts " * 2, ""]


@st.composite
def _frames(draw: st.DrawFn) -> pl.DataFrame:
    n = draw(st.integers(0, 40))
    rows = []
    for _ in range(n):
        start = draw(st.dates(dt.date(1, 1, 1), dt.date(2200, 12, 31)))
        days = draw(st.sampled_from([0, 0, 1, 30, 90, 364, 3650, 40000]))
        end = start + dt.timedelta(days=days) if start.toordinal() + days < dt.date.max.toordinal() else start
        if draw(st.integers(0, 15)) == 0:
            start = end = None
        actors = draw(st.one_of(st.none(), st.lists(st.sampled_from(_NAMES), max_size=3)))
        rows.append({"type": draw(st.sampled_from(_TYPES)), "start": start, "end": end, "actors": actors,
                     "tags": draw(st.lists(st.sampled_from(["gas", "trade", "bank"]), max_size=2))})
    return pl.DataFrame(rows, schema={"type": pl.String, "start": pl.Date, "end": pl.Date,
                                      "actors": pl.List(pl.String), "tags": pl.List(pl.String)})


@settings(max_examples=150, deadline=None)
@given(_frames(), st.sampled_from(["type", "actor", "tag"]), st.integers(1, 40),
       st.sampled_from([None, *_timeline._PERIODS]), st.sampled_from([90, 760, 5000]))
def test_column_wise_aggregation_agrees_with_the_row_by_row_definition(frame, lanes, max_rows, period, width):
    from tests.timeline_reference import aggregate_rows_by_row

    got = aggregate_rows(frame, lanes=lanes, max_rows=max_rows, period=period, width=width)
    assert got == aggregate_rows_by_row(frame, lanes=lanes, max_rows=max_rows, period=period, width=width)


class _LinkSource:
    """A store stand-in with far more links than a chart draws, every text at full length."""

    def link_ends(self, event, as_of=None):
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
    assert len(data["events"]) == MAX_ROWS and len({p["link"] for p in data["links"]}) == MAX_LINKS
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


# -- what an analyst sees on the dataset, measured in Vega's own scenegraph ---------------------

@pytest.fixture(scope="module")
def dataset_chart_store(tmp_path_factory: pytest.TempPathFactory) -> eventlog.Store:
    """The real dataset (events/), built without the corpus: layout does not need quotes."""
    db = tmp_path_factory.mktemp("dataset") / "dataset.duckdb"
    eventlog.build(EVENTS, db, author="test", message="dataset for the timeline")
    return eventlog.open(db, read_only=True)


def _drawn(chart) -> tuple[list, list, dict]:
    sg = scenegraph(chart)
    marks = [i for i in items(sg, "event_") if i.mark in ("event_bars", "event_points")]
    labels = [i for i in items(sg, "event_labels") if i.props.get("text") and i.props.get("opacity", 1) > 0]
    return marks, labels, sg


@pytest.mark.parametrize("lanes,width", [("type", 760), ("type", 1000), ("actor", 1000)])
def test_every_event_of_the_dataset_can_be_seen_read_and_clicked(dataset_chart_store, lanes: str, width: int):
    n = dataset_chart_store.query().height
    marks, labels, sg = _drawn(timeline(dataset_chart_store, lanes=lanes, width=width))
    assert len({m.event_id for m in marks}) == n
    w, h = plot_width(sg), max(m.y1 for m in marks)
    for m in marks:
        # Inside the plot, and its centre under no other event's mark (so a click reaches it).
        assert -0.5 <= m.x0 and m.x1 <= w + 0.5 and m.y0 >= -0.5, (m.title, m.x0, m.x1)
        others = [o for o in marks if o is not m and o.overlaps(m)]
        assert not any(o.contains(*m.centre) for o in others), m.title
        corners = [(m.x0 + 0.5, m.y0 + 0.5), (m.x1 - 0.5, m.y1 - 0.5), (m.x0 + 0.5, m.y1 - 0.5), (m.x1 - 0.5, m.y0 + 0.5)]
        assert not all(any(o.contains(*c) for o in others) for c in corners), f"{m.title} is hidden"
    assert h > 0
    # Titles are written: at least 90% of events have their title or a clipped prefix of it.
    titled = set()
    for lab in labels:
        text = lab.props["text"].lstrip("~? ").rstrip("\u2026")
        if lab.title and lab.title.startswith(text) and len(text) >= 3:
            titled.add(lab.event_id)
    assert len(titled) >= 0.9 * n, f"{len(titled)} of {n} titled"
    # Labels never overlap each other or another event's mark (bounded by their pixel limit).
    for k, a in enumerate(labels):
        assert not any(a.overlaps(b, 0.5) for b in labels[k + 1:]), a.props["text"]
        assert not any(a.event_id != m.event_id and a.overlaps(m, 0.5) for m in marks), a.props["text"]


def test_a_view_of_one_year_labels_months_once_each_with_the_year_above(dataset_chart_store):
    year = dataset_chart_store.query(start="2022", end="2022").filter(
        (pl.col("start") >= dt.date(2022, 1, 1)) & (pl.col("end") <= dt.date(2022, 12, 31)))
    assert year.height > 10
    _marks, _labels, sg = _drawn(timeline(year, store=dataset_chart_store))
    main_axis = axis_labels(sg)[0]
    assert len(main_axis) >= 6 and len(set(read_axis(main_axis))) == len(main_axis), main_axis
    assert any(label.startswith("2022\n") for label in main_axis)  # the year, above its months
    assert {"Mar", "Jun", "Sep"} <= {label.split("\n")[-1] for label in main_axis}
    # A report of one year shows exactly it.
    _m, _l, sg = _drawn(timeline(year, store=dataset_chart_store, view=("2022", "2022"), report=True))
    labels = axis_labels(sg)[0]
    assert labels[0].startswith("2022") and len(set(read_axis(labels))) == len(labels)


def test_disputes_uncertainty_and_confidence_are_drawn_and_explained(dataset_chart_store):
    frame = dataset_chart_store.query()
    disputed = frame.filter(pl.col("status") == "disputed")
    assert disputed.height
    marks, labels, _sg = _drawn(timeline(dataset_chart_store))
    by_id = {m.event_id: m for m in marks}
    for ev in disputed.iter_rows(named=True):
        peer = frame.filter((pl.col("type") == ev["type"]) & (pl.col("status") == "confirmed")
                            & ((pl.col("start") == pl.col("end")) == (ev["start"] == ev["end"])))
        if peer.is_empty():
            continue
        a, b = by_id[ev["id"]].props, by_id[peer["id"][0]].props
        assert a["strokeDash"] != b["strokeDash"] and a["strokeWidth"] > b["strokeWidth"], ev["id"]
    # Approximate or uncertain dates: the qualifier is written and the bar's ends are faded.
    qualified = frame.filter(pl.col("date").str.contains(r"[~?%]"))
    assert qualified.height
    written = {lab.event_id: lab.props["text"] for lab in labels}
    for ev in qualified.iter_rows(named=True):
        assert written[ev["id"]][:1] in "~?", written[ev["id"]]
        assert by_id[ev["id"]].props["fillOpacity"] < 1
    # Confidence is opacity: a less confident event is drawn fainter.
    lo, hi = frame.sort("confidence").row(0, named=True), frame.sort("confidence").row(-1, named=True)
    assert by_id[lo["id"]].props["opacity"] < by_id[hi["id"]].props["opacity"]
    spec = timeline(dataset_chart_store).to_dict()
    key = " ".join(spec["title"]["subtitle"])
    assert "disputed" in key and "approximate" in key and "confidence" in key.lower()
    bars = _layer(spec, "event_bars")["encoding"]
    assert bars["strokeDash"]["legend"] is not None and bars["opacity"]["title"] == "confidence"


@pytest.mark.parametrize("view,expect", [
    (("2022", "2022"), {"Jan", "Jun", "Dec"}),  # a year: months
    (("2021", "2024"), {"Q1", "Q2", "Q3", "Q4"}),  # a few years: quarters
    (("2014", "2024"), {"2014", "2019", "2024"}),  # a decade: every year
    (("1900", "2025"), {"1900", "1950", "2000"}),  # a century: every 25 or 50 years
])
def test_the_axis_labels_what_the_span_holds_and_never_twice(dataset_chart_store, view, expect):
    chart = timeline(dataset_chart_store, view=view, report=True, start=view[0], end=view[1])
    labels = axis_labels(scenegraph(chart))[0]
    assert expect <= {label.split("\n")[-1] for label in labels}, labels
    assert len(set(read_axis(labels))) == len(labels), labels


_DAYS = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), _DAYS), st.integers(0, 4000), st.booleans()), max_size=60))
def test_the_scale_of_columns_is_the_scale_of_python_dates(events):
    """TimeScale.fit_columns (what a timeline of a million events uses) against fit() on the same dates."""
    rows = []
    for start, length, open_end in events:
        end = None if start is None or open_end else min(dt.date(9999, 12, 31), start + dt.timedelta(days=min(length, (dt.date(9999, 12, 31) - start).days)))
        rows.append((start, end))
    frame = pl.DataFrame(rows, schema={"start": pl.Date, "end": pl.Date}, orient="row")
    pairs = [(s, e) for s, e in rows if s is not None and e is not None]
    want = TimeScale.fit([s for s, _ in pairs], [_timeline._safe_plus(e, dt.timedelta(days=1)) for _, e in pairs])
    assert _timeline._scale_for(frame, None) == want

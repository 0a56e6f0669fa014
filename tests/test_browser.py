"""A real browser: JupyterLab on 127.0.0.1, 01_explore.ipynb run in headless Chromium (Playwright).

Checks that the Explorer's filter panel and timeline render, that changing a filter changes the
marks drawn (counted in the DOM), that clicking an event fills the detail pane, and that a
standalone timeline page keeps hostile record text as text. Screenshots go to the test's tmp dir.

Outside CI the test skips when Chromium or Playwright is missing; under ``CI=true`` it fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

import eventlog

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # reported by the browser fixture (skip, or fail under CI)
    PlaywrightTimeout = TimeoutError  # noqa: N816
from tests.helpers import CORPUS, EVENTS
from tests.scenegraph import read_axis

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
STEP_MS = 60_000  # every wait is bounded; no assertion depends on how long a step took
RUN_ALL_MS = 40_000  # the first run imports Altair and bundles the chart JavaScript
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MARKS = ".eventlog-explorer g.event_bars_0_marks > path, .eventlog-explorer g.event_points_0_marks > path"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser test cannot run in CI: {reason}")
    pytest.skip(reason)


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        _unavailable("no chromium on PATH (apt-get install -y chromium)")
    return path  # type: ignore[return-value]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def browser() -> Iterator[object]:
    exe = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    with sync_playwright() as pw:
        try:
            # Playwright gives every launch a fresh, temporary user-data dir.
            b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, timeout=STEP_MS)
        except Exception as exc:  # noqa: BLE001 - any launch failure means "cannot run here"
            _unavailable(f"chromium does not start: {exc}")
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """JupyterLab on a free port of 127.0.0.1 over a copy of the notebooks and a store built from events/."""
    work = tmp_path / "lab"
    shutil.copytree(ROOT / "notebooks", work, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    db = tmp_path / "eventlog.duckdb"
    eventlog.build(EVENTS, db, author="test", message="build for the browser test", corpus=CORPUS)
    home = tmp_path / "home"
    env = {**os.environ, "EVENTLOG_DB": str(db), "EVENTLOG_POLL": "1", "HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_DATA_DIR": str(home / "data"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "IPYTHONDIR": str(home / "ipython")}
    # Render every cell (no virtual scrolling, so the Explorer stays in the DOM) and ask about no news.
    settings = home / "config" / "lab" / "user-settings" / "@jupyterlab"
    (settings / "notebook-extension").mkdir(parents=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    (settings / "apputils-extension").mkdir(parents=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    port = _free_port()
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True", "--allow-root",
           f"--ServerApp.root_dir={work}", "--LabApp.news_url=None"]
    log = (tmp_path / "jupyterlab.log").open("w")
    proc = subprocess.Popen(cmd, env=env, cwd=work, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STEP_MS / 1000
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start; log:\n{(tmp_path / 'jupyterlab.log').read_text()[-3000:]}")
            time.sleep(0.3)
        yield url, db
    finally:
        # The server and its kernels share the session started above: stop that group only.
        with_group = [signal.SIGTERM, signal.SIGKILL]
        for sig in with_group:
            try:
                os.killpg(proc.pid, sig)
                proc.wait(timeout=15)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
        log.close()


def _title_of(aria_label: str) -> str:
    m = re.search(r"title: (.*?); date \(EDTF\)", aria_label)
    assert m, aria_label
    return m.group(1)


_CLICKABLE = """(selector) => {
    // The first event mark whose centre is really on screen (not clipped, not under another mark).
    for (const el of document.querySelectorAll(selector)) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        const x = r.left + r.width / 2, y = r.top + r.height / 2;
        if (document.elementFromPoint(x, y) === el) return {x, y, label: el.getAttribute('aria-label')};
    }
    return null;
}"""


def test_explorer_in_jupyterlab(lab, browser, tmp_path: Path):
    page = browser.new_page(viewport={"width": 1600, "height": 1200})
    try:
        _explore(page, *lab, tmp_path)
    except BaseException:
        # What the page looked like when a step failed, next to the JupyterLab log.
        page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
        raise


_CHART_FITS = """() => { const svg = document.querySelector('.eventlog-explorer .eventlog-chart svg.marks');
    const box = document.querySelector('.eventlog-explorer').getBoundingClientRect();
    const r = svg && svg.getBoundingClientRect();
    return !!r && r.right <= box.right + 1 && r.width > 0.8 * (box.right - r.left); }"""


def _drawn_to_fit(page) -> None:
    """The Explorer redraws at the width its page gives it: the drawing fills the space, no wider."""
    try:
        page.wait_for_function(_CHART_FITS, timeout=STEP_MS)
    except PlaywrightTimeout:
        sizes = page.evaluate("""() => { const svg = document.querySelector('.eventlog-explorer .eventlog-chart svg.marks');
            const box = document.querySelector('.eventlog-explorer').getBoundingClientRect();
            const r = svg.getBoundingClientRect(); return {left: r.left, right: r.right, box: box.right}; }""")
        raise AssertionError(f"the chart does not fill its space: {sizes}") from None


def _fits(page) -> None:
    """The chart's box ends inside the Explorer (it scrolls when the window is narrower than the
    chart), and the table shows at least 12 rows."""
    right = page.evaluate("() => document.querySelector('.eventlog-explorer .eventlog-chart').parentElement"
                          ".getBoundingClientRect().right")
    box = page.evaluate("() => document.querySelector('.eventlog-explorer').getBoundingClientRect().right")
    assert right <= box + 1, (right, box)
    rows = page.evaluate("""() => { const t = document.querySelector('.eventlog-explorer .eventlog-table');
        const box = t.parentElement.getBoundingClientRect();
        return [...t.querySelectorAll('tr')].filter(r => r.getBoundingClientRect().bottom <= box.bottom + 1).length - 1; }""")
    assert rows >= 12, rows


def _explore(page, url: str, db: Path, tmp_path: Path) -> None:
    with eventlog.open(db, read_only=True) as store:
        n_all = store.query().height
        n_trade = store.query(type="trade").height
    page.set_default_timeout(STEP_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{url}/lab/tree/01_explore.ipynb")
    page.wait_for_selector(".jp-Notebook .jp-Cell", state="visible")
    # JupyterLab may ask which kernel to start; the notebook's own (python3) is preselected.
    try:
        page.locator(".jp-Dialog .jp-mod-accept").click(timeout=15_000)
    except PlaywrightTimeout:
        pass  # no dialog: the kernel started on its own
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()

    # The filter panel and the timeline render.
    page.wait_for_selector(".eventlog-explorer .eventlog-filters .widget-select-multiple select", timeout=RUN_ALL_MS)
    page.wait_for_selector(".eventlog-explorer svg.marks", timeout=STEP_MS)
    page.wait_for_function(f"document.querySelectorAll({MARKS!r}).length === {n_all}", timeout=STEP_MS)
    page.locator(".eventlog-explorer").scroll_into_view_if_needed()
    _drawn_to_fit(page)
    page.screenshot(path=str(tmp_path / "explorer-1600.png"))
    # Vega numbers SVG clip paths per chart; two SVG charts on one page would share ids and one
    # would clip the other's marks (why 01_explore draws its other charts on canvas).
    assert page.evaluate("() => { const ids = [...document.querySelectorAll('clipPath')].map(c => c.id);"
                         " return ids.length === new Set(ids).size; }")
    _fits(page)
    # A narrower window: the chart is redrawn narrower (600 px at least; below that it scrolls).
    page.set_viewport_size({"width": 1000, "height": 1200})
    page.wait_for_function("() => document.querySelector('.eventlog-explorer .eventlog-chart svg.marks')"
                           ".getBoundingClientRect().width < 1000", timeout=STEP_MS)
    page.wait_for_timeout(500)
    page.locator(".eventlog-explorer").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "explorer-1000.png"))
    _fits(page)
    page.set_viewport_size({"width": 1600, "height": 1200})
    _drawn_to_fit(page)
    page.wait_for_timeout(500)  # the redraw at the wider width has settled before the next step

    # Change a filter: only trade events remain, and the chart redraws with that many marks.
    types = page.locator(".eventlog-filters .widget-select-multiple select").first
    types.select_option(label=f"trade ({n_trade})")
    page.wait_for_function(f"document.querySelectorAll({MARKS!r}).length === {n_trade}", timeout=STEP_MS)
    assert page.locator(MARKS).count() == n_trade < n_all

    # Click an event: the detail pane shows it, with its sources.
    page.locator(".eventlog-explorer .eventlog-chart").scroll_into_view_if_needed()
    target = page.evaluate(_CLICKABLE, MARKS)
    assert target is not None, "no event mark is clickable"
    title = _title_of(target["label"]).rstrip("\u2026")
    page.mouse.click(target["x"], target["y"])
    detail_title = page.locator(".eventlog-detail h3.el-title")
    detail_title.wait_for(state="visible", timeout=STEP_MS)
    page.wait_for_function(
        "(t) => { const h = document.querySelector('.eventlog-detail h3.el-title'); return h && h.textContent.startsWith(t); }",
        arg=title, timeout=STEP_MS)
    assert "Sources (" in page.locator(".eventlog-detail").inner_text()
    page.mouse.move(0, 0)  # no tooltip in the screenshot
    page.locator(".eventlog-explorer").screenshot(path=str(tmp_path / "explorer.png"))
    assert (tmp_path / "explorer.png").stat().st_size > 10_000

    # Another process retitles a shown event (the kernel keeps running): the Explorer redraws by itself.
    event_id = page.locator(".eventlog-detail .el-event").get_attribute("data-event-id")
    retitle = ("import sys, eventlog\ns = eventlog.open(sys.argv[1])\nev = s.get(sys.argv[2])\n"
               "with s.change(author='terminal', message='retitle from a terminal') as cs:\n"
               "    cs.put(ev.model_copy(update={'title': 'Retitled from a terminal'}))\n")
    subprocess.run([sys.executable, "-c", retitle, str(db), event_id], check=True, timeout=60)
    page.wait_for_function(
        "() => (document.querySelector('.eventlog-explorer .eventlog-table') || {}).innerText"
        "?.includes('Retitled from a terminal')", timeout=STEP_MS)
    status = page.locator(".eventlog-explorer .eventlog-filters").inner_text()
    assert "retitle from a terminal" in status and "terminal" in status
    assert not errors, errors


_ALL_CELLS_RAN = """() => { const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
    return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent)); }"""


def test_hypothesis_matrix_in_jupyterlab_rates_by_clicking_a_cell(lab, browser, tmp_path: Path):
    url, db = lab
    event, hyp = "2001-russia-china-treaty-of-good-neighbourliness", "durable-alignment"
    with eventlog.open(db, read_only=True) as store:
        before = store.hypotheses().filter(pl.col("id") == hyp).row(0, named=True)
        weight = store.ach().filter(pl.col("event") == event)["weight"][0]
        old = store.ach().filter(pl.col("event") == event)[hyp][0]
    page = browser.new_page(viewport={"width": 1600, "height": 1200})
    page.set_default_timeout(STEP_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{url}/lab/tree/04_hypotheses.ipynb")
        page.wait_for_selector(".jp-Notebook .jp-Cell", state="visible")
        try:
            page.locator(".jp-Dialog .jp-mod-accept").click(timeout=15_000)
        except PlaywrightTimeout:
            pass
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        cell = page.locator(f".eventlog-matrix .el-h-{hyp}.el-e-{event}")
        cell.wait_for(state="visible", timeout=RUN_ALL_MS)
        page.wait_for_selector(".eventlog-matrix .el-scores", state="visible")
        # Every cell has run (the notebook's own rating redraws the matrix): only then click, or the
        # click may land on a cell the redraw replaces.
        page.wait_for_function(_ALL_CELLS_RAN, timeout=RUN_ALL_MS)
        page.wait_for_timeout(1500)  # the poller's redraw after the notebook's own changeset has happened
        assert cell.locator("select").input_value() == old
        # Hover: the rating's history, with who set it.
        assert f"{old} by test at" in (cell.locator("select").get_attribute("title") or "")
        # Click the cell and choose II: one changeset, and the scores follow.
        cell.locator("select").select_option("II")
        expected = round(before["inconsistency"] + 2 * weight - {"I": 1, "II": 2}.get(old, 0) * weight, 6)
        page.wait_for_function(
            "([h, want]) => [...document.querySelectorAll('.eventlog-matrix .el-scores td')].some("
            "td => td.innerText.startsWith(h) && td.innerText.includes('inconsistency ' + want + ' '))",
            arg=[hyp, f"{expected:g}"], timeout=STEP_MS)
        page.wait_for_function(
            "(sel) => (document.querySelector(sel) || {}).title?.startsWith('II by ')",
            arg=f".eventlog-matrix .el-h-{hyp}.el-e-{event} select", timeout=STEP_MS)
        page.locator(".eventlog-matrix").scroll_into_view_if_needed()
        page.mouse.move(0, 0)
        page.locator(".eventlog-matrix").screenshot(path=str(tmp_path / "matrix.png"))
        assert (tmp_path / "matrix.png").stat().st_size > 10_000
    except BaseException:
        page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
        raise
    with eventlog.open(db, read_only=True) as store:
        history = store.history(f"{hyp}|{event}", kind="assessment")
        assert history["author"].to_list()[-1] == os.environ.get("EVENTLOG_AUTHOR", history["author"][-1])
        assert store.ach().filter(pl.col("event") == event)[hyp][0] == "II"
        assert history.height == 2  # the build's rating, then the click's
    assert not errors, errors


def test_standalone_timeline_keeps_hostile_text_as_text(browser, fresh_store, tmp_path: Path):
    from eventlog._charts.timeline import save, timeline

    hostile = "<img src=x onerror=alert(1)>"  # short enough that the axis label shows it whole
    with fresh_store.change(author="t", message="hostile") as cs:
        cs.put(eventlog.Actor(id="evil", name=hostile, category="state"))
        cs.put(eventlog.Event(id="e1", type="visit", title="</script><script>alert(3)</script>", date="2024-05-16",
                              actors=["evil"]))
    page_file = save(timeline(fresh_store, lanes="actor"), tmp_path / "hostile.html")
    page = browser.new_page()
    page.set_default_timeout(STEP_MS)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(page_file.as_uri())
    page.wait_for_selector("svg.marks")
    lane = page.locator("g.lane_labels_0_marks text").first
    assert hostile.startswith(lane.text_content().rstrip("\u2026"))  # the lane label, shown as the literal text
    assert f"lane: {hostile}" in lane.get_attribute("aria-label")  # whole on hover
    label = page.locator("g.event_points_0_marks path").first.get_attribute("aria-label")
    assert "title: </script><script>alert(3)</script>;" in label
    assert page.evaluate("document.querySelectorAll('script').length") == 2
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert dialogs == []


_AXIS = """() => {
    // The main view's x-axis labels (the first axis drawn), each as its lines joined by a newline.
    const axis = document.querySelector('g.role-axis[aria-roledescription="axis"]');
    return [...axis.querySelectorAll('g.role-axis-label > text')].map(t => {
        const spans = t.querySelectorAll('tspan');
        return spans.length ? [...spans].map(s => s.textContent).join('\\n') : t.textContent;
    }).filter(t => t.trim());
}"""


def _box(page, selector: str) -> dict:
    return page.evaluate(f"() => {{ const r = document.querySelector({selector!r}).getBoundingClientRect(); "
                         "return {x: r.left, y: r.top, w: r.width, h: r.height}; }")


@pytest.fixture
def dataset_page(tmp_path: Path) -> Path:
    """The dataset's default timeline as a standalone page (what ``save(..., "x.html")`` writes)."""
    from eventlog._charts.timeline import save, timeline

    db = tmp_path / "dataset.duckdb"
    eventlog.build(EVENTS, db, author="test", message="dataset for the page")
    with eventlog.open(db, read_only=True) as store:
        return save(timeline(store, width=1000), tmp_path / "timeline.html")


def test_timeline_page_follows_its_width_zooms_pans_brushes_and_shows_links_on_hover(browser, dataset_page, tmp_path):
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.set_default_timeout(STEP_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(dataset_page.as_uri())
    page.wait_for_selector("svg.marks g.event_bars_0_marks path")
    page.screenshot(path=str(tmp_path / "page-1600.png"))
    wide = _box(page, "svg.marks")["w"]
    assert wide > 1150  # a 1600 px window gives the chart more than its nominal 1000 px
    start = page.evaluate(_AXIS)
    assert len(set(read_axis(start))) == len(start)

    # Wheel over the main view: it zooms in; the axis turns to months, never repeating a label.
    plot = _box(page, "g.event_bars_0_marks")
    cx, cy = plot["x"] + plot["w"] * 0.8, plot["y"] + 40
    page.mouse.move(cx, cy)
    for _ in range(5):  # about 1/9 of the span: two years around the cursor
        page.mouse.wheel(0, -400)
        page.wait_for_timeout(100)
    before = json.dumps(start, separators=(",", ":"))
    page.wait_for_function(f"() => ({_AXIS})().some(t => t.endsWith('\\nMar'))")
    zoomed = page.evaluate(_AXIS)
    assert zoomed != start and len(set(read_axis(zoomed))) == len(zoomed), zoomed
    assert any(label.endswith("\nMar") for label in zoomed)  # months, under their years
    # Drag pans: the labels move on.
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx - 300, cy, steps=8)
    page.mouse.up()
    panned = page.evaluate(_AXIS)
    assert panned != zoomed
    # Double-click resets to the opening view.
    page.mouse.dblclick(cx, cy)
    sorted_axis = f"JSON.stringify(({_AXIS})().sort())"  # Vega reuses label elements, so order them
    page.wait_for_function(f"(before) => {sorted_axis} === before", arg=json.dumps(sorted(start), separators=(",", ":")))

    # A drag in the overview draws a brush that sets the main view's range.
    page.evaluate("() => document.querySelector('g.overview_marks').scrollIntoView({block: 'center'})")
    ov = _box(page, "g.overview_marks")
    page.mouse.move(ov["x"] + ov["w"] * 0.70, ov["y"] + ov["h"] / 2)
    page.mouse.down()
    page.mouse.move(ov["x"] + ov["w"] * 0.85, ov["y"] + ov["h"] / 2, steps=8)
    page.mouse.up()
    page.wait_for_function(f"(before) => JSON.stringify(({_AXIS})()) !== before", arg=before)
    brushed = page.evaluate(_AXIS)
    assert len(set(read_axis(brushed))) == len(brushed)
    page.screenshot(path=str(tmp_path / "page-brushed.png"))

    # No link is drawn until an event with links is hovered; then its links are.
    page.mouse.dblclick(ov["x"] + 5, ov["y"] + 5)  # clear the brush
    page.goto(dataset_page.as_uri())
    page.wait_for_selector("svg.marks g.event_bars_0_marks path")
    assert page.locator("g.link_curves_0_marks path").count() == 0
    found = page.evaluate("""() => {
        for (const el of document.querySelectorAll('g.event_bars_0_marks > path, g.event_points_0_marks > path')) {
            const r = el.getBoundingClientRect();
            if (!r.width) continue;
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            if (document.elementFromPoint(x, y) === el) { el.scrollIntoView({block: 'center'}); }
        }
        return true; }""")
    assert found
    shown = 0
    for el in page.locator("g.event_bars_0_marks > path").all()[:80]:
        el.hover(force=True)
        if page.locator("g.link_curves_0_marks path").count():
            shown = page.locator("g.link_curves_0_marks path").count()
            break
    assert shown > 0
    page.set_viewport_size({"width": 1000, "height": 1000})
    page.wait_for_timeout(300)
    assert _box(page, "svg.marks")["w"] <= wide
    assert not errors, errors


def test_report_exports_render_with_their_caption_and_no_hints(browser, tmp_path: Path):
    from click.testing import CliRunner

    from eventlog._cli import main

    db = tmp_path / "dataset.duckdb"
    eventlog.build(EVENTS, db, author="test", message="dataset for the exports")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_default_timeout(STEP_MS)
    for suffix in ("png", "svg", "pdf", "html"):
        out = tmp_path / f"report.{suffix}"
        res = CliRunner().invoke(main, ["timeline", "--db", str(db), "--type", "sanction", "--type", "bank_withdrawal",
                                        "--from", "2022", "--to", "2024", "--title", "Sanctions and bank withdrawals",
                                        "--size", "1200", "--out", str(out)])
        assert res.exit_code == 0, res.output
        if suffix == "pdf":  # Chromium headless shows no PDF viewer: check the file itself
            data = out.read_bytes()
            assert data[:5] == b"%PDF-" and data.count(b"/Type /Page") + data.count(b"/Type/Page") >= 1
            continue
        page.goto(out.as_uri())
        if suffix == "png":
            assert page.evaluate("() => document.querySelector('img').naturalWidth") >= 1200
        else:
            page.wait_for_selector("svg")
            text = page.evaluate("() => document.querySelector('svg').textContent")
            assert "Query: type=sanction,bank_withdrawal" in text and "Sources cited" in text
            assert "Scroll to zoom" not in text and "all causal links" not in page.content()
        page.screenshot(path=str(tmp_path / f"report-{suffix}.png"))

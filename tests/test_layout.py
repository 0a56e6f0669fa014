"""The layout: data flows one way (files -> models -> store -> frames -> charts and widgets;
extraction -> candidates -> review -> files), with no import circles and no module inside the
package importing the facade. Read from the source, imports inside functions included."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Lowest first: a module may import its own layer and the layers below, never one above.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("foundations", ("_errors", "_config", "_taxonomy", "_dates", "_frames")),
    ("models", ("_models", "_reporting")),
    ("files", ("_files",)),
    ("store", ("_store",)),
    ("build", ("_build",)),
    ("extraction", ("_extract",)),
    ("charts", ("_charts",)),
    ("widgets", ("widgets",)),
    ("cli", ("_cli",)),
]


def _graph():
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "tools" / "import_graph.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def layer_of(module: str) -> int:
    room = module.split(".")[1] if "." in module else ""
    for i, (_name, rooms) in enumerate(LAYERS):
        if room in rooms:
            return i
    raise AssertionError(f"{module} is in no layer: add its room to LAYERS")


def test_no_import_circles() -> None:
    g = _graph()
    assert g.cycles(g.edges()) == []


def test_nothing_inside_imports_the_facade() -> None:
    edges = _graph().edges()
    assert sorted(a for a, targets in edges.items() if "eventlog" in targets) == []


def test_data_flows_one_way() -> None:
    edges = _graph().edges()
    upward = [f"{a} -> {b}" for a, targets in edges.items() if a != "eventlog"
              for b in targets if b != "eventlog" and layer_of(b) > layer_of(a)]
    assert upward == []


def test_private_names_stay_in_their_room() -> None:
    assert _graph().private_imports() == []


def test_the_private_name_reader_sees_a_taken_name(tmp_path: Path, monkeypatch) -> None:
    g = _graph()
    pkg = tmp_path / "eventlog"
    (pkg / "_a").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "_a" / "__init__.py").write_text("")
    (pkg / "_a" / "x.py").write_text("_secret = 1\n")
    (pkg / "_b.py").write_text("from ._a.x import _secret\nfrom ._a import x\n")
    monkeypatch.setattr(g, "SRC", tmp_path)
    assert g.private_imports() == ["eventlog._b takes _secret from eventlog._a.x"]


def test_every_module_has_a_layer() -> None:
    for module in _graph().edges():
        if module != "eventlog":
            layer_of(module)


def test_the_graph_reader_sees_imports_inside_functions(tmp_path: Path) -> None:
    g = _graph()
    assert "eventlog._charts.timeline" in g.edges()["eventlog._cli.timeline"]  # imported inside a function


def test_import_eventlog_stays_light() -> None:
    code = ("import sys, eventlog\n"
            "heavy = [m for m in ('altair', 'ipywidgets', 'jupyter_client', 'yaml', 'pyarrow', 'eventlog._build')"
            " if m in sys.modules]\nprint(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"

"""``store.sql()``: one read statement, checked by DuckDB's own parser, and the stable views.

A user's SQL may read anything in the store but change nothing and reach nothing outside it:

- exactly one statement, and DuckDB's parser must call it a SELECT (``WITH``, ``SHOW``,
  ``DESCRIBE`` and ``SUMMARIZE`` are SELECTs to it; ``COPY``, ``ATTACH``, ``SET``, ``PRAGMA``,
  ``INSERT`` ... are not);
- table functions only from :data:`TABLE_FUNCTIONS` (no ``read_csv``, ``glob``, ``read_text``),
  no file-like table names (``FROM 'x.csv'``), none of :data:`DENIED_FUNCTIONS`;
- on a file store the connection also runs with external access off and its configuration locked
  (a DuckDB setting that cannot be turned back on), so a check missed above still cannot reach
  a file. The team store's one connection needs external access for its catalog and data files,
  so there the parser checks stand alone.

The views below are the stable surface for SQL users: internal tables may change between
versions, these keep their names and columns.
"""

from __future__ import annotations

import json
import re
from typing import Any

import duckdb

from .._errors import ValidationError
from .schema import visible

__all__ = ["DENIED_FUNCTIONS", "TABLE_FUNCTIONS", "VIEWS", "check_read_statement", "prepare"]

#: Table functions a query may use: they compute, they read nothing outside the store.
TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest", "duckdb_tables", "duckdb_columns",
                             "duckdb_views", "duckdb_functions", "duckdb_settings", "pragma_table_info",
                             "information_schema"})
#: Scalar functions that would reveal the host.
DENIED_FUNCTIONS = frozenset({"getenv", "read_text", "read_blob", "current_setting"})

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")

#: Stable read-only views for SQL users (temporary: defined on the connection, never stored).
VIEWS: dict[str, str] = {
    "events": f"""SELECT e.key AS id, e.type, e.title, e.summary, e.date, e.start, e."end", e.precision,
                  e.actors AS actor_ids, e.tags, e.sources, e.confidence, e.status, e.location, e.version,
                  e.changeset, c.committed_at AS changed_at, c.author
                  FROM event_versions e JOIN changesets c ON c.id = e.changeset WHERE {visible('e', None)[0]}""",
    "event_history": """SELECT e.key AS id, e.version, e.op AS operation, e.type, e.title, e.date, e.status,
                         e.changeset, c.committed_at AS changed_at, c.author, c.message, e.superseded_by, e.data
                         FROM event_versions e JOIN changesets c ON c.id = e.changeset""",
    "links": f"""SELECT l.key AS id, l.cause, l.effect, l.relation, l.confidence, l.basis, l.asserted_by,
                 l.version, l.changeset, c.committed_at AS changed_at, c.author
                 FROM link_versions l JOIN changesets c ON c.id = l.changeset WHERE {visible('l', None)[0]}""",
    "changeset_log": """SELECT id AS changeset, committed_at AS changed_at, author, message, created, updated,
                         deleted FROM changesets""",
}


def _walk(node: Any, found: list[tuple[str, str]]) -> None:
    if isinstance(node, dict):
        kind = node.get("type")
        if kind == "TABLE_FUNCTION":
            found.append(("table function", (node.get("function") or {}).get("function_name", "")))
        elif kind == "BASE_TABLE":
            found.append(("table", node.get("table_name", "")))
        elif node.get("class") == "FUNCTION":
            found.append(("function", node.get("function_name", "")))
        for v in node.values():
            _walk(v, found)
    elif isinstance(node, list):
        for v in node:
            _walk(v, found)


def check_read_statement(con: duckdb.DuckDBPyConnection, query: Any) -> None:
    """Refuse anything but one SELECT that reads only the store (a :class:`ValidationError`)."""
    allowed = "one read statement (SELECT, WITH, SHOW, DESCRIBE, SUMMARIZE) on the store's tables and views"
    if not isinstance(query, str) or not query.strip():
        raise ValidationError(f"sql() takes {allowed}, as a string", field="query")
    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as exc:
        raise ValidationError(f"not valid SQL: {str(exc).splitlines()[0]}", field="query") from None
    if len(statements) != 1:
        raise ValidationError(f"sql() runs {allowed}; got {len(statements)} statements", field="query")
    if statements[0].type != duckdb.StatementType.SELECT:
        raise ValidationError(f"sql() runs {allowed}; got {statements[0].type.name}", field="query")
    tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [query]).fetchall()[0][0])
    if tree.get("error"):
        raise ValidationError(f"sql() runs {allowed}; this one is not a plain SELECT "
                              f"({tree.get('error_message', 'PRAGMA or similar')})", field="query")
    found: list[tuple[str, str]] = []
    _walk(tree, found)
    for what, name in found:
        low = name.lower()
        if what == "table function" and low not in TABLE_FUNCTIONS:
            raise ValidationError(f"sql() cannot call {name}(): it reads outside the store "
                                  f"(allowed: {', '.join(sorted(TABLE_FUNCTIONS))})", field="query")
        if what == "function" and low in DENIED_FUNCTIONS:
            raise ValidationError(f"sql() cannot call {name}()", field="query")
        if what == "table" and not _IDENT.match(name):
            raise ValidationError(f"sql() reads tables and views by name, not files ({name!r})", field="query")


def prepare(con: duckdb.DuckDBPyConnection, *, lock: bool) -> None:
    """Define the stable views on ``con``; with ``lock``, turn external access off for good."""
    defined, locked = con.execute(
        "SELECT (SELECT count(*) FROM duckdb_views() WHERE temporary AND view_name = 'changeset_log'), "
        "current_setting('lock_configuration')").fetchall()[0]
    if not defined:  # once per connection: a file store's connections last one reading block
        for name, body in VIEWS.items():
            con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {body}")
    if lock and not locked:
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")

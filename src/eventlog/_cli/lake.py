"""The team store's commands: ``eventlog migrate`` (copy a store with its full history, e.g.
a DuckDB file to a team lake) and ``eventlog lake`` (look after a lake: ``files``, ``maintain``).

>>> migrate.name, sorted(lake.commands)
('migrate', ['files', 'maintain'])
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import click

from .common import db_option, open_store

__all__ = ["lake", "migrate"]


class Duration(click.ParamType):
    """A length of time: 90s, 30m, 12h, 7d or 0.

    >>> Duration().convert("7d", None, None)
    datetime.timedelta(days=7)
    """

    name = "duration"
    _UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.timedelta:
        if isinstance(value, dt.timedelta):
            return value
        m = re.fullmatch(r"\s*(\d{1,6})\s*([smhd]?)\s*", str(value))
        if not m or (m.group(2) == "" and m.group(1) != "0"):
            self.fail(f"{value!r} is not a duration such as 90s, 30m, 12h, 7d or 0", param, ctx)
        return dt.timedelta(**{self._UNITS[m.group(2) or "s"]: int(m.group(1))})


@click.command()
@click.option("--from", "source", required=True, help="The store to copy: a DuckDB file or ducklake: location.")
@click.option("--to", "target", required=True,
              help="A new or empty store: 'ducklake:postgres:dbname=... host=...', 'ducklake:/path/meta.ducklake' "
                   "or a DuckDB file.")
@click.option("--data-path", envvar="EVENTLOG_DATA_PATH", default=None,
              help="Where a new lake keeps its Parquet files: a shared folder or s3://bucket/prefix/ (credentials "
                   "from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL, AWS_REGION). "
                   "[env: EVENTLOG_DATA_PATH]")
@click.option("--one-snapshot", is_flag=True,
              help="Copy everything in one transaction instead of one DuckLake snapshot per changeset (faster).")
def migrate(source: str, target: str, data_path: str | None, one_snapshot: bool) -> None:
    """Copy a store with its full history (changesets, versions, evidence) and verify the copy.

    \b
    Example:
      eventlog migrate --from eventlog.duckdb \\
        --to 'ducklake:postgres:dbname=events host=db.internal user=ana' --data-path /shared/events
    """
    from .._store.migrate import migrate as run

    # Credentials for a bucket come from the AWS_* environment variables (see docs/team-store.md).
    report = run(source, target, data_path=data_path, one_snapshot=one_snapshot)
    width = max(len(t) for t in report.rows)
    for table, n in report.rows.items():
        click.echo(f"  {table:<{width}}  {n:>8}")
    click.echo(report.summary())


@click.group()
def lake() -> None:
    """Look after a team store (DuckLake): its files in the folder or bucket, and compaction."""


def _open_lake(db: str | None, *, read_only: bool) -> Any:
    from .._errors import ValidationError

    store = open_store(db, read_only=read_only)
    if store.backend != "ducklake":
        store.close()
        raise ValidationError(f"{store.location} is a DuckDB file, not a team store (ducklake:...)", field="--db")
    return store


def _print_footprints(rows: list[tuple[str, int, int]] | list[tuple[str, int]], fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps({r[0]: list(r[1:]) if len(r) > 2 else r[1] for r in rows}))
        return
    width = max(len(r[0]) for r in rows)
    for r in rows:
        click.echo(f"  {r[0].replace('_', ' '):<{width}}  " + "  ".join(f"{v:>10,}" for v in r[1:]))


@lake.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def files(db: str | None, fmt: str) -> None:
    """What the lake holds: files and bytes in storage, live files, DuckLake snapshots, inlined rows."""
    from .._store.lake import ALIAS
    from .._store.maintain import footprint

    with _open_lake(db, read_only=True) as store, store.reading() as con:
        fp = footprint(con, ALIAS)
    _print_footprints(list(fp.as_dict().items()), fmt)


@lake.command()
@db_option
@click.option("--keep", type=Duration(), default="0",
              help="Keep DuckLake snapshots younger than this (90s, 30m, 12h, 7d); default 0: all but the newest. "
                   "eventlog's own history (as_of, history, blame, diff) is kept whole either way.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def maintain(db: str | None, keep: dt.timedelta, fmt: str) -> None:
    """Compact a team store: merge small files, expire DuckLake snapshots, delete files nothing reads.

    \b
    Prints files and bytes before and after. Safe while others work: each step waits for
    the commit turn like a commit does.
    Example:
      eventlog lake maintain --db 'ducklake:postgres:dbname=events host=db.internal' --keep 7d
    """
    with _open_lake(db, read_only=False) as store:
        report = store.maintain(keep=keep, progress=(lambda step: click.echo(f"{step}...", err=True))
                                if fmt == "text" else None)
    if fmt == "json":
        click.echo(json.dumps({"before": report.before.as_dict(), "after": report.after.as_dict(),
                               "steps": report.steps, "seconds": round(report.seconds, 3)}))
        return
    click.echo(f"  {'':<14}  {'before':>10}  {'after':>10}")
    _print_footprints(report.rows(), fmt)
    click.echo(report.summary())

"""``eventlog migrate``: copy a store with its full history, e.g. a DuckDB file to a team lake.

>>> migrate.name
'migrate'
"""

from __future__ import annotations

import click

__all__ = ["migrate"]


@click.command()
@click.option("--from", "source", required=True, help="The store to copy: a DuckDB file or ducklake: location.")
@click.option("--to", "target", required=True,
              help="A new or empty store: 'ducklake:postgres:dbname=... host=...', 'ducklake:/path/meta.ducklake' "
                   "or a DuckDB file.")
@click.option("--data-path", envvar="EVENTLOG_DATA_PATH", default=None,
              help="Where a new lake keeps its Parquet files (a shared folder or bucket). [env: EVENTLOG_DATA_PATH]")
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

    report = run(source, target, data_path=data_path, one_snapshot=one_snapshot)
    width = max(len(t) for t in report.rows)
    for table, n in report.rows.items():
        click.echo(f"  {table:<{width}}  {n:>8}")
    click.echo(report.summary())

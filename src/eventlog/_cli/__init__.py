"""The ``eventlog`` command: a thin shell over the public API.

Every command calls the library and turns an :class:`EventlogError` into one line
on stderr and exit status 1; usage mistakes exit with 2 (click's convention).

Each command lives in the module of its family (``store``, ``links``, ``timeline``, ``lake``;
extraction's in :mod:`eventlog._extract.cli`); they share :mod:`.common` and never import
this module back.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from .._errors import EventlogError

__all__ = ["main"]


class _Group(click.Group):
    """Turns library errors into one clear line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EventlogError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)
        except BrokenPipeError:  # `eventlog query | head`
            sys.stderr.close()
            ctx.exit(0)


@click.group(name="eventlog", cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="eventlog")
def main() -> None:
    """eventlog: a versioned, sourced timeline of events.

    The store is $EVENTLOG_DB or ./eventlog.duckdb unless --db says otherwise. While another
    process (a notebook, a build) is using it, a command waits up to $EVENTLOG_BUSY_TIMEOUT
    seconds (default 30) and says for whom it waits.
    """
    from .._store.backend import set_wait_reporter
    from .common import report_wait

    set_wait_reporter(report_wait)



from .._extract.cli import eval_cmd, extract_cmd, review_cmd  # noqa: E402 - after the group they join
from . import store as _store  # noqa: E402
from .lake import migrate  # noqa: E402
from .links import causes, effects, link, links, paths, tag, unlink  # noqa: E402
from .timeline import timeline  # noqa: E402

for _command in (_store.build, _store.validate, _store.export, _store.status, _store.query, _store.show,
                 _store.history, _store.log, _store.diff, _store.blame, _store.revert, _store.stats,
                 link, unlink, links, causes, effects, paths, tag, timeline, extract_cmd, review_cmd, eval_cmd, migrate):
    main.add_command(_command)

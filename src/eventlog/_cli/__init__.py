"""The ``eventlog`` command: a thin shell over the public API.

Every command calls the library and turns an :class:`EventlogError` into one line
on stderr and exit status 1; usage mistakes exit with 2 (click's convention).

Each command lives in the module of its family (``store``, ``links``, ``timeline``, ``lake``;
extraction's in :mod:`eventlog._extract.cli`); they share :mod:`.common` and never import
this module back.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from .._errors import EventlogError
from .._extract.cli import eval_cmd, extract_cmd, review_cmd, source_cmd
from . import store as _store
from .common import one_line
from .judgements import ach, assess, comment, comments, hypotheses, star, views
from .lake import lake, migrate
from .links import causes, effects, link, links, paths, tag, unlink
from .timeline import timeline

__all__ = ["main"]


class _Group(click.Group):
    """Turns library errors into one clear line instead of a traceback."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # No argument can hold a NUL (a real command line cannot either); click's own path
        # checks would raise ValueError on one.
        if any("\x00" in a for a in args):
            raise click.UsageError("an argument holds a NUL byte", ctx)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EventlogError as exc:
            click.echo(f"error: {one_line(str(exc))}", err=True)
            ctx.exit(1)
        except BrokenPipeError:  # `eventlog query | head`
            sys.stderr.close()
            ctx.exit(0)
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except OSError as exc:  # the system refused a path the user gave (too long, no permission)
            where = f"{str(exc.filename)[:80]}: " if exc.filename else ""
            click.echo(f"error: {one_line(where + str(exc.strerror or exc))}", err=True)
            ctx.exit(1)
        except Exception as exc:  # a bug of ours: still one line, the traceback on request
            if os.environ.get("EVENTLOG_DEBUG"):
                raise
            click.echo(f"error: internal error ({type(exc).__name__}: {one_line(str(exc))[:200]}); "
                       "this is a bug in eventlog: EVENTLOG_DEBUG=1 shows the traceback", err=True)
            ctx.exit(70)


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

for _command in (_store.build, _store.validate, _store.export, _store.status, _store.query, _store.show,
                 _store.history, _store.log, _store.diff, _store.blame, _store.revert, _store.stats,
                 link, unlink, links, causes, effects, paths, tag, timeline, hypotheses, assess, ach, comment, comments,
                 star, views, source_cmd, extract_cmd, review_cmd, eval_cmd, migrate, lake):
    main.add_command(_command)

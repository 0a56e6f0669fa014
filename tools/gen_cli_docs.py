"""Write docs/cli.md from the click commands themselves (``--check``: fail when it is stale).

    python tools/gen_cli_docs.py          # rewrite docs/cli.md
    python tools/gen_cli_docs.py --check  # exit 1 when docs/cli.md differs from the commands
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "cli.md"


def reference() -> str:
    from eventlog._cli import main

    ctx = click.Context(main, info_name="eventlog", max_content_width=100, terminal_width=100,
                        help_option_names=["-h", "--help"])
    out = ["# Command line reference", "",
           "Generated from the commands by `tools/gen_cli_docs.py`; `tests/test_cli.py` fails when it is stale.", "",
           "```text", main.get_help(ctx), "```", ""]
    def document(group: click.Group, parent: click.Context, prefix: str) -> None:
        for name in sorted(group.commands):
            cmd = group.commands[name]
            sub = click.Context(cmd, info_name=name, parent=parent, max_content_width=100, terminal_width=100,
                                help_option_names=["-h", "--help"])
            out.extend([f"## {prefix} {name}", "", "```text", cmd.get_help(sub), "```", ""])
            if isinstance(cmd, click.Group):  # a family of commands: each of them too
                document(cmd, sub, f"{prefix} {name}")

    document(main, ctx, "eventlog")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    text = reference()
    if "--check" in argv:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET.relative_to(ROOT)} is stale: run python tools/gen_cli_docs.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

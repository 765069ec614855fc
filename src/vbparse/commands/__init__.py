"""CLI commands; each module defines register(app). Shared helpers for commands live here."""
from __future__ import annotations

import sys


def fail(message: str, code: int = 1):
    """One line on stderr and a non-zero exit: how every command reports bad input."""
    import typer

    print(f"vbparse: {message}", file=sys.stderr)
    raise typer.Exit(code)

"""The `vbparse` command: a thin typer app; each command lives in vbparse/commands/<name>.py.

A command module defines `register(app)`. Modules are discovered, not listed, so a feature
(batch, index, calendar, ...) adds its command without touching this file.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

app = typer.Typer(
    name="vbparse",
    help="Parse Vietnamese administrative plans into structured, cross-referenced data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_all() -> None:
    from . import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        mod = importlib.import_module(f"{commands.__name__}.{info.name}")
        if hasattr(mod, "register"):
            mod.register(app)


def main(argv: list[str] | None = None) -> int:
    _register_all()
    try:
        app(args=argv, standalone_mode=True)
    except SystemExit as e:
        return int(e.code or 0) if not isinstance(e.code, str) else 1
    except KeyboardInterrupt:
        print("vbparse: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())

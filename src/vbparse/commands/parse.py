"""`vbparse parse FILE...` prints the contract's JSON; `vbparse text FILE` prints the text that
every span points into, so a user can check any offset."""
from __future__ import annotations

import json
import sys
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("parse")
    def parse_cmd(
        files: List[str] = typer.Argument(..., help="plan files (txt, md, pdf, docx, html); - reads stdin"),
        pretty: bool = typer.Option(False, "--pretty", help="indent the JSON"),
        fields: Optional[str] = typer.Option(None, "--fields", help="comma-separated top-level fields to keep, e.g. header,deadlines"),
        password: Optional[str] = typer.Option(None, "--password", help="password for encrypted PDFs"),
    ) -> None:
        """Parse plans and print one JSON record per file (JSON Lines when several)."""
        from .. import InputError, parse

        keep = [f.strip() for f in fields.split(",")] if fields else None
        failed = 0
        for f in files:
            try:
                doc = parse(f, **({"password": password} if password else {}))
            except InputError as e:
                print(f"vbparse: {e}", file=sys.stderr)
                failed += 1
                continue
            out = doc.to_dict(keep)
            print(json.dumps(out, ensure_ascii=False, indent=2 if pretty else None))
        if failed:
            raise typer.Exit(1)

    @app.command("text")
    def text_cmd(
        file: str = typer.Argument(..., help="a plan file; - reads stdin"),
        password: Optional[str] = typer.Option(None, "--password", help="password for encrypted PDFs"),
    ) -> None:
        """Print the decoded NFC text that all offsets point into."""
        from ..errors import InputError
        from ..read import read_path

        try:
            ext = read_path(file, **({"password": password} if password else {}))
        except InputError as e:
            print(f"vbparse: {e}", file=sys.stderr)
            raise typer.Exit(1)
        sys.stdout.write(ext.text)

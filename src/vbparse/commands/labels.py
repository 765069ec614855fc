"""`vbparse labels`: the movement taxonomy (id, name, variants, description)."""
from __future__ import annotations

import json

import typer


def register(app: typer.Typer) -> None:
    @app.command("labels")
    def labels_cmd(
        as_json: bool = typer.Option(False, "--json", help="one JSON object per label"),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="also the variants and cue words"),
    ) -> None:
        """List the movement labels the tags use."""
        from ..classify.train import taxonomy

        rows = taxonomy()
        if as_json:
            for r in rows:
                print(json.dumps({k: (v.split("|") if k in ("variants", "cues") and v else v) for k, v in r.items()},
                                 ensure_ascii=False))
            return
        for r in rows:
            print(f"{r['id']}\t{r['name']}")
            if verbose:
                if r.get("description"):
                    print(f"    {r['description']}")
                if r.get("variants"):
                    print(f"    variants: {'; '.join(r['variants'].split('|'))}")
                if r.get("cues"):
                    print(f"    cues: {'; '.join(r['cues'].split('|'))}")

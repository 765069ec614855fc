"""`vbparse link CHILD PARENT...`: rank candidate parent plans for a plan, with the evidence."""
from __future__ import annotations

import json
import sys
from typing import List

import typer


def _record(path: str) -> dict:
    """A parsed record: a .json file from `vbparse parse`, else the file is parsed now."""
    if path.endswith(".json") or path.endswith(".jsonl"):
        with open(path, encoding="utf-8") as fh:
            text = fh.read().strip()
        return json.loads(text.splitlines()[0] if path.endswith(".jsonl") else text)
    from .. import parse

    return parse(path).to_dict()


def register(app: typer.Typer) -> None:
    @app.command("link")
    def link_cmd(
        child: str = typer.Argument(..., help="the plan (a plan file, or its .json record from `vbparse parse`)"),
        parents: List[str] = typer.Argument(..., help="candidate parent plans (files or .json records)"),
        as_json: bool = typer.Option(False, "--json", help="print the ranking as JSON"),
    ) -> None:
        """Score how well each candidate is the parent plan CHILD implements; best first."""
        from ..errors import InputError
        from ..link import rank_parents

        try:
            c = _record(child)
            cands = [_record(p) for p in parents]
        except (InputError, OSError, ValueError) as e:
            print(f"vbparse: {e}", file=sys.stderr)
            raise typer.Exit(1)
        ranking = rank_parents(c, cands)
        if as_json:
            print(json.dumps([{"parent": parents[i], **r} for i, r in ranking], ensure_ascii=False, indent=1))
            return
        for rank, (i, r) in enumerate(ranking, 1):
            h = cands[i].get("header") or {}
            ident = "/".join(x for x in (h.get("number"), h.get("symbol")) if x) or "(no number)"
            print(f"{rank}. {r['score']:.3f}  {parents[i]}  [{ident}, {h.get('issued') or 'undated'}]")
            for ev in r["evidence"]:
                print(f"     - {ev}")

"""`vbparse classify FILE...`: movement tags of a plan and of each of its sections."""
from __future__ import annotations

import json
import sys
from typing import List

import typer


def register(app: typer.Typer) -> None:
    @app.command("classify")
    def classify_cmd(
        files: List[str] = typer.Argument(..., help="plan files (txt, md, pdf, docx, html); - reads stdin"),
        as_json: bool = typer.Option(False, "--json", help="print the tags as JSON (the contract's `tags`)"),
        all_sections: bool = typer.Option(False, "--all", help="also list sections without any label"),
    ) -> None:
        """Tag a plan with movement labels (document and sections), scores from the trained model."""
        from .. import InputError, parse

        failed = 0
        for f in files:
            try:
                doc = parse(f, components=["tags"])
            except InputError as e:
                print(f"vbparse: {e}", file=sys.stderr)
                failed += 1
                continue
            for w in doc.source.warnings:
                if "movement model" in w:
                    print(f"vbparse: warning: {w}", file=sys.stderr)
            if as_json:
                print(json.dumps({"source": doc.source.path or f, "tags": [t.__dict__ for t in doc.tags]},
                                 ensure_ascii=False))
                continue
            heads = {s.id: (s.marker, s.heading) for s in doc.sections}
            if len(files) > 1:
                print(f"== {f}")
            for t in doc.tags:
                if t.section is not None and not t.labels and not all_sections:
                    continue
                labs = ", ".join(f"{x['label']} {x['score']:.2f}" for x in t.labels) or "-"
                if t.section is None:
                    print(f"document [{t.source}]: {labs}")
                else:
                    marker, heading = heads.get(t.section, ("", None))
                    head = f" {heading[:60]}" if heading else ""
                    print(f"  {t.section:10s}{head}: {labs}")
        if failed:
            raise typer.Exit(1)

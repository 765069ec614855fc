"""`vbparse evaluate GOLD_DIR` scores the parser against a gold corpus (see corpora/GUIDELINES.md)."""
from __future__ import annotations

import json
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("evaluate")
    def evaluate_cmd(
        gold_dir: str = typer.Argument(..., help="folder of gold JSON files; texts are read from ../plans/"),
        as_json: bool = typer.Option(False, "--json", help="print the full result as JSON"),
        details: bool = typer.Option(False, "--details", help="list each file's misses, false positives and wrong attributes"),
    ) -> None:
        """Precision, recall and F1 per field, micro-averaged over the gold files."""
        from ..evaluate import evaluate, format_report
        from . import fail

        if not Path(gold_dir).is_dir():
            fail(f"{gold_dir}: not a folder")
        result = evaluate(gold_dir)
        if not result["n_files"]:
            fail(f"{gold_dir}: no gold files (*.json)")
        if as_json:
            if not details:  # the per-file lists are long; keep them only when asked
                for f in result["files"]:
                    f.pop("fields", None)
            print(json.dumps(result, ensure_ascii=False, indent=1))
        else:
            print(format_report(result, details=details))

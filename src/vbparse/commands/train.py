"""`vbparse train`: rebuild models/ from corpora/classifier/ (deterministic) and print the scores."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("train")
    def train_cmd(
        report: bool = typer.Option(False, "--report", help="print per-label F1 (cross-validated and held-out)"),
        corpus: Optional[Path] = typer.Option(None, "--corpus", help="corpus folder (default corpora/classifier)"),
        out: Optional[Path] = typer.Option(None, "--out", help="model folder (default models/ or $VBPARSE_MODELS)"),
        compare: bool = typer.Option(False, "--compare", help="also compare the alternative feature sets and models (slow)"),
    ) -> None:
        """Train the movement classifier: same corpus in, byte-identical model files out."""
        from ..classify.model import model_dir
        from ..classify.train import compare as run_compare
        from ..classify.train import format_report, train
        from . import fail

        try:
            ev = train(corpus, out if out is not None else model_dir(), report=report)
        except (FileNotFoundError, ValueError) as e:
            fail(str(e))
        print(format_report(ev, per_label=report))
        print(f"\nwrote {', '.join(ev['files'])} ({ev['size_bytes'] / 1e6:.2f} MB)")
        if compare:
            print("\nname                 threshold/doc-mix  CV-sec micro macro | held-out-sec micro macro | "
                  "CV-doc micro macro | held-out-doc micro macro")
            run_compare()

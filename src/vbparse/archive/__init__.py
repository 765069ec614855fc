"""Archives: batch parsing that loses nothing, resumes, isolates bad files and scales out.

    from vbparse.archive import run_batch, BatchOptions
    summary = run_batch(["plans/", "old.zip"], "out/", BatchOptions(jobs=4))
    print(summary.line())

Modules: sources (what the inputs are), work (parse a chunk, in a worker), runner (the local
supervised pool), cluster (Dask), manifest (the journal that makes it resumable), output
(records.jsonl / errors.jsonl / Parquet), batch (the whole run). See docs/archive.md.
"""
from __future__ import annotations

from .batch import BatchError, BatchOptions, Summary, run_batch
from .sources import ScanOptions
from .work import Limits

__all__ = ["run_batch", "BatchOptions", "BatchError", "Summary", "Limits", "ScanOptions"]

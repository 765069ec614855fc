"""`vbparse batch SRC... -o OUT`: parse an archive into OUT/records.jsonl + OUT/errors.jsonl,
resumably (see vbparse/archive/ and docs/archive.md)."""
from __future__ import annotations

import sys
from typing import List, Optional

import typer


def _shard(text: Optional[str]):
    if not text:
        return None
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise typer.BadParameter("use K/N, e.g. 0/4") from None
    if n < 1 or not 0 <= k < n:
        raise typer.BadParameter("K/N needs 0 <= K < N")
    return k, n


def register(app: typer.Typer) -> None:
    @app.command("batch")
    def batch_cmd(
        sources: List[str] = typer.Argument(..., help="folders, globs ('plans/**/*.txt'), files or .zip archives"),
        out: str = typer.Option(..., "-o", "--out", help="output folder: records.jsonl, errors.jsonl, manifest"),
        jobs: Optional[int] = typer.Option(None, "-j", "--jobs", help="worker processes (default: CPU cores)"),
        force: bool = typer.Option(False, "--force", help="parse everything again, even unchanged files"),
        retry_errors: bool = typer.Option(False, "--retry-errors", help="parse again the files that failed before"),
        timeout: float = typer.Option(60.0, "--timeout", help="seconds per file before it is killed and logged"),
        max_memory: int = typer.Option(1024, "--max-memory", help="MB of resident memory per worker before the file is killed"),
        max_size: int = typer.Option(32, "--max-size", help="MB: larger input files are logged, not parsed"),
        chunk_size: Optional[int] = typer.Option(None, "--chunk-size", help="files per chunk (default: adaptive, at most 64)"),
        parquet: bool = typer.Option(False, "--parquet", help="also write OUT/records.parquet (needs pyarrow)"),
        dask: Optional[str] = typer.Option(None, "--dask", help="'local': run on a Dask LocalCluster with --jobs workers"),
        scheduler: Optional[str] = typer.Option(None, "--scheduler", help="run on a Dask cluster: tcp://HOST:PORT (shared storage)"),
        shard: Optional[str] = typer.Option(None, "--shard", help="K/N: only this machine's share of the inputs (by path hash)"),
        ext: Optional[str] = typer.Option(None, "--ext", help="only these extensions, e.g. txt,pdf,docx (default: every file)"),
        include_hidden: bool = typer.Option(False, "--include-hidden", help="also take .hidden files and folders"),
        progress: Optional[bool] = typer.Option(None, "--progress/--no-progress",
                                                help="progress bar on stderr (default: when stderr is a terminal)"),
        strict: bool = typer.Option(False, "--strict", help="exit 1 when any file failed"),
    ) -> None:
        """Parse every file under SRC in parallel; resumable, one record or one error per input."""
        from ..archive import BatchError, BatchOptions, Limits, ScanOptions, run_batch
        from . import fail

        if dask not in (None, "local"):
            fail("--dask takes 'local'; for a running cluster use --scheduler tcp://HOST:PORT", 2)
        if dask and scheduler:
            fail("use either --dask local or --scheduler, not both", 2)
        if jobs is not None and jobs < 1:
            fail("--jobs must be at least 1", 2)
        exts = tuple(e.strip().lower().lstrip(".") for e in ext.split(",") if e.strip()) if ext else None
        opts = BatchOptions(
            jobs=jobs, force=force, retry_errors=retry_errors,
            limits=Limits(timeout=timeout, max_memory_mb=max_memory, max_size=max_size * 1024 * 1024),
            chunk_size=chunk_size, parquet=parquet, dask=dask, scheduler=scheduler,
            progress=sys.stderr.isatty() if progress is None else progress,
            shard=_shard(shard), scan=ScanOptions(include_hidden=include_hidden, extensions=exts),
        )
        try:
            summary = run_batch(sources, out, opts)
        except BatchError as e:
            fail(str(e))
        except KeyboardInterrupt:
            print(f"vbparse batch: interrupted; finished chunks are saved in {out}, run the same command to resume",
                  file=sys.stderr)
            raise typer.Exit(130)
        print(f"vbparse batch: {summary.line()}", file=sys.stderr)
        if strict and summary.errors:
            raise typer.Exit(1)

"""`run_batch`: enumerate -> hash -> plan -> parse in chunks -> commit -> materialise.

1. Enumerate the inputs (sources.py): folders, globs, files, zip members.
2. Hash each input (sha256; the manifest's stat cache skips unchanged files), in threads.
   An input that cannot be listed or read fails here and goes straight to the error log.
3. Plan: one task per distinct content not yet parsed (all paths with that content ride on
   it), tasks sorted by path and cut into chunks (a few dozen files, at most 16 MB of input):
   chunks, not files, are the unit of scheduling, of writing and of committing, so per-file
   overhead stays tiny and at most one chunk per worker is redone after a crash.
4. Run the chunks on the local supervised pool (runner.py) or on Dask (cluster.py); each
   finished chunk is committed to the manifest (manifest.py) as it arrives.
5. When every chunk is in: write records.jsonl / errors.jsonl (output.py), optional Parquet,
   compact the manifest, write summary.json. records + errors == inputs, always.
"""
from __future__ import annotations

import fcntl
import json
import os
import time
import zlib
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

from .manifest import Manifest
from .output import materialise, write_parquet
from .sources import Item, Reader, ScanOptions, iter_items
from .work import Chunk, Limits, OutputError, Task, write_atomic

CHUNK_BYTES = 16 * 1024 * 1024


class BatchError(Exception):
    """A batch that cannot start (output locked, bad option): one line for the user."""


@dataclass
class BatchOptions:
    jobs: int | None = None  # default: CPU count
    force: bool = False
    retry_errors: bool = False
    limits: Limits = field(default_factory=Limits)
    chunk_size: int | None = None  # files per chunk; default: adaptive
    parquet: bool = False
    dask: str | None = None  # "local" to start a LocalCluster
    scheduler: str | None = None  # tcp://host:port of a running Dask scheduler
    progress: bool = True
    shard: tuple[int, int] | None = None  # (k, n): only inputs whose path hashes to k mod n
    scan: ScanOptions = field(default_factory=ScanOptions)


@dataclass
class Summary:
    out: str
    inputs: int = 0
    records: int = 0
    errors: int = 0
    parsed: int = 0  # input paths parsed in this run
    parsed_contents: int = 0  # distinct contents parsed in this run
    skipped: int = 0  # input paths whose content already had a result
    duplicates: int = 0  # input paths sharing their content with another input
    seconds: float = 0.0
    hash_seconds: float = 0.0
    parse_seconds: float = 0.0
    workers_killed: int = 0
    peak_rss_mb: dict = field(default_factory=dict)  # worker pid -> peak resident MB
    executor: str = "local"
    jobs: int = 1
    executor_info: dict = field(default_factory=dict)  # Dask: per-worker memory, from the workers

    def line(self) -> str:
        rate = self.parsed / self.parse_seconds if self.parse_seconds > 0 else 0.0
        return (
            f"{self.inputs} inputs: {self.records} records + {self.errors} errors"
            f" | parsed {self.parsed} ({rate:.0f} files/s), skipped {self.skipped} unchanged,"
            f" {self.duplicates} duplicates | {self.seconds:.1f} s -> {self.out}"
        )


def parser_version() -> str:
    """vbparse's version plus a digest of the parser's own source and data files: results made
    by other code (a new release, or a developer's edit) are parsed again, never mixed in."""
    import hashlib
    from pathlib import Path

    from .. import __version__

    pkg = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for f in sorted(pkg.rglob("*")):
        rel = f.relative_to(pkg).as_posix()
        if not f.is_file() or f.suffix not in (".py", ".tsv", ".json", ".txt", ".skops"):
            continue
        if rel.startswith(("archive/", "commands/")) or rel in ("graph.py", "cli.py") or "__pycache__" in rel:
            continue  # batch machinery and CLI: they do not change what a record says
        h.update(rel.encode() + b"\0" + f.read_bytes() + b"\0")
    try:  # the movement classifier's weights live outside the package
        from ..classify.model import model_paths

        for f in model_paths():
            if Path(f).is_file():
                h.update(Path(f).name.encode() + b"\0" + Path(f).read_bytes())
    except Exception:
        pass
    return f"{__version__}+{h.hexdigest()[:12]}"


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _lock(out: str):
    fd = os.open(os.path.join(out, ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise BatchError(f"{out}: another vbparse batch is writing to this folder") from None
    return fd


def _hash_items(items: list[Item], threads: int) -> dict[str, tuple[str | None, str | None]]:
    """path -> (sha256, failure); hashing in threads, each with its own zip cache."""
    out: dict[str, tuple[str | None, str | None]] = {}
    if not items:
        return out
    batches = [items[i:i + 256] for i in range(0, len(items), 256)]

    def run(batch: list[Item]):
        reader = Reader()
        res = []
        try:
            for it in batch:
                try:
                    res.append((it.path, reader.hash(it.ref), None))
                except Exception as e:  # vanished file, CRC error in a zip, permission, ...
                    msg = getattr(e, "strerror", None) or str(e) or type(e).__name__
                    res.append((it.path, None, f"unreadable\tcannot read: {msg}"))
        finally:
            reader.close()
        return res

    with ThreadPoolExecutor(max_workers=max(1, threads)) as ex:
        for res in ex.map(run, batches):
            for path, sha, failure in res:
                out[path] = (sha, failure)
    return out


def _in_shard(path: str, shard: tuple[int, int] | None) -> bool:
    if not shard:
        return True
    k, n = shard
    return zlib.crc32(path.encode("utf-8")) % n == k


def _chunks(tasks: list[Task], size: int) -> list[Chunk]:
    chunks: list[Chunk] = []
    cur: list[Task] = []
    cur_bytes = 0
    for t in tasks:
        if cur and (len(cur) >= size or cur_bytes + (t.size or 0) > CHUNK_BYTES):
            chunks.append(Chunk(len(chunks), cur))
            cur, cur_bytes = [], 0
        cur.append(t)
        cur_bytes += t.size or 0
    if cur:
        chunks.append(Chunk(len(chunks), cur))
    return chunks


def _executor(opts: BatchOptions, out: str, run_id: str, jobs: int):
    if opts.dask or opts.scheduler:
        from .cluster import DaskExecutor

        return DaskExecutor(out, run_id, opts.limits, scheduler=opts.scheduler, n_workers=jobs)
    from .runner import LocalPool

    return LocalPool(jobs, out, run_id, opts.limits)


def run_batch(sources: list[str], out: str, opts: BatchOptions | None = None) -> Summary:
    opts = opts or BatchOptions()
    t_start = time.monotonic()
    os.makedirs(out, exist_ok=True)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")  # one parse per process: no thread pools inside it
    jobs = opts.jobs or default_jobs()
    lock_fd = _lock(out)
    manifest = Manifest.open(out)
    summary = Summary(out=out, jobs=jobs, executor="dask" if (opts.dask or opts.scheduler) else "local")
    try:
        scan = opts.scan
        scan.exclude = tuple(scan.exclude) + (os.path.abspath(out),)
        items = [it for it in iter_items(list(sources), scan) if _in_shard(it.path, opts.shard)]
        summary.inputs = len(items)

        # -- hash (stat cache first) ---------------------------------------------------------
        t_hash = time.monotonic()
        ckeys: dict[str, str | None] = {}
        failures: dict[str, str] = {}
        need: list[Item] = []
        for it in items:
            if it.error:
                failures[it.path] = f"unreadable\t{it.error}"
                ckeys[it.path] = None
                continue
            cached = manifest.stats.get(it.path)
            if cached and it.token and cached[0] == it.token and not opts.force:
                ckeys[it.path] = cached[1]
            else:
                need.append(it)
        hashed = _hash_items(need, threads=min(8, 2 * jobs))
        new_stats = []
        for it in need:
            sha, failure = hashed[it.path]
            if sha is None:
                failures[it.path] = failure or "unreadable\tcannot read"
                ckeys[it.path] = None
            else:
                ckey = f"{sha}:{it.ext}"
                ckeys[it.path] = ckey
                if it.token:
                    new_stats.append((it.path, it.token, ckey))
        manifest.remember_stats(new_stats)
        summary.hash_seconds = time.monotonic() - t_hash

        # -- plan ---------------------------------------------------------------------------
        version = parser_version()
        groups: dict[str, list[Item]] = defaultdict(list)
        for it in items:
            if ckeys.get(it.path):
                groups[ckeys[it.path]].append(it)
        tasks: list[Task] = []
        for ckey, its in groups.items():
            summary.duplicates += len(its) - 1
            r = manifest.results.get(ckey)
            todo = (opts.force or r is None or r.parser != version
                    or (opts.retry_errors and r.status == "error"))
            if not todo:
                summary.skipped += len(its)
                continue
            its.sort(key=lambda i: (len(i.ref), i.path))  # read a plain file rather than a zip member
            tasks.append(Task(ckey, its[0].ref, sorted(i.path for i in its), its[0].size))
        tasks.sort(key=lambda t: t.paths[0])
        size = opts.chunk_size or max(1, min(64, -(-len(tasks) // (jobs * 8))))
        chunks = _chunks(tasks, size)
        tokens = {it.path: it.token for it in items}
        total = sum(len(t.paths) for t in tasks)
        summary.parsed_contents = len(tasks)

        # -- run ----------------------------------------------------------------------------
        t_parse = time.monotonic()
        if chunks:
            run_id = f"{time.strftime('%Y%m%d%H%M%S')}-{os.urandom(4).hex()}"
            bar = _progress(total, opts.progress)
            n_err = 0
            ex = _executor(opts, out, run_id, jobs)
            try:
                ex.start()
                for res in _guard(ex.run(chunks), out):
                    manifest.commit(res.part, res.files, tokens, version)
                    errs = sum(1 for f in res.files if f[2] != "ok")
                    n_err += errs
                    summary.parsed += len(res.files)
                    if bar is not None:
                        bar.update(len(res.files))
                        if errs:
                            bar.set_postfix(errors=n_err, refresh=False)
            finally:
                ex.close()
                if bar is not None:
                    bar.close()
            summary.peak_rss_mb = dict(getattr(ex, "peak_rss_mb", {}))
            summary.workers_killed = getattr(ex, "killed", 0)
            summary.executor_info = dict(getattr(ex, "worker_info", {}) or {})
        summary.parse_seconds = time.monotonic() - t_parse

        # -- materialise --------------------------------------------------------------------
        inputs = [(it.path, ckeys.get(it.path), failures.get(it.path)) for it in items]
        summary.records, summary.errors = materialise(out, manifest, inputs)
        if summary.records + summary.errors != summary.inputs:  # cannot happen; never hide it
            raise BatchError(f"accounting error: {summary.records} + {summary.errors} != {summary.inputs}")
        if opts.parquet:
            write_parquet(out)
        manifest.compact({it.path: (it.token, ckeys[it.path]) for it in items if ckeys.get(it.path)})
        summary.seconds = time.monotonic() - t_start
        write_atomic(os.path.join(out, "summary.json"),
                     (json.dumps(asdict(summary), ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
        return summary
    finally:
        manifest.close()
        os.close(lock_fd)


def _guard(results, out: str):
    try:
        yield from results
    except OutputError as e:
        raise BatchError(f"{e}; finished chunks are saved in {out}, free the space and run again") from None


def _progress(total: int, enabled: bool):
    if not enabled or total == 0:
        return None
    import sys

    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: workers are forked from this process
    return tqdm(total=total, unit="file", desc="parsing", file=sys.stderr, dynamic_ncols=True,
                smoothing=0.1, postfix={"errors": 0})

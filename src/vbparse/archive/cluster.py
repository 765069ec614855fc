"""Run a batch's chunks on Dask distributed: `--dask local` (a LocalCluster on this machine) or
`--scheduler tcp://HOST:PORT` (an existing cluster).

The driver (the `vbparse batch` process) stays the only writer of the manifest. Each chunk is
one Dask task, `run_chunk`, which parses on a worker and writes the chunk's part file itself
into OUT/parts/ on storage every worker and the driver see under the same path (NFS, a
shared volume...); only the small `ChunkResult` (where each record is, or why a file failed)
travels back to the driver, which commits it. Inputs are read by the workers from the same
shared paths (or zips on them).

Isolation is the same as locally: a Dask worker does not parse in its own process (a hung
C call could not be stopped, and a memory bomb would make the nanny kill the worker and
retry the whole chunk elsewhere, then give up with KilledWorker). Instead each worker thread
keeps one supervised child process (runner.LocalPool with one job, started as a plain
subprocess: Dask workers are daemonic processes, which multiprocessing forbids children) and the task
feeds it the chunk; time/memory limits kill only the child, the file is logged, the task
returns normally. A task that still fails (worker lost, ...) is resubmitted up to three times,
then its files are logged as crashes.

At most `inflight` chunks are submitted at once, so a million-file archive does not become a
million futures in the scheduler.
"""
from __future__ import annotations

import threading
from typing import Iterable, Iterator

from .work import Chunk, ChunkResult, Limits, OutputError

_POOLS: dict = {}
_POOLS_LOCK = threading.Lock()


def run_chunk(chunk: Chunk, out_dir: str, run_id: str, limits: Limits) -> list[ChunkResult]:
    """The Dask task: parse one chunk in this worker's supervised child process."""
    from .runner import LocalPool

    key = (threading.get_ident(), out_dir, run_id)
    with _POOLS_LOCK:
        pool = _POOLS.get(key)
        if pool is None:
            for k in [k for k in _POOLS if k[0] == key[0]]:  # an older run's pool on this thread
                _POOLS.pop(k).close()
            pool = _POOLS[key] = LocalPool(1, out_dir, run_id, limits, start_method="exec").start()
    try:
        return list(pool.run([chunk]))
    except BaseException:
        with _POOLS_LOCK:
            if _POOLS.get(key) is pool:
                _POOLS.pop(key).close()
        raise


def worker_rss_mb() -> dict:
    """Peak resident memory of the Dask worker process and of its parsing children."""
    import os

    from .work import current_rss_mb, peak_rss_mb

    kids = {}
    killed = sum(p.killed for p in list(_POOLS.values()))
    for pool in list(_POOLS.values()):
        for w in pool.workers:
            kids[w.proc.pid] = round(max(pool.peak_rss_mb.get(w.proc.pid, 0.0), current_rss_mb(w.proc.pid)), 1)
    return {"pid": os.getpid(), "worker_peak_mb": round(peak_rss_mb(), 1), "worker_now_mb": round(current_rss_mb(), 1),
            "children_peak_mb": kids, "killed": killed}


def close_pools() -> None:
    with _POOLS_LOCK:
        for pool in _POOLS.values():
            pool.close()
        _POOLS.clear()


class DaskExecutor:
    def __init__(self, out_dir: str, run_id: str, limits: Limits, scheduler: str | None = None,
                 n_workers: int = 2, inflight: int | None = None):
        self.out_dir = out_dir
        self.run_id = run_id
        self.limits = limits
        self.scheduler = scheduler
        self.n_workers = n_workers
        self.inflight = inflight
        self.client = None
        self.cluster = None
        self.peak_rss_mb: dict = {}
        self.worker_info: dict = {}
        self.killed = 0

    def start(self) -> "DaskExecutor":
        from distributed import Client, LocalCluster

        if self.scheduler:
            self.client = Client(self.scheduler, timeout="30s")
        else:
            self.cluster = LocalCluster(
                n_workers=self.n_workers, threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=40,
            )
            self.client = Client(self.cluster)
        return self

    def _threads(self) -> int:
        try:
            return max(1, sum(self.client.nthreads().values()))
        except Exception:
            return self.n_workers

    def run(self, chunks: Iterable[Chunk]) -> Iterator[ChunkResult]:
        from distributed import as_completed

        client = self.client
        limit = self.inflight or 2 * self._threads()
        todo = list(chunks)
        todo.reverse()
        attempts: dict = {}

        def submit(c: Chunk):
            return client.submit(run_chunk, c, self.out_dir, self.run_id, self.limits, pure=False,
                                 key=f"vbparse-chunk-{self.run_id}-{c.seq}-{c.attempt}")

        ac = as_completed()
        futures: dict = {}
        while todo and len(futures) < limit:
            c = todo.pop()
            f = submit(c)
            futures[f.key] = c
            ac.add(f)
        for fut in ac:
            chunk = futures.pop(fut.key)
            try:
                results = fut.result()
            except OutputError:
                raise
            except Exception as e:  # the task itself failed: worker lost, KilledWorker, ...
                n = attempts.get(chunk.seq, 0) + 1
                attempts[chunk.seq] = n
                if n < 3:
                    todo.append(Chunk(chunk.seq, chunk.tasks, chunk.attempt + 10 * n))
                    results = []
                else:
                    cause = f"worker failed: {type(e).__name__}: {str(e)[:150]}"
                    results = [ChunkResult(seq=chunk.seq, part=None,
                                           files=[(p, t.ckey, "error", "crash", cause) for t in chunk.tasks for p in t.paths])]
            finally:
                fut.release()
            for r in results:
                if r.pid and r.peak_rss_mb > self.peak_rss_mb.get(r.pid, 0.0):
                    self.peak_rss_mb[r.pid] = r.peak_rss_mb
                yield r
            while todo and len(futures) < limit:
                c = todo.pop()
                f = submit(c)
                futures[f.key] = c
                ac.add(f)

    def close(self) -> None:
        if self.client is not None:
            try:
                self.worker_info = self.client.run(worker_rss_mb)
                self.killed = sum(i.get("killed", 0) for i in self.worker_info.values())
            except Exception:
                pass
            try:
                if self.cluster is None:  # a shared cluster: leave it running, drop our children
                    self.client.run(close_pools)
            except Exception:
                pass
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        self.client = self.cluster = None

"""A local process pool that survives its files: per-file time and memory limits, enforced
from outside the worker.

Why not `concurrent.futures.ProcessPoolExecutor`: when one of its workers dies (a file that
segfaults the PDF library, a worker killed for using too much memory) the whole pool is broken
and every pending future fails. Here the supervisor owns each worker process and watches it:

- each worker has a pipe (chunks in, `ChunkResult`s out) and a tiny shared status array
  (chunk, index of the file being parsed, when it started) that it updates without syscalls;
- the supervisor's loop waits on the pipes and the process sentinels with a short timeout and,
  on every wake-up, checks each busy worker: the current file running past the hard time limit
  (the worker's own SIGALRM comes first at `timeout`; a file that blocks signals or sits in C
  code gets SIGKILL at `hard_timeout`), or the worker's resident memory (/proc/PID/statm) over
  `max_memory_mb`, gets the worker killed;
- a killed or crashed worker's current file is logged as failed (timeout / memory / crash),
  the rest of its chunk goes back to the front of the queue, and a fresh worker takes its place.
  A chunk whose worker dies while not inside any file (writing its part) is retried up to three
  times, then its files are logged as crashes: no input is ever dropped.

Workers are forked from the warmed-up driver (the parser is imported and has run once), so a
replacement starts in milliseconds and shares the parser's pages; under a Dask worker, which
runs threads, children are spawned instead (fork + threads can deadlock).
"""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from collections import deque
from multiprocessing.connection import wait
from typing import Iterable, Iterator

from .work import (
    IDLE, ST_INDEX, ST_LEN, ST_T0, WRITING, Chunk, ChunkResult, Limits, OutputError, WorkerFatal, current_rss_mb,
    warm_up, worker_main,
)

POLL = 0.05
MAX_ATTEMPTS = 3


class _ExecProc:
    """A worker started as `python -m vbparse.archive.work FD STATUS` (subprocess, not
    multiprocessing): usable inside a daemonic process such as a Dask worker, which
    multiprocessing forbids to have children. Same surface as multiprocessing.Process."""

    sentinel = None  # the socket reports the child's death (EOF); no separate sentinel

    def __init__(self, fd: int, status_fd: int):
        import subprocess
        import sys

        self._p = subprocess.Popen([sys.executable, "-m", "vbparse.archive.work", str(fd), str(status_fd)],
                                   pass_fds=(fd, status_fd), stdin=subprocess.DEVNULL)
        self.pid = self._p.pid

    def is_alive(self) -> bool:
        return self._p.poll() is None

    def join(self, timeout: float | None = None) -> None:
        import subprocess

        try:
            self._p.wait(timeout)
        except subprocess.TimeoutExpired:
            pass

    @property
    def exitcode(self) -> int | None:
        return self._p.poll()


class _Worker:
    def __init__(self, ctx, out_dir: str, run_id: str, limits: Limits, warm: bool):
        if ctx == "exec":
            self._start_exec(out_dir, run_id, limits)
        else:
            self.status = ctx.RawArray("d", ST_LEN)
            self.status[ST_INDEX] = IDLE
            parent, child = ctx.Pipe(duplex=True)
            self.conn = parent
            self.proc = ctx.Process(
                target=worker_main, args=(child, self.status, out_dir, run_id, limits, warm), daemon=True
            )
            self.proc.start()
            child.close()
        self.chunk: Chunk | None = None
        self.sent_at = 0.0
        self.peak_rss_mb = 0.0

    def _start_exec(self, out_dir: str, run_id: str, limits: Limits) -> None:
        import mmap
        import socket
        import tempfile
        from multiprocessing.connection import Connection

        shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
        sfd, path = tempfile.mkstemp(prefix="vbparse-status-", dir=shm)
        os.unlink(path)  # shared through the descriptor only
        os.write(sfd, bytes(8 * ST_LEN))
        self._mmap = mmap.mmap(sfd, 8 * ST_LEN)
        self.status = memoryview(self._mmap).cast("d")
        self.status[ST_INDEX] = IDLE
        a, b = socket.socketpair()
        self.conn = Connection(a.detach())
        child_fd = b.detach()
        try:
            self.proc = _ExecProc(child_fd, sfd)
        finally:
            os.close(child_fd)
            os.close(sfd)
        self.conn.send((out_dir, run_id, limits))

    @property
    def busy(self) -> bool:
        return self.chunk is not None

    def send(self, chunk: Chunk) -> None:
        self.chunk = chunk
        self.sent_at = time.monotonic()
        self.conn.send(chunk)

    def kill(self) -> None:
        if self.proc.is_alive():
            try:
                os.kill(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, OSError):
                pass
        self.proc.join(5)
        try:
            self.conn.close()
        except OSError:
            pass

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.proc.join(2)
        if self.proc.is_alive():
            self.kill()
        try:
            self.conn.close()
        except OSError:
            pass


class LocalPool:
    """`jobs` supervised worker processes; `run(chunks)` yields ChunkResults as they finish."""

    def __init__(self, jobs: int, out_dir: str, run_id: str, limits: Limits, start_method: str | None = None):
        self.jobs = max(1, int(jobs))
        self.out_dir = out_dir
        self.run_id = run_id
        self.limits = limits
        method = start_method or ("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        self.ctx = "exec" if method == "exec" else mp.get_context(method)
        self.warm_in_child = method != "fork"
        self.workers: list[_Worker] = []
        self.peak_rss_mb: dict[int, float] = {}  # pid -> peak resident MB, for benchmarks
        self.killed = 0

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> "LocalPool":
        if not self.warm_in_child:
            warm_up()
        while len(self.workers) < self.jobs:
            self.workers.append(self._spawn())
        return self

    def _spawn(self) -> _Worker:
        return _Worker(self.ctx, self.out_dir, self.run_id, self.limits, self.warm_in_child)

    def close(self) -> None:
        for w in self.workers:
            if w.busy:
                w.kill()
            else:
                w.stop()
        self.workers = []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    # -- the loop ---------------------------------------------------------------------------
    def run(self, chunks: Iterable[Chunk]) -> Iterator[ChunkResult]:
        if not self.workers:
            self.start()
        for i, w in enumerate(self.workers):  # left busy by an earlier run() that was abandoned
            if w.busy:
                w.kill()
                self.workers[i] = self._spawn()
        source = iter(chunks)
        front: deque[Chunk] = deque()
        exhausted = False

        def next_chunk() -> Chunk | None:
            nonlocal exhausted
            if front:
                return front.popleft()
            if exhausted:
                return None
            try:
                return next(source)
            except StopIteration:
                exhausted = True
                return None

        while True:
            for i, w in enumerate(self.workers):
                if not w.busy:
                    c = next_chunk()
                    if c is None:
                        break
                    if not w.proc.is_alive():
                        w = self.workers[i] = self._spawn()
                    try:
                        w.send(c)
                    except (BrokenPipeError, OSError):
                        front.appendleft(c)
                        w.chunk = None
                        w.kill()
                        self.workers[i] = self._spawn()
            busy = [w for w in self.workers if w.busy]
            if not busy:
                if not front and exhausted:
                    return
                continue
            ready = set(wait([w.conn for w in busy] + [w.proc.sentinel for w in busy if w.proc.sentinel is not None],
                             timeout=POLL))
            out: list[ChunkResult] = []
            now = time.monotonic()
            for i, w in enumerate(self.workers):
                if not w.busy:
                    continue
                if w.conn in ready:
                    try:
                        res: ChunkResult = w.conn.recv()
                    except (EOFError, OSError):
                        out.extend(self._fail(i, front, "crash", None))
                        continue
                    except Exception as e:  # an answer we cannot load: treat the worker as broken
                        out.extend(self._fail(i, front, "crash", f"worker sent an unreadable result ({type(e).__name__})"))
                        continue
                    if isinstance(res, WorkerFatal):
                        w.chunk = None
                        raise OutputError(res.message)
                    self._note_rss(res.pid, res.peak_rss_mb)
                    w.chunk = None
                    out.append(res)
                    if res.recycle:
                        w.proc.join(5)
                        if w.proc.is_alive():
                            w.kill()
                        self.workers[i] = self._spawn()
                    continue
                if (w.proc.sentinel is not None and w.proc.sentinel in ready) or not w.proc.is_alive():
                    out.extend(self._fail(i, front, "crash", None))
                    continue
                idx = w.status[ST_INDEX]
                t0 = w.status[ST_T0]
                if idx >= 0 and self.limits.timeout and now - t0 > self.limits.hard_timeout:
                    out.extend(self._fail(i, front, "timeout", f"timed out after {self.limits.timeout:g} s (--timeout)"))
                    continue
                if self.limits.max_memory_mb:
                    rss = current_rss_mb(w.proc.pid)
                    if rss > self.limits.max_memory_mb:
                        self._note_rss(w.proc.pid, rss)
                        out.extend(self._fail(i, front, "memory",
                                              f"memory limit exceeded (> {self.limits.max_memory_mb} MB, --max-memory)"))
                        continue
            yield from out

    def _note_rss(self, pid: int, mb: float) -> None:
        if mb > self.peak_rss_mb.get(pid, 0.0):
            self.peak_rss_mb[pid] = mb

    def _fail(self, i: int, front: deque, kind: str, cause: str | None) -> list[ChunkResult]:
        """Worker i is dead or must die: blame its current file, requeue the rest, replace it."""
        w = self.workers[i]
        chunk = w.chunk
        idx = int(w.status[ST_INDEX])
        if cause is None:  # it died (or is dying) on its own: let it finish, then ask how
            w.proc.join(2)
            stuck = w.proc.is_alive()
        w.kill()
        self.killed += 1
        self.workers[i] = self._spawn()
        if chunk is None:
            return []
        if cause is None:
            code = w.proc.exitcode
            if stuck:
                cause = "worker process stopped responding"
            elif code is not None and code < 0:
                try:
                    name = signal.Signals(-code).name
                except ValueError:
                    name = f"signal {-code}"
                cause = f"worker process died ({name})" + (" - out of memory?" if -code == signal.SIGKILL else "")
            else:
                cause = f"worker process exited unexpectedly (code {code})"
        if 0 <= idx < len(chunk.tasks):
            bad = chunk.tasks[idx]
            rest = chunk.tasks[:idx] + chunk.tasks[idx + 1:]
            if rest:
                front.appendleft(Chunk(chunk.seq, rest, chunk.attempt + 1))
            return [ChunkResult(seq=chunk.seq, part=None, files=[(p, bad.ckey, "error", kind, cause) for p in bad.paths])]
        # not inside a file (between files, or writing the part): retry the chunk, a few times
        if idx == WRITING or idx == IDLE or idx < 0:
            if chunk.attempt + 1 < MAX_ATTEMPTS:
                front.appendleft(Chunk(chunk.seq, chunk.tasks, chunk.attempt + 1))
                return []
        return [ChunkResult(seq=chunk.seq, part=None,
                            files=[(p, t.ckey, "error", "crash", cause) for t in chunk.tasks for p in t.paths])]

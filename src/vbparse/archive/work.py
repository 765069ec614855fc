"""The worker side of a batch: parse one chunk of inputs and write its records as one part file.

This module is what runs inside a child process (local pool) or inside the child that a Dask
task supervises; it imports nothing heavy itself, and `vbparse.parse` is imported once per
process, never per file.

A chunk is a list of `Task`s, one per distinct content (sha256 + extension); a task can stand
for several input paths (byte-identical duplicates): it is parsed once and emits one record
line per path, identical but for `source.path`.

Per-file limits inside the worker (the supervisor adds hard ones from outside, see runner.py):
- time: SIGALRM after `timeout` seconds raises `FileTimeout` in the parse;
- memory: RLIMIT_AS (address space) is set to what the warmed-up worker uses plus twice the
  memory limit, so a runaway allocation raises MemoryError instead of taking the machine down;
- size: inputs over `max_size` bytes are refused before parsing.
A worker that hit MemoryError finishes its chunk and asks to be replaced (`recycle`).

Fault injection (tests only): when the environment has VBPARSE_FAULTS=1, an input whose bytes
contain `VBPARSE-FAULT:<kind>` misbehaves on purpose: `sleep=<s>` (slow file), `loop` (busy
Python loop), `hang` (blocks SIGALRM and sleeps: only the supervisor's kill ends it), `oom`
(allocates until stopped), `crash` (SIGSEGV), `raise` (an unexpected exception). Without the
variable the markers are ordinary text.
"""
from __future__ import annotations

import json
import os
import re
import signal
import sys
import time
from dataclasses import dataclass, field

from .sources import Reader, TooLarge

RECORD_JSON = {"ensure_ascii": False, "separators": (",", ":")}

# status array layout, shared with the supervisor (multiprocessing RawArray of doubles)
ST_SEQ, ST_INDEX, ST_T0, ST_LEN = 0, 1, 2, 3
IDLE, WRITING = -1.0, -2.0


@dataclass
class Limits:
    timeout: float = 60.0  # seconds per file
    max_memory_mb: int = 1024  # resident memory per worker process
    max_size: int = 32 * 1024 * 1024  # bytes per input file
    address_space: bool = True  # also set RLIMIT_AS (see module docstring)

    @property
    def hard_timeout(self) -> float:
        return self.timeout + max(2.0, 0.25 * self.timeout)


@dataclass
class Task:
    ckey: str  # content key: sha256 + ":" + extension
    ref: tuple  # how to read it (sources.Item.ref)
    paths: list[str]  # every input path with this content
    size: int | None = None


@dataclass
class Chunk:
    seq: int
    tasks: list[Task]
    attempt: int = 0


@dataclass
class ChunkResult:
    seq: int
    part: str | None  # file name under OUT/parts/, None when the chunk produced no record
    # (path, ckey, "ok", offset, length) or (path, ckey, "error", kind, cause)
    files: list[tuple] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    pid: int = 0
    recycle: bool = False
    parsed: int = 0  # distinct contents parsed
    seconds: float = 0.0


class OutputError(Exception):
    """The worker cannot write its part file (disk full, permissions): not the input's fault, so
    the batch stops instead of logging good files as failed."""


@dataclass
class WorkerFatal:
    message: str


class FileTimeout(BaseException):
    """Raised by SIGALRM inside a parse; a BaseException so that `except Exception` in the
    library cannot swallow it."""


def _on_alarm(signum, frame):
    raise FileTimeout()


_PARSE = None


def _parse_fn():
    global _PARSE
    if _PARSE is None:
        from .. import parse

        _PARSE = parse
    return _PARSE


def warm_up() -> None:
    """Import the parser and run it once on a tiny plan, so forked workers start warm."""
    try:
        _parse_fn()(
            "LIÊN ĐOÀN LAO ĐỘNG TỈNH THÁI BÌNH\nSố: 1/KH-LĐLĐ\nThái Bình, ngày 02 tháng 7 năm 2021\n"
            "KẾ HOẠCH\nThử\nThực hiện Kế hoạch số 2/KH-TLĐ ngày 01/7/2021,\nI. MỤC ĐÍCH\n1. Nội dung\n"
        )
    except Exception:  # a broken parser shows up per file, with its cause, not here
        pass


def peak_rss_mb() -> float:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb(pid: int | None = None) -> float:
    try:
        with open(f"/proc/{pid or 'self'}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except (OSError, ValueError, IndexError):
        return 0.0


def _vm_size() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def setup_process(limits: Limits) -> None:
    """Called once in a fresh worker process: die with the parent, ignore Ctrl-C (the
    supervisor decides), install the timer, cap the address space."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: a SIGKILLed driver takes us along
    except Exception:
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGALRM, _on_alarm)
    try:  # a crash is reported by the supervisor as one error row, not a traceback dump
        import faulthandler

        faulthandler.disable()
    except Exception:
        pass
    if limits.address_space and limits.max_memory_mb:
        try:
            import resource

            cap = _vm_size() + 2 * limits.max_memory_mb * 1024 * 1024
            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            if hard == resource.RLIM_INFINITY or hard >= cap:
                resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        except (OSError, ValueError, ImportError):
            pass


# ---- fault injection (tests only) ----------------------------------------------------------

_FAULT = re.compile(rb"VBPARSE-FAULT:([a-z]+)(?:=([0-9.]+))?")


def _inject_fault(data: bytes) -> None:
    m = _FAULT.search(data)
    if not m:
        return
    kind = m.group(1).decode()
    if kind == "sleep":
        time.sleep(float(m.group(2) or 1))
    elif kind == "loop":
        while True:
            pass
    elif kind == "hang":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        try:
            while True:
                time.sleep(3600)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM})
    elif kind == "oom":
        hog = []
        while True:
            hog.append(b"x" * (32 * 1024 * 1024))
            time.sleep(0.005)
    elif kind == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)
        time.sleep(5)
    elif kind == "raise":
        raise RuntimeError("injected fault")


# ---- the chunk -----------------------------------------------------------------------------

def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: str, data: bytes | list[bytes]) -> None:
    """Write to a temporary name beside `path`, fsync, rename into place, fsync the folder."""
    d, name = os.path.split(path)
    tmp = os.path.join(d, f".tmp-{name}")
    with open(tmp, "wb") as f:
        if isinstance(data, list):
            f.writelines(data)
        else:
            f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(d)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def parse_task(task: Task, reader: Reader, limits: Limits, faults: bool) -> tuple[str, object]:
    """("ok", record dict) or ("error", (kind, cause)) for one task."""
    from ..errors import InputError

    try:
        data = reader.read(task.ref, limits.max_size or None)
    except TooLarge as e:
        return "error", ("too-large", f"file too large ({_mb(e.size)} > {_mb(limits.max_size)} limit, --max-size)")
    except (OSError, KeyError, RuntimeError, EOFError, ValueError) as e:
        return "error", ("unreadable", f"cannot read: {getattr(e, 'strerror', None) or e}")
    except Exception as e:  # zlib.error, BadZipFile, ...
        return "error", ("unreadable", f"cannot read: {type(e).__name__}: {e}")
    parse = _parse_fn()
    if limits.timeout:
        signal.setitimer(signal.ITIMER_REAL, limits.timeout)
    try:
        if faults:
            _inject_fault(data)
        doc = parse(data, path=task.paths[0])
        return "ok", doc.to_dict()
    except FileTimeout:
        return "error", ("timeout", f"timed out after {limits.timeout:g} s (--timeout)")
    except MemoryError:
        return "error", ("memory", f"memory limit exceeded (> {limits.max_memory_mb} MB, --max-memory)")
    except InputError as e:
        return "error", ("input", e.cause)
    except RecursionError:
        return "error", ("internal", "parser error: RecursionError")
    except Exception as e:  # a parser bug must not stop the batch: the file is logged
        msg = str(e).splitlines()[0][:200] if str(e) else ""
        return "error", ("internal", f"parser error: {type(e).__name__}{': ' + msg if msg else ''}")
    finally:
        if limits.timeout:
            signal.setitimer(signal.ITIMER_REAL, 0)


def process_chunk(chunk: Chunk, out_dir: str, run_id: str, limits: Limits, status=None) -> ChunkResult:
    """Parse every task of `chunk`, write the records to OUT/parts/<part> atomically, return
    where each path's record is (offset, length in the part) or why it failed."""
    t0 = time.monotonic()
    faults = os.environ.get("VBPARSE_FAULTS") == "1"
    reader = Reader()
    lines: list[bytes] = []
    files: list[tuple] = []
    offset = 0
    recycle = False
    if status is not None:
        status[ST_SEQ] = chunk.seq
    try:
        for i, task in enumerate(chunk.tasks):
            if status is not None:
                status[ST_T0] = time.monotonic()
                status[ST_INDEX] = i
            try:
                kind, value = parse_task(task, reader, limits, faults)
            except FileTimeout:  # the alarm fired just as the parse returned
                signal.setitimer(signal.ITIMER_REAL, 0)
                kind, value = "error", ("timeout", f"timed out after {limits.timeout:g} s (--timeout)")
            if kind == "ok":
                try:
                    encoded = []
                    for p in task.paths:
                        value["source"]["path"] = p
                        encoded.append((p, (json.dumps(value, **RECORD_JSON) + "\n").encode("utf-8")))
                except Exception as e:  # a record the contract cannot hold is a parser bug
                    kind, value = "error", ("internal", f"cannot serialise the record: {type(e).__name__}: {e}"[:300])
                else:
                    for p, line in encoded:
                        files.append((p, task.ckey, "ok", offset, len(line)))
                        lines.append(line)
                        offset += len(line)
            if kind != "ok":
                ekind, cause = value
                if ekind == "memory":
                    recycle = True
                for p in task.paths:
                    files.append((p, task.ckey, "error", ekind, cause))
        if status is not None:
            status[ST_INDEX] = WRITING
        part = None
        if lines:
            part = f"{run_id}-{chunk.seq:06d}-{chunk.attempt}.jsonl"
            try:
                write_atomic(os.path.join(out_dir, "parts", part), lines)
            except OSError as e:
                raise OutputError(f"cannot write {os.path.join(out_dir, 'parts', part)}: {e.strerror or e}") from None
    finally:
        reader.close()
        if status is not None:
            status[ST_INDEX] = IDLE
    if limits.max_memory_mb and current_rss_mb() > 0.6 * limits.max_memory_mb:
        recycle = True
    return ChunkResult(
        seq=chunk.seq, part=part, files=files, peak_rss_mb=peak_rss_mb(), pid=os.getpid(),
        recycle=recycle, parsed=len(chunk.tasks), seconds=time.monotonic() - t0,
    )


def worker_main(conn, status, out_dir: str, run_id: str, limits: Limits, warm: bool) -> None:
    """Loop of a pool worker: receive a Chunk, send back its ChunkResult; None or EOF ends it."""
    setup_process(limits)
    if warm:
        warm_up()
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            break
        if chunk is None:
            break
        try:
            result = process_chunk(chunk, out_dir, run_id, limits, status)
        except OutputError as e:
            result = WorkerFatal(str(e))
        try:
            conn.send(result)
        except (BrokenPipeError, OSError):
            break
        if isinstance(result, WorkerFatal) or result.recycle:
            break
    try:
        conn.close()
    except OSError:
        pass
    sys.exit(0)


def _exec_main(argv: list[str]) -> None:
    """Entry point of a worker started as a plain subprocess (runner._ExecProc):
    `python -m vbparse.archive.work SOCKET_FD STATUS_FD`; the first message is the config."""
    import mmap
    from multiprocessing.connection import Connection

    conn = Connection(int(argv[0]))
    sfd = int(argv[1])
    mm = mmap.mmap(sfd, 8 * ST_LEN)
    os.close(sfd)
    status = memoryview(mm).cast("d")
    try:
        out_dir, run_id, limits = conn.recv()
    except (EOFError, OSError):
        sys.exit(0)
    worker_main(conn, status, out_dir, run_id, limits, warm=True)


if __name__ == "__main__":
    # run the functions of the imported module, not of __main__, so that what is pickled back
    # is vbparse.archive.work.ChunkResult, which the supervisor can load
    from vbparse.archive import work as _work

    _work._exec_main(sys.argv[1:])

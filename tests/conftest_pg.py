"""A throwaway PostgreSQL cluster for the index tests (and benchmarks/index.py).

Started once per process under a temp dir with the Debian server binaries
(/usr/lib/postgresql/*/bin/initdb, pg_ctl), on a free 127.0.0.1 port, trust auth, fsync off;
stopped and deleted at exit. initdb refuses to run as root, so as root the cluster runs as the
`postgres` system user (created by the Debian package) through runuser/su.

    from conftest_pg import pg_cluster, fresh_database
    dsn = fresh_database()          # a new empty database in the shared cluster

`pg_cluster()` returns None with a reason in `PG_SKIP_REASON` when the binaries (or psycopg) are
absent, so tests skip the PostgreSQL half with that reason (install:
scripts/install-system-deps.sh). VBPARSE_TEST_NO_PG=1 skips it on purpose; VBPARSE_TEST_PG_DSN
uses an existing server instead of starting one.
"""
from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

PG_SKIP_REASON = ""
_CLUSTER: dict | None = None


def _bin_dir() -> str | None:
    env = os.environ.get("VBPARSE_PG_BIN")
    if env and os.path.exists(os.path.join(env, "initdb")):
        return env
    cands = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if cands:
        return os.path.dirname(cands[-1])
    found = shutil.which("initdb")
    return os.path.dirname(found) if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_user(user: str | None, argv: list[str]) -> list[str]:
    if user is None:
        return argv
    if shutil.which("runuser"):
        return ["runuser", "-u", user, "--"] + argv
    return ["su", user, "-s", "/bin/sh", "-c", " ".join(_quote(a) for a in argv)]


def _quote(a: str) -> str:
    import shlex

    return shlex.quote(a)


def pg_cluster() -> dict | None:
    """{'dsn': ..., 'port': ..., 'dir': ...} of the running throwaway cluster, or None."""
    global _CLUSTER, PG_SKIP_REASON
    if _CLUSTER is not None:
        return _CLUSTER
    if os.environ.get("VBPARSE_TEST_PG_DSN"):  # an external server the caller provides
        _CLUSTER = {"dsn": os.environ["VBPARSE_TEST_PG_DSN"], "external": True}
        return _CLUSTER
    if PG_SKIP_REASON:
        return None
    if os.environ.get("VBPARSE_TEST_NO_PG"):
        PG_SKIP_REASON = "VBPARSE_TEST_NO_PG is set: the PostgreSQL half of the index tests is skipped"
        return None
    try:
        import psycopg  # noqa: F401
    except ImportError:
        PG_SKIP_REASON = "psycopg is not installed (pip install 'psycopg[binary]')"
        return None
    bindir = _bin_dir()
    if not bindir:
        PG_SKIP_REASON = ("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb): "
                          "run scripts/install-system-deps.sh (apt: postgresql postgresql-contrib)")
        return None
    user = None
    if os.geteuid() == 0:
        import pwd

        try:
            pwd.getpwnam("postgres")
            user = "postgres"
        except KeyError:
            PG_SKIP_REASON = "running as root and there is no `postgres` user to run the test cluster as"
            return None
    base = tempfile.mkdtemp(prefix="vbparse-pg-")
    if user:
        shutil.chown(base, user=user)
    data = os.path.join(base, "data")
    port = _free_port()
    log = os.path.join(base, "log")
    try:
        subprocess.run(_as_user(user, [os.path.join(bindir, "initdb"), "-D", data, "-A", "trust", "-U", "postgres",
                                       "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]),
                       check=True, capture_output=True, timeout=120)
        opts = (f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c fsync=off -c synchronous_commit=off "
                f"-c full_page_writes=off -c shared_buffers=128MB -c max_connections=50")
        subprocess.run(_as_user(user, [os.path.join(bindir, "pg_ctl"), "-D", data, "-l", log, "-o", opts, "-w",
                                       "-t", "60", "start"]), check=True, capture_output=True, timeout=90)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as e:
        detail = getattr(e, "stderr", b"") or b""
        try:
            detail += open(log, "rb").read()[-800:]
        except OSError:
            pass
        PG_SKIP_REASON = f"could not start a throwaway PostgreSQL cluster: {e}: {detail.decode(errors='replace')[-600:]}"
        shutil.rmtree(base, ignore_errors=True)
        return None
    _CLUSTER = {"dsn": f"postgresql://postgres@127.0.0.1:{port}/postgres", "port": port, "dir": base,
                "bindir": bindir, "user": user, "data": data}
    atexit.register(_stop)
    return _CLUSTER


def _stop() -> None:
    c = _CLUSTER
    if not c or c.get("external"):
        return
    try:
        subprocess.run(_as_user(c["user"], [os.path.join(c["bindir"], "pg_ctl"), "-D", c["data"], "-m", "immediate",
                                            "-w", "stop"]), capture_output=True, timeout=60)
    finally:
        shutil.rmtree(c["dir"], ignore_errors=True)


def fresh_database(prefix: str = "t") -> str:
    """DSN of a new, empty database in the test cluster."""
    import psycopg

    c = pg_cluster()
    if c is None:
        raise RuntimeError(PG_SKIP_REASON)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    for attempt in range(20):
        try:
            with psycopg.connect(c["dsn"], autocommit=True) as con:
                con.execute(f'CREATE DATABASE "{name}"')
            break
        except psycopg.OperationalError:
            time.sleep(0.25)
    base = c["dsn"].rsplit("/", 1)[0]
    return f"{base}/{name}"

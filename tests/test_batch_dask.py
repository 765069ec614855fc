"""The same batch on Dask: `--dask local` (a LocalCluster with 2 workers started by the batch)
and `--scheduler` (a LocalCluster started here, 2 worker processes). Same records as the local
pool, byte for byte after sorting; per-file isolation still holds on the workers."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from _helpers import load_maker  # noqa: E402
from vbparse.archive import BatchOptions, Limits, run_batch  # noqa: E402

pytestmark = pytest.mark.usefixtures("deadline")


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    dest = tmp_path_factory.mktemp("dask") / "kho"
    load_maker().build_fixture(dest, real=False)
    (dest / "fault-loop.txt").write_text("KẾ HOẠCH\nVBPARSE-FAULT:loop\n", encoding="utf-8")
    (dest / "fault-crash.txt").write_text("KẾ HOẠCH\nVBPARSE-FAULT:crash\n", encoding="utf-8")
    return dest


def _lines(out: Path, name: str) -> list[bytes]:
    return sorted((out / name).read_bytes().splitlines())


def test_dask_local_and_scheduler_match_local_pool(archive, tmp_path, monkeypatch):
    monkeypatch.setenv("VBPARSE_FAULTS", "1")
    limits = Limits(timeout=2, max_memory_mb=600)
    local = tmp_path / "local"
    s0 = run_batch([str(archive)], str(local), BatchOptions(jobs=2, progress=False, limits=limits))

    via_local_cluster = tmp_path / "dask-local"
    s1 = run_batch([str(archive)], str(via_local_cluster),
                   BatchOptions(jobs=2, progress=False, limits=limits, dask="local", chunk_size=4))
    assert s1.executor == "dask"
    assert (s1.inputs, s1.records, s1.errors) == (s0.inputs, s0.records, s0.errors)
    assert _lines(local, "records.jsonl") == _lines(via_local_cluster, "records.jsonl")
    assert _lines(local, "errors.jsonl") == _lines(via_local_cluster, "errors.jsonl")
    errs = {json.loads(l)["path"]: json.loads(l) for l in _lines(via_local_cluster, "errors.jsonl")}
    assert errs[str(archive / "fault-loop.txt")]["kind"] == "timeout"
    assert errs[str(archive / "fault-crash.txt")]["kind"] == "crash"

    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        via_scheduler = tmp_path / "dask-scheduler"
        s2 = run_batch([str(archive)], str(via_scheduler),
                       BatchOptions(progress=False, limits=limits, scheduler=cluster.scheduler_address, chunk_size=4))
        assert _lines(local, "records.jsonl") == _lines(via_scheduler, "records.jsonl")
        assert s2.records + s2.errors == s2.inputs == s0.inputs
        # resume on the cluster: nothing left to do
        s3 = run_batch([str(archive)], str(via_scheduler),
                       BatchOptions(progress=False, limits=limits, scheduler=cluster.scheduler_address))
        assert s3.parsed == 0 and s3.records == s2.records

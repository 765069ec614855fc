"""Fixtures several test modules share (plain helpers live in _helpers.py, which benchmarks
import without pytest)."""
from __future__ import annotations

import signal

import pytest


@pytest.fixture
def deadline():
    """Fail, never hang, should a cluster or a worker get stuck."""
    def boom(*_):
        raise TimeoutError("test exceeded its 300 s deadline")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(300)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)

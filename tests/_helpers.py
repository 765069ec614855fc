"""Helpers several test modules share. No pytest import here: benchmarks import this module too
(from tests/ on sys.path, as with conftest_pg), and they run without pytest installed."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CALENDAR_FIXTURE = ROOT / "corpora" / "calendar" / "records.jsonl"


def load_maker():
    """corpora/archive/make_archive.py, a script rather than a package, loaded from its path. It is
    registered in sys.modules before it runs because its @dataclass looks its module up there."""
    spec = importlib.util.spec_from_file_location("make_archive", ROOT / "corpora" / "archive" / "make_archive.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["make_archive"] = mod
    spec.loader.exec_module(mod)
    return mod


def calendar_records() -> list[dict]:
    """The contract records of the calendar fixture, without its batch error line."""
    return [r for r in map(json.loads, CALENDAR_FIXTURE.read_text(encoding="utf-8").splitlines()) if "header" in r]


def ics_events(text: str, kind: str = "events"):
    """Parse with the independent `ics` library. Its grammar engine (tatsu) calls colorama.init()
    on every line it parses; under pytest's captured stdout each call wraps sys.stdout once more
    until the recursion limit. A no-op init avoids that test-only artefact."""
    import ics as icslib
    import tatsu.color

    saved = tatsu.color.init
    tatsu.color.init = lambda: None
    try:
        return getattr(icslib.Calendar(text), kind)
    finally:
        tatsu.color.init = saved

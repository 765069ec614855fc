"""corpora/tools/locate.py turns annotators' text into offsets; a wrong offset silently
corrupts every score computed from the gold files."""
from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "locate", Path(__file__).resolve().parents[1] / "corpora" / "tools" / "locate.py")
locate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(locate)

TEXT = "phong trào “Dân vận khéo”, mô hình “Dân vận khéo” và điển hình “Dân vận khéo”."


def test_equal_texts_in_a_row_land_on_successive_mentions():
    first = locate.find(TEXT, {"text": "Dân vận khéo"}, -1, False)
    second = locate.find(TEXT, {"text": "Dân vận khéo"}, first[0], False)
    assert first[0] < second[0]
    assert TEXT[second[0]:second[1]] == "Dân vận khéo"


def test_occurrence_counts_the_previous_mention_as_before():
    first = locate.find(TEXT, {"text": "Dân vận khéo"}, -1, False)
    third = locate.find(TEXT, {"text": "Dân vận khéo", "occurrence": 3}, first[0], False)
    assert third[0] == TEXT.rindex("Dân vận khéo")


def test_after_moves_past_context():
    span = locate.find(TEXT, {"text": "Dân vận khéo", "after": "điển hình"}, -1, False)
    assert span[0] == TEXT.rindex("Dân vận khéo")


def test_section_markers_match_at_line_start_only_and_skip_the_previous():
    text = "I. MỤC ĐÍCH\n1. Mục đích\nnăm 1. Không\n**2**. Yêu cầu\n"
    one = locate.find(text, {"text": "1."}, -1, True)
    assert one[0] == text.index("1. Mục")
    two = locate.find(text, {"text": "2."}, one[0], True)
    assert text[two[0]:two[0] + 1] == "2"

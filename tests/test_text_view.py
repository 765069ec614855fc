"""The cleaned view and its offset map: what finders match on, and how spans get back to the source."""
from __future__ import annotations

import random
from pathlib import Path

import regex

from vbparse.text import build_view, fold

DAMAGED = "**KẾ HOẠCH**\n\nPhong trào thi\n\nđua “Lao động   giỏi”\n\n2\n\nthi\n\nthi đua **1**. **Mục đích** a ** b"


def test_clean_view_folds_markup_quotes_spaces_page_numbers_and_repeats():
    v = build_view(DAMAGED)
    assert v.clean == 'KẾ HOẠCH Phong trào thi đua "Lao động giỏi" thi đua 1. Mục đích a b'


def test_spans_map_back_to_the_source_as_written():
    v = build_view(DAMAGED)
    i = v.clean.index("Lao")
    s, e = v.to_source(i, i + len("Lao động giỏi"))
    assert DAMAGED[s:e] == "Lao động   giỏi"
    i = v.clean.index("thi đua 1")
    s, e = v.to_source(i, i + len("thi đua"))
    assert DAMAGED[s:e] == "thi\n\nthi đua"  # the repeated word is inside the span, as in the source
    i = v.clean.index("phong") if "phong" in v.clean else v.clean.index("Phong")
    s, e = v.to_source(i, i + len("Phong trào thi đua"))
    assert DAMAGED[s:e] == "Phong trào thi\n\nđua"


def test_every_word_of_every_plan_round_trips():
    rng = random.Random(1)
    for path in sorted((Path(__file__).resolve().parents[1] / "corpora" / "plans").glob("a-*.txt")):
        text = path.read_text(encoding="utf-8")
        v = build_view(text)
        words = list(regex.finditer(r"[\p{L}\d]+", v.clean))
        for m in rng.sample(words, min(200, len(words))):
            s, e = v.to_source(m.start(), m.end())
            assert text[s:e].replace("*", "") == m.group(), (path.name, m.group(), text[s:e])
            assert v.to_clean(s) == m.start()


def test_fold_keeps_length_and_folds_d():
    s = "Liên đoàn Lao động ĐỒNG NAI, thuỷ lợi"
    assert fold(s) == "lien doan lao dong dong nai, thuy loi"
    assert len(fold(s)) == len(s)

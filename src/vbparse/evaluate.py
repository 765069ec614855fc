"""Score vbparse against the gold corpus (corpora/gold/*.json), as corpora/GUIDELINES.md "Matching" says.

    result = evaluate("corpora/gold")      # parses corpora/plans/<stem>.* for each gold file
    print(format_report(result))

Counts are micro-averaged over files: true/false positives and misses are summed before
P/R/F1, so a long plan weighs more than a short one. Every file also keeps its own counts and
the items it missed or invented, which is what one reads when a number drops.

The folding here is deliberately our own and not the parser's (`vbparse.text.fold`): a scorer
that shares the parser's normaliser would forgive the parser's normalisation bugs.
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path
from typing import Callable

import regex

HEADER_FIELDS = ("doc_type", "number", "symbol", "place", "issued", "title", "issuer")
SIGNER_FIELDS = ("authority", "position", "name")
REF_ATTRS = ("doc_type", "issued", "issuer", "basis")
START_SLACK = 3  # offsets may differ by a stray quote or space, not by a word

_WS = regex.compile(r"\s+")
_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-"})


def ws(s) -> str | None:
    """Whitespace folding: NFC, runs of whitespace to one space, trimmed."""
    if s is None:
        return None
    return _WS.sub(" ", unicodedata.normalize("NFC", str(s))).strip()


def fold(s) -> str | None:
    """Loose text key: no case, no diacritics, đ = d, single spaces, straight quotes dropped."""
    if s is None:
        return None
    s = ws(s).lower().replace("đ", "d")
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return regex.sub(r"[\"'“”‘’«»*]", "", s).strip()


def fold_symbol(s) -> str | None:
    """Symbol key that survives the noise real plans carry: "KH- HĐTĐKT", "LĐLD", "CDYT", en dashes."""
    if not s:
        return None
    return _WS.sub("", fold(s.translate(_DASHES))).upper()


def fold_number(s) -> str | None:
    # "09" and "9" name the same document; zero padding is not what we measure.
    if s is None:
        return None
    s = _WS.sub("", str(s)).lower()
    return s.lstrip("0") or s


def contains(a, b) -> bool:
    """Folded containment either way; both empty counts as agreement."""
    fa, fb = fold(a) or "", fold(b) or ""
    if not fa or not fb:
        return fa == fb
    return fa in fb or fb in fa


# --- matching ---------------------------------------------------------------------------

def match(gold: list, pred: list, key: Callable, near: Callable | None = None) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, pred index) with equal keys (and `near`, if given).

    Greedy in document order; for keyed items without positions this is plain multiset
    intersection, with positions it picks the closest unused prediction.
    """
    pairs, used = [], set()
    for gi, g in enumerate(gold):
        gk, best, best_d = key(g), None, None
        for pi, p in enumerate(pred):
            if pi in used or key(p) != gk:
                continue
            if near is not None:
                d = near(g, p)
                if d is None:
                    continue
                if best is None or d < best_d:
                    best, best_d = pi, d
            else:
                best = pi
                break
        if best is not None:
            used.add(best)
            pairs.append((gi, best))
    return pairs


def _start_near(g: dict, p: dict) -> int | None:
    gs, ps = g.get("start"), p.get("start")
    if gs is None or ps is None:
        return None
    d = abs(gs - ps)
    return d if d <= START_SLACK else None


def _prf(field: dict, gold: list, pred: list, pairs: list, show: Callable) -> None:
    matched_g = {g for g, _ in pairs}
    matched_p = {p for _, p in pairs}
    field["tp"] = len(pairs)
    field["fn"] = len(gold) - len(pairs)
    field["fp"] = len(pred) - len(pairs)
    field["misses"] = [show(x) for i, x in enumerate(gold) if i not in matched_g]
    field["false_positives"] = [show(x) for i, x in enumerate(pred) if i not in matched_p]


def _acc(field: dict, ok: bool, shown: str) -> None:
    field["total"] = field.get("total", 0) + 1
    field["correct"] = field.get("correct", 0) + int(ok)
    if not ok:
        field.setdefault("wrong", []).append(shown)


def _show(item: dict, *keys: str) -> str:
    parts = [str(item.get(k)) for k in keys if item.get(k) is not None]
    if item.get("start") is not None:
        parts.append(f"@{item['start']}")
    return " ".join(parts)


def _dedup_names(items: list) -> list:
    # Movements are scored per distinct name: a plan that repeats a movement five times
    # should not make it five times as important as one it names once.
    seen, out = set(), []
    for m in items:
        k = fold(m.get("name"))
        if k and k not in seen:
            seen.add(k)
            out.append(m)
    return out


def score_file(gold: dict, pred: dict) -> dict:
    """Per-field counts for one plan. PRF fields get tp/fp/fn, accuracy fields correct/total."""
    out: dict[str, dict] = {}

    gh, ph = gold.get("header") or {}, pred.get("header") or {}
    for f in HEADER_FIELDS:
        _acc(out.setdefault(f"header.{f}", {}), ws(gh.get(f)) == ws(ph.get(f)),
             f"gold {gh.get(f)!r} / got {ph.get(f)!r}")

    gs, ps = gold.get("signer") or {}, pred.get("signer") or {}
    for f in SIGNER_FIELDS:
        _acc(out.setdefault(f"signer.{f}", {}), ws(gs.get(f)) == ws(ps.get(f)),
             f"gold {gs.get(f)!r} / got {ps.get(f)!r}")

    def rkey(r):  # recipients as written, minus the list punctuation either side may keep
        return ws(regex.sub(r"^[-–•+\s]+|[;.,\s]+$", "", r or ""))
    grc, prc = list(gold.get("recipients") or []), list(pred.get("recipients") or [])
    _prf(out.setdefault("recipients", {}), grc, prc,
         match(grc, prc, rkey), lambda r: rkey(r))

    gsec, psec = gold.get("sections") or [], pred.get("sections") or []
    pairs = match(gsec, psec, lambda s: s.get("id"))
    _prf(out.setdefault("sections", {}), gsec, psec, pairs, lambda s: _show(s, "id", "heading"))
    head = out.setdefault("sections.heading", {"correct": 0, "total": 0})
    for gi, pi in pairs:
        g, p = gsec[gi], psec[pi]
        _acc(head, ws(g.get("heading")) == ws(p.get("heading")),
             f"{g['id']}: gold {g.get('heading')!r} / got {p.get('heading')!r}")

    gref, pref = gold.get("references") or [], pred.get("references") or []
    pairs = match(gref, pref, lambda r: (fold_number(r.get("number")), fold_symbol(r.get("symbol"))), _start_near)
    _prf(out.setdefault("references", {}), gref, pref, pairs, lambda r: _show(r, "number", "symbol"))
    for a in REF_ATTRS:
        field = out.setdefault(f"references.{a}", {"correct": 0, "total": 0})
        for gi, pi in pairs:
            g, p = gref[gi], pref[pi]
            ok = contains(g.get(a), p.get(a)) if a == "issuer" else g.get(a) == p.get(a)
            _acc(field, ok, f"{g.get('number')}/{g.get('symbol')}: gold {g.get(a)!r} / got {p.get(a)!r}")

    gd, pd = gold.get("dates") or [], pred.get("dates") or []
    _prf(out.setdefault("dates", {}), gd, pd, match(gd, pd, lambda d: d.get("date"), _start_near),
         lambda d: _show(d, "date", "text"))

    gdl, pdl = gold.get("deadlines") or [], pred.get("deadlines") or []
    pairs = match(gdl, pdl, lambda d: (d.get("due"), d.get("section")))
    _prf(out.setdefault("deadlines", {}), gdl, pdl, pairs, lambda d: _show(d, "due", "section", "text"))
    resp = out.setdefault("deadlines.responsible", {"correct": 0, "total": 0})
    for gi, pi in pairs:
        g, p = gdl[gi], pdl[pi]
        _acc(resp, contains(g.get("responsible"), p.get("responsible")),
             f"{g.get('due')}: gold {g.get('responsible')!r} / got {p.get('responsible')!r}")

    gm, pm = _dedup_names(gold.get("movements") or []), _dedup_names(pred.get("movements") or [])
    pairs = match(gm, pm, lambda m: fold(m.get("name")))
    _prf(out.setdefault("movements", {}), gm, pm, pairs, lambda m: m.get("name"))
    for a in ("kind", "label"):
        field = out.setdefault(f"movements.{a}", {"correct": 0, "total": 0})
        for gi, pi in pairs:
            g, p = gm[gi], pm[pi]
            _acc(field, g.get(a) == p.get(a), f"{g.get('name')}: gold {g.get(a)!r} / got {p.get(a)!r}")
    return out


# --- aggregation ------------------------------------------------------------------------

def summarize(counts: dict) -> dict:
    """Add precision/recall/f1 or accuracy to a tp/fp/fn or correct/total record."""
    s = {k: v for k, v in counts.items() if isinstance(v, int)}
    if "tp" in s:
        tp, fp, fn = s["tp"], s["fp"], s["fn"]
        # Nothing expected and nothing produced is a perfect score, not a division by zero.
        s["precision"] = tp / (tp + fp) if tp + fp else 1.0
        s["recall"] = tp / (tp + fn) if tp + fn else 1.0
        p, r = s["precision"], s["recall"]
        s["f1"] = 2 * p * r / (p + r) if p + r else 0.0
    else:
        s["accuracy"] = s["correct"] / s["total"] if s.get("total") else None
    return s


def aggregate(per_file: list[dict]) -> dict:
    total: dict[str, Counter] = {}
    for f in per_file:
        for name, c in f["fields"].items():
            total.setdefault(name, Counter()).update({k: v for k, v in c.items() if isinstance(v, int)})
    for name, c in total.items():  # accuracy fields that never had a matched pair
        if "tp" not in c:
            c.setdefault("correct", 0)
            c.setdefault("total", 0)
    return {name: summarize(dict(c)) for name, c in total.items()}


def find_source(gold_path: Path) -> Path | None:
    """corpora/gold/<stem>.json -> corpora/plans/<stem>.<ext>, .txt first."""
    plans = gold_path.parent.parent / "plans"
    txt = plans / f"{gold_path.stem}.txt"
    if txt.exists():
        return txt
    others = sorted(p for p in plans.glob(f"{gold_path.stem}.*") if p.suffix != ".json")
    return others[0] if others else None


def evaluate(gold_dir, parse: Callable | None = None) -> dict:
    """Score every gold file in `gold_dir`; `parse(path) -> dict` defaults to vbparse's own."""
    import json

    if parse is None:
        import vbparse

        def parse(path):
            return vbparse.parse(str(path)).to_dict()

    files = []
    for gp in sorted(Path(gold_dir).glob("*.json")):
        gold = json.loads(gp.read_text(encoding="utf-8"))
        src, error, pred = find_source(gp), None, {}
        if src is None:
            error = "no source text beside the gold file"
        else:
            try:
                pred = parse(src)
            except Exception as e:  # one broken plan must not hide the scores of the others
                error = f"{type(e).__name__}: {e}"
        files.append({"file": gp.stem, "error": error, "fields": score_file(gold, pred)})
    for f in files:
        f["summary"] = {n: summarize(c) for n, c in f["fields"].items()}
    return {"n_files": len(files), "fields": aggregate(files), "files": files}


# --- report -----------------------------------------------------------------------------

def _pct(x) -> str:
    return "" if x is None else f"{100 * x:5.1f}"


def format_report(result: dict, details: bool = False) -> str:
    rows = [("field", "P", "R", "F1", "acc", "n")]
    for name, s in result["fields"].items():
        if "tp" in s:
            rows.append((name, _pct(s["precision"]), _pct(s["recall"]), _pct(s["f1"]), "",
                         f"{s['tp']}/{s['tp'] + s['fn']} gold, {s['fp']} fp"))
        else:
            rows.append((name, "", "", "", _pct(s["accuracy"]), f"{s['correct']}/{s['total']}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [f"{result['n_files']} gold files"]
    for i, r in enumerate(rows):
        lines.append("  ".join(c.ljust(widths[0]) if j == 0 else c.rjust(widths[j]) for j, c in enumerate(r)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    for f in result["files"]:
        if f["error"]:
            lines.append(f"! {f['file']}: {f['error']}")
    if details:
        for f in result["files"]:
            lines.append("")
            lines.append(f"== {f['file']}")
            for name, c in f["fields"].items():
                for label, key in (("missed", "misses"), ("false positive", "false_positives"), ("wrong", "wrong")):
                    for x in c.get(key) or []:
                        lines.append(f"  {name:<22} {label}: {x}")
    return "\n".join(lines)

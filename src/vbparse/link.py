"""Parent-plan linking: how well does a parsed plan match a candidate parent plan?

Works on parsed records (the contract's dicts, `Document.to_dict()` or `vbparse parse` output), so
it can rank candidates from an archive without re-parsing. Two kinds of evidence:

1. references: the child's basis references (preamble "Căn cứ / Thực hiện Kế hoạch số ...") whose
   tolerant key (resolve/keys.py) equals the parent's own number/symbol key; the year and the full
   date, when both sides state them, confirm or contradict the match. A plain citation in the body
   counts less than a basis reference; a near miss (same number, symbol off by a typo) counts less
   than an exact key.
2. movements: the cosine of the two documents' movement tag vectors (document-level `tags`).

score = 0.75 x reference score + 0.25 x tag cosine, in [0, 1]; a child dated before its candidate
parent is halved. `evidence` says in words what fired.
"""
from __future__ import annotations

import math

from .resolve.keys import fold_symbol, reference_key

W_REF, W_TAGS = 0.75, 0.25


def _year(date: str | None) -> int | None:
    if date and len(date) >= 4 and date[:4].isdigit():
        return int(date[:4])
    return None


def parent_key(parent: dict) -> str | None:
    h = parent.get("header") or {}
    return h.get("key") or reference_key(h.get("number"), h.get("symbol"))


def _ref_key(ref: dict) -> str | None:
    return ref.get("key") or reference_key(ref.get("number"), ref.get("symbol"), ref.get("grammar"))


def _near(a: str | None, b: str | None) -> bool:
    """Same number, symbols within a small edit distance ("KH-LĐLĐ" vs "KH-LDLĐT")."""
    if not a or not b:
        return False
    na, _, sa = a.partition("/")
    nb, _, sb = b.partition("/")
    if na != nb or not sa or not sb:
        return False
    try:
        from rapidfuzz.fuzz import ratio
    except ImportError:  # pragma: no cover - rapidfuzz is a dependency
        return False
    return ratio(fold_symbol(sa), fold_symbol(sb)) >= 80


def doc_tag_vector(record: dict) -> dict[str, float]:
    for t in record.get("tags") or []:
        if t.get("section") is None:
            return {x["label"]: float(x["score"]) for x in t.get("labels") or []}
    return {}


def cosine(a: dict[str, float], b: dict[str, float]) -> float | None:
    if not a or not b:
        return None
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else None


def link_score(child: dict, parent: dict) -> dict:
    """Score in [0, 1] that `parent` is the plan `child` implements, with the evidence."""
    ph = parent.get("header") or {}
    pkey = parent_key(parent)
    pdate, pyear = ph.get("issued"), _year(ph.get("issued"))
    evidence: list[str] = []
    best, best_ref = 0.0, None
    for ref in child.get("references") or []:
        rkey = _ref_key(ref)
        if not rkey or not pkey:
            continue
        if rkey == pkey:
            match, s = "exact", 1.0
        elif _near(rkey, pkey):
            match, s = "near", 0.6
        else:
            continue
        ryear = ref.get("year") or _year(ref.get("issued"))
        year = "unknown"
        if ryear and pyear:
            year = "agrees" if ryear == pyear else "differs"
            s *= 1.0 if year == "agrees" else 0.2
        date = "unknown"
        if ref.get("issued") and pdate:
            date = "agrees" if ref["issued"] == pdate else "differs"
            s *= 1.0 if date == "agrees" else 0.8
        elif year == "unknown":
            s *= 0.9  # nothing confirms the match beyond the key
        if ref.get("doc_type") and ph.get("doc_type") and fold_symbol(ref["doc_type"]) != fold_symbol(ph["doc_type"]):
            s *= 0.5
        if not ref.get("basis"):
            s *= 0.6
        if s > best:
            best = s
            best_ref = {"text": ref.get("text"), "key": rkey, "basis": bool(ref.get("basis")), "match": match,
                        "year": year, "date": date, "start": ref.get("start"), "end": ref.get("end")}
    if best_ref:
        kind = "basis reference" if best_ref["basis"] else "citation (not basis)"
        evidence.append(f"{kind} \"{best_ref['text']}\" key {best_ref['key']} "
                        f"{'=' if best_ref['match'] == 'exact' else '~'} parent key {pkey}")
        if best_ref["year"] != "unknown":
            evidence.append(f"year {best_ref['year']} ({pyear})")
        if best_ref["date"] != "unknown":
            evidence.append(f"date {best_ref['date']} ({pdate})")
    elif pkey:
        evidence.append(f"no reference of the child matches parent key {pkey}")
    else:
        evidence.append("parent has no number/symbol: no reference evidence possible")
    cv, pv = doc_tag_vector(child), doc_tag_vector(parent)
    cos = cosine(cv, pv)
    shared = sorted(set(cv) & set(pv))
    if cos is None:
        evidence.append("movement tags: missing on " + ("both" if not cv and not pv else "child" if not cv else "parent"))
    else:
        evidence.append(f"movement tags cosine {cos:.2f}" + (f" (shared: {', '.join(shared)})" if shared else ""))
    score = W_REF * best + W_TAGS * (cos or 0.0)
    cdate = (child.get("header") or {}).get("issued")
    chronology = "unknown"
    if cdate and pdate:
        chronology = "ok" if cdate >= pdate else "child before parent"
        if chronology != "ok":
            score *= 0.5
            evidence.append(f"child dated {cdate}, before the parent ({pdate})")
    return {
        "score": round(score, 4),
        "parent_key": pkey,
        "reference": best_ref,
        "reference_score": round(best, 4),
        "tags": {"cosine": None if cos is None else round(cos, 4), "shared": shared,
                 "child": sorted(cv), "parent": sorted(pv)},
        "chronology": chronology,
        "evidence": evidence,
    }


def rank_parents(child: dict, candidates: list[dict]) -> list[tuple[int, dict]]:
    """(index into candidates, link_score) best first; ties keep the candidates' order."""
    scored = [(i, link_score(child, p)) for i, p in enumerate(candidates)]
    return sorted(scored, key=lambda x: (-x[1]["score"], x[0]))

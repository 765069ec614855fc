"""Language data, loaded once from src/vbparse/data/*.tsv (dateparser-style: data apart from code).

Everything a user may want to extend — type codes, issuer codes, cue words, organisation
words, the movement taxonomy — is a row in a TSV file; finders build their regexes from these.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import regex


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("vbparse").joinpath("data", name).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    head = lines[0].split("\t")
    out = []
    for ln in lines[1:]:
        cells = ln.split("\t")
        out.append({h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(head)})
    return out


def alternation(words, *, flags_prefix: str = "") -> str:
    """Longest-first alternation of literal phrases, spaces matching any whitespace run."""
    uniq = sorted({w for w in words if w}, key=len, reverse=True)
    return flags_prefix + "(?:" + "|".join(regex.escape(w).replace(r"\ ", r"\s+") for w in uniq) + ")"


@dataclass(frozen=True)
class DocType:
    code: str
    name: str
    titles: tuple[str, ...]
    cited: tuple[str, ...]


@lru_cache(maxsize=None)
def doc_types() -> tuple[DocType, ...]:
    seen: dict[str, DocType] = {}
    for r in _rows("doc_types.tsv"):
        dt = DocType(r["code"], r["name"], tuple(r["title"].split("|")), tuple(r["cited"].split("|")))
        if dt.code in seen:  # a repeated code adds spellings
            old = seen[dt.code]
            dt = DocType(old.code, old.name, old.titles + dt.titles, old.cited + dt.cited)
        seen[dt.code] = dt
    return tuple(seen.values())


@lru_cache(maxsize=None)
def type_by_code() -> dict[str, DocType]:
    from .text import fold

    out = {}
    for dt in doc_types():
        out[dt.code] = dt
        out.setdefault(fold(dt.code).upper(), dt)
    return out


@lru_cache(maxsize=None)
def type_by_word() -> dict[str, DocType]:
    """Folded title or cited-as word ("ke hoach") -> type."""
    from .text import fold

    out: dict[str, DocType] = {}
    for dt in doc_types():
        for w in dt.titles + dt.cited:
            if len(w) > 3 or w.isupper() is False:
                out.setdefault(fold(w), dt)
    return out


@lru_cache(maxsize=None)
def issuer_codes() -> dict[str, str]:
    from .text import fold

    return {fold(r["code"]).upper(): r["issuer"] for r in _rows("issuers.tsv")}


@lru_cache(maxsize=None)
def cues() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for r in _rows("cues.tsv"):
        out.setdefault(r["role"], []).append(r["phrase"])
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=None)
def orgs() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for r in _rows("orgs.tsv"):
        out.setdefault(r["kind"], []).append(r["text"])
    return {k: tuple(v) for k, v in out.items()}


@dataclass(frozen=True)
class Label:
    id: str
    name: str
    variants: tuple[str, ...]
    cues: tuple[str, ...]
    description: str = ""


@lru_cache(maxsize=None)
def movement_labels() -> tuple[Label, ...]:
    out = []
    for r in _rows("movements.tsv"):
        variants = tuple(v for v in r.get("variants", "").split("|") if v)
        out.append(Label(r["id"], r["name"], (r["name"],) + variants,
                         tuple(c for c in r.get("cues", "").split("|") if c), r.get("description", "")))
    return tuple(out)


@lru_cache(maxsize=None)
def movement_name_cues() -> tuple[tuple[str, tuple[str, ...]], ...]:
    from .text import fold

    return tuple((r["id"], tuple(fold(c) for c in r["cues"].split("|") if c)) for r in _rows("movement_name_cues.tsv"))

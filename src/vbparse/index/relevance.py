"""Scoring a search index against a relevance set (corpora/search/queries.tsv): MRR and recall@5.

Used by tests/test_index_relevance.py and benchmarks/index.py. Plans are named by file stem; a
hit counts as relevant when its sha256 is the sha256 of a relevant plan's file, so the same text
under two names is not a miss.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class QueryResult:
    kind: str
    query: str
    relevant: list[str]
    ranks: list[int]  # 1-based ranks of the relevant plans found in the top `depth`
    top: list[str]  # stems of the top hits
    error: str | None = None

    @property
    def rr(self) -> float:
        return 1.0 / min(self.ranks) if self.ranks else 0.0

    def recall(self, k: int = 5) -> float:
        want = min(k, len(self.relevant))
        return min(1.0, sum(1 for r in self.ranks if r <= k) / want) if want else 1.0


@dataclass
class Score:
    results: list[QueryResult] = field(default_factory=list)

    @property
    def mrr(self) -> float:
        return sum(r.rr for r in self.results) / len(self.results) if self.results else 0.0

    @property
    def recall5(self) -> float:
        return sum(r.recall(5) for r in self.results) / len(self.results) if self.results else 0.0

    def by_kind(self) -> dict[str, tuple[float, float, int]]:
        out = {}
        for k in sorted({r.kind for r in self.results}):
            rs = [r for r in self.results if r.kind == k]
            out[k] = (sum(r.rr for r in rs) / len(rs), sum(r.recall(5) for r in rs) / len(rs), len(rs))
        return out

    def misses(self) -> list[QueryResult]:
        return [r for r in self.results if r.rr < 1.0]


def load_queries(path: str | Path) -> list[tuple[str, str, list[str]]]:
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("kind\t"):
            continue
        kind, query, relevant = line.split("\t")[:3]
        out.append((kind, query, relevant.split()))
    return out


def corpus_files(*dirs: str | Path) -> dict[str, Path]:
    """stem -> file for the plan files of the relevance corpus."""
    files = {}
    for d in dirs:
        for p in sorted(Path(d).glob("*")):
            if p.suffix.lower() in (".txt", ".md", ".pdf", ".docx", ".html") and p.is_file():
                files[p.stem] = p
    return files


def judged_files(root: str | Path = ".") -> dict[str, Path]:
    """stem -> file for the plans listed in corpora/search/corpus.txt (the judged pool)."""
    root = Path(root)
    # the real plans of the shared dev corpus are read where they live (beside the project, or
    # $VBPARSE_SHARED_CORPUS), never copied into it
    shared = Path(os.environ.get("VBPARSE_SHARED_CORPUS", root.resolve().parent / "shared" / "corpus" / "plans"))
    dirs = [root / "corpora" / "plans", root / "corpora" / "search" / "docs", shared]
    avail = corpus_files(*dirs)
    out = {}
    for line in (root / "corpora" / "search" / "corpus.txt").read_text(encoding="utf-8").splitlines():
        stem = line.strip()
        if not stem or stem.startswith("#"):
            continue
        if stem not in avail:
            raise FileNotFoundError(f"relevance corpus: {stem} is listed in corpora/search/corpus.txt but not found")
        out[stem] = avail[stem]
    return out


def sha_of(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def evaluate(index, queries, files: dict[str, Path], *, depth: int = 10, **search_opts) -> Score:
    sha_stems: dict[str, set[str]] = {}
    for stem, p in files.items():
        sha_stems.setdefault(sha_of(p), set()).add(stem)
    score = Score()
    for kind, query, relevant in queries:
        try:
            res = index.search(query, limit=depth, facets=False, snippets=False, **search_opts)
        except Exception as e:  # noqa: BLE001 - reported as a miss with its reason
            score.results.append(QueryResult(kind, query, relevant, [], [], error=f"{type(e).__name__}: {e}"))
            continue
        top, ranks = [], []
        for h in res.hits:
            stems = sha_stems.get(h.sha256, {"?"})
            top.append(sorted(stems)[0])
            if stems & set(relevant):
                ranks.append(h.rank)
        score.results.append(QueryResult(kind, query, relevant, ranks, top))
    return score

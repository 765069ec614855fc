"""A search index over parsed plans: SQLite FTS5 (embedded, the default) or PostgreSQL.

    >>> from vbparse.index import Index
    >>> idx, report = Index.build("plans.db", iter_items(["out/records.jsonl"]))
    >>> res = idx.search("lao dong gioi 2021", filters=None, limit=5)
    >>> [(h.symbol, h.snippet["section"]) for h in res.hits]

The query language is in `query.py`, folding and terms in `fold.py`, what both backends share
(documents, plans, snippets) in `base.py`. See docs/search.md.
"""
from __future__ import annotations

from .base import AddReport, Hit, Index, IndexError_, SearchResult
from .ingest import iter_items
from .query import Filters, QueryError, filters_from_options

__all__ = ["Index", "IndexError_", "QueryError", "SearchResult", "Hit", "AddReport", "Filters",
           "filters_from_options", "iter_items"]

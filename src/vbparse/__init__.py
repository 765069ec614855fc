"""vbparse: Vietnamese administrative plans -> structured, cross-referenced records.

    >>> import vbparse
    >>> doc = vbparse.parse("plan.txt")          # a path, bytes, or the text itself
    >>> doc.header.symbol, [r.key for r in doc.references if r.basis]

`parse()` is the one entry point; the CLI, the archive runner, the index and the calendar all
call it. `nlp()` gives spaCy users a `Language` whose Doc carries the same findings.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .errors import InputError
from .model import Document
from .pipeline import parse

__all__ = ["parse", "nlp", "Document", "InputError", "__version__"]


def nlp():
    """A spaCy `Language` (blank Vietnamese, whitespace tokens) running vbparse as components."""
    from .spacy_pipe import make_nlp

    return make_nlp()

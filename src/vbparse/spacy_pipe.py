"""vbparse for spaCy users: `vbparse.nlp()` returns a Language whose Doc carries the findings.

The JSON path never imports spaCy. Here the finders run once per Doc (component "vbparse"), and
their spans land in `doc.spans["references" | "dates" | "deadlines" | "movements" | "sections"]`
with labels (doc type, ISO date, movement label, section id); `doc._.vbparse` holds the whole
`Document`. Tokens are whitespace tokens (spaCy's Vietnamese tokenizer without pyvi): spans are
aligned by character offsets with alignment_mode="expand", so they never cut a token.
When the trained movement model is present, "vbparse_movements" sets `doc.cats`.
"""
from __future__ import annotations

from functools import lru_cache

_SPAN_KEYS = ("references", "dates", "deadlines", "movements", "sections")


def _label(key: str, item) -> str:
    if key == "references":
        return item.doc_type or "REF"
    if key == "dates":
        return item.date
    if key == "deadlines":
        return item.due
    if key == "movements":
        return item.label or item.kind
    return item.id


@lru_cache(maxsize=1)
def _register() -> None:
    from spacy.language import Language
    from spacy.tokens import Doc

    if not Doc.has_extension("vbparse"):
        Doc.set_extension("vbparse", default=None)

    @Language.component("vbparse")
    def vbparse_component(doc):
        from .pipeline import parse

        result = parse(doc.text, components=[c for c in _finders()])
        doc._.vbparse = result
        for key in _SPAN_KEYS:
            spans = []
            for item in getattr(result, key):
                span = doc.char_span(item.start, item.end, label=_label(key, item), alignment_mode="expand")
                if span is not None:
                    spans.append(span)
            doc.spans[key] = spans
        return doc


def _finders() -> list[str]:
    from .pipeline import registered

    return [c for c in registered() if c != "tags"]


def make_nlp():
    import spacy

    _register()
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    nlp.add_pipe("vbparse")
    try:
        from .classify import spacy_component  # noqa: F401  (registers the factory)

        nlp.add_pipe("vbparse_movements")
    except (ImportError, ValueError, FileNotFoundError):
        pass  # no trained model here: the Doc still carries every rule-based finding
    return nlp

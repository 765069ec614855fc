"""Movement tags for the document and each section (the contract's `tags`)."""
from __future__ import annotations

from ..pipeline import component
from .rules import rule_tags


@component("tags", requires=("sections", "movements"))
def tag(ctx) -> None:
    try:
        from .model import tag_document  # trained model: see classify/model.py
    except ImportError:
        tag_document = None
    if tag_document is not None:
        try:
            tags = tag_document(ctx.doc)
        except FileNotFoundError:
            tags = None
            ctx.doc.source.warnings.append("movement model not found in models/: tags from rules")
        except ValueError as e:  # incompatible or corrupt model file
            tags = None
            ctx.doc.source.warnings.append(f"movement model unusable ({e}): tags from rules")
        if tags is not None:
            ctx.doc.tags = tags
            return
    ctx.doc.tags = rule_tags(ctx.doc)

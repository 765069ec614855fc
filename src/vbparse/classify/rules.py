"""RULE-BASED TAGS (the fallback source): document labels from the movements found by name.

A named movement in the text is strong evidence, so it scores 1.0. This is not a classifier:
it only sees movements that are named; the trained model (model.py) also sees the ones that
are described without their name. Used when no model file is present.
"""
from __future__ import annotations

from ..model import Document, Tag


def rule_tags(doc: Document) -> list[Tag]:
    labels: list[str] = []
    for m in doc.movements:
        if m.label and m.label not in labels:
            labels.append(m.label)
    return [Tag(section=None, labels=[{"label": lab, "score": 1.0} for lab in labels], source="rules")]

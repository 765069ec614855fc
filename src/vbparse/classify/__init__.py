"""Movement tags for the document and each section (the contract's `tags`)."""
from __future__ import annotations

from ..pipeline import component
from .rules import rule_tags


# Why the model could not be used, once known: a missing or broken model file is looked up
# once per process, not once per plan. reset() after training a new model in-process.
_unusable: str | None = None


def reset() -> None:
    global _unusable
    _unusable = None


@component("tags", requires=("sections", "movements"))
def tag(ctx) -> None:
    global _unusable
    if _unusable is None:
        try:
            from .model import tag_document  # trained model: see classify/model.py

            ctx.doc.tags = tag_document(ctx.doc)
            return
        except ImportError:
            _unusable = "movement model code not installed"
        except FileNotFoundError:
            _unusable = "movement model not found in models/"
        except ValueError as e:  # incompatible or corrupt model file
            _unusable = f"movement model unusable ({e})"
    ctx.doc.source.warnings.append(f"{_unusable}: tags from rules")
    ctx.doc.tags = rule_tags(ctx.doc)

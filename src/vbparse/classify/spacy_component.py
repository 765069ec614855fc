"""spaCy component `vbparse_movements`: sets `doc.cats` from the trained movement model.

    import spacy
    import vbparse.classify.spacy_component  # registers the factory
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    nlp.add_pipe("vbparse_movements")
    nlp(text).cats  # {"lao-dong-gioi-sang-tao": 0.93, ...}: every label, document-level scores

Like spaCy's `textcat_multilabel`, `doc.cats` holds a score for every label; the labels the
contract's tags would list are those with a score >= `threshold` (the model's own by default).
Section boundaries come from `doc.spans["sections"]` when an earlier component set them, else
from a rough marker split of the text. The model is loaded on first use (cached); when the model
file is missing the component leaves `doc.cats` empty and warns once.
"""
from __future__ import annotations

import warnings
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from .model import load_model


class MovementCats:
    def __init__(self, name: str = "vbparse_movements", model_dir: str | None = None,
                 threshold: float | None = None):
        self.name = name
        self.model_dir = Path(model_dir) if model_dir else None
        self.threshold = threshold
        self._warned = False

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(load_model(self.model_dir).labels)

    def __call__(self, doc: Doc) -> Doc:
        try:
            model = load_model(self.model_dir)
        except (FileNotFoundError, ValueError) as e:
            if not self._warned:
                warnings.warn(f"vbparse_movements: {e}; doc.cats left empty", stacklevel=2)
                self._warned = True
            return doc
        sections = None
        if "sections" in doc.spans and len(doc.spans["sections"]):
            sections = [(s.start_char, s.end_char) for s in doc.spans["sections"]]
        probs, _ = model.predict_text(doc.text, sections)
        doc.cats = {lab: float(p) for lab, p in zip(model.labels, probs)}
        return doc

    def pipe(self, stream, batch_size: int = 128):
        for doc in stream:
            yield self(doc)

    def tags(self, doc: Doc) -> list[dict]:
        """The labels doc.cats would give in the contract's tags (score >= threshold)."""
        t = self.threshold if self.threshold is not None else load_model(self.model_dir).threshold
        out = sorted(((p, lab) for lab, p in doc.cats.items() if p >= t), key=lambda x: (-x[0], x[1]))
        return [{"label": lab, "score": round(p, 3)} for p, lab in out]


@Language.factory(
    "vbparse_movements",
    default_config={"model_dir": None, "threshold": None},
)
def make_movement_cats(nlp: Language, name: str, model_dir: str | None, threshold: float | None) -> MovementCats:
    return MovementCats(name, model_dir, threshold)

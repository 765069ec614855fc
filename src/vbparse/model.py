"""Result types. Plain dataclasses; `Document.to_dict()` gives the contract's JSON shape.

Fields beyond the contract (`key`, `precision`, `inferred`, `recurrence`, ...) are additions the
contract allows ("producers may add fields"); nothing required is ever dropped.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

SCHEMA_VERSION = "1"


@dataclass
class Source:
    path: str | None
    format: str
    sha256: str
    encoding: str | None = None
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class Header:
    doc_type: str | None = None
    doc_type_name: str | None = None
    number: str | None = None
    symbol: str | None = None
    place: str | None = None
    issued: str | None = None
    title: str | None = None
    issuer: str | None = None
    key: str | None = None  # tolerant key of the document's own number/symbol/year


@dataclass
class Signer:
    authority: str | None = None
    position: str | None = None
    name: str | None = None


@dataclass
class Section:
    id: str
    marker: str
    level: int
    heading: str | None
    parent: str | None
    start: int
    end: int
    kind: str = "arabic"  # roman | arabic | decimal | letter: the marker family, for consumers


@dataclass
class Reference:
    doc_type: str | None
    number: str | None
    symbol: str | None
    issued: str | None
    year: int | None
    issuer: str | None
    title: str | None
    basis: bool
    section: str | None
    text: str
    start: int
    end: int
    key: str | None = None
    grammar: str | None = None  # admin | normative | party | union


@dataclass
class DateMention:
    date: str
    text: str
    start: int
    end: int
    precision: str = "day"  # day | month | quarter
    inferred: str | None = None  # how a partial date was completed; None when written in full
    role: str | None = None  # issued | reference | period-start | period-end | deadline | event


@dataclass
class Deadline:
    due: str
    task: str | None
    responsible: str | None
    section: str | None
    text: str
    start: int
    end: int
    recurrence: str | None = None
    inferred: str | None = None


@dataclass
class Movement:
    name: str
    kind: str
    label: str | None
    start: int
    end: int
    text: str = ""


@dataclass
class Tag:
    section: str | None
    labels: list[dict]
    source: str = "rules"  # rules | model


@dataclass
class Document:
    source: Source
    text: str
    header: Header = field(default_factory=Header)
    signer: Signer | None = None
    recipients: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    movements: list[Movement] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)

    def to_dict(self, fields_: list[str] | None = None) -> dict:
        out = {
            "schema_version": SCHEMA_VERSION,
            "source": _row(self.source),
            "header": _row(self.header),
            "signer": _row(self.signer) if self.signer else None,
            "recipients": list(self.recipients),
            "sections": [_row(s) for s in self.sections],
            "references": [_row(r) for r in self.references],
            "dates": [_row(d) for d in self.dates],
            "deadlines": [_row(d) for d in self.deadlines],
            "movements": [_row(m) for m in self.movements],
            "tags": [{"section": t.section, "labels": [dict(x) for x in t.labels], "source": t.source}
                     for t in self.tags],
        }
        if fields_:
            keep = set(fields_) | {"schema_version"}
            out = {k: v for k, v in out.items() if k in keep}
        return out


_NAMES: dict[type, tuple[str, ...]] = {}


def _row(obj) -> dict:
    """A flat result object as a dict; dataclasses.asdict deep-copies, which costs more than a parse."""
    cls = type(obj)
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in fields(cls))
    out = {n: getattr(obj, n) for n in names}
    if "warnings" in out:
        out["warnings"] = list(out["warnings"])
    return out

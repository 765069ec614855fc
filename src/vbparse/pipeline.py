"""The pipeline: read -> view -> layout -> finders (in registry order) -> classify -> Document.

Components are plain functions `fn(ctx) -> None` that read what earlier components left in the
context and write their findings onto `ctx.doc`. They register by name, as spaCy's factories do,
so a caller can run a subset (`parse(..., components=["header", "references"])`) and a plugin
can add one (`@component("my-thing", after="dates")`).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import InputError
from .model import Document, Source

Component = Callable[["Context"], None]
_REGISTRY: dict[str, Component] = {}
_ORDER: list[str] = []
# The built-in order; a finder module may import another (references uses the date scanner),
# so import order cannot be trusted to be run order.
DEFAULT_ORDER = ["header", "signer", "sections", "references", "dates", "deadlines", "movements", "tags"]
_REQUIRES: dict[str, tuple[str, ...]] = {}


def component(name: str, *, after: str | None = None, requires: tuple[str, ...] = ()):
    """Register a pipeline component; `after` places it behind another one."""

    def deco(fn: Component) -> Component:
        _REGISTRY[name] = fn
        _REQUIRES[name] = requires
        if name in _ORDER:
            _ORDER.remove(name)
        if after and after in _ORDER:
            _ORDER.insert(_ORDER.index(after) + 1, name)
        else:
            _ORDER.append(name)
        if name in DEFAULT_ORDER:
            _ORDER.sort(key=lambda n: DEFAULT_ORDER.index(n) if n in DEFAULT_ORDER else len(DEFAULT_ORDER))
        return fn

    return deco


def registered() -> list[str]:
    _load_components()
    return list(_ORDER)


@dataclass
class Context:
    text: str
    view: "object"  # text.TextView
    layout: "object"  # layout.Layout
    doc: Document
    year: int | None = None  # the plan's own year, for completing partial dates
    scratch: dict = field(default_factory=dict)  # shared between components (e.g. date hits)


_loaded = False


def _load_components() -> None:
    global _loaded
    if _loaded:
        return
    from . import find  # noqa: F401  (importing registers the finders)
    from . import classify  # noqa: F401

    _loaded = True


def _extract(source, path, **opts):
    from .read import read_bytes, read_path, read_text

    if isinstance(source, bytes):
        return read_bytes(source, path, **opts)
    if isinstance(source, os.PathLike):
        return read_path(source, **opts)
    if isinstance(source, str):
        looks_like_path = "\n" not in source and len(source) < 1024
        if looks_like_path and (source == "-" or Path(source).exists() or Path(source).suffix.lower() in
                                (".txt", ".md", ".pdf", ".docx", ".doc", ".html", ".htm")):
            return read_path(source, **opts)
        return read_text(source, path)
    raise InputError(path, f"cannot parse a {type(source).__name__}")


from .layout import segment  # noqa: E402  (after the registry: layout imports nothing from here)
from .text import build_view  # noqa: E402


def parse(source, *, path: str | None = None, components: list[str] | None = None, **read_opts) -> Document:
    """Parse a plan from a path, bytes or text. Raises InputError for unreadable input."""
    _load_components()
    ext = _extract(source, path, **read_opts)
    src = Source(path=ext.path if ext.path is not None else path, format=ext.format, sha256=ext.sha256,
                 encoding=ext.encoding, pages=ext.pages, warnings=list(ext.warnings))
    text = ext.text
    doc = Document(source=src, text=text)
    if not text.strip():
        src.warnings.append("no text found")
        return doc
    view = build_view(text)
    ctx = Context(text=text, view=view, layout=segment(text, view, bold=ext.bold), doc=doc)
    wanted = _ORDER if components is None else [c for c in _ORDER if c in _closure(components)]
    for name in wanted:
        _REGISTRY[name](ctx)
    if not doc.sections and not doc.references and doc.header.doc_type is None:
        src.warnings.append("does not look like an administrative document (no header, sections or references)")
    return doc


def _closure(names: list[str]) -> set[str]:
    unknown = [n for n in names if n not in _REGISTRY]
    if unknown:
        raise ValueError(f"unknown component(s): {', '.join(unknown)}; known: {', '.join(_ORDER)}")
    out: set[str] = set()
    stack = list(names)
    while stack:
        n = stack.pop()
        if n not in out:
            out.add(n)
            stack.extend(_REQUIRES.get(n, ()))
    return out

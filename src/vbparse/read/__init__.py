"""Read a source (path, bytes or str) into NFC text plus what we learnt on the way.

Each format has its own module exposing `extract(data: bytes, path, **opts) -> Extracted`;
this module only sniffs the format (by content first, the extension second) and dispatches.
Every failure a user can cause becomes an `InputError` with a one-line cause.
"""
from __future__ import annotations

import hashlib
import importlib
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

MAX_BYTES = 200 * 1024 * 1024


@dataclass
class Extracted:
    text: str
    format: str
    sha256: str
    encoding: str | None = None
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)
    # (start, end) spans of text known to be bold in the source: a heading hint for sections.
    bold: list[tuple[int, int]] = field(default_factory=list)
    path: str | None = None


# format -> module in this package; each module defines extract(data, path, **opts)
READERS = {"txt": "txt_reader", "md": "txt_reader", "pdf": "pdf", "docx": "docx", "doc": "doc", "html": "html"}


def sniff(data: bytes, name: str | None) -> str:
    head = data[:2048]
    ext = Path(name).suffix.lower().lstrip(".") if name else ""
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"  # docx.py checks that the zip really is a Word document
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")):
        return "image"
    low = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if low.startswith((b"<!doctype html", b"<html", b"<head", b"<meta", b"<body")) or ext in ("html", "htm"):
        return "html"
    if ext == "md":
        return "md"
    return "txt"


def read_bytes(data: bytes, path: str | None = None, **opts) -> Extracted:
    if not data:
        raise InputError(path, "empty file")
    fmt = sniff(data, path)
    if fmt == "image":
        raise InputError(path, "an image file, not a document: OCR a scanned PDF instead (vbparse reads PDF, DOCX, HTML, text)")
    module = READERS[fmt]
    try:
        reader = importlib.import_module(f"{__name__}.{module}")
    except ModuleNotFoundError as e:
        raise InputError(path, f"no reader for {fmt} files in this install ({e.name})") from None
    named = Path(path).suffix.lower().lstrip(".") if path else ""
    try:
        ext = reader.extract(data, path, **opts)
    except InputError as e:
        if fmt == "txt" and named in ("pdf", "docx", "doc"):
            # the name promised a document the bytes are not: say that, not "binary data"
            raise InputError(path, f"named .{named} but not a {named.upper()} file ({e.cause})") from None
        raise
    if fmt == "txt" and named in ("pdf", "docx", "doc"):
        ext.warnings.append(f"named .{named} but read as text: the content is not a {named.upper()} file")
    ext.sha256 = hashlib.sha256(data).hexdigest()
    ext.path = path
    if fmt == "md" and ext.format == "txt":
        ext.format = "md"
    return ext


def read_path(path: str | os.PathLike, **opts) -> Extracted:
    p = Path(path)
    if str(path) == "-":
        import sys

        return read_bytes(sys.stdin.buffer.read(), None, **opts)
    if not p.exists():
        raise InputError(path, "no such file")
    if p.is_dir():
        raise InputError(path, "is a directory (use `vbparse batch` for folders)")
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise InputError(path, f"file too large ({size // (1024 * 1024)} MB > {MAX_BYTES // (1024 * 1024)} MB)")
        data = p.read_bytes()
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}") from None
    return read_bytes(data, str(path), **opts)


def read_text(text: str, path: str | None = None) -> Extracted:
    text = unicodedata.normalize("NFC", text)
    return Extracted(
        text=text, format="txt", sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), encoding=None, path=path
    )

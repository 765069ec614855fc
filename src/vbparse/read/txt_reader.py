"""Plain text and Markdown files: decoding is the whole job (see txt.py)."""
from __future__ import annotations

from . import Extracted
from .txt import decode_bytes


def extract(data: bytes, path: str | None, **_opts) -> Extracted:
    text, enc, warnings = decode_bytes(data, path)
    return Extracted(text=text, format="txt", sha256="", encoding=enc, warnings=warnings)

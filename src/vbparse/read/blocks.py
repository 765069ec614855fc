"""Blocks -> the text every non-txt reader returns, with bold spans that point into it.

All readers (PDF, OCR, DOCX, HTML) reduce a document to the same three block kinds so the text
looks the same whatever the format, which is what makes the parity test meaningful:
  Para   one paragraph -> one line
  Lines  lines that must stay lines (header columns, a centred title, a signature block)
  Table  rows -> "cell | cell | cell", one row per line (the deadline finder reads these)
Blocks are separated by one blank line, as in the clean .txt plans.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# A run of text and whether it is bold: the unit readers hand over.
Run = tuple[str, bool]
_WS = re.compile(r"\s+")  # Unicode-aware: includes NBSP and the other spaces


@dataclass
class Para:
    runs: list[Run] = field(default_factory=list)


@dataclass
class Lines:
    lines: list[list[Run]] = field(default_factory=list)


@dataclass
class Table:
    rows: list[list[str]] = field(default_factory=list)


Block = Para | Lines | Table

NUMBER_LINE = re.compile(r"^Số\s*[:\d/]")  # "Số: 104/KH-CĐYT", "Số 01-KL/CB", "Số:   /CV"; not "Số lượng"
DATE_LINE = re.compile(r"\bngày\b.*\bnăm\b|,\s*ngày\b")
MOTTO_LINE = re.compile(r"^(?:CỘNG HÒA|CỘNG HOÀ|Độc lập|ĐỘC LẬP|ĐẢNG CỘNG SẢN)")
RULE_LINE = re.compile(r"^[-_=–—.*\s]*$")  # "-------" under the issuer / motto, or nothing


# I. / II- (Party style) / 1. / 1) / 1- / 1.1 / a) / a. / bullets
MARKER = re.compile(r"^(?:[IVXLC]+[.-]|\d{1,2}[.)-]|\d{1,2}(?:\.\d{1,2})+\.?|[a-zđ][.)]|[-+•–*])\s+")


def starts_item(text: str) -> bool:
    """A list marker followed by a capital or digit: after a line wrap "- xã hội" or
    "92 năm" are not new items, and Vietnamese items start with a capital."""
    m = MARKER.match(text)
    if not m:
        return False
    rest = text[m.end():].lstrip("“\"‘'([")
    return bool(rest) and (rest[0].isupper() or rest[0].isdigit())


def _txt(runs: list[Run]) -> str:
    return "".join(t for t, _ in runs).strip()


def is_header_text(text: str) -> bool:
    return bool(NUMBER_LINE.match(text) or MOTTO_LINE.search(text) or DATE_LINE.search(text))


def header_blocks(lcol: list[list[Run]], rcol: list[list[Run]]) -> list[Block]:
    """The two header columns -> issuer lines, motto, "Số: ...", "Place, ngày ..." in that
    order (one block, as the header finder expects); what else the columns hold (V/v ...) after."""
    lcol = [r for r in lcol if not RULE_LINE.match(_txt(r))]
    rcol = [r for r in rcol if not RULE_LINE.match(_txt(r))]
    k = next((i for i, r in enumerate(lcol) if NUMBER_LINE.match(_txt(r))), None)
    d = next((i for i, r in enumerate(rcol) if DATE_LINE.search(_txt(r))), None)
    issuer = lcol if k is None else lcol[:k]
    motto = rcol if d is None else rcol[:d]
    head = issuer + motto + ([lcol[k]] if k is not None else []) + ([rcol[d]] if d is not None else [])
    rest = (lcol[k + 1:] if k is not None else []) + (rcol[d + 1:] if d is not None else [])
    return [Lines(head)] + ([Lines(rest)] if rest else [])


class Builder:
    """Concatenates NFC pieces and records bold spans in final offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.bold: list[tuple[int, int]] = []
        self._since = ""  # text added since the last bold piece

    def add(self, text: str, bold: bool = False) -> None:
        if not text:
            return
        text = unicodedata.normalize("NFC", text)
        if bold and text.strip():
            start = self.pos + (len(text) - len(text.lstrip()))
            end = self.pos + len(text.rstrip())
            if self.bold and self._since.strip(" ") == "" and "\n" not in text[: len(text) - len(text.lstrip())]:
                self.bold[-1] = (self.bold[-1][0], end)  # one span per bold phrase, never across lines
            else:
                self.bold.append((start, end))
            self._since = text[len(text.rstrip()):]
        else:
            self._since += text
        self.parts.append(text)
        self.pos += len(text)

    def result(self) -> tuple[str, list[tuple[int, int]]]:
        text = "".join(self.parts)
        if not unicodedata.is_normalized("NFC", text):
            # A piece began with a combining mark (broken extraction): normalising the whole
            # shifts offsets, so the bold hints are dropped rather than left pointing wrong.
            return unicodedata.normalize("NFC", text), []
        return text, self.bold


def clean_runs(runs: list[Run]) -> list[Run]:
    """Collapse whitespace inside and between runs; merge same-weight runs; trim the ends."""
    out: list[Run] = []
    for text, bold in runs:
        text = _WS.sub(" ", text or "")
        if (not out or out[-1][0].endswith(" ")) and text.startswith(" "):
            text = text[1:]
        if not text:
            continue
        if out and out[-1][1] == bold:
            out[-1] = (out[-1][0] + text, bold)
        else:
            out.append((text, bold))
    while out and not out[-1][0].rstrip():
        out.pop()
    if out:
        out[-1] = (out[-1][0].rstrip(), out[-1][1])
    return out


def runs_text(runs: list[Run]) -> str:
    return "".join(t for t, _ in runs)


def render(blocks: list[Block]) -> tuple[str, list[tuple[int, int]]]:
    """Blocks -> (text, bold spans). Empty blocks vanish; the text ends with one newline."""
    b = Builder()
    first = True
    for block in blocks:
        if isinstance(block, Para):
            lines = [clean_runs(block.runs)]
        elif isinstance(block, Lines):
            lines = [clean_runs(ln) for ln in block.lines]
        else:
            lines = [[(" | ".join(" ".join(c.split()) for c in row), False)] for row in block.rows if any(c.strip() for c in row)]
        # Decorations ("-----" under a title, "*" under a Party committee) carry no words.
        lines = [ln for ln in lines if ln and not RULE_LINE.match(runs_text(ln))]
        if not lines:
            continue
        if not first:
            b.add("\n\n")
        first = False
        for i, ln in enumerate(lines):
            if i:
                b.add("\n")
            for text, bold in ln:
                b.add(text, bold)
    if not first:
        b.add("\n")
    return b.result()


_EXT = {".pdf": "pdf", ".docx": "docx", ".doc": "doc", ".html": "html", ".htm": "html", ".txt": "txt", ".md": "md"}


def extension_warning(path: str | None, fmt: str) -> list[str]:
    """Formats are sniffed from content; say so when the file name claims another format."""
    if not path:
        return []
    ext = "." + str(path).rsplit(".", 1)[-1].lower() if "." in str(path).rsplit("/", 1)[-1] else ""
    claimed = _EXT.get(ext)
    if claimed and claimed != fmt:
        return [f"named {ext} but the content is {fmt.upper()}: read as {fmt.upper()}"]
    return []


def split_breaks(runs: list[Run]) -> list[list[Run]]:
    """Runs holding manual line breaks ("\n") -> one run list per line."""
    lines: list[list[Run]] = [[]]
    for text, bold in runs:
        for i, part in enumerate(text.split("\n")):
            if i:
                lines.append([])
            if part:
                lines[-1].append((part, bold))
    return lines


class Sink:
    """Collects paragraphs from the DOCX and HTML walkers into blocks: consecutive centred
    paragraphs form one Lines block (the title), a manual line break inside a paragraph starts
    a new paragraph only before a list item or after ".;:" (typists use breaks both ways)."""

    def __init__(self, keep_breaks: bool = False) -> None:
        self.blocks: list[Block] = []
        self._centred: list[list[Run]] = []
        self.keep_breaks = keep_breaks  # inside table cells every line stays a line

    def flush(self) -> None:
        if self._centred:
            self.blocks.append(Lines(self._centred))
        self._centred = []

    def add(self, *blocks: Block) -> None:
        self.flush()
        self.blocks.extend(blocks)

    def para(self, runs: list[Run], centred: bool = False) -> None:
        lines = [ln for ln in split_breaks(runs) if runs_text(ln).strip()]
        if not lines:
            self.flush()
            return
        if centred:
            self._centred.extend(lines)
            return
        self.flush()
        cur = lines[0]
        for ln in lines[1:]:
            if self.keep_breaks or starts_item(runs_text(ln).strip()) or runs_text(cur).rstrip()[-1:] in ".;:":
                self.blocks.append(Para(cur))
                cur = ln
            else:
                cur = cur + [(" ", False)] + ln
        self.blocks.append(Para(cur))

"""Fill `start`/`end` in gold files from each item's `text`, so annotators write text, not numbers.

usage: python corpora/tools/locate.py [GOLD_JSON ...]   (default: every corpora/gold/*.json)

The text of `<dir>/gold/<stem>.json` is read from the plans folder beside its gold folder,
`<dir>/plans/<stem>.txt` (with that folder's ENCODINGS.tsv), when that file exists, so a second
set such as corpora/heldout/{plans,gold} works; otherwise from corpora/plans as before.

Items of each list are taken in document order: the search for an item starts where the
previous item of the same list started (a cursor), so repeated strings land on the right
mention; without hints, a match at the previous item's own start is skipped, so two equal
texts in a row land on two mentions. `"occurrence": N` takes the N-th match counted from the
cursor (the previous item's own mention included); `"after": "..."` moves the cursor past
that context first. Sections match their marker at a line start, allowing markdown
emphasis inside (`**1**.`); a section's end is the start of the next section at the same or a
higher level, or the "Nơi nhận" line / end of text. Existing offsets are checked, not changed,
unless --force is given. Exits 1 when an item cannot be found.
"""
from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parents[1]
LISTS = ("references", "dates", "deadlines", "movements")


def plans_dir(gold_path: Path) -> Path:
    """The plans folder beside the gold file's folder if it holds the text, else corpora/plans."""
    beside = gold_path.resolve().parent.parent / "plans"
    if (beside / f"{gold_path.stem}.txt").exists():
        return beside
    return ROOT / "plans"


def source_text(stem: str, plans: Path | None = None) -> str:
    plans = plans or ROOT / "plans"
    enc = "utf-8-sig"
    table = plans / "ENCODINGS.tsv"
    if table.exists():
        for line in table.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 2 and parts[0] == stem:
                enc = parts[1]
    raw = (plans / f"{stem}.txt").read_bytes()
    if enc in ("utf-8", "utf-8-sig", "utf-16", "cp1258"):
        text = raw.decode(enc)
    else:  # legacy font encodings (tcvn3, vni): decode through viparse like the parser does
        import viparse

        # The bytes are a Windows (cp1252) document in a legacy font: letters sit in 0xA0-0xFF,
        # while curly quotes and dashes are cp1252's 0x93/0x94/0x96. Reading them as latin-1 would
        # turn the quotes into C1 control characters, which viparse strips. The five bytes cp1252
        # leaves undefined fall back to latin-1.
        surface = "".join(
            bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in raw
        )
        text = viparse.fix(surface, encoding=enc, normalize="NFC")
    return unicodedata.normalize("NFC", text)


def marker_pattern(marker: str) -> regex.Pattern:
    parts = [regex.escape(ch) for ch in marker.strip()]
    body = r"[*_]*".join(parts)
    return regex.compile(r"(?m)^[ \t>*#|_]*(" + body + r")")


def find(text: str, item: dict, cursor: int, section: bool) -> tuple[int, int] | None:
    """`cursor` is the previous item's start (-1 for the first item of a list)."""
    # Without hints, a match at the previous item's own start is that item, not this one:
    # skipping it lets two equal texts in a row (a movement named twice) land on two mentions.
    # With `occurrence`/`after`, matches are counted from the cursor as before, so existing
    # hints such as `"occurrence": 2` keep meaning "the mention after the previous item's".
    skip = cursor if not (item.get("after") or item.get("occurrence")) else None
    cursor = max(cursor, 0)
    if item.get("after"):
        pos = text.find(item["after"], cursor)
        if pos < 0:
            return None
        cursor = pos + len(item["after"])
    n = int(item.get("occurrence", 1))
    if section:
        pat = marker_pattern(item["text"])
        for m in pat.finditer(text, cursor):
            if m.start(1) == skip:
                continue
            n -= 1
            if n == 0:
                return m.start(1), m.end(1)
        return None
    pos = cursor - 1
    while n > 0:
        pos = text.find(item["text"], pos + 1)
        if pos < 0:
            return None
        if pos != skip:
            n -= 1
    return pos, pos + len(item["text"])


def fill(path: Path, force: bool) -> list[str]:
    gold = json.loads(path.read_text(encoding="utf-8"))
    text = source_text(path.stem, plans_dir(path))
    errors: list[str] = []
    for key in LISTS + ("sections",):
        cursor = -1
        for i, item in enumerate(gold.get(key, [])):
            if "text" not in item:
                if key == "sections" and "marker" in item:
                    item["text"] = item["marker"]
                else:
                    errors.append(f"{path.name}: {key}[{i}] has no text")
                    continue
            span = find(text, item, cursor, key == "sections")
            if span is None:
                errors.append(f"{path.name}: {key}[{i}] {item['text']!r} not found after offset {cursor}")
                continue
            if "start" in item and not force and (item["start"], item.get("end")) != span and key != "sections":
                if text[item["start"]:item["end"]] != item["text"]:
                    errors.append(f"{path.name}: {key}[{i}] offsets do not match its text")
                cursor = item["start"]
                continue
            item["start"], item["end"] = span
            cursor = span[0]
    sections = gold.get("sections", [])
    closing = regex.search(r"(?m)^[ \t*|]*Nơi nhận", text)
    body_end = closing.start() if closing else len(text)
    for i, sec in enumerate(sections):
        if "start" not in sec:
            continue
        end = body_end
        for nxt in sections[i + 1:]:
            if nxt.get("level", 99) <= sec.get("level", 0) and "start" in nxt:
                end = nxt["start"]
                break
        while end > sec["start"] and text[end - 1] in " \t\r\n*|":
            end -= 1
        sec["end"] = end
    path.write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return errors


def main(argv: list[str]) -> int:
    force = "--force" in argv
    files = [Path(a) for a in argv if a != "--force"] or sorted((ROOT / "gold").glob("*.json"))
    errors: list[str] = []
    for f in files:
        errors += fill(f, force)
    for e in errors:
        print(e)
    print(f"{len(files)} gold files, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""OCR for PDF pages without a text layer: PDFium renders, Tesseract (vie) reads.

Why the tesseract binary through subprocess and not pytesseract: we need the TSV word boxes
(positions feed the same layout code as pdfplumber's words) and a hard timeout per page, and
the binary is the optional part anyway (Debian `tesseract-ocr` + `tesseract-ocr-vie`);
pytesseract adds nothing here. Rendering uses pypdfium2, which pdfplumber already installs,
so poppler is not needed at run time. Two pages run at once (one thread each): on the 2-core
target that is ~2x faster than one Tesseract using both cores (packages.md §4: ~2 s/page).
"""
from __future__ import annotations

import csv
import functools
import io
import os
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

from ..errors import InputError
from .pdfgeom import Word

DPI = 300
HOW_TO = "install Tesseract with Vietnamese (Debian/Ubuntu: apt-get install tesseract-ocr tesseract-ocr-vie; or scripts/install-system-deps.sh)"


@functools.lru_cache(maxsize=1)
def _tesseract() -> tuple[str | None, bool]:
    exe = shutil.which("tesseract")
    if not exe:
        return None, False
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None, False
    return exe, "vie" in (out.stdout + out.stderr).split()


def available() -> bool:
    exe, vie = _tesseract()
    return bool(exe and vie)


def require(path: object) -> str:
    exe, vie = _tesseract()
    if not exe:
        raise InputError(path, f"scanned PDF (no text layer) and Tesseract OCR is not installed: {HOW_TO}")
    if not vie:
        raise InputError(path, f"scanned PDF (no text layer) and Tesseract has no Vietnamese model: {HOW_TO}")
    return exe


def _read_tsv(tsv: str, scale: float) -> tuple[list[Word], list[float]]:
    """Tesseract TSV -> words in PDF points. Each word takes its line's box as top/bottom and
    the line height as font size: glyph boxes of "-" or "a" vs "Ỗ" differ too much to group by."""
    rows = list(csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE))
    lines: dict[tuple, tuple[float, float]] = {}
    for r in rows:
        if r.get("level") == "4":
            key = (r["block_num"], r["par_num"], r["line_num"])
            top = float(r["top"])
            lines[key] = (top, top + float(r["height"]))
    words: list[Word] = []
    confs: list[float] = []
    for r in rows:
        text = (r.get("text") or "").strip()
        if r.get("level") != "5" or not text:
            continue
        top, bottom = lines.get((r["block_num"], r["par_num"], r["line_num"]),
                                (float(r["top"]), float(r["top"]) + float(r["height"])))
        x0 = float(r["left"])
        words.append(Word(text, x0 * scale, (x0 + float(r["width"])) * scale, top * scale, bottom * scale,
                          max(4.0, (bottom - top) * scale), glue=False))
        conf = float(r.get("conf") or -1)
        if conf >= 0:
            confs.extend([conf] * len(text))  # weight by length: a wrong "-" matters less
    return words, confs


def _ocr_one(exe: str, png: str, timeout: float) -> str:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    out = subprocess.run([exe, png, "stdout", "-l", "vie", "--psm", "3", "tsv"], capture_output=True,
                         text=True, timeout=timeout, env=env)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}")
    return out.stdout


def ocr_pages(data: bytes, page_numbers: list[int], path: object, *, password: str | None = None,
              timeout: float = 60.0, budget: float = 300.0,
              workers: int | None = None) -> tuple[dict[int, list[Word]], float | None, list[str]]:
    """OCR the given 0-based pages. Returns words per page, mean character confidence (0-100)
    and warnings for pages that failed (a timeout on one page does not lose the others).
    Time is bounded twice: `timeout` kills one page's Tesseract, and pages not yet started
    when `budget` seconds have passed are dropped, so the worst case is budget + timeout."""
    import pypdfium2 as pdfium

    exe = require(path)
    warnings: list[str] = []
    words: dict[int, list[Word]] = {}
    confs: list[float] = []
    doc = pdfium.PdfDocument(data, password=password or None)
    try:
        with tempfile.TemporaryDirectory(prefix="vbparse-ocr-") as tmp:
            pngs, scales = {}, {}
            for n in page_numbers:  # PDFium is not thread-safe: render in this thread
                page = doc[n]
                # 300 dpi, but never more than 5000 px a side (a poster-sized page would eat GBs)
                render_scale = min(DPI / 72.0, 5000 / max(page.get_width(), page.get_height(), 1))
                img = page.render(scale=render_scale, grayscale=True).to_pil()
                scales[n] = 1.0 / render_scale  # pixels -> PDF points
                pngs[n] = os.path.join(tmp, f"p{n}.png")
                img.save(pngs[n])
            nworkers = workers or min(2, os.cpu_count() or 1)
            deadline = time.monotonic() + budget
            with ThreadPoolExecutor(max_workers=nworkers) as pool:
                futs = {n: pool.submit(_ocr_one, exe, pngs[n], timeout) for n in page_numbers}
                for n, fut in futs.items():
                    if time.monotonic() > deadline and fut.cancel():
                        warnings.append(f"OCR time budget ({budget:.0f} s) spent: page {n + 1} not read")
                        continue
                    try:
                        ws, cs = _read_tsv(fut.result(), scales[n])
                    except subprocess.TimeoutExpired:
                        warnings.append(f"OCR timed out on page {n + 1} (> {timeout:.0f} s); page skipped")
                        continue
                    except (RuntimeError, OSError) as e:
                        warnings.append(f"OCR failed on page {n + 1}: {e}")
                        continue
                    words[n] = ws
                    confs += cs
    finally:
        doc.close()
    conf = sum(confs) / len(confs) if confs else None
    return words, conf, warnings

#!/usr/bin/env python3
"""Reading speed: pages/s and peak memory of vbparse's PDF/DOCX readers beside the libraries'
own plain extraction, on the same files in the same run.

    python benchmarks/read_speed.py [--repeat 3] [--ocr] [--json] [extra .pdf/.docx files ...]

Files: the parity set (corpora/tools/make_parity.py, generated into a temporary directory), one
long PDF made of those PDFs back to back (4 times), plus any given on the command line. Each mode runs in its own Python process so that its peak RSS
is its own (ru_maxrss never goes down); "rss_base" is that process after imports, before work.
Modes:
  pdfplumber   pdfplumber.open() + page.extract_text() per page (the baseline the issue names)
  vbparse-pdf  vbparse.read.read_path(): words, tables, layout, header, paragraphs
  python-docx  docx.Document() + "\\n".join(p.text) (baseline: no numbering, tables, header)
  vbparse-docx vbparse.read.read_path() on the .docx twin of each PDF
  vbparse-ocr  (--ocr) the scanned PDF through Tesseract
DOCX has no pages of its own: a .docx counts the pages of its same-stem .pdf.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _rss_mb() -> float:
    """Peak RSS of this process image. /proc VmHWM, not ru_maxrss: Linux carries ru_maxrss
    over execve, so a child would report its parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux, bytes on macOS


def child(mode: str, files: list[str], pages: dict[str, int], repeat: int) -> dict:
    """Run one mode over the files `repeat` times; best wall time of the repeats."""
    if mode == "pdfplumber":
        import pdfplumber

        def one(f):
            with pdfplumber.open(f) as pdf:
                for p in pdf.pages:
                    p.extract_text()
    elif mode == "python-docx":
        import docx

        def one(f):
            "\n".join(p.text for p in docx.Document(f).paragraphs)
    else:
        from vbparse.read import read_path

        def one(f):
            read_path(f)
    base = _rss_mb()
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        for f in files:
            one(f)
        best = min(best, time.perf_counter() - t)
    n = sum(pages[f] for f in files)
    return {"mode": mode, "files": len(files), "pages": n, "seconds": round(best, 3),
            "pages_per_s": round(n / best, 1) if best else None, "rss_base_mb": round(base, 1), "rss_peak_mb": round(_rss_mb(), 1)}


def _page_count(pdf: str) -> int:
    import pypdf

    return len(pypdf.PdfReader(pdf).pages)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", help="extra .pdf/.docx files")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--ocr", action="store_true", help="also time the OCR path (slow: ~1-2 s/page)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--pages", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.files, json.loads(args.pages), args.repeat)))
        return 0

    with tempfile.TemporaryDirectory(prefix="vbparse-bench-") as tmp:
        spec = importlib.util.spec_from_file_location("make_parity", ROOT / "corpora" / "tools" / "make_parity.py")
        mp = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = mp
        spec.loader.exec_module(mp)
        mp.main(["--out", tmp] + ([] if args.ocr else ["--no-scan"]))
        out = Path(tmp)
        pdfs = sorted(str(p) for p in out.glob("*.pdf") if not p.name.endswith(".scan.pdf"))
        # One long document too (all plans back to back), so per-file overhead does not hide
        # per-page cost.
        import pypdf

        merged = pypdf.PdfWriter()
        for f in pdfs * 4:
            merged.append(f)
        long_pdf = out / "zz-long.pdf"
        with open(long_pdf, "wb") as fh:
            merged.write(fh)
        pdfs.append(str(long_pdf))
        pdfs += [f for f in args.files if f.lower().endswith(".pdf")]
        docxs = sorted(str(p) for p in out.glob("*.docx") if not p.name.endswith(".tcvn3.docx"))
        pages = {f: _page_count(f) for f in pdfs}
        for d in docxs:
            pages[d] = pages.get(str(Path(d).with_suffix(".pdf")), 1)
        extra_docx = [f for f in args.files if f.lower().endswith(".docx")]
        for d in extra_docx:
            pages[d] = 1  # unknown: counted as one page each (say so in the report)
        docxs += extra_docx
        runs = [("pdfplumber", pdfs), ("vbparse-pdf", pdfs), ("python-docx", docxs), ("vbparse-docx", docxs)]
        if args.ocr:
            scans = sorted(str(p) for p in out.glob("*.scan.pdf"))
            pages.update({f: _page_count(f) for f in scans})
            runs.append(("vbparse-ocr", scans))
        results = []
        for mode, files in runs:
            if not files:
                continue
            env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
            r = subprocess.run([sys.executable, __file__, "--child", mode, "--pages", json.dumps(pages),
                                "--repeat", str(1 if mode == "vbparse-ocr" else args.repeat), *files],
                               capture_output=True, text=True, env=env, timeout=1800)
            if r.returncode != 0:
                print(f"{mode}: failed: {r.stderr.strip()[-300:]}", file=sys.stderr)
                continue
            results.append(json.loads(r.stdout))
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        print(f"{'mode':<14}{'files':>6}{'pages':>7}{'seconds':>9}{'pages/s':>9}{'rss base MB':>13}{'rss peak MB':>13}")
        for r in results:
            print(f"{r['mode']:<14}{r['files']:>6}{r['pages']:>7}{r['seconds']:>9}{r['pages_per_s']:>9}{r['rss_base_mb']:>13}{r['rss_peak_mb']:>13}")
        print(f"(best of {args.repeat} passes; {os.cpu_count()} CPUs; DOCX pages = pages of the same plan's PDF)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

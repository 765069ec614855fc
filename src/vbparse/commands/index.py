"""`vbparse index build|add|remove|info`: a search index over plans (see docs/search.md).

    vbparse index build out/records.jsonl --db plans.db     # from `vbparse batch` output
    vbparse index add corpora/plans/ --db plans.db          # plan files, parsed here
    vbparse index build out/ --db postgresql://me@host/archive
"""
from __future__ import annotations

import json
import os
import sys
from typing import List

import typer

DEFAULT_DB = "vbparse-index.db"


def default_db() -> str:
    return os.environ.get("VBPARSE_DB") or DEFAULT_DB


DB_HELP = "index: a SQLite file (default vbparse-index.db, or $VBPARSE_DB) or a postgresql://user@host/dbname URL"
INPUTS_HELP = ("JSON Lines records from `vbparse batch`, record .json files, plan files (txt, md, pdf, docx, html), "
               "or folders of them (a folder's .jsonl files if it has any, else its plan files)")


def _report(rep, db: str, verb: str, quiet: bool) -> None:
    for e in rep.errors[:50]:
        print(f"vbparse: {e}", file=sys.stderr)
    if len(rep.errors) > 50:
        print(f"vbparse: ... and {len(rep.errors) - 50} more", file=sys.stderr)
    if not quiet:
        parts = [f"{rep.added} added"]
        if rep.replaced:
            parts.append(f"{rep.replaced} replaced (changed files)")
        parts.append(f"{rep.unchanged} unchanged")
        if rep.failed:
            parts.append(f"{rep.failed} failed")
        if rep.without_text:
            parts.append(f"{rep.without_text} without text (source not readable: no body search or snippets)")
        n = rep.added + rep.replaced
        rate = f" ({n / rep.seconds:.0f} plans/s)" if n and rep.seconds > 0 else ""
        print(f"{verb} {_show_db(db)}: " + ", ".join(parts) + f" in {rep.seconds:.1f} s{rate}", file=sys.stderr)


def _show_db(db: str) -> str:
    if "://" in db and "@" in db:  # hide a password in a URL
        scheme, rest = db.split("://", 1)
        cred, host = rest.rsplit("@", 1)
        return f"{scheme}://{cred.split(':')[0]}@{host}"
    return db


def _progress(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None, None
    from tqdm import tqdm

    bar = tqdm(unit=" plans", file=sys.stderr, leave=False)
    return bar, bar.update


def _write(db: str, verb: str, quiet: bool, work) -> None:
    """build and add differ only in how they write (`work(tick)`, returning the AddReport), so
    they report the same way: progress bar, index errors as one line, summary, exit 1 on a failed plan."""
    from . import fail
    from ..index import IndexError_

    bar, tick = _progress(quiet)
    try:
        rep = work(tick)
    except IndexError_ as e:
        fail(str(e))
    finally:
        if bar:
            bar.close()
    _report(rep, db, verb, quiet)
    if rep.failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    index_app = typer.Typer(help="Build and update the search index that `vbparse search` reads.",
                            no_args_is_help=True)
    app.add_typer(index_app, name="index")

    @index_app.command("build")
    def build_cmd(
        inputs: List[str] = typer.Argument(..., help=INPUTS_HELP),
        db: str = typer.Option(None, "--db", help=DB_HELP),
        segment: bool = typer.Option(False, "--segment", help="also index underthesea word segments (slow, no measured gain: docs/search.md)"),
        no_source: bool = typer.Option(False, "--no-source", help="do not re-read the source files of records for their text"),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="no summary line"),
    ) -> None:
        """Build an index from scratch (replacing what --db held)."""
        from ..index import Index, iter_items

        db = db or default_db()

        def work(tick):
            idx, rep = Index.build(db, iter_items(inputs, read_sources=not no_source), segment=segment, progress=tick)
            idx.close()
            return rep

        _write(db, "built", quiet, work)

    @index_app.command("add")
    def add_cmd(
        inputs: List[str] = typer.Argument(..., help=INPUTS_HELP),
        db: str = typer.Option(None, "--db", help=DB_HELP),
        no_source: bool = typer.Option(False, "--no-source", help="do not re-read the source files of records for their text"),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="no summary line"),
    ) -> None:
        """Add plans to an index (created when missing). A plan whose content (sha256) is indexed is
        skipped; one whose path is indexed with other content replaces it."""
        from ..index import Index, iter_items

        db = db or default_db()

        def work(tick):
            with Index.open(db, create=True) as idx:
                known = lambda sha: idx.backend.lookup(sha, None)[0]  # noqa: E731
                return idx.add(iter_items(inputs, known=known, read_sources=not no_source), progress=tick)

        _write(db, "updated", quiet, work)

    @index_app.command("remove")
    def remove_cmd(
        items: List[str] = typer.Argument(..., help="sha256 or source path of indexed plans"),
        db: str = typer.Option(None, "--db", help=DB_HELP),
    ) -> None:
        """Remove plans from an index."""
        from . import fail
        from ..index import Index, IndexError_

        db = db or default_db()
        try:
            with Index.open(db) as idx:
                n = sum(idx.remove(x) for x in items)
        except IndexError_ as e:
            fail(str(e))
        print(f"removed {n} plan(s) from {_show_db(db)}", file=sys.stderr)
        if n == 0:
            raise typer.Exit(1)

    @index_app.command("info")
    def info_cmd(db: str = typer.Option(None, "--db", help=DB_HELP)) -> None:
        """Print what an index holds (JSON)."""
        from . import fail
        from ..index import Index, IndexError_

        db = db or default_db()
        try:
            with Index.open(db) as idx:
                info = idx.info()
        except IndexError_ as e:
            fail(str(e))
        info["db"] = _show_db(db)
        print(json.dumps(info, ensure_ascii=False, indent=2))

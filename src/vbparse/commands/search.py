"""`vbparse search QUERY`: ranked plans with facets and highlighted snippets (docs/search.md).

    vbparse search lao dong gioi 2021 Thái Bình
    vbparse search "129 KH LDLD"
    vbparse search --children-of 05-CT/TW --json
    vbparse search 'thi đua issuer:"LĐLĐ Thái Bình" year:2021 due:2021-07'
"""
from __future__ import annotations

import json
import sys
from typing import List, Optional

import typer

QUERY_HELP = ("words (diacritics optional, đ = d), \"phrases\", -excluded, a OR b, prefix*, a document number in any "
              "spelling, and fields: issuer: year: type: movement: due: children-of: parent-of: cites: symbol:")


def register(app: typer.Typer) -> None:
    @app.command("search")
    def search_cmd(
        query: Optional[List[str]] = typer.Argument(None, help=QUERY_HELP),
        db: Optional[str] = typer.Option(None, "--db", help="index: SQLite file (default vbparse-index.db or $VBPARSE_DB) or postgresql:// URL"),
        limit: int = typer.Option(10, "--limit", "-n", min=0, max=1000, help="results to show"),
        offset: int = typer.Option(0, "--offset", min=0, help="skip this many results (paging)"),
        as_json: bool = typer.Option(False, "--json", help="one JSON object: query, total, facets, results"),
        issuer: Optional[List[str]] = typer.Option(None, "--issuer", help="issuing body words, e.g. \"LĐLĐ Thái Bình\""),
        year: Optional[List[str]] = typer.Option(None, "--year", help="2021, 2019..2021, 2020.."),
        doc_type: Optional[List[str]] = typer.Option(None, "--type", help="document type code(s): KH, QĐ, CT (comma-separated)"),
        movement: Optional[List[str]] = typer.Option(None, "--movement", help="movement label (movement-labels.tsv), e.g. chuyen-doi-so"),
        due_from: Optional[str] = typer.Option(None, "--due-from", help="has a deadline on or after this date (2020-03-01, 2020-03, 1/3/2020)"),
        due_to: Optional[str] = typer.Option(None, "--due-to", help="has a deadline on or before this date"),
        children_of: Optional[List[str]] = typer.Option(None, "--children-of", help="plans grounded on (basis) this document number"),
        parent_of: Optional[List[str]] = typer.Option(None, "--parent-of", help="the documents this plan number is grounded on"),
        cites: Optional[List[str]] = typer.Option(None, "--cites", help="plans citing this document number anywhere"),
        no_facets: bool = typer.Option(False, "--no-facets", help="skip facet counts"),
        no_snippets: bool = typer.Option(False, "--no-snippets", help="skip snippets"),
    ) -> None:
        """Search an index built with `vbparse index build`."""
        from . import fail
        from .index import _show_db, default_db
        from ..index import Index, IndexError_, QueryError, filters_from_options
        from ..index.query import parse_date_range

        text = " ".join(query or [])
        db = db or default_db()
        try:
            f = filters_from_options(issuer=issuer, year=year, doc_type=doc_type, movement=movement,
                                     children_of=children_of, parent_of=parent_of, cites=cites)
            if due_from or due_to:
                lo = parse_date_range(due_from + "..")[0] if due_from else None
                hi = parse_date_range(".." + due_to)[1] if due_to else None
                if lo and hi and lo > hi:
                    raise QueryError(f"--due-from {lo} is after --due-to {hi}")
                f.due.append((lo, hi))
            with Index.open(db) as idx:
                res = idx.search(text, filters=f, limit=limit, offset=offset, facets=not no_facets,
                                 snippets=not no_snippets)
        except QueryError as e:
            fail(f"bad query: {e}", 2)
        except IndexError_ as e:
            fail(str(e))
        if as_json:
            out = res.to_dict()
            out["db"] = _show_db(db)
            print(json.dumps(out, ensure_ascii=False, indent=2))
            return
        _print(res)
        if res.total == 0:
            raise typer.Exit(1)


def _print(res) -> None:
    from rich.console import Console
    from rich.text import Text

    tty = sys.stdout.isatty()
    con = Console(highlight=False, soft_wrap=True, no_color=not tty)
    head = Text()
    head.append(f"{res.total} plan{'s' if res.total != 1 else ''}", style="bold")
    head.append(f" for {res.parsed or '(filters)'}")
    if res.relaxed:
        head.append("  (no plan has all the words: plans with any of them)", style="yellow")
    for s in res.symbols:
        head.append(f"  [number {s['key']}]", style="cyan")
    head.append(f"  {res.took_ms:.0f} ms", style="dim")
    con.print(head)
    names = {"issuer": "issuer", "year": "year", "doc_type": "type", "movement": "movement"}
    for k, label in names.items():
        vals = (res.facets or {}).get(k) or []
        if vals:
            con.print(Text(f"  {label}: " + ", ".join(f"{v['value']} ({v['count']})" for v in vals[:6]), style="dim"))
    for h in res.hits:
        con.print()
        num = "/".join(x for x in (h.number, h.symbol) if x) or "(no number)"
        line = Text(f"{h.rank:>3}. ")
        line.append(num, style="bold")
        line.append(f"  {h.issued or '----------'}  {h.issuer or ''}")
        con.print(line)
        if h.title:
            con.print(Text(f"     {h.title}"))
        sn = h.snippet
        if sn and sn.get("text"):
            t = Text("     ")
            if sn.get("section"):
                t.append(f"[{sn['section']}] ", style="cyan")
            body = sn["text"]
            if tty:
                bt = Text(body)
                for a, b in sn.get("highlights", []):
                    bt.stylize("bold yellow", a, b)
                t.append_text(bt)
            else:
                pos, parts = 0, []
                for a, b in sn.get("highlights", []):
                    parts += [body[pos:a], "**", body[a:b], "**"]
                    pos = b
                parts.append(body[pos:])
                t.append("".join(parts))
            con.print(t)
        if h.path:
            con.print(Text(f"     {h.path}", style="dim"))

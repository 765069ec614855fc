"""`vbparse graph OUT`: the cross-reference graph of a batch output (see vbparse/graph.py)."""
from __future__ import annotations

import os
import sys
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("graph")
    def graph_cmd(
        outputs: List[str] = typer.Argument(..., help="batch output folders (or their records.jsonl files)"),
        doc: Optional[str] = typer.Option(None, "--doc", help='print this document\'s ancestry and descendants, e.g. "129/KH-LĐLĐ"'),
        json_path: Optional[str] = typer.Option(None, "--json", help="write the graph as JSON here"),
        graphml: Optional[str] = typer.Option(None, "--graphml", help="write GraphML here"),
        dot: Optional[str] = typer.Option(None, "--dot", help="write Graphviz DOT here"),
        no_export: bool = typer.Option(False, "--no-export", help="do not write OUT/graph.{json,graphml,dot}"),
        threshold: float = typer.Option(85.0, "--fuzzy-threshold", help="rapidfuzz score (0-100) a fuzzy match needs"),
        show_unresolved: int = typer.Option(0, "--unresolved", help="list this many unresolved references"),
    ) -> None:
        """Resolve every reference to an archive document; typed edges; export JSON, GraphML, DOT."""
        from ..archive.output import RECORDS
        from ..graph import ArchiveGraph
        from . import fail

        for o in outputs:
            fp = os.path.join(o, RECORDS) if os.path.isdir(o) else o
            if not os.path.isfile(fp):
                fail(f"{o}: no {RECORDS} here (run `vbparse batch SRC -o {o}` first)")
        g = ArchiveGraph.from_outputs(outputs, fuzzy_threshold=threshold)
        targets = {"json": json_path, "graphml": graphml, "dot": dot}
        if not any(targets.values()) and not no_export and not doc and os.path.isdir(outputs[0]):
            targets = {k: os.path.join(outputs[0], f"graph.{k}") for k in targets}
        written = []
        for kind, path in targets.items():
            if path:
                getattr(g, f"write_{kind}")(path)
                written.append(path)
        if doc:
            from rich.console import Console

            nodes = g.find(doc)
            if not nodes:
                fail(f"{doc}: no document or reference with this number in the archive")
            console = Console(highlight=False, soft_wrap=False)
            for n in nodes:
                console.print(g.tree(n))
            return
        st = g.stats()
        print(
            f"vbparse graph: {st['documents']} documents, {st['external']} external, {st['edges']} edges "
            f"({', '.join(f'{k} {v}' for k, v in st['edge_types'].items())}); references resolved "
            f"{st['resolved_references']}/{st['references']} "
            f"({', '.join(f'{k} {v}' for k, v in st['resolved_edges_by_method'].items())} edges), "
            f"{st['plans_with_parent_in_archive']} plans with a parent in the archive"
            + (f" -> {', '.join(written)}" if written else ""),
            file=sys.stderr,
        )
        for u in g.unresolved[:show_unresolved]:
            print(f"  {u['from_key']}: {u['text']!r} ({u['reason']})", file=sys.stderr)

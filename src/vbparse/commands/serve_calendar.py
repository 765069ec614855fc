"""`vbparse serve-calendar OUT`: serve a written .ics (or a folder of them) over HTTP."""
from __future__ import annotations

import sys

import typer


def register(app: typer.Typer) -> None:
    @app.command("serve-calendar")
    def serve_calendar_cmd(
        out: str = typer.Argument(..., help="the .ics `vbparse calendar` wrote, or the folder of --split-by"),
        host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
        port: int = typer.Option(8080, "--port", help="port (0 = any free port)"),
        quiet: bool = typer.Option(False, "--quiet", help="no request log"),
    ) -> None:
        """Serve calendars so a client can subscribe (GET returns text/calendar; re-read on each request)."""
        from pathlib import Path

        from ..cal.serve import Feed, make_server
        from . import fail

        p = Path(out)
        if not p.exists():
            fail(f"{out}: no such file or directory")
        if p.is_file():
            head = p.read_bytes()[:64].lstrip(b"\xef\xbb\xbf").lstrip()
            if not head.startswith(b"BEGIN:VCALENDAR"):
                fail(f"{out}: not an iCalendar file (run `vbparse calendar ... -o {out}` first)")
        try:
            srv = make_server(p, host, port, quiet=quiet)
        except OSError as e:
            fail(f"cannot listen on {host}:{port}: {e.strerror or e}")
        h, prt = srv.server_address[:2]
        for name in Feed(p).files():
            print(f"vbparse: serving http://{h}:{prt}/{name}", file=sys.stderr)
        if p.is_dir():
            print(f"vbparse: index at http://{h}:{prt}/", file=sys.stderr)
        sys.stderr.flush()
        try:
            srv.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            srv.server_close()

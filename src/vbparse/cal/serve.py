"""A calendar feed: serve what `vbparse calendar` wrote so calendar apps can subscribe.

Standard library only (http.server). OUT is one .ics file or a directory of them (the output of
`--split-by responsible`). Files are re-read on every request, so re-running `vbparse calendar`
updates the feed; ETag / Last-Modified let clients poll cheaply (304 Not Modified).

    GET /              the calendar (OUT a file) or a plain-text list of feeds (OUT a folder)
    GET /NAME.ics      one calendar
    HEAD               the same headers, no body
"""
from __future__ import annotations

import hashlib
import sys
import threading
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

CONTENT_TYPE = "text/calendar; charset=utf-8"


class Feed:
    def __init__(self, out: str | Path):
        self.out = Path(out)

    def files(self) -> dict[str, Path]:
        if self.out.is_dir():
            return {p.name: p for p in sorted(self.out.glob("*.ics")) if p.is_file()}
        return {self.out.name: self.out}

    def resolve(self, url_path: str) -> Path | None | str:
        """A file, 'index' for the folder listing, or None (404)."""
        name = unquote(urlsplit(url_path).path).lstrip("/")
        files = self.files()
        if name in ("", "index.ics") and not self.out.is_dir():
            return self.out
        if name == "" and self.out.is_dir():
            return "index"
        if "/" in name or "\\" in name:
            return None
        return files.get(name)


def make_handler(feed: Feed, quiet: bool = False):
    class Handler(BaseHTTPRequestHandler):
        server_version = "vbparse-calendar"
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # noqa: D401 - stdlib signature
            if not quiet:
                sys.stderr.write("vbparse serve-calendar: %s - %s\n" % (self.address_string(), fmt % args))

        def _send(self, status: int, body: bytes, ctype: str, extra: dict | None = None, head: bool = False):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _serve(self, head: bool):
            target = feed.resolve(self.path)
            if target == "index":
                base = f"http://{self.headers.get('Host') or 'localhost'}"
                names = list(feed.files())
                body = ("".join(f"{base}/{n}\n" for n in names) or "no calendars yet\n").encode("utf-8")
                return self._send(200, body, "text/plain; charset=utf-8", head=head)
            if target is None or not Path(target).is_file():
                return self._send(404, b"not found\n", "text/plain; charset=utf-8", head=head)
            try:
                data = Path(target).read_bytes()
                mtime = Path(target).stat().st_mtime
            except OSError:
                return self._send(404, b"not found\n", "text/plain; charset=utf-8", head=head)
            etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
            headers = {
                "ETag": etag,
                "Last-Modified": formatdate(mtime, usegmt=True),
                "Cache-Control": "no-cache",
                "Content-Disposition": f'inline; filename="{Path(target).name}"',
            }
            inm = self.headers.get("If-None-Match")
            if inm and etag in [t.strip() for t in inm.split(",")]:
                self.send_response(HTTPStatus.NOT_MODIFIED)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            return self._send(200, data, CONTENT_TYPE, headers, head=head)

        def do_GET(self):  # noqa: N802
            self._serve(head=False)

        def do_HEAD(self):  # noqa: N802
            self._serve(head=True)

    return Handler


def make_server(out: str | Path, host: str = "127.0.0.1", port: int = 8080, quiet: bool = False) -> ThreadingHTTPServer:
    srv = ThreadingHTTPServer((host, port), make_handler(Feed(out), quiet=quiet))
    srv.daemon_threads = True
    return srv


def serve_in_thread(out: str | Path, host: str = "127.0.0.1", port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    """For tests and embedding: start on a free port, return (server, base URL). Call shutdown()."""
    srv = make_server(out, host, port, quiet=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    h, p = srv.server_address[:2]
    return srv, f"http://{h}:{p}"

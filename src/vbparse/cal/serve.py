"""A calendar feed: serve what `vbparse calendar` wrote so calendar apps can subscribe.

Standard library only (http.server). OUT is one .ics file or a directory of them (the output of
`--split-by responsible`). Files are re-read on every request, so re-running `vbparse calendar`
updates the feed; ETag / Last-Modified let clients poll cheaply (304 Not Modified).

    GET /              the calendar (OUT a file) or a plain-text list of feeds (OUT a folder)
    GET /NAME.ics      one calendar
    HEAD               the same headers, no body

`respond()` is the app; `make_server()` runs it on http.server (what `vbparse serve-calendar`
uses) and `asgi_app()` wraps the same function for an ASGI server.
"""
from __future__ import annotations

import hashlib
import sys
import threading
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

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


def respond(feed: Feed, method: str, path: str, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]], bytes]:
    """The whole app, independent of the server: (status, headers, body) for one request."""
    text = "text/plain; charset=utf-8"
    if method not in ("GET", "HEAD"):
        return 405, [("Content-Type", text), ("Allow", "GET, HEAD")], b"method not allowed\n"
    target = feed.resolve(path)
    if target == "index":
        base = f"http://{headers.get('host') or 'localhost'}"
        body = ("".join(f"{base}/{quote(n)}\n" for n in feed.files()) or "no calendars yet\n").encode("utf-8")
        return 200, [("Content-Type", text)], body
    try:
        data = Path(target).read_bytes() if target is not None else None
        mtime = Path(target).stat().st_mtime if target is not None else 0.0
    except OSError:
        data = None
    if data is None:
        return 404, [("Content-Type", text)], b"not found\n"
    etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
    common = [("ETag", etag), ("Last-Modified", formatdate(mtime, usegmt=True)), ("Cache-Control", "no-cache"),
              ("Content-Disposition", f'inline; filename="{Path(target).name}"')]
    inm = headers.get("if-none-match")
    if inm and etag in [t.strip() for t in inm.split(",")]:
        return 304, common, b""
    return 200, [("Content-Type", CONTENT_TYPE)] + common, data


def make_handler(feed: Feed, quiet: bool = False):
    class Handler(BaseHTTPRequestHandler):
        server_version = "vbparse-calendar"
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # stdlib signature
            if not quiet:
                sys.stderr.write("vbparse serve-calendar: %s - %s\n" % (self.address_string(), fmt % args))

        def _serve(self, method: str):
            hdrs = {k.lower(): v for k, v in self.headers.items()}
            status, headers, body = respond(feed, method, self.path, hdrs)
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if method != "HEAD" and status != 304:
                self.wfile.write(body)

        def do_GET(self):  # noqa: N802
            self._serve("GET")

        def do_HEAD(self):  # noqa: N802
            self._serve("HEAD")

        def do_POST(self):  # noqa: N802
            self._serve("POST")

    return Handler


def asgi_app(out: str | Path):
    """The same feed as an ASGI application, for mounting under uvicorn/hypercorn/any ASGI server:
    `uvicorn --factory 'vbparse.cal.serve:asgi_factory'` with VBPARSE_CALENDAR=deadlines.ics."""
    feed = Feed(out)

    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                msg = await receive()
                if msg["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif msg["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        hdrs = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        path = scope.get("path", "/")
        status, headers, body = respond(feed, scope.get("method", "GET"), path, hdrs)
        raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        raw.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else body})

    return app


def asgi_factory():
    import os

    return asgi_app(os.environ.get("VBPARSE_CALENDAR", "deadlines.ics"))


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

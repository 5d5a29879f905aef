"""The app on a real HTTP server inside a benchmark's own process (a thread per request), for
figures that must go through a real socket: the chat round trip, survey submits."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.db import connections


class _QuietHandler(WSGIRequestHandler):
    # TCP_NODELAY, as gunicorn sets it: otherwise wsgiref's separate writes of the status line
    # and the headers wait out the client's delayed ACK (about 40 ms on every response).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass


@contextmanager
def bench_server() -> Iterator[tuple[str, int]]:
    """(host, port) of the app on a free port of 127.0.0.1, stopped on exit."""
    # An in-memory SQLite database (tests) exists only in this connection: share it.
    shared = {
        c.alias: c
        for c in connections.all()
        if c.vendor == "sqlite" and getattr(c, "is_in_memory_db", lambda: False)()
    }
    for conn in shared.values():
        conn.inc_thread_sharing()
    httpd = ThreadedWSGIServer(
        ("127.0.0.1", 0), _QuietHandler, allow_reuse_address=False, connections_override=shared
    )
    httpd.set_app(WSGIHandler())
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield "127.0.0.1", httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
        for conn in shared.values():
            conn.dec_thread_sharing()

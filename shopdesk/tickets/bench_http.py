"""The HTTP side of the tickets benchmark: a real server in a child process (gunicorn, DEBUG off,
production settings) and clients on keep-alive connections, or Django's test client in this
process when the database cannot be shared with a child (SQLite)."""

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import import_module
from typing import Any, Final, Protocol

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.test import Client

from shopdesk.accounts.models import User
from shopdesk.accounts.tokens import api_token_issue
from shopdesk.orders.stats import percentile_cont

WORKERS: Final = 4
THREADS: Final = 2
WORKER_CLASS: Final = "gthread"
PRELOAD: Final = True  # workers fork from one loaded app: none is still booting when timing starts
READY_TIMEOUT: Final = 60.0


class Transport(Protocol):
    def request(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes | None = None
    ) -> tuple[int, bytes]: ...


class HttpTransport:
    """One keep-alive connection (one per client thread); reconnects once if the server closed
    it between requests."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes | None = None
    ) -> tuple[int, bytes]:
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=dict(headers))
                response = self.conn.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


class InProcessTransport:
    """Django's test client: the whole request cycle without a socket or a second process."""

    def __init__(self) -> None:
        self.client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)

    def request(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes | None = None
    ) -> tuple[int, bytes]:
        extra = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        if method == "POST":
            response = self.client.post(
                path, data=body or b"", content_type="application/json", headers=extra
            )
        else:
            response = self.client.get(path, headers=extra)
        return response.status_code, response.content


@dataclass(frozen=True)
class Server:
    kind: str  # "gunicorn" or "in-process"
    command: str
    port: int | None

    def transport(self) -> Transport:
        return InProcessTransport() if self.port is None else HttpTransport(self.port)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        # The same keys as this process: its sessions and encrypted fields must be readable.
        "SECRET_KEY": settings.SECRET_KEY,
        "SHOPDESK_FIELD_KEYS": ",".join(settings.SHOPDESK_FIELD_KEYS),
        "SHOPDESK_LOOKUP_KEY": settings.SHOPDESK_LOOKUP_KEY,
        "SESSION_COOKIE_SECURE": "0",  # plain HTTP on the loopback
        "CSRF_COOKIE_SECURE": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SHOPDESK_INPROCESS_SCHEDULER": "0",
        "LOG_LEVEL": "ERROR",
    }


@contextmanager
def serve(*, database_url: str | None) -> Iterator[Server]:
    """gunicorn on a free loopback port for the duration (None: the in-process test client)."""
    if database_url is None:
        yield Server(kind="in-process", command="django.test.Client", port=None)
        return
    port = _free_port()
    args = ["-w", str(WORKERS), "-k", WORKER_CLASS, "--threads", str(THREADS)]
    if PRELOAD:
        args.append("--preload")
    args += ["-b", f"127.0.0.1:{port}", "--keep-alive", "30", "--log-level", "warning"]
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", *args]
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command,
            cwd=str(settings.BASE_DIR),
            env=_server_env(database_url),
            stdout=log,
            stderr=log,
        )
        try:
            _wait_ready(port, process, log)
            yield Server(
                kind="gunicorn", command="gunicorn config.wsgi " + " ".join(args), port=port
            )
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(port: int, process: subprocess.Popen[bytes], log: Any) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"gunicorn exited {process.returncode}: {log.read()[-2000:]}")
        try:
            status, _ = HttpTransport(port).request("GET", "/accounts/login/", {})
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer on port {port} within {READY_TIMEOUT:.0f} s")


def session_cookie(user: User) -> str:
    """A signed-in session for `user`, as the login form would leave it."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def bearer(user: User) -> str:
    _, clear = api_token_issue(user=user, name="bench")
    return f"Bearer {clear}"


def ms_summary(samples: Sequence[float]) -> dict[str, float | None]:
    ordered = sorted(samples)
    out: dict[str, float | None] = {}
    for name, q in (("p50_ms", 0.5), ("p95_ms", 0.95), ("p99_ms", 0.99)):
        value = percentile_cont(ordered, q)
        out[name] = None if value is None else round(value, 2)
    return out


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes | None = None


def _timed(transport: Transport, request: Request) -> tuple[int, float]:
    started = time.perf_counter()
    status, _ = transport.request(request.method, request.path, request.headers, request.body)
    return status, (time.perf_counter() - started) * 1000


def concurrent_run(
    *, server: Server, requests: Sequence[Request], clients: int, ok: int
) -> dict[str, Any]:
    """Send `requests` from `clients` threads, each on its own connection; throughput and
    latency percentiles, and how many answers were not `ok`."""
    lock = threading.Lock()
    position = iter(range(len(requests)))
    samples: list[float] = []
    failures: dict[str, int] = {}

    def client() -> None:
        transport = server.transport()
        while True:
            with lock:
                index = next(position, None)
            if index is None:
                return
            status, ms = _timed(transport, requests[index])
            with lock:
                samples.append(ms)
                if status != ok:
                    failures[str(status)] = failures.get(str(status), 0) + 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    return {
        "requests": len(requests),
        "clients": clients,
        "seconds": round(seconds, 3),
        "per_second": round(len(requests) / seconds, 1) if seconds else None,
        "failures": failures,
        **ms_summary(samples),
    }


def latency(
    *, transport: Transport, requests: Sequence[Request], check: Callable[[int], bool]
) -> dict[str, Any]:
    """Requests one after another (a warm-up first): p50/p95/p99 and the statuses seen."""
    _timed(transport, requests[0])
    samples: list[float] = []
    statuses: dict[str, int] = {}
    for request in requests:
        status, ms = _timed(transport, request)
        samples.append(ms)
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "samples": len(samples),
        "ok": all(check(int(s)) for s in statuses),
        "statuses": statuses,
        **ms_summary(samples),
    }

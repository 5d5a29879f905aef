"""Chat round trip: how long a customer's message takes to reach the agent's open stream.

`chat_round_trip()` serves the app from a threaded WSGI server on 127.0.0.1 in this process
(like Django's LiveServerThread), opens the agent's server-sent event stream with plain
`http.client`, posts widget-visitor messages one at a time over HTTP and times each from the
start of its POST until its event arrives. Target: p95 <= 300 ms. The rows it makes (a widget,
a chat, a customer, an agent) are deleted afterwards.
"""

import http.client
import json
import statistics
import threading
import time
from typing import Final
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Permission
from django.contrib.sessions.backends.db import SessionStore
from django.test.utils import override_settings
from django.urls import reverse

from shopdesk.accounts.models import User
from shopdesk.chat.models import ChatSession, ChatWidget, new_key
from shopdesk.chat.services import chat_start
from shopdesk.core.bench_server import bench_server

TIMEOUT_SECONDS: Final = 10.0


def _agent_cookie(agent: User) -> str:
    """A signed-in session for the agent, as the login page would make it."""
    store = SessionStore()
    store[SESSION_KEY] = str(agent.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = agent.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


class _StreamReader(threading.Thread):
    """Reads the agent's event stream, reconnecting when the server ends it, and records when
    each message seq arrived."""

    def __init__(self, host: str, port: int, path: str, cookie: str, after: int) -> None:
        super().__init__(daemon=True)
        self.host, self.port, self.path, self.cookie = host, port, path, cookie
        self.last_id = after
        self.arrived: dict[int, float] = {}
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self.connected = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_SECONDS)
            try:
                conn.request(
                    "GET",
                    f"{self.path}?{urlencode({'after': self.last_id})}",
                    headers={"Cookie": self.cookie, "Accept": "text/event-stream"},
                )
                response = conn.getresponse()
                if response.status != 200:
                    raise RuntimeError(f"agent stream answered {response.status}")
                self.connected.set()
                self._read(response)
            except (OSError, http.client.HTTPException):
                if self.stopping.is_set():
                    return
                time.sleep(0.05)
            finally:
                conn.close()

    def _read(self, response: http.client.HTTPResponse) -> None:
        event_id = None
        while not self.stopping.is_set():
            line = response.readline()
            if not line:
                return  # the server ended the stream: reconnect
            text = line.decode().rstrip("\n")
            if text.startswith("id: "):
                event_id = int(text[4:])
            elif text == "" and event_id is not None:
                with self.changed:
                    self.arrived.setdefault(event_id, time.monotonic())
                    self.last_id = max(self.last_id, event_id)
                    self.changed.notify_all()
                event_id = None

    def wait_for(self, seq: int) -> float:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        with self.changed:
            while seq not in self.arrived:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"message {seq} never reached the agent's stream")
                self.changed.wait(left)
            return self.arrived[seq]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def chat_round_trip(*, messages: int = 200) -> dict[str, float]:
    """Post `messages` customer messages over HTTP and time each until the agent's stream has
    it: {"messages", "p50_ms", "p95_ms", "max_ms"}."""
    suffix = new_key()[:8]
    widget = ChatWidget.objects.create(name=f"bench {suffix}")
    agent = User.objects.create(username=f"bench-agent-{suffix}")
    agent.user_permissions.add(
        Permission.objects.get(content_type__app_label="chat", codename="work_chat")
    )
    session = chat_start(
        widget=widget, visitor_name="Bench", visitor_email=f"bench-{suffix}@example.invalid"
    )
    latencies: list[float] = []
    # The bench measures delivery, not the per-chat rate limit.
    with (
        override_settings(SHOPDESK_CHAT_RATE_LIMIT=(messages + 10, 10.0)),
        bench_server() as (
            host,
            port,
        ),
    ):
        reader = _StreamReader(
            host,
            port,
            reverse("chat:a-events", args=[session.pk]),
            _agent_cookie(agent),
            after=ChatSession.objects.get(pk=session.pk).last_seq,
        )
        reader.start()
        try:
            if not reader.connected.wait(TIMEOUT_SECONDS):
                raise TimeoutError("the agent's stream did not open")
            post_path = reverse("chat:v-messages", args=[session.key])
            conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT_SECONDS)
            for i in range(messages):
                started = time.monotonic()
                body = urlencode({"body": f"bench message {i}"}).encode()
                conn.request(
                    "POST",
                    post_path,
                    body=body,
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )
                response = conn.getresponse()
                payload = json.loads(response.read())
                if response.status != 201:
                    raise RuntimeError(f"posting answered {response.status}: {payload}")
                latencies.append((reader.wait_for(int(payload["seq"])) - started) * 1000)
            conn.close()
        finally:
            reader.stopping.set()
            reader.join(TIMEOUT_SECONDS + 1)
    _clean_up(session, widget, agent)
    return {
        "messages": float(len(latencies)),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(_percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1),
    }


def _clean_up(session: ChatSession, widget: ChatWidget, agent: User) -> None:
    customer = session.customer
    ChatSession.objects.filter(pk=session.pk).delete()
    widget.delete()
    if customer is not None and not customer.tickets.exists():
        customer.delete()
    agent.delete()

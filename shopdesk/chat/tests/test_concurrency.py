"""Two workers at once, for real: separate threads with their own PostgreSQL connections.
(SQLite in memory has one connection for the whole test, so these run on PostgreSQL only.)"""

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import UserFactory
from shopdesk.chat.errors import ChatConflict
from shopdesk.chat.models import ChatSession
from shopdesk.chat.services import chat_accept, chats_convert_unanswered
from shopdesk.chat.tests.factories import ChatSessionFactory
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.states import Channel
from shopdesk.tickets.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _together(*calls: Callable[[], object]) -> list[object]:
    if connection.vendor == "sqlite":
        pytest.skip("needs a database with one connection per thread (PostgreSQL)")
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test looks at what each got
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_conversion_runs_at_once_make_one_ticket_per_chat() -> None:
    CategoryFactory(code="other")  # transactional tests flush the migrated categories
    now = timezone.now()
    sessions = [ChatSessionFactory(first_reply_due_at=now - timedelta(minutes=1)) for _ in range(4)]
    results = _together(
        lambda: chats_convert_unanswered(now=now), lambda: chats_convert_unanswered(now=now)
    )
    assert sum(r for r in results if isinstance(r, int)) == 4
    assert Ticket.objects.filter(channel=Channel.CHAT).count() == 4
    assert set(ChatSession.objects.values_list("status", flat=True)) == {"converted"}
    assert all(s.ticket_id for s in ChatSession.objects.filter(pk__in=[s.pk for s in sessions]))


def test_two_agents_accepting_at_once_one_wins() -> None:
    session = ChatSessionFactory()
    a, b = UserFactory(role=Role.AGENT), UserFactory(role=Role.AGENT)
    results = _together(
        lambda: chat_accept(session=session, agent=a), lambda: chat_accept(session=session, agent=b)
    )
    conflicts = [r for r in results if isinstance(r, ChatConflict)]
    assert len(conflicts) == 1
    session.refresh_from_db()
    assert session.agent in (a, b)
    assert session.messages.count() == 1  # one "now answering you"

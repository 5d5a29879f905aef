import pytest
from django.test import Client
from django.urls import reverse

from shopdesk.accounts.models import User
from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import MerchantFactory, UserFactory
from shopdesk.chat.selectors import chat_console_lists
from shopdesk.chat.services import chat_accept, chat_post
from shopdesk.chat.states import AuthorKind
from shopdesk.chat.tasks import chats_convert_unanswered_task
from shopdesk.chat.tests.factories import ChatSessionFactory
from shopdesk.core.scheduler import periodic_jobs
from shopdesk.tickets.customer_timeline import customer_timeline

pytestmark = pytest.mark.django_db


def test_customer_timeline_shows_chats_to_agents_only(agent: User) -> None:
    # given
    session = ChatSessionFactory()
    helper = UserFactory(role=Role.AGENT, first_name="Wang")
    chat_accept(session=session, agent=helper)
    chat_post(session=session, author_kind=AuthorKind.CUSTOMER, body="hi")
    assert session.customer is not None
    # when
    entries = [
        e for e in customer_timeline(customer=session.customer, user=agent) if e.kind == "chat"
    ]
    outsider = UserFactory(role=Role.MERCHANT_STAFF, merchant=MerchantFactory())
    hidden = customer_timeline(customer=session.customer, user=outsider)
    # then
    assert len(entries) == 1
    assert entries[0].title == "Chat with agent Wang (2 messages)"
    assert entries[0].url == reverse("chat:console-chat", args=[session.pk])
    assert not [e for e in hidden if e.kind == "chat"]


def test_console_lists_cost_two_queries_whatever_the_number_of_chats(
    agent: User, django_assert_num_queries
) -> None:
    for _ in range(5):
        ChatSessionFactory()
    for _ in range(3):
        chat_accept(session=ChatSessionFactory(), agent=agent)
    agent = User.objects.get(pk=agent.pk)
    agent.get_all_permissions()  # permissions are read once per request anyway
    with django_assert_num_queries(2):
        waiting, active = chat_console_lists(user=agent)
    assert (len(waiting), len(active)) == (5, 3)


def test_console_page_query_count(agent: User, django_assert_max_num_queries) -> None:
    for _ in range(10):
        ChatSessionFactory()
    client = Client()
    client.force_login(agent)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("chat:console"))
    assert response.content.count(b"data-chat=") == 10


def test_periodic_job_is_scheduled_in_process_and_as_a_task() -> None:
    assert "chat.convert_unanswered" in [job.name for job in periodic_jobs()]
    assert chats_convert_unanswered_task() == 0

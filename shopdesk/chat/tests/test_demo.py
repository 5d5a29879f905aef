"""The demo's chats go through the real services."""

import random

import pytest
from django.utils import timezone

from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import CustomerFactory, UserFactory
from shopdesk.chat.demo import demo_chats
from shopdesk.chat.models import ChatMessage, ChatWidget
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.states import Channel

pytestmark = pytest.mark.django_db


def test_demo_chats_are_answered_converted_and_waiting():
    UserFactory(username="demo-agent", role=Role.AGENT)
    CustomerFactory.create_batch(8)
    result = demo_chats(rng=random.Random(3), now=timezone.now())
    assert result["by_status"] == {"closed": 3, "converted": 1, "waiting": 3}
    assert Ticket.objects.filter(channel=Channel.CHAT).count() == 1
    assert ChatMessage.objects.filter(author_kind="agent").count() == 6


def test_demo_chats_need_an_agent_and_customers():
    assert demo_chats(rng=random.Random(3), now=timezone.now()) == {"chats": 0}


def test_widget_page_speaks_the_language_the_shop_asks_for(client):
    widget = ChatWidget.objects.create(name="Shop", greeting_en="Hello there", greeting_zh="您好")
    english = client.get(f"/chat/w/{widget.key}/?lang=en").content.decode()
    chinese = client.get(f"/chat/w/{widget.key}/?lang=zh-hans").content.decode()
    assert "Hello there" in english
    assert "您好" in chinese

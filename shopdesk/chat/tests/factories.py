from datetime import timedelta

import factory
from django.utils import timezone

from shopdesk.accounts.tests.factories import CustomerFactory
from shopdesk.chat.models import ChatSession, ChatWidget
from shopdesk.chat.states import ChatStatus


class ChatWidgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatWidget

    name = factory.Sequence(lambda n: f"Shop widget {n}")
    allowed_origins = ["https://shop.example"]
    greeting_zh = "您好，有什么可以帮您？"
    greeting_en = "Hello, how can we help?"


class ChatSessionFactory(factory.django.DjangoModelFactory):
    """A waiting portal chat of a new customer, due in 15 minutes."""

    class Meta:
        model = ChatSession

    customer = factory.SubFactory(CustomerFactory)
    status = ChatStatus.WAITING
    first_reply_due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=15))
    last_message_at = factory.LazyFunction(timezone.now)

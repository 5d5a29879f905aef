import factory
from django.utils import timezone

from shopdesk.core import crypto
from shopdesk.notifications.models import Notification


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    channel = Notification.Channel.SMS
    to_enc = factory.LazyFunction(lambda: crypto.encrypt_str("13800001111"))
    subject = ""
    body = factory.Sequence(lambda n: f"Message {n}")
    next_attempt_at = factory.LazyFunction(timezone.now)

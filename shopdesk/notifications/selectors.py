"""Every read of notifications, scoped to the user who asks."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from shopdesk.accounts.models import User
from shopdesk.core.errors import NotFound
from shopdesk.notifications.models import Notification


def notification_list_for_user(
    *, user: User | AnonymousUser, unread_only: bool = False
) -> QuerySet[Notification]:
    """The user's in-app notifications, newest first (none for an anonymous visitor)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    qs = Notification.objects.filter(user_id=user.pk, channel=Notification.Channel.IN_APP)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.exclude(status=Notification.Status.DEAD).order_by("-created_at", "-id")


def notification_get_for_user(*, user: User | AnonymousUser, notification_id: int) -> Notification:
    """One of the user's in-app notifications; NotFound if missing or someone else's."""
    found = notification_list_for_user(user=user).filter(pk=notification_id).first()
    if found is None:
        raise NotFound("No such notification.")
    return found

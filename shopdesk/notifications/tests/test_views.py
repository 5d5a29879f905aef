import pytest
from django.urls import reverse

from shopdesk.accounts.tests.factories import UserFactory
from shopdesk.notifications.models import Notification
from shopdesk.notifications.selectors import notification_list_for_user
from shopdesk.notifications.services import notification_enqueue

pytestmark = pytest.mark.django_db


def _in_app(user, subject="Ticket updated"):
    return notification_enqueue(channel="in_app", subject=subject, body="Body", user=user)


def test_inbox_lists_only_own_in_app_notifications(client, django_assert_num_queries):
    # given
    user, other = UserFactory(), UserFactory()
    _in_app(user, "Mine")
    _in_app(other, "Theirs")
    notification_enqueue(channel="sms", subject="SMS", body="x", to="1", user=user)
    client.force_login(user)
    # when
    with django_assert_num_queries(5):  # session, user, notifications, 2 for the menu's perms
        response = client.get(reverse("notifications:inbox"))
    # then
    assert response.status_code == 200
    body = response.content.decode()
    assert "Mine" in body
    assert "Theirs" not in body
    assert "SMS" not in body


def test_inbox_needs_login(client):
    # when
    response = client.get(reverse("notifications:inbox"))
    # then
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_mark_read_by_post(client):
    # given
    user = UserFactory()
    n = _in_app(user)
    client.force_login(user)
    # when
    response = client.post(reverse("notifications:mark-read", args=[n.pk]))
    # then
    assert response.status_code == 302
    n.refresh_from_db()
    assert n.read_at is not None
    assert not notification_list_for_user(user=user, unread_only=True).exists()


def test_mark_read_of_someone_elses_is_404_and_changes_nothing(client):
    # given
    owner, intruder = UserFactory(), UserFactory()
    n = _in_app(owner)
    client.force_login(intruder)
    # when
    response = client.post(reverse("notifications:mark-read", args=[n.pk]))
    get = client.get(reverse("notifications:mark-read", args=[n.pk]))
    # then
    assert response.status_code == 404
    assert get.status_code == 405
    assert Notification.objects.get(pk=n.pk).read_at is None


def test_admin_shows_masked_destination_only(client):
    # given
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    n = notification_enqueue(channel="sms", subject="", body="x", to="13812345678")
    # when
    changelist = client.get(reverse("admin:notifications_notification_changelist"))
    change = client.get(reverse("admin:notifications_notification_change", args=[n.pk]))
    # then
    for response in (changelist, change):
        assert response.status_code == 200
        body = response.content.decode()
        assert "138****5678" in body
        assert "13812345678" not in body
        assert n.to_enc not in body

import pytest
from django.test import Client
from django.urls import reverse

from shopdesk.accounts.models import AgentProfile
from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_agent_switches_online_and_away(client: Client) -> None:
    # given
    user = UserFactory(role=Role.AGENT)
    AgentProfile.objects.create(user=user)
    client.force_login(user)
    # when
    response = client.post(reverse("accounts:presence"), {"online": "1", "next": "/tickets/"})
    # then
    profile = AgentProfile.objects.get(user=user)
    assert response.status_code == 302
    assert response["Location"] == "/tickets/"
    assert profile.is_online
    assert profile.last_seen_at is not None
    client.post(reverse("accounts:presence"), {"online": "0"})
    profile.refresh_from_db()
    assert not profile.is_online


def test_heartbeat_records_the_moment_and_refuses_get(client: Client) -> None:
    user = UserFactory(role=Role.AGENT)
    AgentProfile.objects.create(user=user)
    client.force_login(user)
    assert client.get(reverse("accounts:heartbeat")).status_code == 405
    assert client.post(reverse("accounts:heartbeat")).status_code == 204
    assert AgentProfile.objects.get(user=user).last_seen_at is not None


def test_presence_redirect_never_leaves_the_site(client: Client) -> None:
    user = UserFactory(role=Role.AGENT)
    client.force_login(user)
    response = client.post(
        reverse("accounts:presence"), {"online": "1", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_presence_needs_a_login(client: Client) -> None:
    response = client.post(reverse("accounts:presence"), {"online": "1"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]

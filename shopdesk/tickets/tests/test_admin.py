import pytest
from django.test import Client
from django.urls import reverse

from shopdesk.accounts.models import User
from shopdesk.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

MODELS = [
    "tickets_category",
    "tickets_slapolicy",
    "tickets_macro",
    "tickets_compensationstandard",
    "tickets_ticket",
    "tickets_ticketevent",
    "accounts_team",
    "accounts_businesscalendar",
    "accounts_agentprofile",
]


@pytest.mark.parametrize("model", MODELS)
def test_admin_lists_every_ticket_vocabulary(client: Client, model: str) -> None:
    # given
    client.force_login(User.objects.create_superuser("root", "r@example.com", "pw-test-123"))
    TicketFactory()
    # when
    response = client.get(reverse(f"admin:{model}_changelist"))
    # then
    assert response.status_code == 200


def test_tickets_cannot_be_edited_in_the_admin(client: Client) -> None:
    client.force_login(User.objects.create_superuser("root", "r@example.com", "pw-test-123"))
    ticket = TicketFactory()
    response = client.post(
        reverse("admin:tickets_ticket_change", args=[ticket.pk]), {"status": "closed"}
    )
    ticket.refresh_from_db()
    assert response.status_code == 403
    assert ticket.status == "new"


def test_the_default_categories_are_editable_rows(client: Client) -> None:
    client.force_login(User.objects.create_superuser("root", "r@example.com", "pw-test-123"))
    response = client.get(reverse("admin:tickets_category_changelist"))
    assert "not_as_described" in response.content.decode()

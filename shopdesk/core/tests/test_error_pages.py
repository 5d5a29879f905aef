import pytest
from django.test import Client
from django.urls import reverse

from shopdesk.accounts.models import User


@pytest.mark.django_db
def test_forbidden_page_explains_and_keeps_the_layout(
    client: Client, staff_without_role: User
) -> None:
    # given a login whose role does not allow the order search
    client.force_login(staff_without_role)
    # when
    response = client.get(reverse("orders:search"))
    # then
    assert response.status_code == 403
    body = response.content.decode()
    assert "Not allowed" in body
    assert 'class="topbar"' in body


@pytest.mark.django_db
def test_missing_order_shows_not_found_page(client: Client, agent: User) -> None:
    client.force_login(agent)
    response = client.get(reverse("orders:detail", args=[999999]))
    assert response.status_code == 404
    assert "you may not see it" in response.content.decode()

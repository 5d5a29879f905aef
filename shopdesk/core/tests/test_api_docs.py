import pytest
from django.test import Client

from shopdesk.accounts.models import User


@pytest.mark.django_db
def test_api_docs_page_uses_no_cdn(client: Client, admin_user: User) -> None:
    # given
    client.force_login(admin_user)
    # when
    response = client.get("/api/v1/docs")
    # then the Swagger UI comes from this site's static files, so it works behind a firewall
    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in body
    assert "cdn." not in body
    assert "unpkg" not in body

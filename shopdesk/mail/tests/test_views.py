"""The relay endpoint (shared secret), the ingest command, and the quarantine in the admin."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import UserFactory
from shopdesk.audit.models import AuditEvent
from shopdesk.mail.models import InboundMail
from shopdesk.mail.services import mail_ingest
from shopdesk.mail.tests.messages import raw_mail
from shopdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db
URL = reverse("mail:inbound")
SECRET = "s3cret-relay-key"


@pytest.fixture
def relay(settings):
    settings.SHOPDESK_MAIL_INBOUND_SECRET = SECRET
    return Client(enforce_csrf_checks=True)


def post(client, body: bytes, **headers):
    return client.post(URL, data=body, content_type="message/rfc822", headers=headers)


def test_endpoint_is_off_until_a_secret_is_set():
    response = post(Client(), raw_mail(), **{"X-Shopdesk-Mail-Secret": ""})
    assert response.status_code == 503
    assert "SHOPDESK_MAIL_INBOUND_SECRET" in response.json()["detail"]
    assert InboundMail.objects.count() == 0


@pytest.mark.parametrize("headers", [{}, {"X-Shopdesk-Mail-Secret": "wrong"}])
def test_wrong_or_missing_secret_is_refused_and_writes_nothing(relay, headers):
    response = post(relay, raw_mail(), **headers)
    assert response.status_code == 401
    assert response.json()["code"] == "bad_secret"
    assert InboundMail.objects.count() == 0
    assert Ticket.objects.count() == 0


def test_relay_posts_a_raw_message_and_a_retry_is_recognised(relay):
    raw = raw_mail(message_id="<relay-1@example.com>")
    first = post(relay, raw, **{"X-Shopdesk-Mail-Secret": SECRET})
    again = post(relay, raw, Authorization=f"Bearer {SECRET}")
    assert first.status_code == 202
    assert again.status_code == 200
    body = first.json()
    assert body["status"] == "ticket"
    assert body["ticket"].startswith("AS-")
    assert again.json()["duplicate"] is True
    assert Ticket.objects.count() == 1


def test_relay_may_post_the_message_as_a_form_file(relay):
    upload = SimpleUploadedFile("m.eml", raw_mail(), content_type="message/rfc822")
    response = relay.post(URL, {"message": upload}, headers={"X-Shopdesk-Mail-Secret": SECRET})
    assert response.status_code == 202
    assert response.json()["status"] == "ticket"


def test_empty_post_says_what_to_send(relay):
    response = post(relay, b"", **{"X-Shopdesk-Mail-Secret": SECRET})
    assert response.status_code == 400
    assert "raw e-mail" in response.json()["detail"]


def test_ingest_command_reports_each_file(tmp_path, capsys):
    (tmp_path / "a.eml").write_bytes(raw_mail(subject="一"))
    (tmp_path / "b.eml").write_bytes(raw_mail(sender="", subject="二"))
    call_command("mail_ingest", str(tmp_path), "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["counts"] == {"ticket": 1, "quarantined": 1}
    assert [m["status"] for m in report["messages"]] == ["ticket", "quarantined"]


def test_admin_lists_the_quarantine_retries_and_serves_the_original_audited():
    raw = raw_mail(sender="")
    post_client = Client()
    # the admin role (staff, not superuser) holds the quarantine
    post_client.force_login(UserFactory(role=Role.ADMIN, is_staff=True))
    held = mail_ingest(raw=raw, source="file").mail
    listing = post_client.get(reverse("admin:mail_inboundmail_changelist") + "?status=quarantined")
    assert listing.status_code == 200
    assert "From" in listing.content.decode()
    original = post_client.get(reverse("mail:original", args=[held.pk]))
    assert original.status_code == 200
    assert original.content == raw
    assert AuditEvent.objects.filter(object_type="mail.inboundmail", action="pii_viewed").exists()
    response = post_client.post(
        reverse("admin:mail_inboundmail_changelist"),
        {"action": "discard", "_selected_action": [held.pk]},
    )
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == InboundMail.Status.DISCARDED


def test_quarantine_is_not_for_agents_even_with_staff_status():
    agent = UserFactory(role=Role.AGENT, is_staff=True)
    client = Client()
    client.force_login(agent)
    listing = client.get(reverse("admin:mail_inboundmail_changelist"))
    assert listing.status_code == 403


def test_original_is_not_for_agents(agent):
    held = mail_ingest(raw=raw_mail(sender=""), source="file").mail
    client = Client()
    client.force_login(agent)
    assert client.get(reverse("mail:original", args=[held.pk])).status_code in (302, 403)

"""Invitation links: a random token in the URL, only its keyed hash in the database.

A leaked invitation table opens no survey: the hash is keyed with SHOPDESK_LOOKUP_KEY. The
token alone is the authority to answer: whoever holds the link answers that invitation,
signed in or not, as whoever (a customer who forwards the e-mail lets the reader answer).

The reads here (`invitation_get_by_token`, `invitation_list_for_customer`) sit with the token
code because the surveys app has no selectors module of its own yet.
"""

import secrets
from datetime import datetime
from typing import Final

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone

from shopdesk.accounts.models import Customer
from shopdesk.core import crypto
from shopdesk.surveys.models import Invitation, Response
from shopdesk.surveys.services.responses import response_start
from shopdesk.surveys.states import InvitationStatus, ResponseSource

TOKEN_BYTES: Final = 24  # 32 URL-safe characters
# Statuses whose link still opens the answering page (if not past expires_at).
OPEN_STATUSES: Final = (InvitationStatus.PENDING, InvitationStatus.SENT, InvitationStatus.OPENED)


def token_new() -> tuple[str, str]:
    """A fresh link token and the keyed hash stored for it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return crypto.lookup_hash(f"survey-link:{token}")


def invitation_url(token: str) -> str:
    """The absolute answering-page URL for a token (SHOPDESK_BASE_URL + /surveys/a/<token>/)."""
    base = str(getattr(settings, "SHOPDESK_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
    return f"{base}{reverse('surveys:answer', args=[token])}"


def invitation_get_by_token(*, token: str) -> Invitation | None:
    """The invitation a link token opens, None for an unknown, forged or replaced token."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("survey__version", "customer")
        .filter(token_hash=token_hash(token))
        .first()
    )


def invitation_is_expired(invitation: Invitation, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return invitation.status == InvitationStatus.EXPIRED or invitation.expires_at <= now


def invitation_list_for_customer(
    *, customer: Customer, now: datetime | None = None
) -> QuerySet[Invitation]:
    """The customer's own invitations still open for answers, newest first ("My surveys")."""
    now = now or timezone.now()
    return (
        Invitation.objects.filter(customer=customer, status__in=OPEN_STATUSES, expires_at__gt=now)
        .select_related("survey__version")
        .order_by("-created_at", "-id")
    )


def invitation_get_for_customer(*, customer: Customer, invitation_id: int) -> Invitation | None:
    """One of the customer's own invitations (any status); None when missing or not theirs."""
    return (
        Invitation.objects.select_related("survey__version", "customer")
        .filter(pk=invitation_id, customer=customer)
        .first()
    )


def invitation_open(
    *,
    invitation: Invitation,
    language: str,
    source: str = ResponseSource.LINK,
    now: datetime | None = None,
) -> Response:
    """The invitation's one response: started (empty, partial) on the first open, which also
    marks the invitation opened; the same response on every later open.

    Call only for an invitation that is neither expired nor skipped (the page checks).
    """
    now = now or timezone.now()
    existing = (
        Response.objects.select_related("questionnaire_version")
        .filter(invitation=invitation)
        .first()
    )
    if existing is not None:
        existing.survey = invitation.survey  # loaded with the invitation, with its version
        return existing
    try:
        with transaction.atomic():
            response = response_start(
                survey=invitation.survey,
                invitation=invitation,
                language=language,
                source=source,
                now=now,
            )
            Invitation.objects.filter(
                pk=invitation.pk, status__in=(InvitationStatus.PENDING, InvitationStatus.SENT)
            ).update(
                status=InvitationStatus.OPENED,
                opened_at=now,
                version=F("version") + 1,
                updated_at=now,
            )
    except IntegrityError:
        # The same link opened twice at once (two tabs): the one-to-one keeps the first.
        return Response.objects.get(invitation=invitation)
    return response

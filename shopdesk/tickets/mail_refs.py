"""How e-mail finds its way back to its ticket: signed reply tokens and Message-IDs.

Outgoing ticket mail carries three references, any one of which threads the customer's answer:
- the Reply-To address `support+t123-k4x9q2m7fa@shop.example` (a plus-address token);
- the Message-ID `<t123-k4x9q2m7fa.e456@shop.example>`, which the customer's client repeats in
  In-Reply-To and References;
- the ticket number in the subject, `[AS-20261122-000123]`.
Tokens are an HMAC of the ticket id under SHOPDESK_LOOKUP_KEY, so a made-up or altered token
matches nothing. The mail channel also requires the sender to be the ticket's customer, so a
leaked token does not let a stranger write into someone else's ticket either.
"""

import base64
import hashlib
import hmac
import re
from email.utils import parseaddr
from functools import lru_cache
from typing import Final

from django.conf import settings

from shopdesk.tickets.models import Ticket

_TOKEN: Final = re.compile(r"\bt(\d{1,12})-([a-z2-7]{10})\b", re.IGNORECASE)
_NUMBER: Final = re.compile(r"\[(AS-\d{8}-\d{6,})\]")


def _signature(ticket_id: int) -> str:
    key = settings.SHOPDESK_LOOKUP_KEY.encode()
    digest = hmac.new(key, f"mail-reply:{ticket_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest)[:10].decode().lower()


def reply_token(ticket_id: int) -> str:
    return f"t{ticket_id}-{_signature(ticket_id)}"


def mail_domain() -> str:
    address = reply_base_address()
    return address.rpartition("@")[2] or "localhost"


def reply_base_address() -> str:
    """The support mailbox customers write to (SHOPDESK_MAIL_ADDRESS, else DEFAULT_FROM_EMAIL's)."""
    configured = str(getattr(settings, "SHOPDESK_MAIL_ADDRESS", "") or "")
    return _address_of(configured or settings.DEFAULT_FROM_EMAIL)


@lru_cache(maxsize=16)
def _address_of(value: str) -> str:
    return parseaddr(value)[1].lower()


def reply_address(ticket_id: int) -> str:
    local, _, domain = reply_base_address().partition("@")
    return f"{local}+{reply_token(ticket_id)}@{domain or 'localhost'}"


def message_id_for(ticket_id: int, event_id: int) -> str:
    """The Message-ID (without brackets) of the mail sent for one ticket event."""
    return f"{reply_token(ticket_id)}.e{event_id}@{mail_domain()}"


def subject_tag(ticket: Ticket) -> str:
    return f"[{ticket.number}]" if ticket.number else ""


def ticket_id_from_tokens(values: list[str] | tuple[str, ...]) -> int | None:
    """The ticket id of the first token in `values` (addresses or Message-IDs) whose signature
    verifies; forged or altered tokens are skipped."""
    for value in values:
        for match in _TOKEN.finditer(value):
            ticket_id = int(match.group(1))
            if hmac.compare_digest(match.group(2).lower(), _signature(ticket_id)):
                return ticket_id
    return None


def has_token(values: list[str] | tuple[str, ...]) -> bool:
    """Whether anything in `values` looks like a reply token, verified or not."""
    return any(_TOKEN.search(value) for value in values)


def ticket_number_from_subject(subject: str) -> str:
    """The ticket number tagged in a subject, "" if none; trusted only from its customer."""
    match = _NUMBER.search(subject)
    return match.group(1) if match else ""

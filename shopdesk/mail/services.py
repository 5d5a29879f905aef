"""E-mail in: the adapter between a raw message and the one ticket intake.

`mail_ingest` is the only writer of InboundMail. Every message gets a row: a new ticket, a reply
added to its ticket, ignored (an auto-reply or a bounce, so no ticket and no answer: no mail
loops), or quarantined with the reason for an admin to retry or discard. A message delivered
twice (a relay retry, a second poll) is recognised by its Message-ID and processed once.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from shopdesk.accounts.models import Customer, User
from shopdesk.accounts.services import CustomerContact, customer_first_contact
from shopdesk.audit.models import AuditEvent
from shopdesk.audit.services import audit_record
from shopdesk.core import crypto
from shopdesk.core.errors import ConcurrentUpdate, DomainError
from shopdesk.mail.errors import MailErrorCode
from shopdesk.mail.models import InboundMail
from shopdesk.mail.parse import MailParseError, ParsedMail, mail_parse
from shopdesk.orders.models import Order
from shopdesk.tickets import mail_refs
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.services import TicketIntake, ticket_create, ticket_customer_message
from shopdesk.tickets.services.attachments import IncomingFile, RefusedFile
from shopdesk.tickets.services.base import MAX_MESSAGE_CHARS
from shopdesk.tickets.states import Channel, TicketStatus

Status = InboundMail.Status


@dataclass(frozen=True)
class IngestResult:
    mail: InboundMail
    duplicate: bool = False


@dataclass
class _Outcome:
    status: str
    reason: str = ""
    ticket: Ticket | None = None
    event_id: int | None = None
    customer: Customer | None = None


def max_mail_bytes() -> int:
    return int(getattr(settings, "SHOPDESK_MAIL_MAX_BYTES", 25 * 1024 * 1024))


def mail_ingest(
    *, raw: bytes, source: str, mailbox: str = "", now: datetime | None = None
) -> IngestResult:
    """Turn one raw RFC 822 message into a ticket, a reply, or a kept-and-explained refusal."""
    now = now or timezone.now()
    try:
        parsed = mail_parse(raw, max_bytes=max_mail_bytes())
    except MailParseError as exc:
        mail = _row(raw=raw, source=source, mailbox=mailbox, parsed=None, now=now)
        mail.status, mail.reason = Status.QUARANTINED, str(exc.reason)
        mail.save()
        return IngestResult(mail=mail)
    # A message seen before is caught by the unique Message-ID when its row is written, which
    # rolls back whatever its second processing did; new mail, the common case, saves a query.
    mail = _row(raw=raw, source=source, mailbox=mailbox, parsed=parsed, now=now)
    try:
        _process(mail, parsed, now=now)
    except IntegrityError:
        # The same message, ingested at this very moment by another poller or relay retry.
        existing = InboundMail.objects.filter(message_id=mail.message_id).first()
        if existing is None:
            raise
        return IngestResult(mail=existing, duplicate=True)
    return IngestResult(mail=mail)


def _row(
    *, raw: bytes, source: str, mailbox: str, parsed: ParsedMail | None, now: datetime
) -> InboundMail:
    mail = InboundMail(
        received_at=now,
        source=source,
        mailbox=mailbox[:200],
        raw_enc=InboundMail.raw_sealed(raw),
        size=len(raw),
        status=Status.QUARANTINED,
    )
    if parsed is not None:
        mail.message_id = parsed.message_id[:500]
        mail.from_enc = crypto.encrypt_str(parsed.from_address)
        mail.from_hash = _address_hash(parsed.from_address)
        mail.subject = parsed.subject[:300]
        mail.notes = list(parsed.charset_notes)
    return mail


def _address_hash(address: str) -> str:
    return crypto.lookup_hash(crypto.normalise_text(address))


def _process(mail: InboundMail, parsed: ParsedMail, *, now: datetime) -> None:
    """Decide and write in one transaction: a refused ticket write leaves no half-made ticket."""
    try:
        with transaction.atomic():
            outcome = _decide(mail, parsed, now=now)
            _settle(mail, outcome, now=now)
    except DomainError as exc:
        # The ticket intake refused it (say an unknown default category): keep it for an admin.
        mail.pk = None
        _settle(mail, _Outcome(Status.QUARANTINED, str(exc.message)), now=now)


def _settle(mail: InboundMail, outcome: _Outcome, *, now: datetime) -> None:
    mail.status = outcome.status
    mail.reason = outcome.reason
    mail.ticket = outcome.ticket
    mail.event_id = outcome.event_id
    mail.customer = outcome.customer or (outcome.ticket.customer if outcome.ticket else None)
    mail.processed_at = now
    mail.save()


def _decide(mail: InboundMail, parsed: ParsedMail, *, now: datetime) -> _Outcome:
    if parsed.auto_reason:
        return _Outcome(
            Status.IGNORED,
            gettext("Automatic message (%(why)s): no ticket is opened and nothing is sent back.")
            % {"why": parsed.auto_reason},
        )
    if not parsed.from_address:
        return _Outcome(Status.QUARANTINED, gettext("The message has no sender address (From)."))
    if _is_own_address(parsed.from_address):
        return _Outcome(
            Status.IGNORED, gettext("Sent by this helpdesk itself: ignored to avoid a mail loop.")
        )
    limit = int(getattr(settings, "SHOPDESK_MAIL_MAX_PER_SENDER_HOUR", 30))
    recent = InboundMail.objects.filter(
        from_hash=mail.from_hash, received_at__gte=now - timedelta(hours=1)
    )
    if mail.pk is not None:  # a retry: the message itself does not count
        recent = recent.exclude(pk=mail.pk)
    if recent.count() >= limit:
        return _Outcome(
            Status.QUARANTINED,
            gettext(
                "More than %(n)d messages from this sender within an hour: held as a possible "
                "mail loop. Retry it if it is genuine."
            )
            % {"n": limit},
        )
    text = _body_text(mail, parsed)
    files = [IncomingFile(name=a.name, content=a.data) for a in parsed.attachments]
    if not text and not files:
        return _Outcome(Status.QUARANTINED, gettext("The message has no text and no attachment."))
    ticket, thread_note = _thread_of(parsed, from_hash=mail.from_hash)
    if thread_note:
        mail.notes = [*mail.notes, thread_note]
    if ticket is not None and ticket.customer.email_hash != mail.from_hash:
        return _Outcome(
            Status.QUARANTINED,
            gettext(
                "A reply to ticket %(number)s from an address that is not its customer's: "
                "not added to the ticket."
            )
            % {"number": ticket.number},
        )
    # The InboundMail row points at the ticket and event; the event keeps the Message-ID, which
    # the agent's answer repeats in In-Reply-To so the customer's client threads it.
    data: dict[str, object] = {"channel": Channel.EMAIL}
    if parsed.message_id:
        data["message_id"] = parsed.message_id
    if ticket is not None and not _too_old_to_reopen(ticket, now):
        result = ticket_customer_message(
            ticket=ticket,
            author=ticket.customer.user,
            body=text or gettext("(attachments only)"),
            files=files,
            now=now,
            data=data,
        )
        _note_refused(mail, result.refused_files)
        return _Outcome(Status.REPLY, ticket=result.ticket, event_id=result.event.pk)
    if ticket is not None:
        customer, is_new = ticket.customer, False
    else:
        customer, is_new = _customer_for(parsed, mail.from_hash)
    created = ticket_create(
        intake=TicketIntake(
            channel=Channel.EMAIL,
            customer=customer,
            category_code=str(getattr(settings, "SHOPDESK_MAIL_CATEGORY", "other")),
            description=text or gettext("(attachments only)"),
            subject=_subject(parsed),
            order=None if is_new else _order_mentioned(customer, parsed),
            language=customer.language,
            files=files,
            intake_key=f"mail:{parsed.message_id}"[:200] if parsed.message_id else "",
            parent=ticket,
            data=data,
        ),
        now=now,
    )
    _note_refused(mail, created.refused_files)
    return _Outcome(Status.NEW_TICKET, ticket=created.ticket, customer=customer)


def _note_refused(mail: InboundMail, refused: list[RefusedFile]) -> None:
    mail.notes = [*mail.notes, *(f"{f.name}: {f.reason}" for f in refused)]


def _is_own_address(address: str) -> bool:
    own = mail_refs.reply_base_address()
    local, _, domain = own.partition("@")
    return address == own or (address.startswith(f"{local}+") and address.endswith(f"@{domain}"))


def _body_text(mail: InboundMail, parsed: ParsedMail) -> str:
    text = (parsed.visible_text or parsed.text).strip()
    if len(text) > MAX_MESSAGE_CHARS:
        mail.notes = [
            *mail.notes,
            gettext("Text shortened to %(n)d characters; the original is kept.")
            % {"n": MAX_MESSAGE_CHARS},
        ]
        text = text[: MAX_MESSAGE_CHARS - 1] + "…"
    return text


def _thread_of(parsed: ParsedMail, *, from_hash: str) -> tuple[Ticket | None, str]:
    """The ticket this message answers: a signed token in the address it was sent to or in the
    Message-IDs it refers to, then the customer's own earlier messages, then the ticket number in
    the subject (only among the sender's own tickets)."""
    refs = (*parsed.in_reply_to, *parsed.references)
    ticket_id = mail_refs.ticket_id_from_tokens(parsed.to_addresses) or (
        mail_refs.ticket_id_from_tokens(refs)
    )
    note = ""
    if ticket_id is None and mail_refs.has_token(parsed.to_addresses + refs):
        note = gettext("A reply token in the message did not verify and was ignored.")
    tickets = Ticket.objects.select_related("customer__user")
    if ticket_id is not None:
        return tickets.filter(pk=ticket_id).first(), note
    if refs:
        earlier = (
            InboundMail.objects.filter(message_id__in=[r[:500] for r in refs], ticket__isnull=False)
            # Spelled out so SQLite uses the partial unique index on message_id (it cannot
            # deduce message_id <> '' from the IN list; PostgreSQL can): 2 ms -> 0.1 ms at 10k.
            .exclude(message_id="")
            .order_by("-received_at")
            .values_list("ticket_id", flat=True)
            .first()
        )
        if earlier is not None:
            return tickets.filter(pk=earlier).first(), note
    number = mail_refs.ticket_number_from_subject(parsed.subject)
    if number:
        found = tickets.filter(number=number, customer__email_hash=from_hash).first()
        if found is not None:
            return found, note
    return None, note


def _too_old_to_reopen(ticket: Ticket, now: datetime) -> bool:
    """A reply long after a ticket closed is a new matter: it opens a new ticket linked to it."""
    days = int(getattr(settings, "SHOPDESK_MAIL_REOPEN_DAYS", 30))
    return (
        ticket.status == TicketStatus.CLOSED
        and ticket.closed_at is not None
        and ticket.closed_at < now - timedelta(days=days)
    )


_ASCII_WORDS = re.compile(r"[A-Za-z]{2,}")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def _language_of(text: str) -> str:
    return "en" if _ASCII_WORDS.search(text) and not _CJK.search(text) else "zh-hans"


def _customer_for(parsed: ParsedMail, from_hash: str) -> tuple[Customer, bool]:
    """The customer with this address (keyed hash, as stored), or a new one: (customer, new)."""
    found = (
        Customer.objects.select_related("user")
        .filter(email_hash=from_hash)
        .exclude(email_hash="")  # lets SQLite use the partial index (see _thread_of)
        .order_by("-updated_at", "-id")
        .first()
    )
    if found is not None:
        return found, False
    customer = customer_first_contact(
        source="email",
        external_id=from_hash[:40],
        contact=CustomerContact(name=parsed.from_name[:100], email=parsed.from_address),
        language=_language_of(f"{parsed.subject}\n{parsed.visible_text}"),
    )
    return customer, True


_ORDER_LIKE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{5,63}")


def _order_mentioned(customer: Customer, parsed: ParsedMail) -> Order | None:
    """An order of this customer whose number appears in the subject or the text."""
    words = set(_ORDER_LIKE.findall(f"{parsed.subject}\n{parsed.visible_text[:5000]}"))
    if not words or customer.pk is None:
        return None
    return (
        Order.objects.filter(customer=customer, external_id__in=list(words)[:200])
        .order_by("-placed_at")
        .first()
    )


def _subject(parsed: ParsedMail) -> str:
    subject = re.sub(
        r"^\s*((re|fw|fwd|回复|答复|转发)\s*[:：]\s*)+", "", parsed.subject, flags=re.I
    )
    return subject.strip()[:200]


def mail_retry(*, mail: InboundMail, actor: User, now: datetime | None = None) -> InboundMail:
    """Run a quarantined message through the intake again (after the cause was fixed).

    Raises:
        DomainError: the message is not quarantined.
        ConcurrentUpdate: another admin acted on it at the same time.
    """
    now = now or timezone.now()
    _check_quarantined(mail)
    raw = mail.raw()
    with transaction.atomic():
        _claim(mail)
        try:
            parsed = mail_parse(raw, max_bytes=max_mail_bytes())
        except MailParseError as exc:
            mail.reason = str(exc.reason)
            mail.attempts += 1
            mail.save(update_fields=["reason", "attempts", "updated_at"])
            return mail
        mail.attempts += 1
        mail.notes = list(parsed.charset_notes)
        try:
            with transaction.atomic():
                outcome = _decide(mail, parsed, now=now)
        except DomainError as exc:
            outcome = _Outcome(Status.QUARANTINED, str(exc.message))
        _settle(mail, outcome, now=now)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATED,
            object_type="mail.inboundmail",
            object_id=mail.pk,
            data={"retried": mail.status},
        )
    return mail


def mail_discard(*, mail: InboundMail, actor: User, now: datetime | None = None) -> InboundMail:
    """Give up on a quarantined message; it stays listed (and its original kept) as discarded."""
    now = now or timezone.now()
    _check_quarantined(mail)
    with transaction.atomic():
        _claim(mail)
        mail.status = Status.DISCARDED
        mail.processed_at = now
        mail.save(update_fields=["status", "processed_at", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditEvent.Action.STATUS_CHANGED,
            object_type="mail.inboundmail",
            object_id=mail.pk,
            data={"to": Status.DISCARDED},
        )
    return mail


def _check_quarantined(mail: InboundMail) -> None:
    if mail.status != Status.QUARANTINED:
        raise DomainError(
            gettext("Only quarantined messages can be retried or discarded (this one: %(s)s).")
            % {"s": mail.get_status_display()},
            code=MailErrorCode.NOT_QUARANTINED,
        )


def _claim(mail: InboundMail) -> None:
    claimed = InboundMail.objects.filter(
        pk=mail.pk, version=mail.version, status=Status.QUARANTINED
    ).update(version=mail.version + 1)
    if not claimed:
        raise ConcurrentUpdate(gettext("Someone else acted on this message; reload the list."))
    mail.version += 1

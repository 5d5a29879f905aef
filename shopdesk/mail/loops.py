"""Is this message written by a machine? Auto-replies, bounces and bulk mail must not open
tickets or, worse, be answered (two auto-responders answering each other loop forever)."""

import email.message
import re
from typing import Final

from shopdesk.mail.charsets import decode_header_value

_AUTO_WORDS: Final = (
    r"(?:auto(?:matic)?[\s-]?reply|auto(?:matische)?\s?antwort|autoreply|auto:|"
    r"out\sof\s(?:the\s)?office|自动回复|自動回覆|自動回复|自動返信|自動応答|不在办公室)"
)
_AUTO_SUBJECT: Final = re.compile(r"^\s*" + _AUTO_WORDS, re.IGNORECASE)
_AUTO_ANYWHERE: Final = re.compile(_AUTO_WORDS, re.IGNORECASE)
_BOUNCE_SUBJECT: Final = re.compile(
    r"^\s*(?:undeliverable:|undelivered\smail|delivery\sstatus\snotification\s\(failure\)|"
    r"mail\sdelivery\sfailed|returned\smail:|failure\snotice$|系统退信|退信通知)",
    re.IGNORECASE,
)
_BOUNCE_SENDERS: Final = re.compile(r"(?:^|[<\s\"])(?:mailer-daemon|postmaster)@", re.IGNORECASE)
_BULK_PRECEDENCE: Final = frozenset({"bulk", "junk", "list"})


def auto_reason(message: email.message.Message) -> str:
    """ "" for mail a person wrote; else "bounce", "auto-submitted", "auto-reply" or "bulk"."""
    headers = _headers(message)
    subject = decode_header_value(headers.get("subject", ""))[0]
    if _is_bounce(message, headers, subject):
        return "bounce"
    auto_submitted = headers.get("auto-submitted", "").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return "auto-submitted"
    precedence = headers.get("precedence", "").strip().lower()
    if "x-autoreply" in headers or "x-autorespond" in headers or precedence == "auto_reply":
        return "auto-reply"
    suppress = headers.get("x-auto-response-suppress", "").strip().lower()
    if _AUTO_SUBJECT.match(subject) or (suppress == "all" and _AUTO_ANYWHERE.search(subject)):
        return "auto-reply"
    if precedence in _BULK_PRECEDENCE or "list-id" in headers or "list-unsubscribe" in headers:
        return "bulk"
    return ""


def _headers(message: email.message.Message) -> dict[str, str]:
    """First raw value of each header, by lower-case name (raw: no Header objects)."""
    found: dict[str, str] = {}
    for name, value in message.raw_items():
        found.setdefault(name.lower(), str(value))
    return found


def _is_bounce(message: email.message.Message, headers: dict[str, str], subject: str) -> bool:
    if _BOUNCE_SENDERS.search(headers.get("from", "")):
        return True
    if message.get_content_type() == "multipart/report":
        report_type = str(message.get_param("report-type") or "").lower()
        if report_type == "delivery-status":
            return True
    if headers.get("return-path", "").strip() == "<>" and _has_delivery_status(message):
        return True
    return bool(_BOUNCE_SUBJECT.match(subject)) and _has_delivery_status(message)


def _has_delivery_status(message: email.message.Message) -> bool:
    return any(
        part.get_content_type() in {"message/delivery-status", "message/global-delivery-status"}
        for part in message.walk()
    )

"""Raw RFC 822 bytes -> ParsedMail: pure functions, no ORM, never trusts a declared charset.

The compat32 policy is used on purpose: it is the fastest parser in the standard library and
never raises on broken input; the header and charset decoding it does badly (GB2312 labels,
split encoded words, raw 8-bit headers) is done here instead.
"""

import email
import email.message
import email.policy
import email.utils
import mimetypes
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType

from django.utils.translation import gettext

from shopdesk.mail.charsets import decode_header_value, decode_text
from shopdesk.mail.html_text import html_to_text
from shopdesk.mail.loops import auto_reason
from shopdesk.mail.quotes import visible_part

_MB = 1024 * 1024
_KEPT_HEADERS = ("message-id", "subject", "from", "to", "date", "auto-submitted", "content-type")
_USUAL_HEADERS = frozenset(
    {"from", "to", "cc", "subject", "date", "message-id", "received", "return-path", "sender"}
    | {"mime-version", "content-type", "delivered-to", "reply-to", "in-reply-to", "references"}
)
_REPORT_TYPES = frozenset(
    {"message/delivery-status", "message/global-delivery-status", "text/rfc822-headers"}
    | {"message/disposition-notification"}
)
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")


@dataclass(frozen=True)
class MailAttachment:
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    from_address: str
    from_name: str
    to_addresses: tuple[str, ...]
    subject: str
    text: str
    visible_text: str
    attachments: tuple[MailAttachment, ...]
    date: datetime | None
    auto_reason: str
    charset_notes: tuple[str, ...]
    headers: Mapping[str, str] = field(default_factory=dict)


class MailParseError(ValueError):
    """The bytes are not an e-mail message we can read; `reason` says what is wrong."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Body:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[MailAttachment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def mail_parse(raw: bytes, *, max_bytes: int = 25 * _MB) -> ParsedMail:
    """Parse one message as received (headers and body bytes).

    Raises:
        MailParseError: empty input, over `max_bytes`, or not an e-mail message at all.
        A message without From is not an error: from_address is "".
    """
    message = _message_from_bytes(raw, max_bytes=max_bytes)
    try:
        return _parsed(message)
    except MailParseError:
        raise
    except Exception as error:  # noqa: BLE001 - hostile input; the row is quarantined, not lost
        raise MailParseError(
            gettext("the message structure could not be read (%(error)s)")
            % {"error": f"{type(error).__name__}: {error}"[:200]}
        ) from error


def _parsed(message: email.message.Message) -> ParsedMail:
    raw_headers = _raw_headers(message)
    notes: list[str] = []
    subject = _header_text(raw_headers, "subject", notes)
    from_name, from_address = _first_address(raw_headers.get("from", []), notes)
    body = _Body()
    _collect(message, body)
    text = _body_text(body)
    if not from_address and not text.strip() and not body.attachments:
        raise MailParseError(gettext("not an e-mail message: no From and no body"))
    first = {name: values[0] for name, values in raw_headers.items() if values}
    return ParsedMail(
        message_id=next(iter(_message_ids(first.get("message-id", ""))), ""),
        in_reply_to=_message_ids(first.get("in-reply-to", "")),
        references=_message_ids(" ".join(raw_headers.get("references", []))),
        from_address=from_address,
        from_name=from_name,
        to_addresses=_recipients(raw_headers, notes),
        subject=" ".join(subject.split()),
        text=text,
        visible_text=visible_part(text) or text,
        attachments=tuple(body.attachments),
        date=_date(first.get("date", "")),
        auto_reason=auto_reason(message),
        charset_notes=tuple(dict.fromkeys(notes + body.notes)),
        headers=MappingProxyType({k: _unfold(first[k]) for k in _KEPT_HEADERS if k in first}),
    )


def _message_from_bytes(raw: bytes, *, max_bytes: int) -> email.message.Message:
    if not raw or not raw.strip():
        raise MailParseError(gettext("empty message: no bytes were received"))
    if len(raw) > max_bytes:
        raise MailParseError(
            gettext("message is %(size).1f MB; the limit is %(limit)s MB")
            % {"size": len(raw) / _MB, "limit": f"{max_bytes / _MB:g}"}
        )
    try:
        message = email.message_from_bytes(raw, policy=email.policy.compat32)
    except Exception as error:  # noqa: BLE001 - the parser's failures have no common type
        raise MailParseError(
            gettext("not an e-mail message: the parser gave up (%(error)s)") % {"error": error}
        ) from error
    names = {name.lower() for name in message}
    if not names:
        raise MailParseError(gettext("not an e-mail message: it has no header lines"))
    if not names & _USUAL_HEADERS:
        raise MailParseError(
            gettext("not an e-mail message: none of From, To, Subject, Date or Message-ID")
        )
    return message


def _raw_headers(message: email.message.Message) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        found.setdefault(name.lower(), []).append(str(value))
    return found


def _unfold(value: str) -> str:
    return re.sub(r"\r?\n[ \t]*", " ", value).strip()


def _header_text(raw_headers: Mapping[str, list[str]], name: str, notes: list[str]) -> str:
    values = raw_headers.get(name)
    if not values:
        return ""
    text, header_notes = decode_header_value(values[0])
    notes.extend(f"{name}: {note}" for note in header_notes)
    return text


def _first_address(values: list[str], notes: list[str]) -> tuple[str, str]:
    addresses = _addresses(values, notes, "from")
    return addresses[0] if addresses else ("", "")


def _addresses(values: list[str], notes: list[str], name: str) -> list[tuple[str, str]]:
    """(decoded display name, lower-cased addr-spec) pairs; entries without an @ are dropped."""
    decoded: list[str] = []
    for value in values:
        if not value.isascii():
            text, header_notes = decode_header_value(value)
            notes.extend(f"{name}: {note}" for note in header_notes)
            value = text
        decoded.append(_unfold(value))
    found: list[tuple[str, str]] = []
    for display, address in email.utils.getaddresses(decoded):
        if "@" not in address:
            continue
        text, header_notes = decode_header_value(display)
        notes.extend(f"{name}: {note}" for note in header_notes)
        found.append((" ".join(text.split()), address.strip().lower()))
    return found


def _recipients(raw_headers: Mapping[str, list[str]], notes: list[str]) -> tuple[str, ...]:
    addresses: dict[str, None] = {}
    for name in ("to", "cc", "delivered-to", "x-original-to"):
        for _display, address in _addresses(raw_headers.get(name, []), notes, name):
            addresses.setdefault(address)
    return tuple(addresses)


def _message_ids(value: str) -> tuple[str, ...]:
    found = _MESSAGE_ID.findall(value)
    if not found:
        found = [token.strip("<>") for token in value.split() if "@" in token]
    return tuple(dict.fromkeys(found))


def _date(value: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(_unfold(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _body_text(body: _Body) -> str:
    text = "\n\n".join(part for part in body.plain if part.strip())
    if not text.strip():
        text = "\n\n".join(html_to_text(part) for part in body.html if part.strip())
    return text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")


def _collect(part: email.message.Message, body: _Body) -> None:
    """Walk the tree: text parts to the body, the rest to attachments; attached messages are
    kept whole (as .eml) rather than walked into, so their text never joins this body."""
    for leaf in _leaves(part):
        content_type = leaf.get_content_type()
        if content_type in _REPORT_TYPES:
            continue
        name = _filename(leaf, body.notes)
        disposition = leaf.get_content_disposition()
        is_text = content_type in {"text/plain", "text/html"}
        if is_text and disposition != "attachment" and not name:
            _add_text(leaf, content_type, body)
            continue
        data = _attachment_bytes(leaf)
        if not name:
            name = f"attachment-{len(body.attachments) + 1}{_extension(content_type)}"
        body.attachments.append(MailAttachment(name=name, content_type=content_type, data=data))


def _leaves(part: email.message.Message) -> Iterator[email.message.Message]:
    if part.get_content_type() == "message/rfc822" or not part.is_multipart():
        yield part
        return
    payload = part.get_payload()
    if isinstance(payload, list):
        for child in payload:
            if isinstance(child, email.message.Message):
                yield from _leaves(child)


def _add_text(part: email.message.Message, content_type: str, body: _Body) -> None:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return
    charset = part.get_param("charset")
    declared = email.utils.collapse_rfc2231_value(charset) if charset else None
    text, note = decode_text(data, declared)
    if note:
        body.notes.append(f"body: {note}")
    (body.plain if content_type == "text/plain" else body.html).append(text)


def _attachment_bytes(part: email.message.Message) -> bytes:
    if part.get_content_type() == "message/rfc822":
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if isinstance(inner, email.message.Message):
            return _message_bytes(inner)
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _message_bytes(message: email.message.Message) -> bytes:
    """The attached message as bytes; headers the generator refuses to fold are written raw."""
    try:
        return message.as_bytes()
    except Exception:  # noqa: BLE001 - HeaderParseError, UnicodeError, LookupError, ...
        head = "".join(f"{name}: {value}\r\n" for name, value in message.raw_items())
        payload = message.get_payload()
        body = payload if isinstance(payload, str) else ""
        return (head + "\r\n" + body).encode("utf-8", "surrogateescape")


def _filename(part: email.message.Message, notes: list[str]) -> str:
    """The file name from Content-Disposition filename or Content-Type name, RFC 2231 or 2047."""
    value = part.get_param("filename", header="content-disposition") or part.get_param("name")
    if not value:
        return ""
    if isinstance(value, tuple):
        charset, _language, encoded = value
        text, note = decode_text(str(encoded).encode("latin-1", "replace"), charset or None)
        header_notes: tuple[str, ...] = (note,) if note else ()
    else:
        text, header_notes = decode_header_value(email.utils.unquote(value))
    notes.extend(f"attachment name: {note}" for note in header_notes)
    return _safe_name(text)


def _safe_name(name: str) -> str:
    """No directories, no control characters, at most 200 characters (keeping the extension)."""
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(char for char in name if char.isprintable()).strip().strip(".")
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = stem[: 200 - len(extension) - 1] + dot + extension if dot else name[:200]
    return name


def _extension(content_type: str) -> str:
    if content_type == "message/rfc822":
        return ".eml"
    return mimetypes.guess_extension(content_type, strict=False) or ".bin"

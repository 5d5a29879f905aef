"""E-mail in over IMAP: poll mailboxes for unseen messages and feed them to `mail_ingest`.

Configured by one setting, a dict::

    SHOPDESK_MAIL_IMAP = {
        "host": "imap.example.com",   # required; no host (or no setting) = IMAP polling is off
        "port": 993,                  # default 993 for "ssl", 143 for "starttls" and "none"
        "username": "support@example.com",
        "password": "...",            # from the environment or a secret store, never committed
        "mailboxes": ["INBOX"],       # folders to poll, default ["INBOX"]
        "security": "ssl",            # "ssl" (TLS from the first byte, port 993) or "starttls"
                                      # (port 143, upgraded before login; the poll fails if the
                                      # server does not offer it). "none" (no encryption at
                                      # all) is accepted only for a server on 127.0.0.1/::1/
                                      # localhost, for tests and local relays.
        "cafile": "",                 # PEM file of the CA(s) to trust instead of the system's,
                                      # for a server whose certificate a private CA signed
        "timeout": 30,                # seconds for connecting and for each server answer
        "limit": 100,                 # most messages ingested per poll, over all mailboxes
    }

The certificate is always checked (chain and host name); there is no switch to turn that off.

A poll selects each mailbox, asks for its unseen messages by UID (`UID SEARCH UNSEEN`),
fetches each without marking it read (`BODY.PEEK[]`), ingests it, and only once the ingest has
committed flags it `\\Seen`. A message whose ingest fails stays unseen and is tried again by the
next poll; the others go on. A message ingested twice (say the flag could not be set) is
recognised by its Message-ID and processed once.
"""

import base64
import imaplib
import logging
import socket
import ssl
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from shopdesk.core.errors import DomainError
from shopdesk.mail.models import InboundMail
from shopdesk.mail.services import IngestResult, mail_ingest

logger = logging.getLogger(__name__)

Security = Literal["ssl", "starttls", "none"]
_SECURITY: tuple[Security, ...] = ("ssl", "starttls", "none")
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
_KEYS = frozenset(
    {"host", "port", "username", "password", "mailboxes", "security", "cafile", "timeout", "limit"}
)


class ImapError(DomainError):
    """IMAP is misconfigured or the server could not be used; the message says what to fix."""

    code = "imap_error"


@dataclass(frozen=True)
class ImapSettings:
    host: str
    username: str
    password: str = field(repr=False)
    port: int = 0  # 0: the usual port for `security`
    mailboxes: tuple[str, ...] = ("INBOX",)
    security: Security = "ssl"
    cafile: str = ""
    timeout: float = 30.0
    limit: int = 100

    @property
    def effective_port(self) -> int:
        return self.port or (993 if self.security == "ssl" else 143)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.effective_port}"


def imap_settings() -> ImapSettings | None:
    """The IMAP account from SHOPDESK_MAIL_IMAP; None when polling is not configured.

    Raises:
        ImapError: the setting is present but incomplete or invalid.
    """
    raw = getattr(settings, "SHOPDESK_MAIL_IMAP", None)
    if not raw or not raw.get("host"):
        return None
    return imap_settings_from(raw)


def imap_settings_from(raw: Mapping[str, Any]) -> ImapSettings:
    """Validate one settings dict (the shape documented at the top of this module)."""
    unknown = set(raw) - _KEYS
    if unknown:
        raise ImapError(
            gettext("SHOPDESK_MAIL_IMAP has unknown keys: %(keys)s (known: %(known)s).")
            % {"keys": ", ".join(sorted(unknown)), "known": ", ".join(sorted(_KEYS))}
        )
    for key in ("host", "username", "password"):
        if not str(raw.get(key) or ""):
            raise ImapError(gettext("SHOPDESK_MAIL_IMAP needs a %(key)s.") % {"key": key})
    security = str(raw.get("security") or "ssl").lower()
    if security not in _SECURITY:
        raise ImapError(
            gettext('SHOPDESK_MAIL_IMAP security must be "ssl" or "starttls", not %(s)r.')
            % {"s": security}
        )
    host = str(raw["host"])
    if security == "none" and host not in _LOOPBACK:
        raise ImapError(
            gettext(
                'SHOPDESK_MAIL_IMAP security "none" sends the password unencrypted and is '
                'allowed only for a server on this machine (127.0.0.1); use "ssl" or '
                '"starttls" for %(host)s.'
            )
            % {"host": host}
        )
    mailboxes = raw.get("mailboxes") or ("INBOX",)
    if isinstance(mailboxes, str):
        mailboxes = (mailboxes,)
    try:
        return ImapSettings(
            host=host,
            port=int(raw.get("port") or 0),
            username=str(raw["username"]),
            password=str(raw["password"]),
            mailboxes=tuple(str(m) for m in mailboxes),
            security=security,  # type: ignore[arg-type]  # checked against _SECURITY above
            cafile=str(raw.get("cafile") or ""),
            timeout=float(raw.get("timeout") or 30),
            limit=int(raw.get("limit") or 100),
        )
    except (TypeError, ValueError) as exc:
        raise ImapError(
            gettext("SHOPDESK_MAIL_IMAP port, timeout and limit must be numbers (%(e)s).")
            % {"e": exc}
        ) from exc


class Ingest(Protocol):
    def __call__(self, *, raw: bytes, source: str, mailbox: str = "") -> IngestResult: ...


@dataclass
class MailboxResult:
    mailbox: str
    counts: Counter[str] = field(default_factory=Counter)  # status (or "duplicate") -> messages
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"mailbox": self.mailbox, "counts": dict(self.counts), "errors": self.errors}


@dataclass
class PollResult:
    mailboxes: list[MailboxResult] = field(default_factory=list)

    @property
    def counts(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for box in self.mailboxes:
            total.update(box.counts)
        return total

    @property
    def errors(self) -> list[str]:
        return [error for box in self.mailboxes for error in box.errors]

    def as_dict(self) -> dict[str, Any]:
        return {
            "counts": dict(self.counts),
            "errors": self.errors,
            "mailboxes": [box.as_dict() for box in self.mailboxes],
        }


def mail_poll(
    *, config: ImapSettings, ingest: Ingest = mail_ingest, limit: int | None = None
) -> PollResult:
    """Ingest the unseen messages of every configured mailbox, flagging each seen once stored.

    Runs outside any database transaction: a message is flagged seen only after its ingest has
    committed, so a rolled-back ingest can never lose it.

    Raises:
        ImapError: called inside a transaction, or the server could not be reached, did not
            verify, or refused the login.
    """
    if transaction.get_connection().in_atomic_block:
        raise ImapError(
            gettext(
                "mail_poll must run outside a database transaction: it flags a message seen "
                "only after its ingest committed."
            )
        )
    budget = config.limit if limit is None else limit
    result = PollResult()
    conn = _connect(config)
    try:
        for name in config.mailboxes:
            box = MailboxResult(mailbox=name)
            result.mailboxes.append(box)
            try:
                budget -= _poll_mailbox(conn, box, ingest=ingest, budget=budget)
            except imaplib.IMAP4.abort as exc:
                raise _broke_off(config, exc) from exc
            except imaplib.IMAP4.error as exc:
                # The server refused a command (BAD): this mailbox is skipped, the rest go on.
                box.errors.append(
                    gettext("%(box)s: the server refused a command (%(why)s).")
                    % {"box": name, "why": _text(list(exc.args))}
                )
            except OSError as exc:
                raise _broke_off(config, exc) from exc
    finally:
        _logout(conn)
    return result


def _broke_off(config: ImapSettings, exc: BaseException) -> ImapError:
    """Messages ingested before the break are stored and flagged; the rest wait for next poll."""
    return ImapError(
        gettext(
            "The IMAP connection to %(addr)s broke off during the poll (%(e)s); the messages "
            "not yet ingested stay unseen for the next poll."
        )
        % {"addr": config.address, "e": exc}
    )


def _poll_mailbox(conn: imaplib.IMAP4, box: MailboxResult, *, ingest: Ingest, budget: int) -> int:
    """Ingest up to `budget` unseen messages of one mailbox; returns how many were tried."""
    status, data = conn.select(_quoted(box.mailbox))
    if status != "OK":
        box.errors.append(
            gettext("%(box)s: the server refused to open this mailbox (%(why)s).")
            % {"box": box.mailbox, "why": _text(data)}
        )
        return 0
    status, data = conn.uid("SEARCH", "UNSEEN")
    if status != "OK":
        box.errors.append(
            gettext("%(box)s: the search for unseen messages failed (%(why)s).")
            % {"box": box.mailbox, "why": _text(data)}
        )
        return 0
    uids = [uid.decode() for uid in (data[0] or b"").split()][: max(budget, 0)]
    for uid in uids:
        _poll_message(conn, box, uid, ingest=ingest)
    return len(uids)


def _poll_message(conn: imaplib.IMAP4, box: MailboxResult, uid: str, *, ingest: Ingest) -> None:
    where = f"{box.mailbox} UID {uid}"
    status, data = conn.uid("FETCH", uid, "(BODY.PEEK[])")
    raw = _body(data) if status == "OK" else None
    if raw is None:
        box.errors.append(
            gettext("%(where)s: the server sent no message body (%(why)s).")
            % {"where": where, "why": _text(data)}
        )
        return
    try:
        ingested = ingest(raw=raw, source=InboundMail.Source.IMAP, mailbox=box.mailbox)
    except Exception as exc:
        # One bad message must not hold up the rest: it stays unseen and is retried next poll.
        logger.exception("IMAP ingest failed for %s", where)
        box.errors.append(
            gettext("%(where)s: not ingested, left unseen for the next poll (%(e)s).")
            % {"where": where, "e": f"{type(exc).__name__}: {exc}"}
        )
        return
    box.counts["duplicate" if ingested.duplicate else str(ingested.mail.status)] += 1
    status, data = conn.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    if status != "OK":
        box.errors.append(
            gettext(
                "%(where)s: ingested, but could not be flagged seen (%(why)s); the next poll "
                "will recognise it as a duplicate."
            )
            % {"where": where, "why": _text(data)}
        )


def _connect(config: ImapSettings) -> imaplib.IMAP4:
    """Connect, secure and log in, or raise an ImapError that names the step that failed."""
    address = config.address
    step = gettext("connecting")
    try:
        if config.security == "ssl":
            conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                config.host,
                config.effective_port,
                ssl_context=_tls_context(config),
                timeout=config.timeout,
            )
        else:
            conn = imaplib.IMAP4(config.host, config.effective_port, timeout=config.timeout)
            if config.security == "starttls":
                step = gettext("starting TLS (STARTTLS)")
                conn.starttls(ssl_context=_tls_context(config))
    except ssl.SSLCertVerificationError as exc:
        raise ImapError(
            gettext(
                "The IMAP server %(addr)s presented a certificate that could not be verified "
                "(certificate verify failed: %(why)s). If a private CA signed it, set cafile in "
                "SHOPDESK_MAIL_IMAP to that CA's PEM file; check also that host matches a name "
                "in the certificate."
            )
            % {"addr": address, "why": exc.verify_message or exc.reason}
        ) from exc
    except (OSError, imaplib.IMAP4.error) as exc:
        raise ImapError(_connect_failure(address, step, exc)) from exc
    try:
        conn.login(config.username, config.password)
    except imaplib.IMAP4.error as exc:
        _logout(conn)
        raise ImapError(
            gettext(
                "The IMAP server %(addr)s refused the login of %(user)s (%(why)s): check username "
                "and password in SHOPDESK_MAIL_IMAP."
            )
            % {"addr": address, "user": config.username, "why": _text([exc.args[0]])}
        ) from exc
    except OSError as exc:
        raise ImapError(_connect_failure(address, gettext("logging in"), exc)) from exc
    return conn


def _connect_failure(address: str, step: str, exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        why = gettext("the host name could not be resolved")
    elif isinstance(exc, ConnectionRefusedError):
        why = gettext("the connection was refused: is the port right and the server running?")
    elif isinstance(exc, TimeoutError):
        why = gettext("no answer within the timeout")
    elif isinstance(exc, ssl.SSLError):
        why = gettext("TLS failed (%(e)s): is security right for this port?") % {"e": exc}
    else:
        why = f"{type(exc).__name__}: {exc}"
    return gettext("IMAP server %(addr)s, %(step)s: %(why)s.") % {
        "addr": address,
        "step": step,
        "why": why,
    }


def _tls_context(config: ImapSettings) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=config.cafile or None)
    # Both are the defaults of create_default_context; stated so no refactor loses them.
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def _logout(conn: imaplib.IMAP4) -> None:
    try:
        conn.logout()
    except (imaplib.IMAP4.error, OSError):
        logger.debug("IMAP logout failed", exc_info=True)


def _quoted(mailbox: str) -> str:
    """A mailbox name as an IMAP quoted string (imaplib sends names as given)."""
    name = _utf7(mailbox)
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _utf7(name: str) -> str:
    """IMAP's modified UTF-7 (RFC 3501 5.1.3): folder names such as 售后 go over the wire as
    `&VS5UDg-`; printable ASCII stays as it is, `&` becomes `&-`."""
    out: list[str] = []
    pending = ""

    def flush() -> None:
        nonlocal pending
        if pending:
            encoded = base64.b64encode(pending.encode("utf-16-be")).decode().rstrip("=")
            out.append("&" + encoded.replace("/", ",") + "-")
            pending = ""

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending += char
    flush()
    return "".join(out)


def _body(data: list[Any]) -> bytes | None:
    for part in data:
        if isinstance(part, tuple) and len(part) == 2 and b"BODY[]" in part[0].upper():
            return bytes(part[1])
    return None


def _text(data: object) -> str:
    items = data if isinstance(data, list) else [data]
    return " ".join(
        item.decode(errors="replace") if isinstance(item, bytes) else str(item)
        for item in items
        if item is not None
    )[:300]


def mail_poll_configured() -> dict[str, int]:
    """The periodic job: poll the configured mailboxes, or do nothing when IMAP is not set up.
    A server that cannot be reached is logged, not raised: the next poll tries again."""
    config = imap_settings()
    if config is None:
        return {}
    try:
        result = mail_poll(config=config)
    except ImapError:
        logger.exception("Polling the IMAP mailboxes failed")
        return {"errors": 1}
    return dict(result.counts)

"""Attachments: size, count and type limits checked on the bytes, never on the claimed type."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext

from shopdesk.tickets.models import Attachment, TicketEvent

# Magic bytes -> the content type we store. Only these kinds are accepted.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)


@dataclass(frozen=True)
class IncomingFile:
    name: str
    content: bytes


@dataclass(frozen=True)
class RefusedFile:
    name: str
    reason: str


def max_attachment_bytes() -> int:
    return int(getattr(settings, "SHOPDESK_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024))


def max_attachment_count() -> int:
    return int(getattr(settings, "SHOPDESK_ATTACHMENT_MAX_FILES", 5))


def sniff_content_type(content: bytes) -> str | None:
    for signature, content_type in _SIGNATURES:
        if content.startswith(signature):
            return content_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/plain" if "\x00" not in text else None


def attachment_check(file: IncomingFile) -> tuple[str | None, str]:
    """(content type, "") when acceptable, else (None, the reason in words)."""
    limit = max_attachment_bytes()
    if len(file.content) > limit:
        return None, gettext("%(name)s is larger than the limit of %(mb).1f MB.") % {
            "name": file.name,
            "mb": limit / 1024 / 1024,
        }
    if not file.content:
        return None, gettext("%(name)s is empty.") % {"name": file.name}
    content_type = sniff_content_type(file.content)
    if content_type is None:
        return None, gettext(
            "%(name)s is not an allowed type: send a JPEG, PNG, GIF or WebP picture, a PDF "
            "or a plain-text file."
        ) % {"name": file.name}
    return content_type, ""


def attachments_store(
    *, event: TicketEvent, files: Sequence[IncomingFile]
) -> tuple[list[Attachment], list[RefusedFile]]:
    """Keep the acceptable files on the event; report every refused one with its reason."""
    stored: list[Attachment] = []
    refused: list[RefusedFile] = []
    for index, file in enumerate(files):
        name = (file.name or "attachment").replace("/", "_").replace("\\", "_")[-200:]
        if index >= max_attachment_count():
            refused.append(
                RefusedFile(
                    name,
                    gettext("Only %(n)d files can be attached to one message.")
                    % {"n": max_attachment_count()},
                )
            )
            continue
        content_type, reason = attachment_check(file)
        if content_type is None:
            refused.append(RefusedFile(name, reason))
            continue
        attachment = Attachment(
            event=event, name=name, content_type=content_type, size=len(file.content)
        )
        attachment.file.save(name, ContentFile(file.content), save=False)
        attachment.save()
        stored.append(attachment)
    return stored, refused

"""The inbound endpoint a mail relay posts raw messages to, and the admin's view of an original."""

import hmac

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from shopdesk.accounts.permissions import Perm
from shopdesk.audit.models import AuditEvent
from shopdesk.audit.services import audit_record
from shopdesk.mail.errors import MailErrorCode
from shopdesk.mail.models import InboundMail
from shopdesk.mail.services import mail_ingest, max_mail_bytes

SECRET_HEADER = "X-Shopdesk-Mail-Secret"  # noqa: S105 - a header name, not a secret


def _error(status: int, code: MailErrorCode, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": str(code)}, status=status)


def _secret_ok(request: HttpRequest, secret: str) -> bool:
    given = request.headers.get(SECRET_HEADER, "")
    auth = request.headers.get("Authorization", "")
    if not given and auth.lower().startswith("bearer "):
        given = auth[7:].strip()
    return bool(given) and hmac.compare_digest(given.encode(), secret.encode())


@csrf_exempt
@require_POST
def inbound(request: HttpRequest) -> JsonResponse:
    """Accept one raw RFC 822 message: the request body (Content-Type message/rfc822), or the
    file field `message` of a multipart form. Authenticated by the shared secret
    SHOPDESK_MAIL_INBOUND_SECRET in the X-Shopdesk-Mail-Secret header (or a Bearer token)."""
    secret = str(getattr(settings, "SHOPDESK_MAIL_INBOUND_SECRET", "") or "")
    if not secret:
        return _error(
            503,
            MailErrorCode.INBOUND_DISABLED,
            gettext("Inbound mail over HTTP is off: set SHOPDESK_MAIL_INBOUND_SECRET."),
        )
    if not _secret_ok(request, secret):
        return _error(
            401,
            MailErrorCode.BAD_SECRET,
            gettext("Missing or wrong shared secret (header %(h)s).") % {"h": SECRET_HEADER},
        )
    upload = request.FILES.get("message")
    if upload is not None:
        if upload.size is not None and upload.size > max_mail_bytes():
            raw = upload.read(max_mail_bytes() + 1)
        else:
            raw = upload.read()
    else:
        # Read the stream, not request.body: an oversize message must reach the quarantine
        # (its first bytes, with the reason), not die on DATA_UPLOAD_MAX_MEMORY_SIZE.
        raw = request.read(max_mail_bytes() + 1)
    if not raw:
        return _error(
            400,
            MailErrorCode.EMPTY_MESSAGE,
            gettext("The request carries no message: send the raw e-mail as the body."),
        )
    result = mail_ingest(raw=raw, source=InboundMail.Source.HTTP, mailbox="http")
    mail = result.mail
    return JsonResponse(
        {
            "id": mail.pk,
            "status": mail.status,
            "reason": mail.reason,
            "duplicate": result.duplicate,
            "ticket": mail.ticket.number if mail.ticket else None,
        },
        status=200 if result.duplicate else 202,
    )


@staff_member_required
@require_GET
def original(request: HttpRequest, mail_id: int) -> HttpResponse:
    """Download the stored original (admins with the inbound-mail view permission only)."""
    if not request.user.has_perm(Perm.VIEW_INBOUND_MAIL):
        return HttpResponse(status=403)
    mail = get_object_or_404(InboundMail, pk=mail_id)
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.PII_VIEWED,
        object_type="mail.inboundmail",
        object_id=mail.pk,
        data={"what": "original"},
    )
    response = HttpResponse(mail.raw(), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="inbound-{mail.pk}.eml"'
    return response

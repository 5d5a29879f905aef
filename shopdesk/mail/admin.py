"""The quarantine list: every inbound message with what became of it; quarantined ones can be
retried (after the cause is fixed) or discarded. Originals download through an audited view."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from shopdesk.accounts.models import User
from shopdesk.core.errors import DomainError
from shopdesk.mail.models import InboundMail
from shopdesk.mail.services import mail_discard, mail_retry


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin[InboundMail]):
    list_display = [
        "id",
        "received_at",
        "status",
        "sender",
        "subject",
        "reason_short",
        "ticket_link",
        "source",
    ]
    list_filter = ["status", "source"]
    search_fields = ["subject", "message_id", "ticket__number"]
    date_hierarchy = "received_at"
    exclude = ["raw_enc", "from_enc", "from_hash", "event", "version"]
    readonly_fields = [
        "received_at",
        "source",
        "mailbox",
        "message_id",
        "sender",
        "subject",
        "size",
        "status",
        "reason",
        "notes",
        "customer",
        "ticket_link",
        "attempts",
        "processed_at",
        "original_link",
    ]
    actions = ["retry", "discard"]

    @admin.display(description=_("sender"))
    def sender(self, obj: InboundMail) -> str:
        return obj.masked_from or "—"

    @admin.display(description=_("reason"))
    def reason_short(self, obj: InboundMail) -> str:
        return obj.reason[:80] + ("…" if len(obj.reason) > 80 else "")

    @admin.display(description=_("ticket"))
    def ticket_link(self, obj: InboundMail) -> str:
        if obj.ticket_id is None or obj.ticket is None:
            return "—"
        url = reverse("tickets:detail", args=[obj.ticket_id])
        return format_html('<a href="{}">{}</a>', url, obj.ticket.number or obj.ticket_id)

    @admin.display(description=_("original"))
    def original_link(self, obj: InboundMail) -> str:
        url = reverse("mail:original", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Download the original (.eml)"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # nothing is silently dropped: discard keeps the row

    @admin.action(description=_("Retry the selected quarantined messages"), permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet[InboundMail]) -> None:
        self._act(request, queryset, mail_retry, gettext("retried"))

    @admin.action(
        description=_("Discard the selected quarantined messages"), permissions=["change"]
    )
    def discard(self, request: HttpRequest, queryset: QuerySet[InboundMail]) -> None:
        self._act(request, queryset, mail_discard, gettext("discarded"))

    def _act(
        self,
        request: HttpRequest,
        queryset: QuerySet[InboundMail],
        service: Callable[..., InboundMail],
        done: str,
    ) -> None:
        if not isinstance(request.user, User):
            return
        ok = 0
        for mail in queryset.order_by("received_at"):
            try:
                service(mail=mail, actor=request.user)
                ok += 1
            except DomainError as exc:
                self.message_user(request, f"#{mail.pk}: {exc.message}", messages.WARNING)
        if ok:
            self.message_user(
                request,
                ngettext("%(n)d message %(done)s.", "%(n)d messages %(done)s.", ok)
                % {"n": ok, "done": done},
                messages.SUCCESS,
            )

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shopdesk.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ["id", "channel", "destination", "status", "attempts", "ref", "created_at"]
    list_filter = ["channel", "status"]
    search_fields = ["ref", "dedupe_key"]
    # The encrypted destination is never shown or editable; only its masked form.
    exclude = ["to_enc"]
    readonly_fields = [
        "destination",
        "channel",
        "user",
        "subject",
        "body",
        "language",
        "ref",
        "dedupe_key",
        "headers",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
        "read_at",
    ]

    @admin.display(description=_("destination"))
    def destination(self, obj: Notification) -> str:
        return obj.masked_to or "—"

    def has_add_permission(self, request: object) -> bool:
        return False

"""Admin for the editable ticket vocabularies: categories, SLA policies, macros, compensation.

Tickets themselves change only through the services (console and API), so their admin is
read-only: the status machine, clocks and timeline must not be bypassed.
"""

from typing import TypeVar

from django.contrib import admin
from django.http import HttpRequest

from shopdesk.tickets.models import (
    Category,
    Compensation,
    CompensationStandard,
    Macro,
    SlaPolicy,
    Tag,
    Ticket,
    TicketEvent,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ["code", "name_zh", "name_en", "position", "is_active"]
    list_editable = ["position", "is_active"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin[SlaPolicy]):
    list_display = [
        "name",
        "position",
        "is_active",
        "first_reply_minutes",
        "next_reply_minutes",
        "resolution_minutes",
        "calendar",
    ]
    list_editable = ["position", "is_active"]


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin[Macro]):
    list_display = ["name", "category", "is_active"]


@admin.register(CompensationStandard)
class CompensationStandardAdmin(admin.ModelAdmin[CompensationStandard]):
    list_display = ["code", "name_zh", "kind", "default_amount", "agent_limit", "supervisor_limit"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    search_fields = ["name"]


_M = TypeVar("_M", Ticket, TicketEvent, Compensation)


class ReadOnlyAdmin(admin.ModelAdmin[_M]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin[Ticket]):
    list_display = ["number", "status", "priority", "category", "responsible_party", "assignee"]
    list_filter = ["status", "priority", "channel", "responsible_party"]
    search_fields = ["number"]
    show_full_result_count = False


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin[TicketEvent]):
    list_display = ["ticket", "type", "author_kind", "is_public", "created_at"]
    list_filter = ["type", "is_public"]
    show_full_result_count = False


@admin.register(Compensation)
class CompensationAdmin(ReadOnlyAdmin[Compensation]):
    list_display = ["ticket", "kind", "amount", "status", "requested_by", "decided_by"]
    list_filter = ["status", "kind"]

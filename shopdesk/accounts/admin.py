from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shopdesk.accounts.models import (
    AgentProfile,
    ApiToken,
    BusinessCalendar,
    Customer,
    Merchant,
    Team,
    User,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    list_display = ["username", "email", "merchant", "is_staff", "is_active"]
    list_filter = ["groups", "is_staff", "is_active"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Shopdesk"), {"fields": ("merchant", "language")}),
    )


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin[Merchant]):
    list_display = ["name", "source", "external_id", "city"]
    search_fields = ["name", "external_id"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin[Customer]):
    """Shows only masked contact data: unmasking happens on the order page, where it is audited."""

    list_display = ["external_id", "source", "masked_name", "masked_phone", "tier", "language"]
    list_filter = ["tier", "language", "source"]
    search_fields = ["external_id"]
    fields = [
        "source",
        "external_id",
        "tier",
        "language",
        "city",
        "region",
        "user",
        "masked_name",
        "masked_phone",
        "masked_email",
        "masked_address",
    ]
    readonly_fields = ["masked_name", "masked_phone", "masked_email", "masked_address"]
    raw_id_fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # The clear token is shown once by `shopdesk tokens issue`; the admin cannot show it.
        return False


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin[BusinessCalendar]):
    list_display = ["name", "timezone", "is_24x7", "uses_china_holidays"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["code", "name", "calendar", "merchant", "supervisor", "is_vip_queue"]
    raw_id_fields = ["merchant", "supervisor"]


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin[AgentProfile]):
    list_display = ["user", "team", "capacity", "active_ticket_count", "is_online", "last_seen_at"]
    list_filter = ["team", "is_online"]
    raw_id_fields = ["user"]
    readonly_fields = ["active_ticket_count", "last_seen_at"]

"""Admin: widgets are edited here; chats only change through the services, so read-only."""

from django.contrib import admin
from django.http import HttpRequest

from shopdesk.chat.models import ChatSession, ChatWidget


@admin.register(ChatWidget)
class ChatWidgetAdmin(admin.ModelAdmin[ChatWidget]):
    list_display = ["name", "key", "merchant", "is_active"]
    list_filter = ["is_active"]
    readonly_fields = ["key"]


@admin.register(ChatSession)
class ChatSessionAdmin(admin.ModelAdmin[ChatSession]):
    list_display = ["pk", "status", "customer", "agent", "widget", "created_at", "last_message_at"]
    list_filter = ["status"]
    # Encrypted columns stay out of the admin: masked values are on the console page.
    exclude = ["visitor_name_enc", "visitor_contact_enc"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ChatSession | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ChatSession | None = None) -> bool:
        return False

from django.contrib import admin

from shopdesk.portal.models import LoginCode


@admin.register(LoginCode)
class LoginCodeAdmin(admin.ModelAdmin[LoginCode]):
    """Read-only: for looking into sign-in complaints; codes are only ever stored hashed."""

    list_display = ["id", "customer", "created_at", "expires_at", "attempts", "used_at"]
    exclude = ["contact_hash", "code_hash"]
    readonly_fields = ["customer", "created_at", "expires_at", "attempts", "used_at"]

    def has_add_permission(self, request: object) -> bool:
        return False

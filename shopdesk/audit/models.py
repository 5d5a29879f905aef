"""The append-only audit trail: state changes and every view of unmasked personal data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        PII_VIEWED = "pii_viewed", _("personal data viewed")
        CREATED = "created", _("created")
        UPDATED = "updated", _("updated")
        STATUS_CHANGED = "status_changed", _("status changed")
        IMPORTED = "imported", _("imported")
        TOKEN_ISSUED = "token_issued", _("API token issued")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Kept as plain values, not foreign keys: the trail must outlive the rows it talks about.
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}"
        )

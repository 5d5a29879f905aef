"""The one way to write to the audit trail. Rows are never updated or deleted."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from shopdesk.audit.models import AuditEvent


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: AuditEvent.Action,
    object_type: str,
    object_id: str | int,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event; the actor may be None for system work (imports, scanners)."""
    if actor is not None and actor.is_authenticated:
        actor_id, label = actor.pk, actor.get_username()
    else:
        actor_id, label = None, "system"
    return AuditEvent.objects.create(
        actor_id=actor_id,
        actor_label=label,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        data=data or {},
    )

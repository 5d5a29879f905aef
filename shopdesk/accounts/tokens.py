"""Bearer tokens for integrations: `sd_<prefix>_<secret>`; only sha256(secret) is stored."""

import hashlib
import hmac
import secrets

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from shopdesk.accounts.models import ApiToken, User
from shopdesk.audit.models import AuditEvent
from shopdesk.audit.services import audit_record


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_issue(*, user: User, name: str, actor: User | None = None) -> tuple[ApiToken, str]:
    """Create a token and return it with the clear text, which is shown once and never stored."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, key_hash=_digest(secret))
    audit_record(
        actor=actor,
        action=AuditEvent.Action.TOKEN_ISSUED,
        object_type="accounts.apitoken",
        object_id=token.pk,
        data={"user": user.get_username(), "name": name},
    )
    return token, f"sd_{prefix}_{secret}"


def api_token_revoke(*, token: ApiToken, actor: User | None = None) -> ApiToken:
    """Revoke a token; it stops working at once."""
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.TOKEN_REVOKED,
        object_type="accounts.apitoken",
        object_id=token.pk,
    )
    return token


def api_token_authenticate(raw: str) -> User | None:
    """Return the active user behind a clear-text token, or None.

    Two queries at most: the token with its user (and the user's customer row, so "is this a
    customer?" costs nothing later), and the user's permissions.
    """
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != "sd":
        return None
    _, prefix, secret = parts
    token = (
        ApiToken.objects.select_related("user", "user__customer")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, _digest(secret)):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    # Touch last_used_at at most once a minute to keep reads cheap.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    _permissions_load(token.user)
    return token.user


def _permissions_load(user: User) -> None:
    """Fill the permission cache ModelBackend keeps on the user object in one query (it would
    read the user's own and the groups' permissions in two). A superuser has them all anyway.

    Written in SQL: it runs on every API request, and the ORM's union cost more CPU than the
    database took to answer it. Only table and column names from the models are spliced in.
    """
    if user.is_superuser:
        return
    quote = connection.ops.quote_name
    perm, ctype = quote(Permission._meta.db_table), quote(ContentType._meta.db_table)
    own = quote(User.user_permissions.through._meta.db_table)
    groups = quote(User.groups.through._meta.db_table)
    granted = quote(Group.permissions.through._meta.db_table)
    # Names from the models only; the user id is a parameter.
    sql = (
        f"SELECT ct.app_label, p.codename FROM {perm} p INNER JOIN {ctype} ct"  # noqa: S608
        f" ON ct.id = p.content_type_id WHERE p.id IN ("
        f"SELECT permission_id FROM {own} WHERE user_id = %s UNION "
        f"SELECT gp.permission_id FROM {granted} gp INNER JOIN {groups} ug"
        f" ON ug.group_id = gp.group_id WHERE ug.user_id = %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, user.pk])
        perms = {f"{app}.{codename}" for app, codename in cursor.fetchall()}
    setattr(user, "_perm_cache", perms)  # noqa: B010 - ModelBackend's private cache

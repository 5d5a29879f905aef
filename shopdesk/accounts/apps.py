from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender: AppConfig, **kwargs: Any) -> None:
    # Groups need the permissions that Django creates in its own post_migrate handler,
    # so the roles are (re)built after every migrate rather than in a data migration.
    from shopdesk.accounts.roles import roles_sync  # noqa: PLC0415 - app registry must be ready

    roles_sync(using=kwargs.get("using", "default"))


class AccountsConfig(AppConfig):
    name = "shopdesk.accounts"
    label = "accounts"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, sender=self)

from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _sync_roles(sender: AppConfig, **kwargs: Any) -> None:
    # Groups need the permissions Django creates for every app in its own post_migrate handler,
    # so the roles are rebuilt once the signal has been sent for the last installed app.
    from shopdesk.accounts.roles import roles_sync  # noqa: PLC0415 - models need a ready registry

    if sender is list(apps.get_app_configs())[-1]:
        roles_sync(using=kwargs.get("using", "default"))


class AccountsConfig(AppConfig):
    name = "shopdesk.accounts"
    label = "accounts"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, dispatch_uid="shopdesk.accounts.roles_sync")

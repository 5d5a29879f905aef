"""`shopdesk tokens revoke PREFIX`: stop an API token from working, at once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext

from shopdesk.accounts.models import ApiToken
from shopdesk.accounts.tokens import api_token_revoke


def _prefix(value: str) -> str:
    # Accept the whole token (sd_<prefix>_<secret>) as well as the prefix shown at issue.
    parts = value.strip().split("_", 2)
    return parts[1] if len(parts) == 3 and parts[0] == "sd" else value.strip()


class Command(BaseCommand):
    help = "Revoke an API token by its prefix (shown when it was issued)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help=gettext("The token's prefix, or the whole token."))

    def handle(self, *args: Any, **options: Any) -> None:
        prefix = _prefix(options["prefix"])
        token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
        if token is None:
            raise CommandError(
                gettext("No token with prefix '%(prefix)s': check the prefix printed at issue.")
                % {"prefix": prefix}
            )
        if token.revoked_at is not None:
            self.stdout.write(
                gettext("Token %(prefix)s was already revoked on %(at)s.")
                % {"prefix": prefix, "at": f"{timezone.localtime(token.revoked_at):%Y-%m-%d %H:%M}"}
            )
            return
        api_token_revoke(token=token)
        self.stdout.write(
            gettext("Revoked token '%(name)s' (%(prefix)s) of %(user)s.")
            % {"name": token.name, "prefix": prefix, "user": token.user.get_username()}
        )

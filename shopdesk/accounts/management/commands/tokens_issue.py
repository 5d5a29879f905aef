"""`shopdesk tokens issue --user NAME --name LABEL`: create an API token and print it once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from shopdesk.accounts.models import User
from shopdesk.accounts.tokens import api_token_issue


class Command(BaseCommand):
    help = (
        "Issue a bearer token for the API. The token is printed once on standard output and "
        "only its hash is stored: keep it now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help=gettext("Username the token acts as."))
        parser.add_argument(
            "--name",
            required=True,
            help=gettext("Label that says what uses the token, e.g. 'erp'."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username, label = options["user"], options["name"].strip()
        if not label:
            raise CommandError(gettext("--name must not be empty: say what will use the token."))
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(
                gettext("No user '%(user)s': create it first or check the spelling.")
                % {"user": username}
            )
        if not user.is_active:
            raise CommandError(
                gettext("User '%(user)s' is deactivated: its tokens would not work.")
                % {"user": username}
            )
        token, clear = api_token_issue(user=user, name=label)
        # The clear token alone on stdout, so scripts can capture it; the note goes to stderr.
        self.stdout.write(clear)
        self.stderr.write(
            gettext(
                "Token '%(name)s' (prefix %(prefix)s) for %(user)s. It is not shown again; "
                "revoke it with: shopdesk tokens revoke %(prefix)s"
            )
            % {"name": label, "prefix": token.prefix, "user": username}
        )

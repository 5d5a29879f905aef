"""`shopdesk mail poll [--mailbox NAME ...] [--limit N] [--json]`: fetch unseen mail over IMAP."""

import dataclasses
import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shopdesk.mail.imap import ImapError, imap_settings, mail_poll


class Command(BaseCommand):
    help = (
        "Poll the IMAP mailboxes of SHOPDESK_MAIL_IMAP once: unseen messages are ingested "
        "(tickets, replies, ignored, quarantined) and flagged seen. Exits 1 when IMAP is not "
        "configured, the server cannot be used, or a message could not be ingested."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--mailbox",
            action="append",
            default=[],
            help="Poll this mailbox instead of the configured ones (repeatable).",
        )
        parser.add_argument("--limit", type=int, help="Ingest at most N messages in this poll.")
        parser.add_argument("--json", action="store_true", help="Print one JSON summary.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            config = imap_settings()
            if config is None:
                raise CommandError(
                    _(
                        "IMAP is not configured: set SHOPDESK_MAIL_IMAP (host, username, "
                        "password, mailboxes, security ...); see docs/operators.md."
                    )
                )
            if options["mailbox"]:
                config = dataclasses.replace(config, mailboxes=tuple(options["mailbox"]))
            result = mail_poll(config=config, limit=options["limit"])
        except ImapError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            for box in result.mailboxes:
                counts = ", ".join(f"{k} {v}" for k, v in sorted(box.counts.items()))
                self.stdout.write(f"{box.mailbox}: {counts or _('nothing new')}")
        for error in result.errors:
            self.stderr.write(error)
        if result.errors:
            raise CommandError(
                _("%(n)d problem(s) during the poll, listed above.") % {"n": len(result.errors)}
            )

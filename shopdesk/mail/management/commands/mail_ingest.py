"""`shopdesk mail ingest FILE.eml...`: feed saved messages (or a folder of them) to the intake."""

import json
from argparse import ArgumentParser
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shopdesk.core.progress import Progress
from shopdesk.mail.models import InboundMail
from shopdesk.mail.services import mail_ingest


def _files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.eml") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise CommandError(_("No such file or folder: %(p)s") % {"p": path})
    return found


class Command(BaseCommand):
    help = (
        "Ingest raw e-mail messages (.eml files or folders of them): new messages open tickets, "
        "replies join their ticket, automatic mail is ignored, bad mail is quarantined."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help=".eml files or folders")
        parser.add_argument("--json", action="store_true", help="Print one JSON summary.")

    def handle(self, *args: Any, **options: Any) -> None:
        files = _files(options["paths"])
        counts: Counter[str] = Counter()
        results = []
        with Progress(_("Ingesting mail"), len(files), unit="messages") as progress:
            for path in files:
                result = mail_ingest(
                    raw=path.read_bytes(), source=InboundMail.Source.FILE, mailbox=str(path)[:200]
                )
                mail = result.mail
                status = "duplicate" if result.duplicate else mail.status
                counts[status] += 1
                results.append(
                    {
                        "file": str(path),
                        "id": mail.pk,
                        "status": status,
                        "ticket": mail.ticket.number if mail.ticket else None,
                        "reason": mail.reason,
                    }
                )
                progress.advance()
        if options["json"]:
            self.stdout.write(json.dumps({"counts": dict(counts), "messages": results}))
            return
        for row in results:
            line = f"{row['file']}: {row['status']}"
            if row["ticket"]:
                line += f" {row['ticket']}"
            if row["reason"]:
                line += f" ({row['reason']})"
            self.stdout.write(line)
        self.stdout.write(", ".join(f"{k} {v}" for k, v in sorted(counts.items())))

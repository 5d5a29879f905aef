"""`shopdesk survey import RESPONSES.csv --survey ID --mapping FILE`: answers from elsewhere."""

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shopdesk.core.errors import DomainError
from shopdesk.surveys.importers import responses_csv_import
from shopdesk.surveys.models import Survey


class Command(BaseCommand):
    help = (
        "Import survey responses from a CSV (UTF-8 or GB18030; comma, semicolon or tab) with a "
        "JSON mapping of question codes to columns. Bad rows are listed with line and reason; "
        "valid rows are kept; a second import of the same file adds nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="the responses CSV")
        parser.add_argument("--survey", type=int, required=True, help="survey id")
        parser.add_argument("--mapping", type=Path, required=True, help="mapping JSON")
        parser.add_argument("--json", action="store_true", help="print one JSON summary")

    def handle(self, *args: Any, **options: Any) -> None:
        survey = Survey.objects.select_related("version").filter(pk=options["survey"]).first()
        if survey is None:
            raise CommandError(_("No survey %(id)s.") % {"id": options["survey"]})
        if not options["path"].exists():
            raise CommandError(_("%(p)s does not exist.") % {"p": options["path"]})
        try:
            summary = responses_csv_import(
                survey=survey, path=options["path"], mapping_path=options["mapping"]
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        self.stdout.write(
            _("%(imported)d imported, %(already)d already there, %(rejected)d rejected.")
            % {
                "imported": summary["imported"],
                "already": summary["already_imported"],
                "rejected": summary["rejected"],
            }
        )
        for error in summary["errors"]:
            self.stdout.write(f"  line {error['line']}: {error['reason']}")

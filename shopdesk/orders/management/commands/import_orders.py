"""`shopdesk import orders PATH --format olist|csv|jsonl`: bulk import of shop orders."""

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from shopdesk.orders.importers.first_load import FirstLoadError
from shopdesk.orders.importers.pipeline import ImportFileError
from shopdesk.orders.importers.run import (
    DEFAULT_BATCH_SIZE,
    OLIST_BATCH_SIZE,
    ImportFormat,
    ImportRequest,
    orders_import,
)


class Command(BaseCommand):
    help = (
        "Import orders with their items, customers, merchants and products from an Olist-layout "
        "folder or a CSV/JSONL shop export with a mapping file. Idempotent; see docs/import.md."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="Olist folder, or the CSV/JSONL file.")
        parser.add_argument(
            "--format", required=True, choices=[f.value for f in ImportFormat], dest="fmt"
        )
        parser.add_argument("--mapping", type=Path, help="Mapping JSON (csv/jsonl).")
        parser.add_argument(
            "--encoding", default="auto", help="auto (UTF-8, else GB18030), utf-8, gbk, ..."
        )
        parser.add_argument("--source", default="", help="Source name stored on every row.")
        parser.add_argument(
            "--timezone", default="", help="Zone of naive timestamps (default TIME_ZONE)."
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=None,
            help=f"rows per transaction (default {OLIST_BATCH_SIZE} for olist, "
            f"{DEFAULT_BATCH_SIZE} for csv/jsonl)",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON summary.")
        parser.add_argument(
            "--first-load",
            action="store_true",
            help="Empty order tables only (PostgreSQL): build indexes and foreign keys after "
            "the load, like pg_restore. See docs/import.md.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        request = ImportRequest(
            path=options["path"],
            format=ImportFormat(options["fmt"]),
            mapping_path=options["mapping"],
            encoding=options["encoding"],
            source=options["source"].strip(),
            timezone=options["timezone"].strip(),
            batch_size=options["batch_size"],
            show_progress=not options["json"],
            first_load=options["first_load"],
        )
        if request.first_load and connection.vendor != "postgresql":
            self.stderr.write(
                _("Note: --first-load only checks that the order tables are empty on %(db)s.")
                % {"db": connection.vendor}
            )
        try:
            report = orders_import(request)
        except (ImportFileError, FirstLoadError) as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write(report.as_text())

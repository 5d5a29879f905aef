"""`shopdesk survey report --survey ID [--from D] [--to D] [--by FIELD] --json`."""

import json
from argparse import ArgumentParser
from datetime import datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from shopdesk.surveys.models import Survey
from shopdesk.surveys.reports import SEGMENT_FIELDS, survey_report


def _day(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    day = parse_date(value)
    if day is None:
        raise CommandError(_("--%(n)s must be a date like 2026-11-01.") % {"n": name})
    return timezone.make_aware(datetime.combine(day, time.min))


class Command(BaseCommand):
    help = (
        "The report of one survey: response rate, every question's distribution, dimension "
        "scores, CSAT, NPS, effort, the satisfaction index, key drivers, segments with "
        "significance tests, trend, open-text themes and satisfaction by operations (reply and "
        "resolution time, delivery delay, bounces). --from is inclusive, --to exclusive."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--survey", type=int, required=True)
        parser.add_argument("--from", dest="date_from")
        parser.add_argument("--to", dest="date_to")
        parser.add_argument("--by", choices=sorted(SEGMENT_FIELDS), help="one segment only")
        parser.add_argument("--json", action="store_true", help="print JSON (the default)")

    def handle(self, *args: Any, **options: Any) -> None:
        survey = (
            Survey.objects.select_related("version__questionnaire")
            .filter(pk=options["survey"])
            .first()
        )
        if survey is None:
            raise CommandError(_("No survey %(id)s.") % {"id": options["survey"]})
        report = survey_report(
            survey=survey,
            date_from=_day(options["date_from"], "from"),
            date_to=_day(options["date_to"], "to"),
            by=options["by"],
        )
        self.stdout.write(json.dumps(report, ensure_ascii=False, default=str))

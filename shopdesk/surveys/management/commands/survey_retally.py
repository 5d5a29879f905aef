"""`shopdesk survey retally --survey ID`: recount a survey's report tallies from its responses."""

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shopdesk.surveys.models import Survey
from shopdesk.surveys.tallies import tallies_rebuild


class Command(BaseCommand):
    help = (
        "Recount the running tallies behind a survey's report from its complete responses "
        "(after loading responses straight into the database, or to check them)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--survey", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        survey = Survey.objects.select_related("version").filter(pk=options["survey"]).first()
        if survey is None:
            raise CommandError(_("No survey %(id)s.") % {"id": options["survey"]})
        counted = tallies_rebuild(survey=survey)
        self.stdout.write(json.dumps({"survey": survey.pk, "responses": counted}))

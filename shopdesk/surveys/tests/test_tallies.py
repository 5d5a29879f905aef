"""The running tallies agree with the responses, whichever way they came in."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from shopdesk.surveys.models import ResponseTally
from shopdesk.surveys.reports import survey_report
from shopdesk.surveys.services.responses import ResponseRecord, response_record
from shopdesk.surveys.tallies import DELAY_BANDS, band_of
from shopdesk.surveys.tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db


def test_rebuilt_tallies_equal_the_running_ones_and_the_report_is_unchanged():
    survey = SurveyFactory()
    questions = list(survey.version.questions.select_related("dimension").order_by("position"))
    codes = [q.code for q in questions]
    for i, (a, b, overall, region) in enumerate(
        [(5, 4, 5, "上海"), (2, 2, 1, "北京"), (4, 4, 4, "上海")]
    ):
        response_record(
            survey=survey,
            record=ResponseRecord(
                answers=dict(zip(codes, [a, b, overall], strict=False)),
                submitted_at=timezone.now(),
                external_id=str(i),
                segment={"region": region},
            ),
            source="import",
            questions=questions,
        )
    running = sorted(
        ResponseTally.objects.filter(survey=survey).values_list("key", "n", "total", "top")
    )
    before = survey_report(survey=survey)
    out = StringIO()
    call_command("survey_retally", "--survey", str(survey.pk), stdout=out)
    rebuilt = sorted(
        ResponseTally.objects.filter(survey=survey).values_list("key", "n", "total", "top")
    )
    assert json.loads(out.getvalue())["responses"] == 3
    assert rebuilt == running
    after = survey_report(survey=survey)
    assert after["n"] == before["n"] == 3
    assert after["segments"] == before["segments"]
    assert ("s:region:上海", 2, 9.0, 2) in running


@pytest.mark.parametrize(
    ("days", "band"),
    [
        (-2.0, "early or on time"),
        (0.0, "early or on time"),
        (0.5, "1–3 days late"),
        (3.0, "1–3 days late"),
        (7.0, "4–7 days late"),
        (7.5, "> 7 days late"),
    ],
)
def test_delivery_delay_bands(days, band):
    assert band_of(days, DELAY_BANDS) == band

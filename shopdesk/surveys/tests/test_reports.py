"""The survey report: headline figures, question distributions, dimensions, drivers, segments,
trend and the operations behind the scores (delivery delay bands from imported Olist data)."""

import json
import random
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import UserFactory
from shopdesk.orders.tests.factories import OrderFactory
from shopdesk.surveys.demo import demo_surveys
from shopdesk.surveys.importers import OLIST_SURVEY_NAME
from shopdesk.surveys.models import Survey
from shopdesk.surveys.reports import survey_report
from shopdesk.surveys.services.responses import ResponseRecord, response_record
from shopdesk.surveys.tests.factories import QuestionFactory, SurveyFactory
from shopdesk.surveys.tests.olist_reviews import olist_folder

pytestmark = pytest.mark.django_db


def test_olist_reviews_show_their_mean_score_by_delivery_delay_band(tmp_path):
    # given the Olist-layout orders and reviews (scores fall as deliveries come later)
    call_command(
        "import_orders",
        str(olist_folder(tmp_path / "o")),
        "--format",
        "olist",
        "--json",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    survey = Survey.objects.get(name=OLIST_SURVEY_NAME)
    # when
    out = StringIO()
    call_command("survey_report", "--survey", str(survey.pk), "--json", stdout=out)
    report = json.loads(out.getvalue())
    # then
    bands = {b["band"]: (b["n"], b["overall_mean"]) for b in report["operations"]["delivery_delay"]}
    assert bands == {
        "early or on time": (3, 4.667),
        "1–3 days late": (2, 3.0),
        "4–7 days late": (1, 2.0),
        "> 7 days late": (2, 1.0),
    }
    assert report["n"] == 8
    assert report["csat"] == 0.375  # 3 of 8 gave 4 or 5
    # and the report page shows the same bands
    staff = Client()
    staff.force_login(UserFactory(role=Role.QUALITY_MANAGER))
    page = staff.get(reverse("survey_reports:report", args=[survey.pk])).content.decode()
    assert "over 7 days late" in page
    assert "4.667" in page
    score = next(q for q in report["questions"] if q["kind"] == "rating5")
    assert score["counts"] == {"1": 2, "2": 1, "3": 2, "4": 1, "5": 2}


def test_report_headline_dimensions_and_segments():
    survey = SurveyFactory()
    codes = list(survey.version.questions.order_by("position").values_list("code", flat=True))
    questions = list(survey.version.questions.select_related("dimension").order_by("position"))
    now = timezone.now()
    rows = [(5, 5, 5, "chat"), (4, 4, 4, "chat"), (2, 1, 2, "email"), (3, 2, 2, "email")]
    for a, b, overall, channel in rows:
        response_record(
            survey=survey,
            record=ResponseRecord(
                answers=dict(zip(codes, [a, b, overall], strict=False)),
                submitted_at=now,
                segment={"channel": channel},
            ),
            source="import",
            questions=questions,
        )
    report = survey_report(survey=survey, by="channel")
    assert report["n"] == 4
    assert report["overall_mean"] == 3.25
    assert report["csat"] == 0.5
    [dimension] = report["dimensions"]
    assert dimension["mean"] == pytest.approx((5 + 5 + 4 + 4 + 2 + 1 + 3 + 2) / 8)
    [segment] = report["segments"]
    groups = {g["name"]: g["mean"] for g in segment["groups"]}
    assert groups == {"chat": 4.5, "email": 2.0}
    assert report["drivers"]["enough"] is False  # 4 responses: says how many are needed
    assert report["drivers"]["needed"] > 4
    assert report["trend"][0]["n"] == 4


def test_report_finds_the_themes_of_comments():
    survey = SurveyFactory()
    version = survey.version
    QuestionFactory(
        version=version, dimension=None, code="comment", kind="text", required=False, position=50
    )
    questions = list(version.questions.select_related("dimension").order_by("position"))
    codes = [q.code for q in questions if q.kind == "likert5"]
    comments = ["物流太慢了，很失望", "物流慢，包装破损", "客服态度很好", "物流速度慢", "很满意"]
    for i, text in enumerate(comments):
        overall = 2 if "物流" in text else 5
        response_record(
            survey=survey,
            record=ResponseRecord(
                answers={**dict(zip(codes, [3, 3, overall], strict=False)), "comment": text},
                submitted_at=timezone.now(),
                external_id=str(i),
            ),
            source="import",
            questions=questions,
        )
    [themes] = survey_report(survey=survey)["themes"]
    logistics = next(t for t in themes["themes"] if t["keyword"] == "物流")
    assert logistics["count"] == 3
    assert logistics["share"] == pytest.approx(0.6)
    assert logistics["sentiment"] < 0
    assert logistics["mean_score"] == pytest.approx(2.0)


def test_demo_surveys_answer_through_the_services_and_find_the_planted_drivers():
    now = timezone.now()
    for i in range(260):
        OrderFactory(
            delivered_at=now - timedelta(days=10 + i % 30),
            promised_delivery_at=now - timedelta(days=10 + i % 30 + (i % 7 - 2)),
        )
    result = demo_surveys(rng=random.Random(7), now=now)
    survey = Survey.objects.get(name__startswith="电商购物体验")
    report = survey_report(survey=survey)
    assert result["responses"][survey.name] == report["n"] > 100
    assert report["drivers"]["enough"] is True
    assert report["drivers"]["fix_first"] or report["drivers"]["items"]
    top = sorted(report["drivers"]["items"], key=lambda i: -(i["importance"] or 0))[0]
    assert top["name"] in {"logistics", "service"}

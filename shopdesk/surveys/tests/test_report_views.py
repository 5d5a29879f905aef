"""The report page, its exports and who may see them."""

import csv
from io import BytesIO, StringIO

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import UserFactory
from shopdesk.surveys.services.responses import ResponseRecord, response_record
from shopdesk.surveys.tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    survey = SurveyFactory(name="售后满意度")
    questions = list(survey.version.questions.select_related("dimension").order_by("position"))
    codes = [q.code for q in questions]
    for i, values in enumerate([(5, 4, 5), (4, 4, 4), (2, 3, 2)]):
        response_record(
            survey=survey,
            record=ResponseRecord(
                answers=dict(zip(codes, values, strict=False)),
                submitted_at=timezone.now(),
                external_id=f"x{i}",
                segment={"region": "上海"},
            ),
            source="import",
            questions=questions,
        )
    return survey


def client_for(role):
    client = Client()
    if role:
        client.force_login(UserFactory(role=role))
    return client


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (None, 302),
        (Role.AGENT, 403),
        (Role.MERCHANT_STAFF, 403),
        (Role.SUPERVISOR, 200),
        (Role.QUALITY_MANAGER, 200),
        (Role.ADMIN, 200),
    ],
)
def test_report_pages_and_exports_by_role(survey, role, status):
    client = client_for(role)
    for name in ("list", "report", "csv", "xlsx"):
        url = reverse(f"survey_reports:{name}", args=[] if name == "list" else [survey.pk])
        assert client.get(url).status_code == status, name


def test_report_page_shows_the_figures(survey):
    html = (
        client_for(Role.QUALITY_MANAGER)
        .get(reverse("survey_reports:report", args=[survey.pk]) + "?by=region")
        .content.decode()
    )
    assert "售后满意度" in html
    assert "上海" in html
    assert "survey-chart-data" in html


def test_exports_hold_every_response(survey):
    client = client_for(Role.ADMIN)
    body = b"".join(client.get(reverse("survey_reports:csv", args=[survey.pk])).streaming_content)
    rows = list(csv.reader(StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:2] == ["id", "submitted_at"]
    assert len(rows) == 4
    workbook = load_workbook(
        BytesIO(
            b"".join(client.get(reverse("survey_reports:xlsx", args=[survey.pk])).streaming_content)
        )
    )
    assert {"Summary", "Dimensions", "Drivers", "Segments", "Responses"} <= set(workbook.sheetnames)
    assert workbook["Summary"]["B2"].value == 3
    assert workbook["Responses"].max_row == 4

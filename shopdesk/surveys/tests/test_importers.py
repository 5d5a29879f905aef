"""Responses from elsewhere: the Olist order reviews beside the Olist orders, and any CSV with
a mapping; bad rows listed with line and reason, valid rows kept, a second run adds nothing."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from shopdesk.accounts.tests.factories import CustomerFactory
from shopdesk.surveys.importers import OLIST_SURVEY_NAME
from shopdesk.surveys.models import Response, Survey
from shopdesk.surveys.tests.factories import QuestionFactory, SurveyFactory
from shopdesk.surveys.tests.olist_reviews import ORDERS, olist_folder

pytestmark = pytest.mark.django_db


def import_orders(folder: Path) -> dict:
    out = StringIO()
    call_command(
        "import_orders", str(folder), "--format", "olist", "--json", stdout=out, stderr=StringIO()
    )
    return json.loads(out.getvalue())


def test_olist_import_also_reads_the_reviews_into_the_order_review_survey(tmp_path):
    # given an Olist-layout folder with reviews (8 good, one unknown order, one score 9)
    folder = olist_folder(tmp_path / "olist")
    # when
    summary = import_orders(folder)
    again = import_orders(folder)
    # then
    reviews = summary["reviews"]
    assert (reviews["imported"], reviews["rejected"]) == (len(ORDERS), 2)
    assert {e["line"] for e in reviews["errors"]} == {10, 11}
    assert any("1 to 5" in e["reason"] for e in reviews["errors"])
    assert again["reviews"]["imported"] == 0
    assert again["reviews"]["already_imported"] == len(ORDERS)
    survey = Survey.objects.get(name=OLIST_SURVEY_NAME)
    assert survey.version.questionnaire.code == "order-review"
    responses = Response.objects.filter(survey=survey)
    assert responses.count() == len(ORDERS)
    first = responses.select_related("order").get(order__external_id=f"{1:032x}")
    assert first.overall == 5.0
    assert first.csat == 5
    assert first.region == "SP"
    assert first.product_category == "utilidades_domesticas"
    assert first.customer is not None


def test_csv_import_with_a_mapping_keeps_valid_rows_and_lists_bad_ones(tmp_path):
    survey = SurveyFactory()
    codes = list(survey.version.questions.order_by("position").values_list("code", flat=True))
    customer = CustomerFactory(email="known@example.com")
    (tmp_path / "r.csv").write_text(
        "id,when,email,a,b,overall,city\n"
        "1,2026-01-05 10:00,known@example.com,5,4,5,上海\n"
        "2,2026-01-06 11:00,,6,4,4,北京\n"
        "3,not a date,,3,3,3,杭州\n"
        "4,2026-01-07 09:30,,3,2,,杭州\n",
        encoding="utf-8",
    )
    mapping = {
        "answers": dict(zip(codes, ["a", "b", "overall"], strict=False)),
        "id": "id",
        "submitted_at": "when",
        "email": "email",
        "segments": {"region": "city"},
    }
    (tmp_path / "m.json").write_text(json.dumps(mapping), encoding="utf-8")
    out = StringIO()
    call_command(
        "survey_import",
        str(tmp_path / "r.csv"),
        "--survey",
        str(survey.pk),
        "--mapping",
        str(tmp_path / "m.json"),
        "--json",
        stdout=out,
    )
    summary = json.loads(out.getvalue())
    assert (summary["imported"], summary["rejected"]) == (1, 3)
    assert [e["line"] for e in summary["errors"]] == [3, 4, 5]
    stored = Response.objects.get(survey=survey)
    assert stored.customer == customer
    assert stored.region == "上海"
    assert stored.external_id == "1"


def test_csv_import_says_which_columns_are_missing(tmp_path):
    survey = SurveyFactory()
    code = survey.version.questions.values_list("code", flat=True).first()
    (tmp_path / "r.csv").write_text("x,y\n1,2\n", encoding="utf-8")
    (tmp_path / "m.json").write_text(json.dumps({"answers": {code: "score"}}), encoding="utf-8")
    with pytest.raises(CommandError, match="no column score"):
        call_command(
            "survey_import",
            str(tmp_path / "r.csv"),
            "--survey",
            str(survey.pk),
            "--mapping",
            str(tmp_path / "m.json"),
        )


def test_csv_import_keeps_a_comment_that_spans_lines_and_reads_semicolons(tmp_path):
    survey = SurveyFactory()
    version = survey.version
    QuestionFactory(version=version, dimension=None, code="note", kind="text", required=False)
    codes = list(version.questions.order_by("position").values_list("code", flat=True))
    likert = [c for c in codes if c != "note"]
    (tmp_path / "r.csv").write_text(
        'id;a;b;overall;note\n1;5;4;5;"第一行\n第二行"\n2;4;4;4;\n', encoding="utf-8"
    )
    mapping = {
        "answers": {**dict(zip(likert, ["a", "b", "overall"], strict=False)), "note": "note"},
        "id": "id",
    }
    (tmp_path / "m.json").write_text(json.dumps(mapping), encoding="utf-8")
    out = StringIO()
    call_command(
        "survey_import",
        str(tmp_path / "r.csv"),
        "--survey",
        str(survey.pk),
        "--mapping",
        str(tmp_path / "m.json"),
        "--json",
        stdout=out,
    )
    assert json.loads(out.getvalue())["imported"] == 2
    assert Response.objects.get(survey=survey, external_id="1").answers["note"] == "第一行\n第二行"

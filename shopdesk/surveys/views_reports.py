"""Staff pages of the survey analysis: the list of surveys, one survey's report with charts,
and its exports (responses CSV, report workbook)."""

from datetime import datetime, time
from io import BytesIO
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shopdesk.accounts.permissions import Perm
from shopdesk.surveys.exports import report_xlsx, responses_csv_lines
from shopdesk.surveys.models import Survey
from shopdesk.surveys.reports import SEGMENT_FIELDS, survey_report


def _survey(survey_id: int) -> Survey:
    survey = Survey.objects.select_related("version__questionnaire").filter(pk=survey_id).first()
    if survey is None:
        raise Http404(_("No such survey."))
    return survey


def _day(value: str | None) -> datetime | None:
    day = parse_date(value) if value else None
    return timezone.make_aware(datetime.combine(day, time.min)) if day else None


def _filters(request: HttpRequest) -> dict[str, Any]:
    by = request.GET.get("by") or None
    return {
        "date_from": _day(request.GET.get("from")),
        "date_to": _day(request.GET.get("to")),
        "by": by if by in SEGMENT_FIELDS else None,
    }


@require_GET
@login_required
@permission_required(Perm.VIEW_RESPONSE, raise_exception=True)
def survey_list_view(request: HttpRequest) -> HttpResponse:
    surveys = Survey.objects.select_related("version__questionnaire").order_by("-created_at")
    return render(request, "surveys/reports/list.html", {"surveys": surveys})


@require_GET
@login_required
@permission_required(Perm.VIEW_RESPONSE, raise_exception=True)
def survey_report_view(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(survey_id)
    filters = _filters(request)
    report = survey_report(survey=survey, language=request.LANGUAGE_CODE, **filters)
    context = {
        "survey": survey,
        "report": report,
        "filters": {k: request.GET.get(k, "") for k in ("from", "to", "by")},
        "segment_fields": list(SEGMENT_FIELDS),
        "chart_data": _chart_data(report),
        "query": request.GET.urlencode(),
    }
    return render(request, "surveys/reports/detail.html", context)


def _chart_data(report: dict[str, Any]) -> dict[str, Any]:
    drivers = report.get("drivers") or {}
    return {
        "dimensions": [{"name": d["name_zh"], "score": d["score"]} for d in report["dimensions"]],
        "quadrant": [
            {
                "name": i.get("label", i["name"]),
                "importance": i.get("importance"),
                "performance": i.get("score"),
                "quadrant": i.get("quadrant"),
            }
            for i in drivers.get("items", [])
            if i.get("importance") is not None
        ],
        "trend": report["trend"],
        "labels": {
            "importance": _("importance %"),
            "performance": _("performance 0–100"),
        },
        "delay": report["operations"]["delivery_delay"],
        "first_reply": report["operations"]["first_reply"],
    }


@require_GET
@login_required
@permission_required(Perm.VIEW_RESPONSE, raise_exception=True)
def survey_responses_csv_view(request: HttpRequest, survey_id: int) -> StreamingHttpResponse:
    survey = _survey(survey_id)
    response = StreamingHttpResponse(responses_csv_lines(survey), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-responses.csv"'
    return response


@require_GET
@login_required
@permission_required(Perm.VIEW_RESPONSE, raise_exception=True)
def survey_report_xlsx_view(request: HttpRequest, survey_id: int) -> FileResponse:
    survey = _survey(survey_id)
    report = survey_report(survey=survey, language=request.LANGUAGE_CODE, **_filters(request))
    return FileResponse(
        BytesIO(report_xlsx(survey, report)),
        as_attachment=True,
        filename=f"survey-{survey.pk}-report.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )

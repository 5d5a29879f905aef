"""Survey data out: the responses as CSV (streamed, any size) and the report as an Excel
workbook (one sheet per table, and the responses)."""

import csv
from collections.abc import Iterator, Sequence
from io import BytesIO
from typing import Any, Final

from django.db.models import QuerySet
from openpyxl import Workbook

from shopdesk.surveys.models import Response, Survey
from shopdesk.surveys.services.responses import version_questions
from shopdesk.surveys.states import ResponseStatus

XLSX_MAX_RESPONSES: Final = 100_000
FIXED: Final = (
    "id",
    "submitted_at",
    "source",
    "external_id",
    "channel",
    "merchant",
    "product_category",
    "customer_tier",
    "region",
    "agent",
    "overall",
    "nps",
    "csat",
    "effort",
)


def _responses(survey: Survey) -> QuerySet[Response]:
    return (
        Response.objects.filter(survey=survey, status=ResponseStatus.COMPLETE)
        .select_related("merchant", "agent")
        .order_by("submitted_at", "id")
    )


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return "" if value is None else value


def response_rows(survey: Survey) -> Iterator[list[Any]]:
    """The header, then one row per complete response: fixed columns, then one per question."""
    questions = version_questions(survey.version)
    yield [*FIXED, *(q.code for q in questions)]
    for r in _responses(survey).iterator(chunk_size=2000):
        yield [
            r.pk,
            r.submitted_at.isoformat() if r.submitted_at else "",
            r.source,
            r.external_id,
            r.channel,
            r.merchant.name if r.merchant else "",
            r.product_category,
            r.customer_tier,
            r.region,
            r.agent.get_username() if r.agent else "",
            _cell(r.overall),
            _cell(r.nps),
            _cell(r.csat),
            _cell(r.effort),
            *(_cell((r.answers or {}).get(q.code)) for q in questions),
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def responses_csv_lines(survey: Survey) -> Iterator[str]:
    """CSV text line by line (UTF-8 with BOM so Excel shows Chinese right)."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in response_rows(survey):
        yield writer.writerow(row)


def _sheet(
    book: Workbook, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    sheet = book.create_sheet(title)
    sheet.append(list(header))
    for row in rows:
        sheet.append([_cell(v) for v in row])


def report_xlsx(survey: Survey, report: dict[str, Any]) -> bytes:
    """The report's tables and the responses as one workbook."""
    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    index = report.get("satisfaction_index") or {}
    for key, value in (
        ("survey", report["survey"]["name"]),
        ("responses", report["n"]),
        ("response rate", report["response_rate"]),
        ("overall mean", report["overall_mean"]),
        ("CSAT", report["csat"]),
        ("NPS", report["nps"]),
        ("effort", report["effort"]),
        ("satisfaction index", index.get("value")),
    ):
        summary.append([key, _cell(value)])
    _sheet(
        book,
        "Questions",
        ["code", "text", "n", "mean", "top2", "score", "counts"],
        [
            [
                q["code"],
                q["text"],
                q.get("n"),
                q.get("mean"),
                q.get("top2"),
                q.get("score"),
                str(q.get("counts", "")),
            ]
            for q in report["questions"]
        ],
    )
    _sheet(
        book,
        "Dimensions",
        ["code", "name", "weight", "mean", "top2", "score"],
        [
            [d["code"], d["name_zh"], d["weight"], d["mean"], d["top2"], d["score"]]
            for d in report["dimensions"]
        ],
    )
    drivers = report.get("drivers") or {}
    _sheet(
        book,
        "Drivers",
        ["item", "mean", "correlation", "importance %", "rank", "quadrant"],
        [
            [
                i["name"],
                i.get("mean"),
                (i.get("correlation") or {}).get("r"),
                i.get("importance"),
                i.get("rank"),
                i.get("quadrant"),
            ]
            for i in drivers.get("items", [])
        ],
    )
    _sheet(
        book,
        "Segments",
        ["segment", "group", "n", "mean", "p vs rest (Holm)", "significant"],
        [
            [s["field"], g["name"], g["n"], g["mean"], g.get("p_holm"), g.get("significant")]
            for s in report["segments"]
            for g in s.get("groups", [])
        ],
    )
    _sheet(
        book,
        "Trend",
        ["period", "n", "overall mean", "CSAT", "NPS"],
        [[t["period"], t["n"], t["overall_mean"], t["csat"], t["nps"]] for t in report["trend"]],
    )
    operations = report["operations"]
    _sheet(
        book,
        "Operations",
        ["measure", "band", "n", "overall mean"],
        [
            [name, b.get("band", b.get("bounces")), b["n"], b["overall_mean"]]
            for name, bands in operations.items()
            for b in bands
        ],
    )
    responses = book.create_sheet("Responses")
    for count, row in enumerate(response_rows(survey)):
        if count > XLSX_MAX_RESPONSES:
            responses.append([f"… more than {XLSX_MAX_RESPONSES} responses: use the CSV export"])
            break
        responses.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()

"""Responses collected elsewhere: a CSV of any survey tool with a column mapping, and the Olist
data set's order reviews (`olist_order_reviews_dataset.csv`) as responses of the built-in
*Order review* questionnaire, linked to their imported orders.

Bad rows are reported with their line and reason and the valid rows are kept; importing the
same file again changes nothing (each row's external id is unique per survey).
"""

import csv
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from shopdesk.accounts.models import Customer
from shopdesk.core import crypto
from shopdesk.core.errors import DomainError
from shopdesk.orders.models import Order, OrderItem
from shopdesk.surveys.analysis.csvfile import csv_decode, csv_delimiter
from shopdesk.surveys.errors import SurveysErrorCode
from shopdesk.surveys.models import Question, QuestionnaireVersion, Response, Survey
from shopdesk.surveys.services.responses import (
    ResponseRecord,
    response_build,
    version_questions,
)
from shopdesk.surveys.states import QuestionKind, ResponseSource, Trigger
from shopdesk.surveys.tallies import tallies_for_responses

OLIST_REVIEWS: Final = "olist_order_reviews_dataset.csv"
ORDER_REVIEW_CODE: Final = "order-review"
OLIST_SURVEY_NAME: Final = "Olist order reviews"
BATCH: Final = 2000
MAX_ERRORS: Final = 100


@dataclass
class ImportSummary:
    read: int = 0
    imported: int = 0
    already: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"line": line, "reason": reason})

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "imported": self.imported,
            "already_imported": self.already,
            "rejected": self.rejected,
            "errors": sorted(self.errors, key=lambda e: int(e["line"])),
        }


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) of a CSV in UTF-8 (with or without BOM) or GB18030, comma-,
    semicolon- or tab-separated (the conventions of `shopdesk survey analyze`)."""
    text, _ = csv_decode(path.read_bytes(), str(path))
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text))
    for row in reader:
        yield reader.line_num, {k.strip(): (v or "").strip() for k, v in row.items() if k}


def _when(value: str, zone: ZoneInfo) -> datetime | None:
    parsed = parse_datetime(value) if value else None
    if parsed is None:
        return None
    return timezone.make_aware(parsed, zone) if timezone.is_naive(parsed) else parsed


def _store(
    survey: Survey,
    batch: list[tuple[int, ResponseRecord]],
    summary: ImportSummary,
    questions: Sequence[Question],
    source: str,
) -> None:
    """Validate and insert a batch in one statement; ids already imported are skipped."""
    ids = [record.external_id for _, record in batch]
    known = set(
        Response.objects.filter(survey=survey, external_id__in=ids).values_list(
            "external_id", flat=True
        )
    )
    rows = []
    for line, record in batch:
        if record.external_id in known:
            summary.already += 1
            continue
        response, errors = response_build(
            survey=survey, record=record, source=source, questions=questions
        )
        if response is None:
            summary.reject(line, " ".join(e.message for e in errors))
            continue
        known.add(record.external_id)  # a repeated id within the file counts once
        rows.append(response)
    with transaction.atomic():
        Response.objects.bulk_create(rows, batch_size=BATCH)
        tallies_for_responses(survey, rows, questions)
    summary.imported += len(rows)


# --- Olist order reviews -------------------------------------------------------------------


def olist_review_survey() -> Survey | None:
    """The survey that holds imported Olist reviews (made once), or None without the template."""
    survey = Survey.objects.select_related("version").filter(name=OLIST_SURVEY_NAME).first()
    if survey is not None:
        return survey
    version = (
        QuestionnaireVersion.objects.filter(
            questionnaire__code=ORDER_REVIEW_CODE, status="published"
        )
        .order_by("-number")
        .first()
    )
    if version is None:
        return None
    return Survey.objects.create(
        name=OLIST_SURVEY_NAME, version=version, trigger=Trigger.IMPORT, is_active=False
    )


def _review_codes(questions: Sequence[Question]) -> dict[str, str]:
    """Which question takes the score, the title and the comment (by kind)."""
    codes: dict[str, str] = {}
    for question in questions:
        if question.kind == QuestionKind.RATING5 and "score" not in codes:
            codes["score"] = question.code
        elif question.kind == QuestionKind.SHORT_TEXT and "title" not in codes:
            codes["title"] = question.code
        elif question.kind == QuestionKind.TEXT and "comment" not in codes:
            codes["comment"] = question.code
    return codes


def olist_reviews_import(folder: Path, source: str = "olist") -> dict[str, Any]:
    """Read the folder's order reviews, if it has them, into the Order review survey."""
    path = folder / OLIST_REVIEWS
    if not path.exists():
        return {"file": OLIST_REVIEWS, "skipped": gettext("not in the folder")}
    survey = olist_review_survey()
    if survey is None:
        return {
            "file": OLIST_REVIEWS,
            "skipped": gettext("the built-in Order review questionnaire is missing; run migrate"),
        }
    questions = version_questions(survey.version)
    codes = _review_codes(questions)
    zone = ZoneInfo("America/Sao_Paulo")
    summary = ImportSummary()
    pending: list[tuple[int, dict[str, str]]] = []
    for line, row in _rows(path):
        summary.read += 1
        pending.append((line, row))
        if len(pending) >= BATCH:
            _olist_batch(survey, pending, summary, questions, codes, zone, source)
            pending = []
    if pending:
        _olist_batch(survey, pending, summary, questions, codes, zone, source)
    return {"file": OLIST_REVIEWS, "survey": survey.pk, **summary.as_dict()}


def _olist_batch(
    survey: Survey,
    rows: list[tuple[int, dict[str, str]]],
    summary: ImportSummary,
    questions: Sequence[Question],
    codes: Mapping[str, str],
    zone: ZoneInfo,
    source: str,
) -> None:
    order_ids = {row.get("order_id", "") for _, row in rows}
    orders = {
        o.external_id: o
        for o in Order.objects.filter(source=source, external_id__in=order_ids).select_related(
            "customer"
        )
    }
    categories = dict(
        OrderItem.objects.filter(order__in=[o.pk for o in orders.values()], line_no=1).values_list(
            "order_id", "product__category"
        )
    )
    batch: list[tuple[int, ResponseRecord]] = []
    for line, row in rows:
        review_id, order_id = row.get("review_id", ""), row.get("order_id", "")
        order = orders.get(order_id)
        when = _when(row.get("review_answer_timestamp", ""), zone) or _when(
            row.get("review_creation_date", ""), zone
        )
        if not review_id:
            summary.reject(line, gettext("review_id is empty."))
            continue
        if order is None:
            summary.reject(
                line,
                gettext("order %(id)s is not imported (source %(s)s).")
                % {"id": order_id or "—", "s": source},
            )
            continue
        if when is None:
            summary.reject(line, gettext("review_creation_date is not a date."))
            continue
        answers = {
            codes.get("score", "score"): row.get("review_score", ""),
            codes.get("title", "title"): row.get("review_comment_title", ""),
            codes.get("comment", "comment"): row.get("review_comment_message", ""),
        }
        customer: Customer | None = order.customer
        segment = {
            "channel": "olist",
            "merchant": order.merchant_id,
            "product_category": categories.get(order.pk) or "",
            "customer_tier": customer.tier if customer else "",
            "region": (customer.region or customer.city) if customer else "",
        }
        # Olist repeats a few review ids across orders: the pair is the row's identity.
        record = ResponseRecord(
            answers=answers,
            submitted_at=when,
            external_id=f"{review_id}:{order_id}",
            customer=customer,
            order=order,
            segment=segment,
            language="pt",
        )
        batch.append((line, record))
    _store(survey, batch, summary, questions, ResponseSource.OLIST)


# --- any CSV with a mapping ----------------------------------------------------------------


@dataclass(frozen=True)
class CsvMapping:
    """{"answers": {"question code": "CSV column", ...}, "id": "column", "submitted_at":
    "column", "email": "column", "phone": "column", "order": "column", "segments":
    {"region": "column", ...}, "timezone": "Asia/Shanghai", "language": "zh-hans"}"""

    answers: dict[str, str]
    id_column: str = ""
    submitted_column: str = ""
    email_column: str = ""
    phone_column: str = ""
    order_column: str = ""
    segments: dict[str, str] = field(default_factory=dict)
    timezone: str = ""
    language: str = "zh-hans"

    @classmethod
    def load(cls, path: Path, questions: Sequence[Question]) -> "CsvMapping":
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, ValueError) as exc:
            raise DomainError(
                gettext("The mapping file %(p)s cannot be read: %(e)s") % {"p": path, "e": exc},
                code=SurveysErrorCode.BAD_MAPPING,
            ) from exc
        answers = data.get("answers") if isinstance(data, dict) else None
        if not isinstance(answers, dict) or not answers:
            raise DomainError(
                gettext('The mapping needs "answers": {"question code": "CSV column", ...}.'),
                code=SurveysErrorCode.BAD_MAPPING,
            )
        codes = {q.code for q in questions}
        unknown = sorted(set(answers) - codes)
        if unknown:
            raise DomainError(
                gettext("The mapping names unknown questions %(u)s; this survey has: %(c)s.")
                % {"u": ", ".join(unknown), "c": ", ".join(sorted(codes))},
                code=SurveysErrorCode.BAD_MAPPING,
            )
        return cls(
            answers={str(k): str(v) for k, v in answers.items()},
            id_column=str(data.get("id", "")),
            submitted_column=str(data.get("submitted_at", "")),
            email_column=str(data.get("email", "")),
            phone_column=str(data.get("phone", "")),
            order_column=str(data.get("order", "")),
            segments={str(k): str(v) for k, v in (data.get("segments") or {}).items()},
            timezone=str(data.get("timezone", "")),
            language=str(data.get("language", "zh-hans")),
        )

    def columns(self) -> set[str]:
        named = {
            self.id_column,
            self.submitted_column,
            self.email_column,
            self.phone_column,
            self.order_column,
            *self.answers.values(),
            *self.segments.values(),
        }
        return {c for c in named if c}


def responses_csv_import(*, survey: Survey, path: Path, mapping_path: Path) -> dict[str, Any]:
    """Import a CSV of answers into `survey` with a mapping file (see CsvMapping)."""
    questions = version_questions(survey.version)
    mapping = CsvMapping.load(mapping_path, questions)
    zone = ZoneInfo(mapping.timezone or settings.TIME_ZONE)
    summary = ImportSummary()
    batch: list[tuple[int, ResponseRecord]] = []
    header_checked = False
    for line, row in _rows(path):
        if not header_checked:
            missing = sorted(mapping.columns() - set(row))
            if missing:
                raise DomainError(
                    gettext("The CSV has no column %(m)s; it has: %(c)s.")
                    % {"m": ", ".join(missing), "c": ", ".join(row)},
                    code=SurveysErrorCode.BAD_MAPPING,
                )
            header_checked = True
        summary.read += 1
        record, reason = _csv_record(row, line, mapping, zone)
        if record is None:
            summary.reject(line, reason)
            continue
        batch.append((line, record))
        if len(batch) >= BATCH:
            _store(survey, batch, summary, questions, ResponseSource.IMPORT)
            batch = []
    if batch:
        _store(survey, batch, summary, questions, ResponseSource.IMPORT)
    return summary.as_dict()


def _csv_record(
    row: Mapping[str, str], line: int, mapping: CsvMapping, zone: ZoneInfo
) -> tuple[ResponseRecord | None, str]:
    when = timezone.now()
    if mapping.submitted_column:
        parsed = _when(row.get(mapping.submitted_column, ""), zone)
        if parsed is None:
            return None, gettext("%(col)s is not a date and time.") % {
                "col": mapping.submitted_column
            }
        when = parsed
    customer = None
    if mapping.email_column and row.get(mapping.email_column):
        hashed = crypto.lookup_hash(crypto.normalise_text(row[mapping.email_column]))
        customer = Customer.objects.filter(email_hash=hashed).exclude(email_hash="").first()
    elif mapping.phone_column and row.get(mapping.phone_column):
        hashed = crypto.lookup_hash(crypto.normalise_phone(row[mapping.phone_column]))
        customer = Customer.objects.filter(phone_hash=hashed).exclude(phone_hash="").first()
    order = None
    if mapping.order_column and row.get(mapping.order_column):
        order = Order.objects.filter(external_id=row[mapping.order_column]).first()
    external_id = row.get(mapping.id_column, "") if mapping.id_column else f"line-{line}"
    if not external_id:
        return None, gettext("%(col)s (the response id) is empty.") % {"col": mapping.id_column}
    return (
        ResponseRecord(
            answers={code: row.get(column, "") for code, column in mapping.answers.items()},
            submitted_at=when,
            external_id=external_id,
            customer=customer,
            order=order,
            segment={k: row.get(v, "") for k, v in mapping.segments.items()},
            language=mapping.language,
        ),
        "",
    )

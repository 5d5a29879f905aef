"""Running sums behind the survey report (models.ResponseTally), added in the same transaction
as each completed response and in one statement per import batch, so a report over a million
responses sums a few thousand rows.

Each complete response adds n = 1 (and its value, square and a top-box flag) under keys for:
the headline numbers, every answered option, every dimension mean, every segment group and
every operations band (first reply, resolution, delivery delay, bounces of its ticket and order).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from django.db import connection, transaction
from django.utils import timezone

from shopdesk.surveys.models import Question, Response, ResponseTally, Survey
from shopdesk.surveys.states import CHOICE_KINDS, NUMERIC_KINDS, SCALES, TEXT_KINDS, ResponseStatus

HOUR: Final = 3600.0
DAY: Final = 86400.0
# (label, upper bound inclusive; None = above every bound). Seconds, or days for the delay.
FIRST_REPLY_BANDS: Final = (
    ("≤15 min", 15 * 60.0),
    ("15–60 min", HOUR),
    ("1–4 h", 4 * HOUR),
    ("4–24 h", DAY),
    ("> 24 h", None),
)
RESOLUTION_BANDS: Final = (
    ("≤4 h", 4 * HOUR),
    ("4–24 h", DAY),
    ("1–3 days", 3 * DAY),
    ("3–7 days", 7 * DAY),
    ("> 7 days", None),
)
DELAY_BANDS: Final = (
    ("early or on time", 0.0),
    ("1–3 days late", 3.0),
    ("4–7 days late", 7.0),
    ("> 7 days late", None),
)
SEGMENTS: Final = ("channel", "merchant", "product_category", "customer_tier", "region", "agent")


@dataclass(frozen=True)
class Increment:
    day: date
    key: str
    n: int = 1
    total: float = 0.0
    squares: float = 0.0
    top: int = 0


def band_of(value: float, bands: Sequence[tuple[str, float | None]]) -> str:
    for label, bound in bands:
        if bound is None or value <= bound:
            return label
    return bands[-1][0]


def overall_scale(survey: Survey, questions: Sequence[Question]) -> tuple[int, int]:
    code = survey.version.overall_code
    for question in questions:
        if question.code == code and question.kind in SCALES:
            return SCALES[question.kind]
    return (1, 5)


def _top_cut(scale: tuple[int, int]) -> float:
    low, high = scale
    return float(high) if high - low <= 1 else float(high - 1)


def _value(key: str, day: date, value: float, cut: float) -> Increment:
    return Increment(day, key, 1, value, value * value, 1 if value >= cut else 0)


def _segment_value(response: Response, name: str) -> str:
    if name in ("merchant", "agent"):
        related = getattr(response, f"{name}_id")
        return str(related) if related else ""
    return str(getattr(response, name) or "")


def _operations(response: Response, day: date, overall: float, cut: float) -> list[Increment]:
    out = []
    ticket = response.ticket if response.ticket_id else None
    order = response.order if response.order_id else None
    if ticket is not None:
        if ticket.first_replied_at:
            seconds = (ticket.first_replied_at - ticket.created_at).total_seconds()
            out.append(
                _value(f"o:first_reply:{band_of(seconds, FIRST_REPLY_BANDS)}", day, overall, cut)
            )
        if ticket.resolved_at:
            seconds = (ticket.resolved_at - ticket.created_at).total_seconds()
            out.append(
                _value(f"o:resolution:{band_of(seconds, RESOLUTION_BANDS)}", day, overall, cut)
            )
        out.append(_value(f"o:bounces:{ticket.bounce_count}", day, overall, cut))
    if order is not None and order.delivered_at and order.promised_delivery_at:
        days = (order.delivered_at - order.promised_delivery_at).total_seconds() / DAY
        out.append(_value(f"o:delivery_delay:{band_of(days, DELAY_BANDS)}", day, overall, cut))
    return out


def response_increments(
    response: Response, questions: Sequence[Question], *, scale: tuple[int, int]
) -> list[Increment]:
    """What one complete response adds to its survey's tallies."""
    when: datetime = response.submitted_at or timezone.now()
    day = timezone.localdate(when)
    cut = _top_cut(scale)
    out = [Increment(day, "h:n")]
    if response.overall is not None:
        overall = float(response.overall)
        out.append(_value("h:overall", day, overall, cut))
        for name in SEGMENTS:
            group = _segment_value(response, name)
            if group:
                out.append(_value(f"s:{name}:{group[:150]}", day, overall, cut))
        out += _operations(response, day, overall, cut)
    if response.csat is not None:
        out.append(_value("h:csat", day, float(response.csat), 4.0))
    if response.nps is not None:
        group = "promoter" if response.nps >= 9 else "detractor" if response.nps <= 6 else "passive"
        out.append(_value(f"h:nps:{group}", day, float(response.nps), 9.0))
    if response.effort is not None:
        out.append(_value("h:effort", day, float(response.effort), 6.0))
    answers = response.answers or {}
    for question in questions:
        value = answers.get(question.code)
        if value is None:
            continue
        if question.kind in NUMERIC_KINDS or question.kind in CHOICE_KINDS:
            for one in value if isinstance(value, list) else [value]:
                out.append(Increment(day, f"q:{question.code}:{one}"[:200]))
        elif question.kind in TEXT_KINDS:
            out.append(Increment(day, f"t:{question.code}"))
    for code, mean in (response.scores or {}).items():
        out.append(_value(f"d:{code}", day, float(mean), 4.0))
    return out


def tallies_add(survey: Survey, increments: Iterable[Increment]) -> None:
    """Add increments in one upsert (SQLite and PostgreSQL both have ON CONFLICT)."""
    merged: dict[tuple[date, str], list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0])
    for inc in increments:
        row = merged[(inc.day, inc.key)]
        row[0] += inc.n
        row[1] += inc.total
        row[2] += inc.squares
        row[3] += inc.top
    if not merged:
        return
    table = connection.ops.quote_name(ResponseTally._meta.db_table)
    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in ("survey_id", "day", "key", "n", "total", "squares", "top"))
    rows = list(merged.items())
    with transaction.atomic():
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            params: list[Any] = []
            for (day, key), (n, total, squares, top) in chunk:
                params += [survey.pk, day, key, int(n), total, squares, int(top)]
            sums = ", ".join(
                f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}"
                for c in ("n", "total", "squares", "top")
            )
            sql = (
                f"INSERT INTO {table} ({columns}) VALUES {values} "  # noqa: S608 - names quoted, values bound
                f"ON CONFLICT ({q('survey_id')}, {q('day')}, {q('key')}) DO UPDATE SET {sums}"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, params)


def tallies_for_responses(
    survey: Survey, responses: Sequence[Response], questions: Sequence[Question]
) -> None:
    scale = overall_scale(survey, questions)
    tallies_add(
        survey, (i for r in responses for i in response_increments(r, questions, scale=scale))
    )


def tallies_rebuild(*, survey: Survey, chunk: int = 5000) -> int:
    """Recount a survey's tallies from its complete responses (after a bulk load, or a change
    of how they are counted); returns the responses counted."""
    questions = list(
        survey.version.questions.select_related("dimension").order_by("position", "id")
    )
    scale = overall_scale(survey, questions)
    counted = 0
    with transaction.atomic():
        ResponseTally.objects.filter(survey=survey).delete()
        responses = (
            Response.objects.filter(survey=survey, status=ResponseStatus.COMPLETE)
            .select_related("ticket", "order")
            .order_by("pk")
        )
        batch: list[Response] = []
        for response in responses.iterator(chunk_size=chunk):
            batch.append(response)
            if len(batch) >= chunk:
                tallies_add(
                    survey,
                    (i for r in batch for i in response_increments(r, questions, scale=scale)),
                )
                counted += len(batch)
                batch = []
        if batch:
            tallies_add(
                survey, (i for r in batch for i in response_increments(r, questions, scale=scale))
            )
            counted += len(batch)
    return counted

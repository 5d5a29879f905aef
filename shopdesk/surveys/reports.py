"""The report of one survey: what `shopdesk survey report`, the report page and the exports
show. Counts, means and shares come from aggregate queries; the key-driver regression, the
segment tests and the open-text themes run the analysis library over the responses' numbers
(at most DRIVER_SAMPLE of the newest responses: more rows do not change the estimates, only the
time). Operations behind the scores join tickets and orders: satisfaction by first-reply band,
resolution time, delivery delay and bounces.
"""

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

import numpy as np
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncMonth
from django.utils.translation import gettext

from shopdesk.surveys import analysis
from shopdesk.surveys.analysis.segments import segment_compare
from shopdesk.surveys.models import Dimension, Question, Response, Survey
from shopdesk.surveys.states import (
    CHOICE_KINDS,
    NUMERIC_KINDS,
    SCALES,
    TEXT_KINDS,
    ResponseStatus,
)

DRIVER_SAMPLE: Final = 20_000
TEXT_SAMPLE: Final = 5_000
SEGMENT_FIELDS: Final = {
    "channel": "channel",
    "merchant": "merchant__name",
    "product_category": "product_category",
    "customer_tier": "customer_tier",
    "region": "region",
    "agent": "agent__username",
}
HOUR = 3600.0
DAY = 86400.0
# (label, upper bound in seconds or days, exclusive; None = no bound)
FIRST_REPLY_BANDS: Final = (
    ("≤15 min", 15 * 60),
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


def _responses(
    survey: Survey, date_from: datetime | None, date_to: datetime | None
) -> QuerySet[Response]:
    qs = Response.objects.filter(survey=survey, status=ResponseStatus.COMPLETE)
    if date_from is not None:
        qs = qs.filter(submitted_at__gte=date_from)
    if date_to is not None:
        qs = qs.filter(submitted_at__lt=date_to)
    return qs


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


def _plain(value: Any) -> Any:
    """Dataclasses and numpy values as JSON-ready Python values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float):
        return round(value, 4)
    return value


def survey_report(
    *,
    survey: Survey,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
    by: str | None = None,
    language: str = "zh-hans",
) -> dict[str, Any]:
    """Every figure of the report as plain JSON-ready data."""
    version = survey.version
    questions = list(version.questions.select_related("dimension").order_by("position", "id"))
    dimensions = list(version.dimensions.order_by("position", "id"))
    responses = _responses(survey, date_from, date_to)
    headline = _headline(survey, responses)
    report: dict[str, Any] = {
        "survey": {
            "id": survey.pk,
            "name": survey.name,
            "version": version.number,
            "questionnaire": version.questionnaire.code,
        },
        "from": date_from.isoformat() if date_from else None,
        "to": date_to.isoformat() if date_to else None,
        **headline,
        "questions": [_question(responses, q, language) for q in questions],
        "dimensions": _dimensions(responses, dimensions, questions),
    }
    report["satisfaction_index"] = _plain(
        analysis.satisfaction_index(
            {d["code"]: d["score"] for d in report["dimensions"]},
            weights={d.code: d.weight for d in dimensions},
        )
    )
    report["drivers"] = _drivers(responses, dimensions, version.overall_code, questions)
    report["trend"] = _trend(responses)
    report["segments"] = [_segment(responses, name) for name in ([by] if by else SEGMENT_FIELDS)]
    report["operations"] = _operations(responses)
    report["themes"] = _themes(responses, questions)
    return report


def _headline(survey: Survey, responses: QuerySet[Response]) -> dict[str, Any]:
    agg = responses.aggregate(
        n=Count("id"),
        overall=Avg("overall"),
        csat_n=Count("id", filter=Q(csat__isnull=False)),
        csat_top=Count("id", filter=Q(csat__gte=4)),
        nps_n=Count("id", filter=Q(nps__isnull=False)),
        promoters=Count("id", filter=Q(nps__gte=9)),
        detractors=Count("id", filter=Q(nps__lte=6)),
        effort=Avg("effort"),
    )
    invited = survey.invitations.filter(sent_at__isnull=False).count()
    answered = survey.invitations.filter(answered_at__isnull=False).count()
    nps_n = agg["nps_n"] or 0
    return {
        "n": agg["n"],
        "invited": invited,
        "response_rate": _round(answered / invited) if invited else None,
        "overall_mean": _round(agg["overall"]),
        "csat": _round(agg["csat_top"] / agg["csat_n"]) if agg["csat_n"] else None,
        "nps": _round(100.0 * (agg["promoters"] - agg["detractors"]) / nps_n, 1) if nps_n else None,
        "nps_counts": {"promoters": agg["promoters"], "detractors": agg["detractors"], "n": nps_n},
        "effort": _round(agg["effort"]),
    }


def _label(question: Question, language: str) -> str:
    return question.text_en if language.startswith("en") and question.text_en else question.text_zh


def _question(responses: QuerySet[Response], question: Question, language: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "code": question.code,
        "kind": question.kind,
        "text": _label(question, language),
        "dimension": question.dimension.code if question.dimension else None,
    }
    if question.kind in NUMERIC_KINDS or question.kind == "single":
        counts = (
            responses.annotate(v=KT(f"answers__{question.code}"))
            .exclude(v__isnull=True)
            .values("v")
            .annotate(n=Count("id"))
            .order_by("v")
        )
        table = {str(c["v"]): c["n"] for c in counts}
        row["counts"] = table
        row["n"] = sum(table.values())
        if question.kind in NUMERIC_KINDS:
            low, high = SCALES[question.kind]
            values: Any = (
                np.repeat([float(k) for k in table], [table[k] for k in table]) if table else []
            )
            mean = analysis.scores.safe_mean(values)
            row.update(
                mean=_round(mean),
                top2=_round(analysis.top2_share(values, scale=(low, high))),
                score=_round(analysis.score_100(mean, scale=(low, high)), 1),
            )
    elif question.kind in CHOICE_KINDS or question.kind in TEXT_KINDS:
        row["n"] = responses.filter(answers__has_key=question.code).count()
    return row


def _dimensions(
    responses: QuerySet[Response], dimensions: Sequence[Dimension], questions: Sequence[Question]
) -> list[dict[str, Any]]:
    out = []
    for dimension in dimensions:
        items = [q for q in questions if q.dimension_id == dimension.pk and q.kind in NUMERIC_KINDS]
        mean = responses.aggregate(m=Avg(Cast(KT(f"scores__{dimension.code}"), FloatField())))["m"]
        scale = SCALES[items[0].kind] if items else (1, 5)
        top = responses.aggregate(
            n=Count("id", filter=Q(**{f"scores__{dimension.code}__isnull": False})),
            top=Count("id", filter=Q(**{f"scores__{dimension.code}__gte": scale[1] - 1})),
        )
        out.append(
            {
                "code": dimension.code,
                "name_zh": dimension.name_zh,
                "name_en": dimension.name_en,
                "weight": dimension.weight,
                "items": [q.code for q in items],
                "mean": _round(mean),
                "top2": _round(top["top"] / top["n"]) if top["n"] else None,
                "score": _round(analysis.score_100(mean, scale=scale), 1),
            }
        )
    return out


def _drivers(
    responses: QuerySet[Response],
    dimensions: Sequence[Dimension],
    overall_code: str,
    questions: Sequence[Question],
) -> dict[str, Any]:
    """Dimensions (or, without dimensions, the numeric questions) as drivers of overall."""
    rows = list(
        responses.exclude(overall__isnull=True)
        .order_by("-submitted_at")
        .values_list("overall", "scores", "answers")[:DRIVER_SAMPLE]
    )
    overall = np.array([r[0] for r in rows], dtype=float)
    if dimensions:
        names = [d.code for d in dimensions]
        columns = {n: [_num((r[1] or {}).get(n)) for r in rows] for n in names}
    else:
        names = [q.code for q in questions if q.kind in NUMERIC_KINDS and q.code != overall_code]
        columns = {n: [_num((r[2] or {}).get(n)) for r in rows] for n in names}
    if not names:
        return {"enough": False, "message": gettext("No items to explain overall satisfaction.")}
    result = analysis.key_drivers(columns, overall)
    data: dict[str, Any] = _plain(result)
    data["sampled"] = len(rows)
    return data


def _num(value: object) -> float:
    return (
        float(value) if isinstance(value, int | float) and not isinstance(value, bool) else np.nan
    )


def _trend(responses: QuerySet[Response]) -> list[dict[str, Any]]:
    rows = (
        responses.annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(
            n=Count("id"),
            overall=Avg("overall"),
            csat_n=Count("id", filter=Q(csat__isnull=False)),
            csat_top=Count("id", filter=Q(csat__gte=4)),
            nps_n=Count("id", filter=Q(nps__isnull=False)),
            promoters=Count("id", filter=Q(nps__gte=9)),
            detractors=Count("id", filter=Q(nps__lte=6)),
        )
        .order_by("month")
    )
    return [
        {
            "period": r["month"].strftime("%Y-%m") if r["month"] else None,
            "n": r["n"],
            "overall_mean": _round(r["overall"]),
            "csat": _round(r["csat_top"] / r["csat_n"]) if r["csat_n"] else None,
            "nps": _round(100.0 * (r["promoters"] - r["detractors"]) / r["nps_n"], 1)
            if r["nps_n"]
            else None,
        }
        for r in rows
    ]


def _segment(responses: QuerySet[Response], name: str) -> dict[str, Any]:
    field = SEGMENT_FIELDS.get(name)
    if field is None:
        return {
            "field": name,
            "error": gettext("Unknown segment %(s)r; use one of: %(all)s.")
            % {"s": name, "all": ", ".join(SEGMENT_FIELDS)},
        }
    rows = list(
        responses.exclude(overall__isnull=True)
        .order_by("-submitted_at")
        .values_list("overall", field)[:DRIVER_SAMPLE]
    )
    if not rows:
        return {"field": name, "groups": []}
    values = np.array([r[0] for r in rows], dtype=float)
    groups = np.array([str(r[1] or "") for r in rows])
    return {"field": name, **_plain(segment_compare(values, groups))}


def _bands(expression: Any, bands: Sequence[tuple[str, float | None]]) -> Case:
    whens = [
        When(band_value__lte=bound, then=Value(label))
        for label, bound in bands
        if bound is not None
    ]
    last = next(label for label, bound in bands if bound is None)
    return Case(*whens, default=Value(last), output_field=CharField())


def _grouped(
    qs: QuerySet[Response], bands: Sequence[tuple[str, float | None]]
) -> list[dict[str, Any]]:
    rows = {
        r["band"]: r
        for r in qs.annotate(band=_bands(F("band_value"), bands))
        .values("band")
        .annotate(n=Count("id"), overall=Avg("overall"), csat=Avg("csat"))
    }
    return [
        {
            "band": label,
            "n": rows[label]["n"],
            "overall_mean": _round(rows[label]["overall"]),
            "csat_mean": _round(rows[label]["csat"]),
        }
        for label, _ in bands
        if label in rows
    ]


def _operations(responses: QuerySet[Response]) -> dict[str, Any]:
    """Satisfaction by what happened to the customer: reply and resolution times of the
    response's ticket, the delivery delay of its order (days after the promised time) and the
    ticket's bounces between platform and merchant."""
    base = responses.exclude(overall__isnull=True)
    with_ticket = base.filter(ticket__isnull=False)
    first_reply = with_ticket.filter(ticket__first_replied_at__isnull=False).annotate(
        band_value=_duration_seconds("ticket__first_replied_at", "ticket__created_at")
    )
    resolution = with_ticket.filter(ticket__resolved_at__isnull=False).annotate(
        band_value=_duration_seconds("ticket__resolved_at", "ticket__created_at")
    )
    delay = base.filter(
        order__delivered_at__isnull=False, order__promised_delivery_at__isnull=False
    ).annotate(band_value=_duration_days("order__delivered_at", "order__promised_delivery_at"))
    bounces = (
        with_ticket.values("ticket__bounce_count")
        .annotate(n=Count("id"), overall=Avg("overall"))
        .order_by("ticket__bounce_count")
    )
    return {
        "first_reply": _grouped(first_reply, FIRST_REPLY_BANDS),
        "resolution": _grouped(resolution, RESOLUTION_BANDS),
        "delivery_delay": _grouped(delay, DELAY_BANDS),
        "bounces": [
            {
                "bounces": r["ticket__bounce_count"],
                "n": r["n"],
                "overall_mean": _round(r["overall"]),
            }
            for r in bounces
        ],
    }


class SecondsBetween(Func):
    """Seconds from one datetime column to another, on SQLite and PostgreSQL alike."""

    output_field = FloatField()

    def __init__(self, end: str, start: str) -> None:
        super().__init__(F(end), F(start))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))",
            arg_joiner=" - ",
            **extra,
        )


def _duration_seconds(end: str, start: str) -> Any:
    return SecondsBetween(end, start)


def _duration_days(end: str, start: str) -> Any:
    return ExpressionWrapper(SecondsBetween(end, start) / Value(DAY), output_field=FloatField())


def _themes(responses: QuerySet[Response], questions: Sequence[Question]) -> list[dict[str, Any]]:
    texts = [q for q in questions if q.kind == "text"]
    if not texts:
        return []
    out = []
    for question in texts:
        rows = list(
            responses.filter(answers__has_key=question.code)
            .order_by("-submitted_at")
            .values_list("answers", "overall")[:TEXT_SAMPLE]
        )
        documents = [str((r[0] or {}).get(question.code, "")) for r in rows]
        scores = [np.nan if r[1] is None else float(r[1]) for r in rows]
        out.append({"question": question.code, **_plain(analysis.themes(documents, scores=scores))})
    return out

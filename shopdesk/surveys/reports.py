"""The report of one survey: what `shopdesk survey report`, the report page and the exports
show. Counts, means, shares, distributions, dimensions, segments (with their significance
tests, from each group's sums), trend and the operations bands come from the running tallies
(surveys/tallies.py): one grouped query whatever the number of responses. The key-driver
regression and the open-text themes read the newest DRIVER_SAMPLE / TEXT_SAMPLE responses
(more rows do not change the estimates, only the time).
"""

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

import numpy as np
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from shopdesk.accounts.models import Merchant, User
from shopdesk.surveys import analysis
from shopdesk.surveys.analysis.segments import segment_compare_sums
from shopdesk.surveys.models import Dimension, Question, Response, ResponseTally, Survey
from shopdesk.surveys.services.responses import version_questions
from shopdesk.surveys.states import (
    NUMERIC_KINDS,
    SCALES,
    TEXT_KINDS,
    ResponseStatus,
)
from shopdesk.surveys.tallies import (
    DELAY_BANDS,
    FIRST_REPLY_BANDS,
    RESOLUTION_BANDS,
    SEGMENTS,
)

DRIVER_SAMPLE: Final = 20_000
TEXT_SAMPLE: Final = 5_000
SEGMENT_FIELDS: Final = SEGMENTS


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


def _tallies(
    survey: Survey, date_from: datetime | None, date_to: datetime | None
) -> QuerySet[ResponseTally]:
    qs = ResponseTally.objects.filter(survey=survey)
    if date_from is not None:
        qs = qs.filter(day__gte=timezone.localdate(date_from))
    if date_to is not None:
        qs = qs.filter(day__lt=timezone.localdate(date_to))
    return qs


@dataclasses.dataclass
class _Sum:
    n: int = 0
    total: float = 0.0
    squares: float = 0.0
    top: int = 0

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def share(self) -> float | None:
        return self.top / self.n if self.n else None


def _sums(tallies: QuerySet[ResponseTally]) -> dict[str, _Sum]:
    """Every key's sums over the period: one grouped query."""
    rows = (
        tallies.values("key")
        .annotate(n=Sum("n"), total=Sum("total"), squares=Sum("squares"), top=Sum("top"))
        .order_by()
    )
    return {
        r["key"]: _Sum(int(r["n"]), float(r["total"]), float(r["squares"]), int(r["top"]))
        for r in rows
    }


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
    questions = version_questions(version)
    dimensions = list(version.dimensions.order_by("position", "id"))
    responses = _responses(survey, date_from, date_to)
    tallies = _tallies(survey, date_from, date_to)
    sums = _sums(tallies)
    report: dict[str, Any] = {
        "survey": {
            "id": survey.pk,
            "name": survey.name,
            "version": version.number,
            "questionnaire": version.questionnaire.code,
        },
        "from": date_from.isoformat() if date_from else None,
        "to": date_to.isoformat() if date_to else None,
        **_headline(survey, sums, date_from, date_to),
        "questions": [_question(sums, q, language) for q in questions],
        "dimensions": _dimensions(sums, dimensions, questions),
    }
    report["satisfaction_index"] = _plain(
        analysis.satisfaction_index(
            {d["code"]: d["score"] for d in report["dimensions"]},
            weights={d.code: d.weight for d in dimensions},
        )
    )
    report["drivers"] = _drivers(responses, dimensions, version.overall_code, questions)
    _label_drivers(report["drivers"], dimensions, questions, language)
    report["trend"] = _trend(tallies)
    report["segments"] = [_segment(sums, name) for name in ([by] if by else SEGMENT_FIELDS)]
    report["operations"] = _operations(sums)
    report["themes"] = _themes(responses, questions)
    return report


def _headline(
    survey: Survey, sums: dict[str, _Sum], date_from: datetime | None, date_to: datetime | None
) -> dict[str, Any]:
    invitations = survey.invitations.all()
    if date_from is not None:
        invitations = invitations.filter(created_at__gte=date_from)
    if date_to is not None:
        invitations = invitations.filter(created_at__lt=date_to)
    counts = invitations.aggregate(
        invited=Count("id", filter=Q(sent_at__isnull=False)),
        answered=Count("id", filter=Q(sent_at__isnull=False, answered_at__isnull=False)),
    )
    promoters = sums.get("h:nps:promoter", _Sum()).n
    detractors = sums.get("h:nps:detractor", _Sum()).n
    nps_n = promoters + detractors + sums.get("h:nps:passive", _Sum()).n
    overall = sums.get("h:overall", _Sum())
    csat = sums.get("h:csat", _Sum())
    invited = counts["invited"]
    return {
        "n": sums.get("h:n", _Sum()).n,
        "invited": invited,
        "response_rate": _round(counts["answered"] / invited) if invited else None,
        "overall_mean": _round(overall.mean),
        "overall_top2": _round(overall.share),
        "csat": _round(csat.share),
        "nps": _round(100.0 * (promoters - detractors) / nps_n, 1) if nps_n else None,
        "nps_counts": {"promoters": promoters, "detractors": detractors, "n": nps_n},
        "effort": _round(sums.get("h:effort", _Sum()).mean),
    }


def _label(question: Question, language: str) -> str:
    return question.text_en if language.startswith("en") and question.text_en else question.text_zh


def _question(sums: dict[str, _Sum], question: Question, language: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "code": question.code,
        "kind": question.kind,
        "text": _label(question, language),
        "dimension": question.dimension.code if question.dimension else None,
    }
    prefix = f"q:{question.code}:"
    table = {k[len(prefix) :]: s.n for k, s in sums.items() if k.startswith(prefix)}
    if question.kind in NUMERIC_KINDS:
        table = dict(sorted(table.items(), key=lambda kv: float(kv[0])))
    row["counts"] = table
    row["n"] = sum(table.values())
    if question.kind in TEXT_KINDS:
        row["n"] = sums.get(f"t:{question.code}", _Sum()).n
    if question.kind in NUMERIC_KINDS:
        # From the counts themselves: a million answers are a dozen (value, count) pairs.
        low, high = SCALES[question.kind]
        cut = high if high - low <= 1 else high - 1
        n = sum(table.values())
        mean = sum(float(v) * c for v, c in table.items()) / n if n else None
        top = sum(c for v, c in table.items() if float(v) >= cut)
        row.update(
            mean=_round(mean),
            top2=_round(top / n) if n else None,
            score=_round(analysis.score_100(mean, scale=(low, high)), 1),
        )
    return row


def _dimensions(
    sums: dict[str, _Sum], dimensions: Sequence[Dimension], questions: Sequence[Question]
) -> list[dict[str, Any]]:
    out = []
    for dimension in dimensions:
        items = [q for q in questions if q.dimension_id == dimension.pk and q.kind in NUMERIC_KINDS]
        scale = SCALES[items[0].kind] if items else (1, 5)
        total = sums.get(f"d:{dimension.code}", _Sum())
        out.append(
            {
                "code": dimension.code,
                "name_zh": dimension.name_zh,
                "name_en": dimension.name_en,
                "weight": dimension.weight,
                "items": [q.code for q in items],
                "n": total.n,
                "mean": _round(total.mean),
                "top2": _round(total.share),
                "score": _round(analysis.score_100(total.mean, scale=scale), 1),
            }
        )
    return out


def _drivers(
    responses: QuerySet[Response],
    dimensions: Sequence[Dimension],
    overall_code: str,
    questions: Sequence[Question],
) -> dict[str, Any]:
    """Dimensions (or, without dimensions, the numeric questions) as drivers of overall, over
    the newest DRIVER_SAMPLE responses."""
    # Only the column needed: the answers JSON is ~1 KB a row, the dimension means ~0.2 KB.
    column = "scores" if dimensions else "answers"
    rows = list(
        responses.exclude(overall__isnull=True)
        .order_by("-submitted_at")
        .values_list("overall", column)[:DRIVER_SAMPLE]
    )
    overall = np.array([r[0] for r in rows], dtype=float)
    if dimensions:
        names = [d.code for d in dimensions]
    else:
        names = [q.code for q in questions if q.kind in NUMERIC_KINDS and q.code != overall_code]
    columns = {n: [_num((r[1] or {}).get(n)) for r in rows] for n in names}
    if not names:
        return {"enough": False, "message": gettext("No items to explain overall satisfaction.")}
    result = analysis.key_drivers(columns, overall)
    data: dict[str, Any] = _plain(result)
    data["sampled"] = len(rows)
    return data


# The bands are tally keys (stable); people read them in their language.
BAND_LABELS: Final = {
    "≤15 min": gettext_lazy("within 15 min"),
    "15–60 min": gettext_lazy("15–60 min"),
    "1–4 h": gettext_lazy("1–4 h"),
    "4–24 h": gettext_lazy("4–24 h"),
    "> 24 h": gettext_lazy("over 24 h"),
    "≤4 h": gettext_lazy("within 4 h"),
    "1–3 days": gettext_lazy("1–3 days"),
    "3–7 days": gettext_lazy("3–7 days"),
    "> 7 days": gettext_lazy("over 7 days"),
    "early or on time": gettext_lazy("early or on time"),
    "1–3 days late": gettext_lazy("1–3 days late"),
    "4–7 days late": gettext_lazy("4–7 days late"),
    "> 7 days late": gettext_lazy("over 7 days late"),
}
QUADRANTS: Final = {
    "fix_first": gettext_lazy("fix first"),
    "keep_up": gettext_lazy("keep up"),
    "possible_overkill": gettext_lazy("possible overkill"),
    "lower_priority": gettext_lazy("lower priority"),
}


def _label_drivers(
    drivers: dict[str, Any],
    dimensions: Sequence[Dimension],
    questions: Sequence[Question],
    language: str,
) -> None:
    """Names people read beside the codes: dimension or question text, quadrant in words."""
    english = language.startswith("en")
    names = {d.code: (d.name_en if english and d.name_en else d.name_zh) for d in dimensions}
    names.update({q.code: _label(q, language) for q in questions if q.code not in names})
    for item in drivers.get("items", []):
        item["label"] = names.get(item["name"], item["name"])
        quadrant = item.get("quadrant")
        item["quadrant_label"] = str(QUADRANTS.get(quadrant, quadrant or ""))
    drivers["fix_first_labels"] = [names.get(code, code) for code in drivers.get("fix_first", [])]


def _num(value: object) -> float:
    return (
        float(value) if isinstance(value, int | float) and not isinstance(value, bool) else np.nan
    )


def _trend(tallies: QuerySet[ResponseTally]) -> list[dict[str, Any]]:
    """Per month from the day tallies of the headline keys."""
    rows = (
        tallies.filter(
            key__in=[
                "h:n",
                "h:overall",
                "h:csat",
                "h:nps:promoter",
                "h:nps:passive",
                "h:nps:detractor",
            ]
        )
        .annotate(month=TruncMonth("day"))
        .values("month", "key")
        .annotate(n=Sum("n"), total=Sum("total"), top=Sum("top"))
        .order_by("month")
    )
    months: dict[Any, dict[str, _Sum]] = {}
    for r in rows:
        months.setdefault(r["month"], {})[r["key"]] = _Sum(
            int(r["n"]), float(r["total"]), 0.0, int(r["top"])
        )
    out = []
    for month, keys in sorted(months.items()):
        nps_n = sum(keys.get(f"h:nps:{g}", _Sum()).n for g in ("promoter", "passive", "detractor"))
        promoters = keys.get("h:nps:promoter", _Sum()).n
        detractors = keys.get("h:nps:detractor", _Sum()).n
        out.append(
            {
                "period": month.strftime("%Y-%m") if month else None,
                "n": keys.get("h:n", _Sum()).n,
                "overall_mean": _round(keys.get("h:overall", _Sum()).mean),
                "csat": _round(keys.get("h:csat", _Sum()).share),
                "nps": _round(100.0 * (promoters - detractors) / nps_n, 1) if nps_n else None,
            }
        )
    return out


def _segment_names(name: str, values: Sequence[str]) -> dict[str, str]:
    """Readable names of merchant and agent groups (tallied by id)."""
    if name == "merchant":
        return {
            str(pk): label
            for pk, label in Merchant.objects.filter(pk__in=values).values_list("pk", "name")
        }
    if name == "agent":
        return {
            str(pk): label
            for pk, label in User.objects.filter(pk__in=values).values_list("pk", "username")
        }
    return {}


def _segment(sums: dict[str, _Sum], name: str) -> dict[str, Any]:
    if name not in SEGMENT_FIELDS:
        return {
            "field": name,
            "error": gettext("Unknown segment %(s)r; use one of: %(all)s.")
            % {"s": name, "all": ", ".join(SEGMENT_FIELDS)},
        }
    prefix = f"s:{name}:"
    groups = {k[len(prefix) :]: s for k, s in sums.items() if k.startswith(prefix)}
    if not groups:
        return {"field": name, "groups": []}
    keys = sorted(groups)
    labels = _segment_names(name, keys)
    result = segment_compare_sums(
        [labels.get(k, k) for k in keys],
        n=[groups[k].n for k in keys],
        total=[groups[k].total for k in keys],
        squares=[groups[k].squares for k in keys],
        tops=[groups[k].top for k in keys],
    )
    return {"field": name, **_plain(result)}


def _operations(sums: dict[str, _Sum]) -> dict[str, Any]:
    """Satisfaction by what happened to the customer: reply and resolution times of the
    response's ticket, the delivery delay of its order (days after the promised time) and the
    ticket's bounces between platform and merchant (tallied when the response came in)."""

    def banded(measure: str, bands: Sequence[tuple[str, float | None]]) -> list[dict[str, Any]]:
        out = []
        for label, _ in bands:
            total = sums.get(f"o:{measure}:{label}")
            if total is not None and total.n:
                out.append(
                    {
                        "band": label,
                        "label": str(BAND_LABELS.get(label, label)),
                        "n": total.n,
                        "overall_mean": _round(total.mean),
                    }
                )
        return out

    prefix = "o:bounces:"
    bounces = sorted(
        ((int(k[len(prefix) :]), s) for k, s in sums.items() if k.startswith(prefix)),
        key=lambda pair: pair[0],
    )
    return {
        "first_reply": banded("first_reply", FIRST_REPLY_BANDS),
        "resolution": banded("resolution", RESOLUTION_BANDS),
        "delivery_delay": banded("delivery_delay", DELAY_BANDS),
        "bounces": [{"bounces": b, "n": s.n, "overall_mean": _round(s.mean)} for b, s in bounces],
    }


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

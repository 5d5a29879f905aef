"""Seeding of the survey benchmark: one survey of the published `ecommerce-service` version with
N complete responses over the last 12 months, and their running tallies.

Answers come from a latent-satisfaction model: each respondent has a satisfaction z (a little
higher for VIP customers and some regions, rising slowly over the year); each dimension's
factor is 0.7 z + noise and its items are 1–5 readings of that factor; overall is driven by
DRIVER_WEIGHTS (service, logistics, product information) only, so the key-driver analysis
has a known answer. Recommendation (NPS, 0–10) and intention to buy again follow overall; 10 %
leave a Chinese comment. Segments: channel, region (provinces), customer tier, category.

Responses are generated in time order in batches; each batch goes in with COPY (PostgreSQL)
or bulk_create (SQLite) and adds its tallies (computed here with tallies.response_increments,
the same increments a submitted response adds) in the same transaction, so a stopped seed
resumes where it left off.
"""

import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any, Final

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from shopdesk.surveys.models import (
    Invitation,
    Question,
    QuestionnaireVersion,
    Response,
    ResponseTally,
    Survey,
)
from shopdesk.surveys.services.responses import response_numbers, version_questions
from shopdesk.surveys.services.setup import survey_save
from shopdesk.surveys.states import (
    Channel,
    QuestionKind,
    ResponseSource,
    ResponseStatus,
    Trigger,
    VersionStatus,
)
from shopdesk.surveys.tallies import Increment, overall_scale, response_increments, tallies_add

BENCH_SURVEY: Final = "bench: ecommerce-service"
TEMPLATE: Final = "ecommerce-service"
SQLITE_LIMIT: Final = 20_000
DAYS: Final = 365
# Overall satisfaction = these dimension factors (weights) + noise; other dimensions only
# share the latent satisfaction.
DRIVER_WEIGHTS: Final = {"service": 0.45, "logistics": 0.30, "info": 0.20}
COMMENT_SHARE: Final = 0.10
COMMENTS: Final = (
    "物流太慢了，比承诺时间晚了三天才到。",
    "客服回复很及时，问题很快就解决了，点赞！",
    "商品和图片不符，颜色差别很大。",
    "退款到账太慢，希望能加快处理速度。",
    "包装很好，没有任何破损。",
    "客服态度很好，但是问题没有解决。",
    "促销规则太复杂，看不懂满减怎么算。",
    "App 搜索不好用，找不到想要的商品。",
    "快递员态度差，没有送货上门。",
    "整体购物体验不错，下次还会再来。",
    "缺货了也没有通知我，等了很久。",
    "高峰时段客服排队太久，等了半个小时。",
)
CHANNELS: Final = (("portal", 0.45), ("chat", 0.30), ("phone", 0.15), ("email", 0.10))
TIERS: Final = (("regular", 0.60), ("silver", 0.20), ("gold", 0.15), ("vip", 0.05))
TIER_SHIFT: Final = {"regular": 0.0, "silver": 0.05, "gold": 0.10, "vip": 0.25}
REGIONS: Final = (
    "广东省", "浙江省", "江苏省", "上海市", "北京市", "山东省", "四川省", "河南省",
    "湖北省", "福建省", "湖南省", "安徽省", "河北省", "辽宁省", "陕西省", "重庆市",
    "天津市", "江西省", "广西壮族自治区", "云南省", "山西省", "黑龙江省", "吉林省",
    "贵州省", "内蒙古自治区", "新疆维吾尔自治区", "甘肃省", "海南省", "宁夏回族自治区",
    "青海省", "西藏自治区",
)  # fmt: skip
CATEGORIES: Final = (
    "服装鞋帽", "手机数码", "家用电器", "美妆个护", "食品生鲜",
    "母婴用品", "家居家装", "图书文娱", "运动户外", "宠物用品",
)  # fmt: skip

Progress = Callable[[str], None]


class BenchError(Exception):
    """The benchmark cannot run as asked; the message says what to change."""


@dataclass(frozen=True)
class SeedConfig:
    responses: int = 1_000_000
    seed: int = 42
    batch: int = 10_000
    now: datetime | None = None


def bench_version() -> QuestionnaireVersion:
    version = (
        QuestionnaireVersion.objects.filter(
            questionnaire__code=TEMPLATE, status=VersionStatus.PUBLISHED
        )
        .order_by("-number")
        .first()
    )
    if version is None:
        raise BenchError(
            f"No published version of the built-in questionnaire {TEMPLATE!r}: run "
            "`shopdesk migrate` (migration surveys 0002 installs it)."
        )
    return version


def bench_survey() -> Survey:
    """The benchmark's survey, made on first use."""
    survey = Survey.objects.filter(name=BENCH_SURVEY).select_related("version").first()
    if survey is not None:
        return survey
    survey = Survey(
        name=BENCH_SURVEY,
        version=bench_version(),
        trigger=Trigger.MANUAL,
        channels=[Channel.PORTAL],
        link_days=30,
        reminder_days=0,
        is_active=False,  # never distributed by the scheduler
    )
    return survey_save(survey=survey)


def bench_reset() -> dict[str, int]:
    """Delete the bench survey with its responses, tallies and invitations."""
    counts = {"responses_deleted": 0, "invitations_deleted": 0}
    for survey in Survey.objects.filter(name=BENCH_SURVEY):
        with transaction.atomic():
            ResponseTally.objects.filter(survey=survey).delete()
            counts["responses_deleted"] += Response.objects.filter(survey=survey).delete()[0]
            counts["invitations_deleted"] += Invitation.objects.filter(survey=survey).delete()[0]
            survey.delete()
    return counts


def _pick(rng: np.random.Generator, table: Sequence[tuple[str, float]], size: int) -> Any:
    names = [name for name, _ in table]
    weights = np.array([w for _, w in table])
    return rng.choice(names, size=size, p=weights / weights.sum())


def _likert(rng: np.random.Generator, signal: Any, centre: float = 3.7) -> Any:
    """1–5 readings of a unit-variance signal with item noise."""
    raw = centre + 0.95 * (0.8 * signal + 0.6 * rng.standard_normal(signal.shape))
    return np.clip(np.rint(raw), 1, 5).astype(int)


def _answers(
    rng: np.random.Generator, questions: Sequence[Question], z: Any
) -> list[dict[str, Any]]:
    """Answer sets for latent satisfactions z: dimension items, overall, repurchase, NPS,
    and a comment for COMMENT_SHARE of them."""
    size = len(z)
    columns: dict[str, Any] = {}
    factors: dict[str, Any] = {}
    for question in questions:
        if question.dimension is None or question.kind != QuestionKind.LIKERT5:
            continue
        code = question.dimension.code
        if code not in factors:
            factors[code] = 0.7 * z + 0.714 * rng.standard_normal(size)
        columns[question.code] = _likert(rng, factors[code])
    drive = sum(w * factors.get(code, 0.0) for code, w in DRIVER_WEIGHTS.items())
    drive = drive / np.sqrt(sum(w * w for w in DRIVER_WEIGHTS.values()) * 1.2)
    columns["overall"] = _likert(rng, drive + 0.35 * rng.standard_normal(size))
    centred = (columns["overall"] - 3.7) / 0.9
    columns["repurchase"] = _likert(rng, 0.8 * centred)
    nps = np.rint(7.6 + 1.8 * (0.8 * centred + 0.6 * rng.standard_normal(size)))
    columns["recommend"] = np.clip(nps, 0, 10).astype(int)
    codes = {q.code for q in questions}
    numeric = [c for c in columns if c in codes]
    commented = rng.random(size) < COMMENT_SHARE
    comment = rng.integers(0, len(COMMENTS), size)
    rows = []
    for i in range(size):
        answers: dict[str, Any] = {c: int(columns[c][i]) for c in numeric}
        if commented[i] and "improve" in codes:
            answers["improve"] = COMMENTS[comment[i]]
        rows.append(answers)
    return rows


def _batch(
    *,
    survey: Survey,
    questions: Sequence[Question],
    rng: np.random.Generator,
    start: datetime,
    moments: Any,
) -> list[Response]:
    size = len(moments)
    tiers = _pick(rng, TIERS, size)
    regions = rng.choice(REGIONS, size=size)
    region_shift = {r: 0.3 * ((i * 7) % 5 - 2) / 2 for i, r in enumerate(REGIONS)}
    z = (
        rng.standard_normal(size)
        + np.array([TIER_SHIFT[t] for t in tiers])
        + np.array([region_shift[r] for r in regions])
        + 0.3 * (moments / (DAYS * 86400.0) - 0.5)  # a slow rise over the year
    )
    channels = _pick(rng, CHANNELS, size)
    categories = rng.choice(CATEGORIES, size=size)
    minutes = rng.integers(2, 15, size)
    version = survey.version
    out = []
    for i, answers in enumerate(_answers(rng, questions, z)):
        submitted = start + timedelta(seconds=float(moments[i]))
        numbers = response_numbers(version=version, questions=questions, answers=answers)
        out.append(
            Response(
                survey=survey,
                questionnaire_version=version,
                source=ResponseSource.IMPORT,
                status=ResponseStatus.COMPLETE,
                started_at=submitted - timedelta(minutes=int(minutes[i])),
                submitted_at=submitted,
                answers=answers,
                channel=str(channels[i]),
                product_category=str(categories[i]),
                customer_tier=str(tiers[i]),
                region=str(regions[i]),
                created_at=submitted,
                updated_at=submitted,
                **numbers,
            )
        )
    return out


def _cell(value: Any) -> Any:
    if isinstance(value, Enum):  # psycopg would send a member's name, not its value
        return value.value
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def _copy_responses(responses: Sequence[Response]) -> None:
    fields = [f for f in Response._meta.concrete_fields if not f.primary_key]
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(Response._meta.db_table)
    with connection.cursor() as cursor:
        pg = cursor.cursor  # type: ignore[attr-defined]
        with pg.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for response in responses:
                copy.write_row([_cell(getattr(response, f.attname)) for f in fields])


def _insert(responses: list[Response]) -> None:
    if connection.vendor == "postgresql":
        _copy_responses(responses)
    else:  # created_at becomes now here; the report reads submitted_at only
        Response.objects.bulk_create(responses, batch_size=500)


def _increments(
    responses: Sequence[Response], questions: Sequence[Question], scale: tuple[int, int]
) -> Iterator[Increment]:
    merged: dict[tuple[date, str], list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0])
    for response in responses:
        for inc in response_increments(response, questions, scale=scale):
            row = merged[(inc.day, inc.key)]
            row[0] += inc.n
            row[1] += inc.total
            row[2] += inc.squares
            row[3] += inc.top
    for (day, key), (n, total, squares, top) in merged.items():
        yield Increment(day, key, int(n), total, squares, int(top))


def bench_seed(*, config: SeedConfig, progress: Progress | None = None) -> dict[str, Any]:
    """Add complete responses to the bench survey until it has `config.responses`."""
    if connection.vendor != "postgresql" and config.responses > SQLITE_LIMIT:
        raise BenchError(
            f"The survey benchmark measures PostgreSQL; on {connection.vendor} it seeds at most "
            f"{SQLITE_LIMIT:,} responses. Set DATABASE_URL=postgres://... or lower --responses."
        )
    survey = bench_survey()
    questions = version_questions(survey.version)
    scale = overall_scale(survey, questions)
    have = Response.objects.filter(survey=survey, status=ResponseStatus.COMPLETE).count()
    missing = max(0, config.responses - have)
    now = config.now or timezone.now()
    start = now - timedelta(days=DAYS)
    rng = np.random.default_rng([config.seed, have])
    # Submit moments in time order, so each batch touches the tallies of a few days only.
    moments = np.sort(rng.uniform(0, DAYS * 86400.0 - 60, missing))
    started = timezone.now()
    for offset in range(0, missing, config.batch):
        part = moments[offset : offset + config.batch]
        responses = _batch(survey=survey, questions=questions, rng=rng, start=start, moments=part)
        with transaction.atomic():
            _insert(responses)
            tallies_add(survey, _increments(responses, questions, scale))
        done = offset + len(part)
        if progress is not None and (done == missing or done % (10 * config.batch) == 0):
            rate = done / max((timezone.now() - started).total_seconds(), 1e-6)
            progress(f"seeded {have + done:,} / {config.responses:,} responses ({rate:,.0f}/s)")
    return {
        "survey_id": survey.pk,
        "responses": have + missing,
        "created": missing,
        "seconds": round((timezone.now() - started).total_seconds(), 1),
    }

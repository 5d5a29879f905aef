"""The orders benchmark: import rate, a COPY reference, query and detail latency, import memory.

1. An Olist-layout folder of N synthetic orders is written (or reused with --keep).
2. `shopdesk import orders FOLDER --format olist --json` runs as a child process, so its peak
   resident memory is read from getrusage(RUSAGE_CHILDREN).ru_maxrss.
3. The same CSV rows are loaded with PostgreSQL COPY into plain text tables: the physical floor.
4. Ten typical multi-condition queries run through `order_page_for_user` as an admin, and
   200 order pages' reads (`order_get_for_user` + `order_timeline`).
"""

import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection

from shopdesk.accounts.models import User
from shopdesk.accounts.roles import Role
from shopdesk.core import crypto
from shopdesk.orders.bench_copy import copy_into_schema, copy_reference
from shopdesk.orders.filters import DEFAULT_SORT, OrderFilter
from shopdesk.orders.importers.olist_layout import FILES
from shopdesk.orders.importers.synthetic import write_olist_folder
from shopdesk.orders.models import Order, OrderItem, Shipment
from shopdesk.orders.selectors import order_get_for_user, order_page_for_user, order_timeline
from shopdesk.orders.states import OrderStatus
from shopdesk.orders.stats import percentile_cont

# (key, comparison, threshold): figures the platform must reach at 1,000,000 orders.
TARGETS: tuple[tuple[str, str, float], ...] = (
    ("import_orders_per_second", ">=", 20_000),
    ("query_p95_ms", "<=", 50),
    ("detail_p95_ms", "<=", 10),
    ("import_peak_mb", "<", 500),
)
BENCH_USERNAME = "bench-admin"
PAGE_SIZE = 20
ANALYZED_TABLES = (
    "accounts_merchant",
    "accounts_customer",
    "orders_product",
    "orders_order",
    "orders_orderitem",
    "orders_shipment",
    "orders_logisticsevent",
)


class BenchError(Exception):
    """The benchmark cannot run or a step failed; the message says what to do."""


@dataclass(frozen=True)
class BenchConfig:
    orders: int
    seed: int = 42
    keep: bool = False
    allow_sqlite: bool = False
    query_runs: int = 20
    detail_samples: int = 200


def _ms_summary(samples: list[float]) -> dict[str, float | None]:
    ordered = sorted(samples)
    p50, p95 = percentile_cont(ordered, 0.5), percentile_cont(ordered, 0.95)
    return {
        "p50_ms": None if p50 is None else round(p50, 3),
        "p95_ms": None if p95 is None else round(p95, 3),
    }


def bench_orders(*, config: BenchConfig) -> dict[str, Any]:
    """Run every stage and return one JSON-ready result with targets and whether each is met."""
    if config.orders < 1:
        raise BenchError("--orders must be at least 1.")
    if connection.vendor != "postgresql" and not config.allow_sqlite:
        raise BenchError(
            "The orders benchmark measures PostgreSQL: set DATABASE_URL=postgres://... "
            "(pass --allow-sqlite for a smoke run on SQLite; its figures mean little)."
        )
    existing = Order.objects.count()
    folder, generated = _folder(config)
    try:
        result: dict[str, Any] = {
            "orders": config.orders,
            "seed": config.seed,
            "database": connection.vendor,
            "existing_orders_before": existing,
            "folder": str(folder) if config.keep else None,
            "folder_generated": generated,
            "import": _import(folder),
            "copy": copy_reference(folder) if connection.vendor == "postgresql" else None,
            "analyze_seconds": _analyze(),
        }
        if connection.vendor == "postgresql":
            result["copy_into_schema"] = copy_into_schema()
    finally:
        if not config.keep:
            shutil.rmtree(folder, ignore_errors=True)
    user = _bench_admin()
    result["queries"] = _queries(user, config)
    result["detail"] = _details(user, config)
    result["summary"] = _summary(result)
    return result


def _folder(config: BenchConfig) -> tuple[Path, bool]:
    if config.keep:
        folder = Path(settings.VAR_DIR) / "bench" / f"olist-{config.orders}-s{config.seed}"
        if all((folder / name).exists() for name in FILES.values()):
            return folder, False
    else:
        folder = Path(tempfile.mkdtemp(prefix="shopdesk-bench-"))
    write_olist_folder(folder, orders=config.orders, seed=config.seed)
    return folder, True


def _database_url() -> str:
    """The URL of the database this process uses (under pytest, the test database)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        if str(db["NAME"]).startswith(":memory:") or "mode=memory" in str(db["NAME"]):
            raise BenchError("The import runs in a child process: use a file SQLite database.")
        return f"sqlite:///{db['NAME']}"
    user = quote(str(db.get("USER") or ""), safe="")
    password = quote(str(db.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(str(db['NAME']), safe='')}"


def _import(folder: Path) -> dict[str, Any]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": os.environ.get(
            "DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE
        ),
    }
    command = [sys.executable, "-m", "shopdesk", "import", "orders", str(folder)]
    command += ["--format", "olist", "--json", "--first-load"]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise BenchError(f"The import failed (exit {done.returncode}): {done.stderr[-2000:]}")
    report = _last_json_line(done.stdout)
    # ru_maxrss is in KiB on Linux: the largest child so far, i.e. this import.
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "orders": report.get("orders"),
        "items": report.get("items"),
        "rejected": report.get("rejected"),
        "seconds": report.get("seconds"),
        "orders_per_second": report.get("orders_per_second"),
        "wall_seconds": round(wall, 3),
        "wall_orders_per_second": round((report.get("orders") or 0) / wall, 1),
        "peak_rss_mb": round(peak_kib / 1024, 1),
    }


def _last_json_line(stdout: str) -> dict[str, Any]:
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            data: dict[str, Any] = json.loads(line)
            return data
    raise BenchError(f"The import printed no JSON summary: {stdout[-500:]}")


def _analyze() -> float | None:
    """Refresh planner statistics, as autovacuum eventually would: right after a bulk load the
    planner knows nothing about the new rows and picks plans 100x slower (measured)."""
    if connection.vendor != "postgresql":
        return None
    started = time.monotonic()
    with connection.cursor() as cursor:
        for table in ANALYZED_TABLES:
            cursor.execute(f"ANALYZE {table}")
    return round(time.monotonic() - started, 3)


def _bench_admin() -> User:
    user, _ = User.objects.get_or_create(username=BENCH_USERNAME)
    user.groups.add(Group.objects.get(name=Role.ADMIN))
    # A fresh instance: the permission cache must see the role just added.
    return User.objects.get(pk=user.pk)


def _timed(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm-up: the first run pays for plan caching and cold pages
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


@dataclass(frozen=True)
class _Sample:
    """Values taken from the data, so every query finds rows (or is an honest miss)."""

    merchant_id: int | None
    placed: date
    delivered: date
    phone: str
    category: str
    sku: str
    tracking: str


def _sample() -> _Sample:
    bounds = Order.objects.order_by("pk").values_list("pk", flat=True)
    middle = ((bounds.first() or 0) + (bounds.last() or 0)) // 2
    order = Order.objects.select_related("customer").filter(pk__gte=middle).order_by("pk").first()
    if order is None:
        raise BenchError("No orders were imported: nothing to query.")
    item = OrderItem.objects.select_related("product").filter(order=order).first()
    delivered = (
        Order.objects.filter(pk__gte=middle, delivered_at__isnull=False)
        .order_by("pk")
        .values_list("delivered_at", flat=True)
        .first()
    )
    phone = crypto.decrypt_str(order.customer.phone_enc) if order.customer else ""
    return _Sample(
        merchant_id=order.merchant_id,
        placed=order.placed_at.date(),
        delivered=(delivered or order.placed_at).date(),
        phone=phone or "13800138000",
        category=(item.product.category if item else "") or "electronics",
        sku=item.sku if item else "missing-sku",
        tracking=Shipment.objects.values_list("tracking_number", flat=True).first() or "SF0",
    )


def _query_cases(s: _Sample) -> list[tuple[str, OrderFilter, str]]:
    month = timedelta(days=15)
    return [
        (
            "status_and_date_range",
            OrderFilter(
                statuses=(OrderStatus.DELIVERED,), placed_from=s.placed - month, placed_to=s.placed
            ),
            DEFAULT_SORT,
        ),
        ("merchant_by_amount", OrderFilter(merchant_id=s.merchant_id), "-total_amount"),
        ("customer_phone", OrderFilter(customer_phone=s.phone), DEFAULT_SORT),
        ("category", OrderFilter(category=s.category), DEFAULT_SORT),
        ("sku", OrderFilter(sku=s.sku), DEFAULT_SORT),
        ("tracking_number", OrderFilter(tracking_number=s.tracking), DEFAULT_SORT),
        ("late", OrderFilter(is_late=True), DEFAULT_SORT),
        (
            "amount_range",
            OrderFilter(amount_min=Decimal(100), amount_max=Decimal(200)),
            "total_amount",
        ),
        (
            "delivered_range",
            OrderFilter(delivered_from=s.delivered - month, delivered_to=s.delivered),
            "-delivered_at",
        ),
        ("page_200", OrderFilter(), DEFAULT_SORT),
    ]


def _deep_cursor(user: User, filters: OrderFilter, sort: str, page: int) -> tuple[str | None, int]:
    """The cursor of page `page` (walked untimed) and the page reached if there are fewer."""
    cursor, reached = None, 1
    while reached < page:
        next_cursor = order_page_for_user(
            user=user, filters=filters, sort=sort, cursor=cursor, limit=PAGE_SIZE
        ).next_cursor
        if next_cursor is None:
            break
        cursor, reached = next_cursor, reached + 1
    return cursor, reached


def _queries(user: User, config: BenchConfig) -> dict[str, Any]:
    per_query = []
    everything: list[float] = []
    for name, filters, sort in _query_cases(_sample()):
        cursor, page = _deep_cursor(user, filters, sort, 200) if name == "page_200" else (None, 1)

        def run(
            filters: OrderFilter = filters, sort: str = sort, cursor: str | None = cursor
        ) -> int:
            page = order_page_for_user(
                user=user, filters=filters, sort=sort, cursor=cursor, limit=PAGE_SIZE
            )
            return len(page.items)

        samples = _timed(run, config.query_runs)
        everything += samples
        per_query.append({"name": name, "page": page, "rows": run(), **_ms_summary(samples)})
    worst = max((q["p95_ms"] or 0.0) for q in per_query)
    return {
        "runs_each": config.query_runs,
        "page_size": PAGE_SIZE,
        "cases": per_query,
        **_ms_summary(everything),
        "worst_p95_ms": worst,
    }


def _details(user: User, config: BenchConfig) -> dict[str, Any]:
    rng = random.Random(config.seed)  # noqa: S311 - picking orders, not security
    bounds = Order.objects.order_by("pk").values_list("pk", flat=True)
    low, high = bounds.first(), bounds.last()
    if low is None or high is None:
        return {"samples": 0, "p50_ms": None, "p95_ms": None}
    ids = []
    for _ in range(config.detail_samples):
        pick = rng.randint(low, high)
        ids.append(bounds.filter(pk__gte=pick).first() or high)
    order_timeline(order=order_get_for_user(user=user, order_id=ids[0]))  # warm-up
    samples = []
    for order_id in ids:
        started = time.perf_counter()
        order_timeline(order=order_get_for_user(user=user, order_id=order_id))
        samples.append((time.perf_counter() - started) * 1000)
    return {"samples": len(samples), **_ms_summary(samples)}


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    values = {
        "import_orders_per_second": result["import"]["orders_per_second"],
        "query_p95_ms": result["queries"]["worst_p95_ms"],
        "detail_p95_ms": result["detail"]["p95_ms"],
        "import_peak_mb": result["import"]["peak_rss_mb"],
    }
    checks = {">=": float.__ge__, "<=": float.__le__, "<": float.__lt__}
    summary = {}
    for key, op, threshold in TARGETS:
        value = values[key]
        met = None if value is None else checks[op](float(value), float(threshold))
        summary[key] = {"value": value, "target": f"{op} {threshold:g}", "met": met}
    return summary

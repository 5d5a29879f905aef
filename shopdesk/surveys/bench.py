"""`shopdesk bench surveys`: the survey figures of issue 5's Speed section, each next to its
target, as one JSON-ready dict.

- report: `survey_report()` over the seeded survey (all figures; a 90-day range; by region),
  one warm-up then `samples` timed runs each; target p50 <= 2 s;
- submit: the app on a threaded WSGI server on 127.0.0.1 in this process (as chat/bench.py);
  per invitation a GET of the answering page (not timed: CSRF cookie and token), then the POST
  of a complete answer set timed until the redirect to the thank-you page arrives; one client
  at a time; target p95 <= 50 ms;
- analyze: `shopdesk survey analyze` on a generated CSV, as a subprocess (Django start-up
  included); target <= 3 s.
"""

import csv
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlencode, urlsplit

import numpy as np
from django.db import connection
from django.utils import timezone

from shopdesk.core.bench_server import bench_server
from shopdesk.surveys.bench_seed import (
    REGIONS,
    BenchError,
    SeedConfig,
    bench_reset,
    bench_seed,
    bench_survey,
)
from shopdesk.surveys.models import Invitation, Question, Response, ResponseTally, Survey
from shopdesk.surveys.reports import survey_report
from shopdesk.surveys.services.distribution import invitation_create
from shopdesk.surveys.services.responses import version_questions
from shopdesk.surveys.states import SCALES, QuestionKind, ResponseStatus

__all__ = ["BenchConfig", "BenchError", "bench_surveys"]

TARGET_REPORT_S: Final = 2.0
TARGET_SUBMIT_P95_MS: Final = 50.0
TARGET_ANALYZE_S: Final = 3.0
TIMEOUT_SECONDS: Final = 30.0
_CSRF_INPUT: Final = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BenchConfig:
    responses: int = 1_000_000
    submits: int = 300
    csv_rows: int = 100_000
    samples: int = 5
    reset: bool = False
    skip_seed: bool = False
    seed: int = 42


def _quiet(message: str) -> None:
    pass


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _timed(run: Callable[[], object], samples: int) -> dict[str, float]:
    run()  # warm-up: caches, first connection, imports
    seconds = []
    for _ in range(samples):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return {"p50_s": round(statistics.median(seconds), 3), "max_s": round(max(seconds), 3)}


def bench_report(*, survey: Survey, samples: int) -> dict[str, Any]:
    """survey_report() timed over everything, over the last 90 days, and by region."""
    now = timezone.now()
    cases: dict[str, Callable[[], object]] = {
        "all": lambda: survey_report(survey=survey),
        "last_90_days": lambda: survey_report(
            survey=survey, date_from=now - timedelta(days=90), date_to=now
        ),
        "by_region": lambda: survey_report(survey=survey, by="region"),
    }
    result: dict[str, Any] = {name: _timed(run, samples) for name, run in cases.items()}
    worst = max(case["p50_s"] for case in result.values())
    return {
        **result,
        "samples": samples,
        "target_s": TARGET_REPORT_S,
        "met": worst <= TARGET_REPORT_S,
    }


def answer_form(questions: Sequence[Question], rng: np.random.Generator) -> dict[str, str]:
    """A complete, valid answer set as the answering page posts it."""
    form: dict[str, str] = {}
    for question in questions:
        if question.kind in SCALES:
            low, high = SCALES[question.kind]
            form[question.code] = str(int(rng.integers(max(low, high - 2), high + 1)))
        elif question.kind == QuestionKind.TEXT:
            form[question.code] = "客服很专业，物流也快。"
        elif question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and question.options:
            form[question.code] = str(question.options[0].get("value"))
    form["action"] = "submit"
    return form


def _cookie(response: http.client.HTTPResponse) -> str:
    jar = []
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.append(header.split(";", 1)[0])
    return "; ".join(jar)


def _submit_one(
    conn: http.client.HTTPConnection, path: str, form: dict[str, str], thanks: str
) -> float:
    conn.request("GET", path)
    page = conn.getresponse()
    html = page.read().decode()
    found = _CSRF_INPUT.search(html)
    if page.status != 200 or found is None:
        raise BenchError(f"the answering page answered {page.status} without a form")
    body = urlencode({**form, "csrfmiddlewaretoken": found.group(1)}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": _cookie(page)}
    started = time.perf_counter()
    conn.request("POST", path, body=body, headers=headers)
    answer = conn.getresponse()
    answer.read()
    elapsed = time.perf_counter() - started
    location = answer.headers.get("Location", "")
    if answer.status != 302 or urlsplit(location).path != thanks:
        raise BenchError(f"submitting answered {answer.status} (to {location!r}), not the thanks")
    return elapsed * 1000


def bench_submit(*, survey: Survey, count: int, seed: int = 42) -> dict[str, Any]:
    """`count` invitations answered over HTTP, one after another; POST times in ms."""
    questions = version_questions(survey.version)
    rng = np.random.default_rng(seed)
    paths = []
    for _ in range(count):
        url = invitation_create(survey=survey, customer=None).url
        paths.append(urlsplit(url).path)
    latencies = []
    with bench_server() as (host, port):
        conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT_SECONDS)
        try:
            for path in paths:
                form = answer_form(questions, rng)
                latencies.append(_submit_one(conn, path, form, f"{path}thanks/"))
        finally:
            conn.close()
    p95 = _percentile(latencies, 0.95)
    return {
        "submits": len(latencies),
        "clients": 1,
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(max(latencies), 1),
        "target_p95_ms": TARGET_SUBMIT_P95_MS,
        "met": p95 <= TARGET_SUBMIT_P95_MS,
    }


def write_csv(path: Path, *, rows: int, seed: int = 42) -> None:
    """rows of 10 items driven by a latent satisfaction, an overall, a region and a date."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(rows)
    items = [
        np.clip(np.rint(3.6 + 0.9 * (0.7 * z + 0.7 * rng.standard_normal(rows))), 1, 5)
        for _ in range(10)
    ]
    drive = 0.5 * items[0] + 0.3 * items[1] + 0.2 * items[2]
    overall = np.clip(np.rint(drive + 0.6 * rng.standard_normal(rows)), 1, 5)
    regions = rng.choice(REGIONS[:12], size=rows)
    start = timezone.localdate() - timedelta(days=365)
    days = rng.integers(0, 365, rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*(f"item_{i + 1}" for i in range(10)), "overall", "region", "date"])
        for r in range(rows):
            writer.writerow(
                [
                    *(int(column[r]) for column in items),
                    int(overall[r]),
                    regions[r],
                    (start + timedelta(days=int(days[r]))).isoformat(),
                ]
            )


def bench_analyze(*, rows: int, seed: int = 42) -> dict[str, Any]:
    """The real command in a child process on a generated CSV of `rows` rows."""
    with tempfile.TemporaryDirectory(prefix="shopdesk-bench-surveys-") as folder:
        path = Path(folder) / "responses.csv"
        write_csv(path, rows=rows, seed=seed)
        argv = [sys.executable, "-m", "shopdesk", "survey", "analyze", str(path)]
        argv += ["--overall", "overall", "--segment", "region", "--json"]
        env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "0")}
        started = time.perf_counter()
        # Our own interpreter and command on our own file: no untrusted input.
        done = subprocess.run(argv, env=env, check=False, capture_output=True, text=True)  # noqa: S603
        seconds = time.perf_counter() - started
        size = path.stat().st_size
    if done.returncode:
        raise BenchError(f"survey analyze failed ({done.returncode}): {done.stderr[-500:]}")
    report = json.loads(done.stdout)
    return {
        "rows": rows,
        "analyzed_n": report.get("n"),
        "csv_bytes": size,
        "seconds": round(seconds, 3),
        "target_s": TARGET_ANALYZE_S,
        "met": seconds <= TARGET_ANALYZE_S,
    }


def _counts(survey: Survey) -> dict[str, int]:
    return {
        "responses": Response.objects.filter(survey=survey, status=ResponseStatus.COMPLETE).count(),
        "tally_rows": ResponseTally.objects.filter(survey=survey).count(),
        "invitations": Invitation.objects.filter(survey=survey).count(),
    }


def bench_surveys(*, config: BenchConfig, progress: Progress = _quiet) -> dict[str, Any]:
    """Seed (unless skipped), then time report, submit and analyze."""
    started = time.perf_counter()
    result: dict[str, Any] = {"database": connection.vendor}
    if config.reset:
        progress("deleting the bench survey's data")
        result["reset"] = bench_reset()
    if not config.skip_seed:
        progress(f"seeding {config.responses:,} responses")
        seed_config = SeedConfig(responses=config.responses, seed=config.seed)
        result["seed"] = bench_seed(config=seed_config, progress=progress)
    survey = bench_survey()
    result["counts"] = _counts(survey)
    progress(f"timing the report over {result['counts']['responses']:,} responses")
    result["report"] = bench_report(survey=survey, samples=config.samples)
    progress(f"submitting {config.submits} responses over HTTP")
    result["submit"] = bench_submit(survey=survey, count=config.submits, seed=config.seed)
    progress(f"analyzing a {config.csv_rows:,}-row CSV")
    result["analyze"] = bench_analyze(rows=config.csv_rows, seed=config.seed)
    result["all_met"] = all(result[k]["met"] for k in ("report", "submit", "analyze"))
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result

import json
from importlib import import_module
from pathlib import Path

import numpy as np
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from shopdesk.surveys.bench import answer_form, write_csv
from shopdesk.surveys.bench_seed import (
    COMMENTS,
    REGIONS,
    BenchError,
    SeedConfig,
    bench_reset,
    bench_seed,
    bench_survey,
)
from shopdesk.surveys.models import Invitation, Response, ResponseTally, Survey
from shopdesk.surveys.services.responses import answers_clean, version_questions
from shopdesk.surveys.states import ResponseStatus
from shopdesk.surveys.tallies import tallies_rebuild
from shopdesk.surveys.tests.factories import ResponseFactory


@pytest.fixture(autouse=True)
def _builtin_templates(db):
    # A transactional test run before may have flushed what migration 0002 installs.
    import_module("shopdesk.surveys.migrations.0002_builtin_templates").forwards(apps, None)


def _tallies(survey):
    return {
        (t.day, t.key): (t.n, pytest.approx(t.total), pytest.approx(t.squares), t.top)
        for t in ResponseTally.objects.filter(survey=survey)
    }


@pytest.mark.django_db
def test_bench_refuses_big_runs_off_postgresql():
    if connection.vendor == "postgresql":
        pytest.skip("only SQLite is refused")
    # when / then
    with pytest.raises(BenchError, match="DATABASE_URL=postgres"):
        bench_seed(config=SeedConfig(responses=20_001))
    with pytest.raises(CommandError, match="measures PostgreSQL"):
        call_command("bench_surveys", "--responses", "1000000")
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_seed_makes_valid_spread_responses_whose_tallies_equal_a_rebuild():
    # given
    other = ResponseFactory(answered=True)  # not the bench's: reset must keep it
    # when: batches smaller than the run, so tallies are added batch after batch
    first = bench_seed(config=SeedConfig(responses=600, seed=3, batch=250))
    # then
    survey = bench_survey()
    responses = Response.objects.filter(survey=survey)
    assert first["created"] == 600
    assert responses.filter(status=ResponseStatus.COMPLETE).count() == 600
    questions = version_questions(survey.version)
    for response in responses[:50]:
        cleaned = answers_clean(questions=questions, raw=response.answers, final=True)
        assert cleaned.errors == []
        assert cleaned.values == response.answers
        assert response.overall == response.answers["overall"]
        assert response.nps == response.answers["recommend"]
        assert set(response.scores) == {d.code for d in survey.version.dimensions.all()}
        assert response.region in REGIONS
        assert all([response.channel, response.customer_tier, response.product_category])
    months = {r.submitted_at.strftime("%Y-%m") for r in responses.only("submitted_at")}
    assert len(months) >= 12
    commented = [r.answers["improve"] for r in responses if "improve" in r.answers]
    assert 30 <= len(commented) <= 90  # 10 % of 600
    assert set(commented) <= set(COMMENTS)
    # and the tallies written while seeding are what a recount makes
    seeded = _tallies(survey)
    assert tallies_rebuild(survey=survey) == 600
    assert _tallies(survey) == seeded
    # when: run again, then asked for more
    again = bench_seed(config=SeedConfig(responses=600, seed=3, batch=250))
    more = bench_seed(config=SeedConfig(responses=650, seed=3, batch=250))
    # then
    assert again["created"] == 0
    assert more["created"] == 50
    seeded = _tallies(survey)
    assert tallies_rebuild(survey=survey) == 650
    assert _tallies(survey) == seeded
    # when
    reset = bench_reset()
    # then
    assert reset["responses_deleted"] == 650
    assert not Survey.objects.filter(pk=survey.pk).exists()
    assert not ResponseTally.objects.filter(survey_id=survey.pk).exists()
    assert list(Response.objects.all()) == [other]


@pytest.mark.django_db
def test_overall_follows_the_driver_dimensions():
    # when
    bench_seed(config=SeedConfig(responses=3000, seed=5, batch=1000))
    # then: the three driver dimensions correlate with overall more than the others
    rows = Response.objects.filter(survey=bench_survey()).values_list("overall", "scores")
    overall = np.array([r[0] for r in rows])
    r = {code: float(np.corrcoef(overall, [s[code] for _, s in rows])[0, 1]) for code in rows[0][1]}
    drivers = {"service", "logistics", "info"}
    assert min(r[c] for c in drivers) > max(v for c, v in r.items() if c not in drivers)


@pytest.mark.django_db
def test_answer_form_is_a_complete_valid_answer_set():
    # given
    questions = version_questions(bench_survey().version)
    # when
    form = answer_form(questions, np.random.default_rng(1))
    # then
    assert form.pop("action") == "submit"
    cleaned = answers_clean(questions=questions, raw=form, final=True)
    assert cleaned.errors == []
    assert set(cleaned.values) == {q.code for q in questions}


def test_csv_has_the_columns_and_rows_asked_for(tmp_path: Path):
    # when
    path = tmp_path / "r.csv"
    write_csv(path, rows=200, seed=1)
    # then
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",") == [
        *(f"item_{i}" for i in range(1, 11)),
        "overall",
        "region",
        "date",
    ]
    assert len(lines) == 201
    first = lines[1].split(",")
    assert all(1 <= int(v) <= 5 for v in first[:11])
    assert first[11] in REGIONS


@pytest.mark.django_db(transaction=True)
def test_bench_reports_every_figure(capsys):
    # given
    import_module("shopdesk.surveys.migrations.0002_builtin_templates").forwards(apps, None)
    # when: the whole code path at a tiny scale
    call_command(
        "bench_surveys", "--responses", "200", "--submits", "4", "--csv-rows", "300",
        "--samples", "1", "--reset", "--json",
    )  # fmt: skip
    # then
    result = json.loads(capsys.readouterr().out)
    assert result["database"] == connection.vendor
    assert result["seed"]["created"] == 200
    assert result["counts"] == {"responses": 200, "tally_rows": result["counts"]["tally_rows"],
                                "invitations": 0}  # fmt: skip
    assert result["counts"]["tally_rows"] > 0
    for case in ("all", "last_90_days", "by_region"):
        assert 0 < result["report"][case]["p50_s"] <= result["report"][case]["max_s"]
    assert result["report"]["target_s"] == 2.0
    submit = result["submit"]
    assert submit["submits"] == 4
    assert 0 < submit["p50_ms"] <= submit["p95_ms"] <= submit["max_ms"]
    assert submit["target_p95_ms"] == 50.0
    assert result["analyze"]["analyzed_n"] == 300
    assert result["analyze"]["target_s"] == 3.0
    for part in ("report", "submit", "analyze"):
        assert isinstance(result[part]["met"], bool)
    assert result["all_met"] == all(result[p]["met"] for p in ("report", "submit", "analyze"))
    # and the submitted answers are complete responses counted in the tallies
    survey = bench_survey()
    complete = Response.objects.filter(survey=survey, status=ResponseStatus.COMPLETE)
    assert complete.count() == 204
    assert Invitation.objects.filter(survey=survey, status="answered").count() == 4
    seeded = _tallies(survey)
    tallies_rebuild(survey=survey)
    assert _tallies(survey) == seeded

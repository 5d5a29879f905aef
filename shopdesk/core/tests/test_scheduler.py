import threading

import pytest
from celery import current_app

from config.celery import app
from shopdesk.core import scheduler as scheduler_module
from shopdesk.core.scheduler import Job, Scheduler, should_start, start_if_serving


@pytest.mark.parametrize(
    ("argv", "environ", "enabled", "expected"),
    [
        (["manage.py", "runserver"], {"RUN_MAIN": "true"}, True, True),
        (["shopdesk", "serve"], {"RUN_MAIN": "true"}, True, True),
        (["shopdesk", "serve", "--noreload"], {}, True, True),
        (["/venv/bin/gunicorn", "config.wsgi"], {}, True, True),
        # the autoreloader's watching parent, other commands, and the setting off
        (["shopdesk", "serve"], {}, True, False),
        (["manage.py", "migrate"], {"RUN_MAIN": "true"}, True, False),
        (["celery", "-A", "config", "worker"], {}, True, False),
        (["/venv/bin/pytest"], {}, True, False),
        (["/venv/bin/gunicorn", "config.wsgi"], {}, False, False),
        (["manage.py", "runserver"], {"RUN_MAIN": "true"}, False, False),
    ],
)
def test_scheduler_starts_only_in_a_serving_process_with_the_setting_on(
    argv, environ, enabled, expected
):
    assert should_start(argv=argv, environ=environ, enabled=enabled) is expected


def test_test_settings_keep_the_scheduler_off(monkeypatch):
    # given a process that looks like the dev server
    started = []
    monkeypatch.setattr(scheduler_module.scheduler, "start", lambda: started.append(1) or True)

    # when
    result = start_if_serving(argv=["manage.py", "runserver"], environ={"RUN_MAIN": "true"})

    # then
    assert result is False
    assert started == []


def _in_thread(func):
    # run_pass closes the connections of its thread: keep it off the test's own connection.
    result = []
    thread = threading.Thread(target=lambda: result.append(func()))
    thread.start()
    thread.join(5)
    return result[0]


def test_failing_job_is_logged_and_the_others_run_each_at_its_interval(caplog):
    # given
    calls = []

    def broken():
        raise RuntimeError("boom")

    runner = Scheduler(
        [
            Job("broken", broken, 30),
            Job("scan", lambda: calls.append("scan"), 30),
            Job("hourly", lambda: calls.append("hourly"), 3600),
        ]
    )

    # when
    first = _in_thread(lambda: runner.run_pass(clock=1000.0))
    soon = _in_thread(lambda: runner.run_pass(clock=1010.0))
    later = _in_thread(lambda: runner.run_pass(clock=1031.0))

    # then
    assert first == ["broken", "scan", "hourly"]
    assert soon == []
    assert later == ["broken", "scan"]
    assert calls == ["scan", "hourly", "scan"]
    assert "Background job broken failed" in caplog.text


def test_start_is_idempotent_and_stop_ends_the_thread():
    # given
    runner = Scheduler([], tick=0.01)

    # when
    started, again = runner.start(), runner.start()

    # then
    assert (started, again) == (True, False)
    assert runner.is_running
    runner.stop()
    assert not runner.is_running


def test_every_periodic_job_is_a_task_and_a_function():
    # the in-process scheduler and Celery beat run the same list (config/schedule.py)
    jobs = scheduler_module.periodic_jobs()
    assert {j.name for j in jobs} == {
        "tickets.sla_scan",
        "notifications.deliver_due",
        "tickets.route_waiting",
        "chat.convert_unanswered",
        "mail.poll",
        "surveys.distribute",
        "tickets.auto_close",
    }
    assert all(callable(j.run) for j in jobs)
    app.loader.import_default_modules()
    registered = set(current_app.tasks)
    assert {j.name for j in jobs} <= registered
    assert {e["task"] for e in app.conf.beat_schedule.values()} == {j.name for j in jobs}


def test_mail_poll_job_does_nothing_until_imap_is_configured(settings):
    settings.SHOPDESK_MAIL_IMAP = {}
    [poll] = [j for j in scheduler_module.periodic_jobs() if j.name == "mail.poll"]
    assert poll.run() == {}

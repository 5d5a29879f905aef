"""The Celery application. Background work runs here in production (Redis broker):
`celery -A config worker` and one `celery -A config beat` (docs/operators.md).

Locally and in tests CELERY_TASK_ALWAYS_EAGER runs the same task functions in-process, and the
dev server runs the periodic ones in a thread (shopdesk/core/scheduler.py); the list of
periodic jobs is config/schedule.py.
"""

import os

from celery import Celery

from config.schedule import PERIODIC_JOBS

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("shopdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The tasks write to the database and nobody waits for their return values; set
# CELERY_RESULT_BACKEND (e.g. redis://127.0.0.1:6379/1) to keep them, as the Celery test does.
if os.environ.get("CELERY_RESULT_BACKEND"):
    app.conf.update(result_backend=os.environ["CELERY_RESULT_BACKEND"])
app.conf.beat_schedule = {
    job.task.replace(".", "-"): {"task": job.task, "schedule": job.every} for job in PERIODIC_JOBS
}

"""The Celery application. Background work runs here in production (Redis broker).

Locally and in tests CELERY_TASK_ALWAYS_EAGER runs the same task functions in-process.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("shopdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.beat_schedule = {
    "notifications-deliver-due": {"task": "notifications.deliver_due", "schedule": 60.0},
}

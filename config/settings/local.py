"""Laptop and demo settings: SQLite under var/, debug on, development keys.

The development keys below are public: never use this module with real customer data.
"""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import VAR_DIR, env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-secret-key-change-me")
SHOPDESK_FIELD_KEYS = [
    k
    for k in os.environ.get(
        "SHOPDESK_FIELD_KEYS", "ZGV2LW9ubHktZmllbGQta2V5LWRvLW5vdC11c2UhISE="
    ).split(",")
    if k
]
SHOPDESK_LOOKUP_KEY = os.environ.get("SHOPDESK_LOOKUP_KEY", "dev-only-lookup-key")
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
VAR_DIR.mkdir(parents=True, exist_ok=True)
# Background work (SLA scan, auto-close, notification delivery) in a thread of the dev server:
# no Redis or Celery needed on a laptop (shopdesk/core/scheduler.py).
SHOPDESK_INPROCESS_SCHEDULER = env_bool("SHOPDESK_INPROCESS_SCHEDULER", True)

"""Test settings: SQLite in memory unless DATABASE_URL names another database."""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import database_from_env

SECRET_KEY = "test-secret-key"
SHOPDESK_FIELD_KEYS = ["dGVzdC1vbmx5LWZpZWxkLWtleS0zMi1ieXRlcyEhISE="]
SHOPDESK_LOOKUP_KEY = "test-lookup-key"
DATABASES = {"default": database_from_env(os.environ.get("DATABASE_URL", "sqlite://:memory:"))}
# Live-server request threads must close their connections, or the test database cannot be
# dropped at the end of a PostgreSQL run.
DATABASES["default"]["CONN_MAX_AGE"] = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SHOPDESK_SMS_BACKEND = "shopdesk.notifications.backends.LocmemSmsBackend"
CELERY_TASK_ALWAYS_EAGER = True
LANGUAGE_CODE = "en"
# SLA policies and calendars are cached a few seconds in serving processes; tests edit them.
SHOPDESK_SLA_CACHE_SECONDS = 0
# Likewise the routing roster (agents, skills, teams).
SHOPDESK_ROUTING_CACHE_SECONDS = 0
SHOPDESK_INPROCESS_SCHEDULER = False

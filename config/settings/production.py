"""Production settings: every secret comes from the environment and must be present."""

import os

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import SECRET_KEY, SHOPDESK_FIELD_KEYS, SHOPDESK_LOOKUP_KEY, env_bool

for _name, _value in {
    "SECRET_KEY": SECRET_KEY,
    "SHOPDESK_FIELD_KEYS": SHOPDESK_FIELD_KEYS,
    "SHOPDESK_LOOKUP_KEY": SHOPDESK_LOOKUP_KEY,
}.items():
    if not _value:
        raise ImproperlyConfigured(f"{_name} must be set in the environment for production.")

CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# Production runs background work on Celery workers and beat, not inside the web process.
SHOPDESK_INPROCESS_SCHEDULER = env_bool("SHOPDESK_INPROCESS_SCHEDULER", False)

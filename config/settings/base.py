"""Settings shared by every environment. Everything that differs comes from the environment."""

import json
import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.utils.translation import gettext_lazy as _

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Runtime files (the default SQLite database, uploads) live under var/ in the working directory.
VAR_DIR = Path(os.environ.get("SHOPDESK_VAR_DIR", Path.cwd() / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_from_env(default_url: str) -> dict[str, object]:
    """DATABASE_URL decides the backend: sqlite:///path or postgres://..."""
    url = os.environ.get("DATABASE_URL", default_url)
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so
        # two writers queue instead of failing halfway through a transaction.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            " PRAGMA busy_timeout=10000;",
            "transaction_mode": "IMMEDIATE",
        }
    return config


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    # Serves the API docs (Swagger UI) from its own static files: no CDN at run time.
    "ninja",
    "shopdesk.core",
    "shopdesk.audit",
    "shopdesk.accounts",
    "shopdesk.orders",
    "shopdesk.notifications",
    "shopdesk.tickets",
    "shopdesk.portal",
    "shopdesk.mail",
    "shopdesk.chat",
    "shopdesk.surveys",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "orders:search"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "shopdesk" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = {"default": database_from_env(f"sqlite:///{VAR_DIR / 'shopdesk.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Chinese first, English second.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "shopdesk" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# shopdesk/ is a package, not an app: its static/ (app.css, vendor/ from `make assets`) is
# found only through this setting.
STATICFILES_DIRS = [BASE_DIR / "shopdesk" / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"

# Personal data at rest: Fernet keys (comma-separated, newest first, for rotation) and the
# key of the keyed hash used for exact look-ups (phone, e-mail, name).
SHOPDESK_FIELD_KEYS = [k for k in os.environ.get("SHOPDESK_FIELD_KEYS", "").split(",") if k]
SHOPDESK_LOOKUP_KEY = os.environ.get("SHOPDESK_LOOKUP_KEY", "")

# Notifications: sender address of e-mails, and the SMS provider adapter (dotted path).
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Shopdesk <noreply@localhost>")
SHOPDESK_SMS_BACKEND = os.environ.get(
    "SHOPDESK_SMS_BACKEND", "shopdesk.notifications.backends.ConsoleSmsBackend"
)
# Customer portal: key of the signed links a shop's site makes (docs/users/portal.md); empty
# means a key derived from SECRET_KEY, which a shop cannot compute.
SHOPDESK_PORTAL_LINK_KEY = os.environ.get("SHOPDESK_PORTAL_LINK_KEY", "")
SHOPDESK_PORTAL_CODE_TTL_SECONDS = int(os.environ.get("SHOPDESK_PORTAL_CODE_TTL_SECONDS", "600"))

# Tickets: attachment limits (bytes per file, files per message), auto-close after N days
# resolved and silent, orders above this amount make their customer high-value for routing.
SHOPDESK_ATTACHMENT_MAX_BYTES = int(os.environ.get("SHOPDESK_ATTACHMENT_MAX_BYTES", 5 * 2**20))
SHOPDESK_ATTACHMENT_MAX_FILES = int(os.environ.get("SHOPDESK_ATTACHMENT_MAX_FILES", "5"))
SHOPDESK_AUTO_CLOSE_DAYS = int(os.environ.get("SHOPDESK_AUTO_CLOSE_DAYS", "7"))
SHOPDESK_VIP_ORDER_AMOUNT = int(os.environ.get("SHOPDESK_VIP_ORDER_AMOUNT", "2000"))
# A JSON API call may carry that many attachments base64-encoded (4/3 of their size).
DATA_UPLOAD_MAX_MEMORY_SIZE = (
    SHOPDESK_ATTACHMENT_MAX_BYTES * SHOPDESK_ATTACHMENT_MAX_FILES * 4 // 3 + 2**20
)

# Where the site is reached from outside: links in e-mails (unsubscribe) are built on it.
SHOPDESK_BASE_URL = os.environ.get("SHOPDESK_BASE_URL", "http://127.0.0.1:8000")

# E-mail channel (docs/operators.md): the support mailbox customers write to (replies go to
# its plus-addresses, support+t123-token@...), the relay's shared secret for POST /mail/inbound/
# (empty: endpoint off), the IMAP mailboxes `shopdesk mail poll` reads (JSON), size limit,
# the category of tickets opened by mail, a sender above N messages an hour is held as a loop,
# and a reply to a ticket closed longer than N days opens a new ticket.
SHOPDESK_MAIL_ADDRESS = os.environ.get("SHOPDESK_MAIL_ADDRESS", "support@localhost")
SHOPDESK_MAIL_INBOUND_SECRET = os.environ.get("SHOPDESK_MAIL_INBOUND_SECRET", "")
SHOPDESK_MAIL_IMAP = json.loads(os.environ.get("SHOPDESK_MAIL_IMAP", "{}"))
SHOPDESK_MAIL_MAX_BYTES = int(os.environ.get("SHOPDESK_MAIL_MAX_BYTES", 25 * 2**20))
SHOPDESK_MAIL_CATEGORY = os.environ.get("SHOPDESK_MAIL_CATEGORY", "other")
SHOPDESK_MAIL_MAX_PER_SENDER_HOUR = int(os.environ.get("SHOPDESK_MAIL_MAX_PER_SENDER_HOUR", "30"))
SHOPDESK_MAIL_REOPEN_DAYS = int(os.environ.get("SHOPDESK_MAIL_REOPEN_DAYS", "30"))

# Live chat (docs/users/chat.md): the bot that answers first (dotted path; none: chats go
# straight to people), messages a chat may send per window (count, seconds), and how long one
# event stream stays open before the browser reconnects (frees the server's thread).
SHOPDESK_CHAT_BOT = os.environ.get("SHOPDESK_CHAT_BOT") or None
SHOPDESK_CHAT_RATE_LIMIT = (
    int(os.environ.get("SHOPDESK_CHAT_RATE_COUNT", "10")),
    float(os.environ.get("SHOPDESK_CHAT_RATE_SECONDS", "10")),
)
SHOPDESK_CHAT_STREAM_SECONDS = float(os.environ.get("SHOPDESK_CHAT_STREAM_SECONDS", "25"))

# A shared cache lets every web process see chat changes and typing at once (Redis, e.g.
# redis://127.0.0.1:6379/2). Without it each process has its own memory and a chat opened on
# another process catches up within 2 s from the database.
if os.environ.get("SHOPDESK_CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["SHOPDESK_CACHE_URL"],
        }
    }

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
CELERY_TASK_EAGER_PROPAGATES = True

NINJA_PAGINATION_MAX_LIMIT = 200

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

"""The `shopdesk` command: Django's management commands with the settings preset.

`shopdesk serve` is `runserver` on 127.0.0.1:8000; `shopdesk import orders ...`,
`shopdesk orders stats ...` and `shopdesk bench orders ...` are two-word commands that map to
the management commands `import_orders`, `orders_stats` and `bench_orders`.
"""

import os
import sys

# Two-word commands: ("import", "orders") -> "import_orders".
_GROUPS = {"import", "orders", "bench", "roles", "tokens", "tickets", "mail", "survey"}
_ALIASES = {"serve": ["runserver", "127.0.0.1:8000"]}


def translate_argv(argv: list[str]) -> list[str]:
    """Map `shopdesk import orders x` to `manage.py import_orders x`."""
    if len(argv) < 2:
        return argv
    head, rest = argv[1], argv[2:]
    if head in _ALIASES:
        extra = rest if rest else []
        alias = _ALIASES[head]
        if extra and not extra[0].startswith("-"):
            alias = alias[:1]  # an explicit address replaces the default one
        return [argv[0], *alias, *extra]
    if head in _GROUPS and rest and not rest[0].startswith("-"):
        return [argv[0], f"{head}_{rest[0]}", *rest[1:]]
    return argv


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line  # noqa: PLC0415 - after env

    execute_from_command_line(translate_argv(sys.argv))

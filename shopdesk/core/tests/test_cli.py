import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from shopdesk.cli import translate_argv


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["shopdesk", "import", "orders", "x", "--json"],
            ["shopdesk", "import_orders", "x", "--json"],
        ),
        (["shopdesk", "orders", "stats", "--json"], ["shopdesk", "orders_stats", "--json"]),
        (["shopdesk", "bench", "orders"], ["shopdesk", "bench_orders"]),
        (["shopdesk", "serve"], ["shopdesk", "runserver", "127.0.0.1:8000"]),
        (["shopdesk", "serve", "0.0.0.0:9000"], ["shopdesk", "runserver", "0.0.0.0:9000"]),
        (["shopdesk", "migrate"], ["shopdesk", "migrate"]),
        (["shopdesk", "import", "--help"], ["shopdesk", "import", "--help"]),
    ],
)
def test_two_word_commands_map_to_management_commands(argv: list[str], expected: list[str]) -> None:
    assert translate_argv(argv) == expected


def test_shopdesk_command_honours_database_url(tmp_path: Path) -> None:
    # given a database URL that names a file nobody created yet
    db = tmp_path / "x.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "SHOPDESK_VAR_DIR": str(tmp_path / "var"),
    }
    # when
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-m", "shopdesk", "migrate", "--no-input", "-v0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # then the schema and the role groups are in that file
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as conn:
        groups = {row[0] for row in conn.execute("SELECT name FROM auth_group")}
    assert {"admin", "agent", "supervisor", "merchant_staff", "quality_manager"} <= groups

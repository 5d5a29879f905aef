"""`shopdesk bench mail`: ingest rate of a mixed-charset corpus and the live-chat round trip."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from shopdesk.chat.bench import chat_round_trip
from shopdesk.mail.bench import MailBenchConfig, bench_mail_ingest

_CHILD = "SHOPDESK_BENCH_MAIL_CHILD"


class Command(BaseCommand):
    help = (
        "Benchmark the channels: ingest N generated e-mails (mixed CJK charsets, replies, "
        "attachments, auto-replies, malformed) through the real intake, then the live-chat "
        "round trip from a customer's POST to the agent's event stream through a real server. "
        "By default on a fresh SQLite database in a temporary folder (the demo's database is "
        "left alone); --db configured uses DATABASE_URL (e.g. PostgreSQL). Prints one JSON object."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--messages", type=int, default=10_000)
        parser.add_argument("--senders", type=int, default=2_000)
        parser.add_argument("--chat-messages", type=int, default=200)
        parser.add_argument("--db", choices=["sqlite", "configured"], default="sqlite")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--json", action="store_true", help="accepted; output is JSON anyway")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["db"] == "sqlite" and not os.environ.get(_CHILD):
            self._run_on_fresh_sqlite(options)
            return
        if os.environ.get(_CHILD):
            call_command("migrate", verbosity=0, interactive=False)
        config = MailBenchConfig(
            messages=options["messages"], senders=options["senders"], seed=options["seed"]
        )
        result: dict[str, Any] = {"mail": bench_mail_ingest(config, progress=self._progress)}
        self._progress(f"chat round trip over {options['chat_messages']} messages")
        chat = chat_round_trip(messages=options["chat_messages"])
        result["chat"] = {**chat, "target_p95_ms": 300, "met": chat["p95_ms"] <= 300}
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _run_on_fresh_sqlite(self, options: dict[str, Any]) -> None:
        with tempfile.TemporaryDirectory(prefix="shopdesk-bench-mail-") as folder:
            env = {
                **os.environ,
                _CHILD: "1",
                "DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
                "SHOPDESK_VAR_DIR": folder,
                # As served in production: no per-query debug log (it costs ~10 % here).
                "DEBUG": os.environ.get("DEBUG", "0"),
            }
            argv = [sys.executable, "-m", "shopdesk", "bench", "mail", "--db", "sqlite"]
            for name in ("messages", "senders", "chat_messages", "seed"):
                argv += [f"--{name.replace('_', '-')}", str(options[name])]
            # Our own interpreter and command with our own options: no untrusted input.
            done = subprocess.run(argv, env=env, check=False, capture_output=True, text=True)  # noqa: S603
            sys.stderr.write(done.stderr)
            if done.returncode:
                raise SystemExit(done.returncode)
            self.stdout.write(done.stdout.strip())

    def _progress(self, message: str) -> None:
        sys.stderr.write(f"bench mail: {message}\n")

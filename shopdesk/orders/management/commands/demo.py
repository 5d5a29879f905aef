"""`shopdesk demo`: fill an empty database with deterministic demo data and print the logins."""

import json
import random
import time
from dataclasses import asdict
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from shopdesk.chat.demo import demo_chats
from shopdesk.core.progress import Progress
from shopdesk.mail.demo import demo_mail
from shopdesk.orders.demo import DEMO_UNTIL, DemoConfig, DemoResult, demo_generate
from shopdesk.orders.demo.logins import DemoLogin, demo_logins_reset
from shopdesk.orders.models import Order
from shopdesk.surveys.demo import demo_surveys
from shopdesk.tickets.demo import demo_tickets


def _positive(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Fill an empty database with realistic demo data (source 'demo'): merchants, products, "
        "customers, orders with timelines, shipments, logistics events, agents and teams, "
        "tickets with their timelines up to now, and one login per role. "
        "The same --seed gives the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--orders", type=_positive, default=3000, help="orders to create")
        parser.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
        parser.add_argument(
            "--until",
            type=date.fromisoformat,
            default=DEMO_UNTIL,
            help=f"last day of the year of orders, YYYY-MM-DD (default {DEMO_UNTIL})",
        )
        parser.add_argument("--batch-size", type=_positive, default=5000)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if orders already exist"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        existing = Order.objects.count()
        if existing:
            message = (
                f"The database already holds {existing} orders: demo data goes into an empty "
                "database. Use a new DATABASE_URL or `shopdesk flush`, or pass --if-empty."
            )
            if not options["if_empty"]:
                raise CommandError(message)
            self._skipped(existing, as_json=options["json"])
            return
        config = DemoConfig(
            orders=options["orders"],
            seed=options["seed"],
            until=options["until"],
            batch_size=max(1, options["batch_size"]),
        )
        result = demo_generate(config=config, show_progress=not options["json"])
        tickets = self._tickets(config, result, show_progress=not options["json"])
        if options["json"]:
            data = {"created": True, **asdict(result), "tickets": tickets}
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        self._summary(config, result)
        self.stdout.write(f"{tickets['tickets']} tickets in {tickets['seconds']} s.")
        mail, chat = tickets["mail"], tickets["chat"]
        self.stdout.write(
            f"{mail['mails']} e-mails through the mail channel {mail.get('by_status', {})}, "
            f"{chat['chats']} chats {chat.get('by_status', {})}: agents answer chats at "
            "/chat/console/, customers chat at /chat/, the quarantine is in the admin."
        )
        self.stdout.write(
            f"Survey responses {tickets['surveys'].get('responses', {})}: reports at "
            "/survey-reports/, customers' open surveys at /surveys/mine/."
        )
        self._logins(result.logins)

    def _tickets(
        self, config: DemoConfig, result: DemoResult, *, show_progress: bool
    ) -> dict[str, Any]:
        """Agents, teams and tickets on the new orders, up to now; their logins join the list."""
        started = time.monotonic()
        with Progress("tickets", enabled=show_progress, unit="tickets") as progress:
            tickets = demo_tickets(
                rng=random.Random(f"{config.seed}:tickets"),  # noqa: S311 - demo data
                now=timezone.now(),
                progress=progress,
            )
        result.logins += tickets.pop("logins")
        # Channels: e-mail and chats through their real services.
        mail = demo_mail(rng=random.Random(f"{config.seed}:mail"), now=timezone.now())  # noqa: S311
        chat = demo_chats(rng=random.Random(f"{config.seed}:chat"), now=timezone.now())  # noqa: S311
        surveys = demo_surveys(rng=random.Random(f"{config.seed}:surveys"), now=timezone.now())  # noqa: S311
        return {
            **tickets,
            "mail": mail,
            "chat": chat,
            "surveys": surveys,
            "seconds": round(time.monotonic() - started, 2),
        }

    def _skipped(self, existing: int, *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps({"created": False, "existing_orders": existing}))
            return
        self.stdout.write(f"Orders already exist ({existing}): demo data not created (--if-empty).")
        logins = demo_logins_reset()
        if logins:
            self.stdout.write("The demo logins have new passwords:")
            self._logins(logins)

    def _summary(self, config: DemoConfig, result: DemoResult) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data (seed {config.seed}, up to {config.until}) in {result.seconds} s: "
                f"{result.merchants} merchants, {result.products} products, "
                f"{result.customers} customers, {result.orders} orders, "
                f"{result.shipments} shipments, {result.logistics_events} logistics events."
            )
        )

    def _logins(self, logins: list[DemoLogin]) -> None:
        width = max(len(login.username) for login in logins)
        self.stdout.write("")
        self.stdout.write(f"{'login':<{width}}  {'password':<14}  role")
        self.stdout.write(f"{'-' * width}  {'-' * 14}  {'-' * 16}")
        for login in logins:
            self.stdout.write(f"{login.username:<{width}}  {login.password:<14}  {login.role}")
        self.stdout.write("")
        self.stdout.write("Demo logins for a local database only. Log in at /accounts/login/.")

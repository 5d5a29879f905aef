import os
import sys

from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "shopdesk.tickets"
    label = "tickets"

    def ready(self) -> None:
        # Imported here: the scheduler imports models, which need the app registry ready.
        from shopdesk.tickets.scheduler import start_if_serving  # noqa: PLC0415

        start_if_serving(argv=sys.argv, environ=os.environ)

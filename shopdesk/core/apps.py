import os
import sys

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shopdesk.core"
    label = "core"

    def ready(self) -> None:
        # Imported here: the scheduler reads settings, which need the app registry ready.
        from shopdesk.core.scheduler import start_if_serving  # noqa: PLC0415

        start_if_serving(argv=sys.argv, environ=os.environ)

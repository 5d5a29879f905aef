from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "shopdesk.chat"
    label = "chat"
    verbose_name = _("Live chat")

    def ready(self) -> None:
        # Chat sits above tickets: it adds its entries to the customer timeline from here.
        from shopdesk.chat.selectors import chat_timeline_entries  # noqa: PLC0415 - registry
        from shopdesk.tickets.customer_timeline import timeline_source_register  # noqa: PLC0415

        timeline_source_register("chat", chat_timeline_entries)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "shopdesk.mail"
    label = "mail"
    verbose_name = _("E-mail")

    def ready(self) -> None:
        # Imported here: selectors import models, which need the app registry ready.
        from shopdesk.mail.selectors import mail_timeline_entries  # noqa: PLC0415
        from shopdesk.tickets.customer_timeline import timeline_source_register  # noqa: PLC0415

        timeline_source_register("mail", mail_timeline_entries)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "shopdesk.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        # Imported here: the importers import models, which need the app registry ready.
        from shopdesk.orders.importers.hooks import after_olist_import_register  # noqa: PLC0415
        from shopdesk.surveys.importers import olist_reviews_import  # noqa: PLC0415

        # `shopdesk import orders --format olist` also reads the folder's order reviews.
        after_olist_import_register("reviews", olist_reviews_import)

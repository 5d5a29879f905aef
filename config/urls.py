from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from config.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(pattern_name="orders:search", permanent=False)),
    path("accounts/", include("shopdesk.accounts.urls")),
    path("orders/", include("shopdesk.orders.urls")),
    path("tickets/", include("shopdesk.tickets.urls")),
    path("notifications/", include("shopdesk.notifications.urls")),
    path("portal/", include("shopdesk.portal.urls")),
    path("mail/", include("shopdesk.mail.urls")),
    path("chat/", include("shopdesk.chat.urls")),
    path("surveys/", include("shopdesk.surveys.urls")),
    path("survey-reports/", include("shopdesk.surveys.urls_reports")),
]

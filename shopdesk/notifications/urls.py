from django.urls import URLPattern, URLResolver, path

from shopdesk.notifications import views

app_name = "notifications"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.notification_inbox_view, name="inbox"),
    path("<int:notification_id>/read/", views.notification_mark_read_view, name="mark-read"),
    path("unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
]

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "shopdesk.notifications"
    label = "notifications"

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shopdesk.core"
    label = "core"

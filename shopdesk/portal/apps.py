from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "shopdesk.portal"
    label = "portal"

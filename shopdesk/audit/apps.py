from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "shopdesk.audit"
    label = "audit"

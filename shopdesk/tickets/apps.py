from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "shopdesk.tickets"
    label = "tickets"

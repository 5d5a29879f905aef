"""Macros: canned bilingual replies with a fixed set of variables."""

import re

from django.utils import timezone

from shopdesk.accounts.models import User
from shopdesk.tickets.models import Macro, Ticket

_VARIABLE = re.compile(r"\{(\w+)\}")
VARIABLES = ("customer_name", "agent_name", "order_number", "ticket_number", "today")


def macro_render(*, macro: Macro, ticket: Ticket, agent: User, language: str = "") -> str:
    """The macro's text in the ticket's language with its variables filled in.

    Unknown variables stay as written, so a typo shows instead of vanishing; only the listed
    variables exist, so a macro cannot reach into other data.
    """
    lang = language or ticket.language
    text = macro.body_en if lang.startswith("en") else macro.body_zh
    values = {
        "customer_name": ticket.customer.masked_name,
        "agent_name": agent.get_full_name() or agent.get_username(),
        "order_number": ticket.order.external_id if ticket.order_id and ticket.order else "",
        "ticket_number": ticket.number or "",
        "today": f"{timezone.localdate():%Y-%m-%d}",
    }
    return _VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), text)

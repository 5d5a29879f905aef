"""Timeline events in words for the ticket page. Pure: no queries (names are looked up once)."""

from dataclasses import dataclass
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from shopdesk.tickets.models import Attachment, Compensation, TicketEvent
from shopdesk.tickets.states import (
    AuthorKind,
    Channel,
    EventType,
    Party,
    Priority,
    SlaClock,
    TicketStatus,
)


@dataclass(frozen=True)
class TimelineItem:
    event: TicketEvent
    css: str  # message / note / event / warning / breach
    title: str
    detail: str  # plain text, escaped by the template
    attachments: list[Attachment]


def _label(choices: Any, value: object) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "—")


def _who(event: TicketEvent, names: dict[int, str]) -> str:
    if event.author is not None:
        return event.author.get_full_name() or event.author.get_username()
    return _("the system")


def _message_title(event: TicketEvent, names: dict[int, str]) -> str:
    if event.author_kind == AuthorKind.CUSTOMER:
        if event.data.get("logged_by"):
            return _("The customer said on the phone (logged by %(who)s)") % {
                "who": _who(event, names)
            }
        if event.data.get("channel") == Channel.EMAIL and event.data.get("message_id"):
            return _("The customer wrote by e-mail")
        if event.data.get("channel") == Channel.CHAT:
            return _("The customer wrote in a chat")
        return _("The customer wrote")
    if event.author_kind == AuthorKind.MERCHANT:
        return _("The merchant (%(who)s) replied") % {"who": _who(event, names)}
    return _("%(who)s replied") % {"who": _who(event, names)}


def _assigned(event: TicketEvent, names: dict[int, str]) -> tuple[str, str]:
    to = event.data.get("to")
    title = (
        _("Assigned to %(who)s") % {"who": names.get(to, f"#{to}")}
        if to
        else _("Back to the queue, unassigned")
    )
    reason = event.data.get("reason") or event.body
    rule = event.data.get("rule") or ""
    return title, " · ".join(p for p in (reason, rule and _("rule: %(r)s") % {"r": rule}) if p)


def _clock(event: TicketEvent) -> str:
    due = parse_datetime(str(event.data.get("due_at") or ""))
    clock = _label(SlaClock, event.data.get("clock"))
    return f"{clock} · {due:%Y-%m-%d %H:%M}" if due else clock


def _escalation(data: dict[str, Any]) -> str:
    actions = {
        "notify_supervisor": _("supervisor notified"),
        "reassign": _("reassigned to another agent"),
        "take_back": _("taken back from the merchant"),
    }
    return str(actions.get(str(data.get("action")), data.get("action") or ""))


def _describe(event: TicketEvent, names: dict[int, str]) -> tuple[str, str, str]:
    """(css, title, detail) for one event."""
    t, d = event.type, event.data
    if t == EventType.MESSAGE:
        return "message public", _message_title(event, names), event.body
    if t == EventType.NOTE:
        return "note", _("Internal note by %(who)s") % {"who": _who(event, names)}, event.body
    if t == EventType.CREATED:
        return (
            "event",
            _("Ticket opened (%(channel)s)") % {"channel": _label(Channel, d.get("channel"))},
            "",
        )
    if t == EventType.STATUS_CHANGED:
        title = _("Status: %(old)s → %(new)s") % {
            "old": _label(TicketStatus, d.get("from")),
            "new": _label(TicketStatus, d.get("to")),
        }
        return "event", title, event.body
    if t == EventType.ASSIGNED:
        return ("event", *_assigned(event, names))
    if t in (EventType.HANDED_OFF, EventType.TAKEN_BACK):
        title = _("Handed off to the %(party)s") % {"party": _label(Party, d.get("to"))}
        if t == EventType.TAKEN_BACK:
            title = _("Taken back by the platform")
        if d.get("bounce"):
            title += " · " + _("bounce")
        return "event handoff", title, event.body
    if t in (EventType.SLA_WARNING, EventType.SLA_BREACH):
        css = "breach" if t == EventType.SLA_BREACH else "warning"
        return css, str(EventType(t).label), _clock(event)
    if t == EventType.PRIORITY_CHANGED:
        title = _("Priority: %(old)s → %(new)s") % {
            "old": _label(Priority, d.get("from")),
            "new": _label(Priority, d.get("to")),
        }
        return "event", title, ""
    if t == EventType.RATED:
        return "event", _("Rated %(n)s of 5") % {"n": d.get("rating")}, event.body
    if t == EventType.COMPENSATION:
        title = _("Compensation %(amount)s: %(status)s") % {
            "amount": d.get("amount", ""),
            "status": _label(Compensation.Status, d.get("status")),
        }
        return "event", title, event.body
    if t == EventType.ESCALATED:
        return "breach", _("Escalated: %(action)s") % {"action": _escalation(d)}, _clock(event)
    if t == EventType.TAGGED:
        return "event", _("Tags added: %(tags)s") % {"tags": ", ".join(d.get("added", []))}, ""
    return "event", _label(EventType, t), event.body


def timeline_items(*, events: list[TicketEvent], names: dict[int, str]) -> list[TimelineItem]:
    items = []
    for event in events:
        css, title, detail = _describe(event, names)
        attachments = list(event.attachments.all())
        items.append(TimelineItem(event, css, title, detail, attachments))
    return items

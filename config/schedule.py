"""The one list of periodic jobs. Celery beat runs them as tasks in production
(config/celery.py); without Celery a thread of the web process runs the same functions
(shopdesk/core/scheduler.py). Each names the task and the service function it calls, so the
scheduler (in core, which imports no domain app) finds them by dotted path."""

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class PeriodicJob:
    task: str  # the Celery task name
    function: str  # dotted path of the service the task calls
    every: float  # seconds


PERIODIC_JOBS: Final = (
    # Every 30 s: a warning or breach becomes an event within a minute of its moment.
    PeriodicJob("tickets.sla_scan", "shopdesk.tickets.services.ticket_sla_scan", 30.0),
    PeriodicJob(
        "notifications.deliver_due",
        "shopdesk.notifications.services.notifications_deliver_due",
        30.0,
    ),
    PeriodicJob("tickets.route_waiting", "shopdesk.tickets.services.tickets_route_waiting", 30.0),
    PeriodicJob("chat.convert_unanswered", "shopdesk.chat.services.chats_convert_unanswered", 30.0),
    # Does nothing until SHOPDESK_MAIL_IMAP names a mailbox.
    PeriodicJob("mail.poll", "shopdesk.mail.imap.mail_poll_configured", 60.0),
    PeriodicJob("tickets.auto_close", "shopdesk.tickets.services.tickets_auto_close", 3600.0),
    PeriodicJob(
        "surveys.distribute", "shopdesk.surveys.services.distribution.surveys_distribute", 300.0
    ),
)

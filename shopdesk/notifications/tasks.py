"""Background delivery of the outbox. The beat schedule runs it every minute."""

from celery import shared_task

from shopdesk.notifications.services import notifications_deliver_due


@shared_task(name="notifications.deliver_due")
def notifications_deliver_due_task() -> dict[str, int]:
    """Idempotent: a row is claimed before it is sent, so overlapping runs send it once."""
    return notifications_deliver_due()

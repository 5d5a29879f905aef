"""Background work of the e-mail channel as a Celery task (production); the schedule is
config/schedule.py. Without Celery the in-process scheduler calls the same function."""

from celery import shared_task

from shopdesk.mail.imap import mail_poll_configured


@shared_task(name="mail.poll")
def mail_poll_task() -> dict[str, int]:
    """Idempotent: a message seen twice is recognised by its Message-ID and stored once."""
    return mail_poll_configured()

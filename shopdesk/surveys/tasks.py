"""Background work of surveys as Celery tasks (production); the beat schedule is
config/schedule.py. Without Celery the in-process scheduler calls the same service."""

from celery import shared_task

from shopdesk.surveys.services.distribution import surveys_distribute


@shared_task(name="surveys.distribute")
def surveys_distribute_task() -> dict[str, int]:
    """Idempotent: each survey's round moves last_run_at by compare-and-set first, and a ticket
    or order is invited once per survey (unique constraints), so overlapping runs invite once."""
    return surveys_distribute()

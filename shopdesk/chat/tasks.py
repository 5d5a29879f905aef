"""Background work of live chat as Celery tasks (production); the beat entry is in
config/celery.py. Without Celery the in-process scheduler calls the same service."""

from celery import shared_task

from shopdesk.chat.services import chats_convert_unanswered


@shared_task(name="chat.convert_unanswered")
def chats_convert_unanswered_task() -> int:
    """Idempotent: each chat is claimed by compare-and-set, so overlapping runs convert it once."""
    return chats_convert_unanswered()

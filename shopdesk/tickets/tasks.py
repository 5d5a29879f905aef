"""Background work of tickets as Celery tasks (production); the beat schedule is in
config/celery.py. Without Celery the in-process scheduler calls the same services."""

from celery import shared_task

from shopdesk.tickets.services import ticket_sla_scan, tickets_auto_close, tickets_route_waiting


@shared_task(name="tickets.sla_scan")
def ticket_sla_scan_task() -> dict[str, int]:
    """Idempotent: each warning or breach is written by compare-and-set, so overlapping runs
    on several workers record it once."""
    return ticket_sla_scan()


@shared_task(name="tickets.auto_close")
def tickets_auto_close_task() -> int:
    """Close tickets resolved and silent for SHOPDESK_AUTO_CLOSE_DAYS days."""
    return tickets_auto_close()


@shared_task(name="tickets.route_waiting")
def tickets_route_waiting_task() -> int:
    """Give waiting unassigned tickets to agents who came online or freed capacity."""
    return tickets_route_waiting()

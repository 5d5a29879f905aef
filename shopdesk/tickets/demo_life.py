"""One demo ticket's life, step by step through the ticket services: first reply (mostly
within minutes, some late), a question to the customer, a hand-off to the merchant (answered,
bounced back, or missed and taken back by the SLA scan), resolution, sometimes a reopening,
a rating and, rarely, a complaint. A step due after `now` is not taken."""

import random
from datetime import datetime, timedelta
from typing import Final

from shopdesk.accounts.models import User
from shopdesk.core.business_time import add_business_minutes
from shopdesk.core.errors import DomainError
from shopdesk.tickets import demo_texts as texts
from shopdesk.tickets import sla
from shopdesk.tickets.demo_staff import DemoStaff
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.services import (
    ticket_complain,
    ticket_customer_message,
    ticket_hand_off,
    ticket_rate,
    ticket_reply,
)
from shopdesk.tickets.services.sla_scan import ticket_sla_mark
from shopdesk.tickets.states import ACTIVE_STATUSES, Party, TicketStatus

ASK_CATEGORIES: Final = frozenset({"product_quality", "not_as_described", "damaged_in_transit"})
MERCHANT_CATEGORIES: Final = frozenset(
    {"product_quality", "not_as_described", "wrong_or_missing_item", "return_refund"}
)
RATINGS: Final = (5, 4, 3, 2, 1)
RATING_WEIGHTS: Final = (55, 27, 8, 6, 4)
MAX_COMPLAINTS: Final = 2
_DONE: Final = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


class TicketLife:
    def __init__(
        self, *, ticket: Ticket, rng: random.Random, staff: DemoStaff, now: datetime
    ) -> None:
        self.ticket, self.rng, self.staff, self.now = ticket, rng, staff, now
        self.t = ticket.created_at
        self.lang = "en" if ticket.language.startswith("en") else "zh-hans"
        self.customer_user: User | None = ticket.customer.user

    def run(self) -> None:
        steps = (
            self._first_reply,
            self._follow_up,
            self._merchant,
            self._resolve,
            self._reopen,
            self._rate,
        )
        try:
            for step in steps:
                if not step():
                    break
        except DomainError:
            pass  # a rule refused the step: the ticket simply stays where it is
        self._catch_up(self.now)

    # --- time ----------------------------------------------------------------------------

    def _at(self, moment: datetime) -> bool:
        """Move to `moment`, firing the SLA warnings and breaches due on the way, like the
        scan would; False when `moment` is still in the future."""
        if moment >= self.now:
            return False
        self._catch_up(moment)
        self.t = max(self.t, moment)
        return True

    def _catch_up(self, until: datetime) -> None:
        for _ in range(10):
            due = self.ticket.sla_next_at
            if due is None or due > until or self.ticket.status not in ACTIVE_STATUSES:
                return
            ticket_sla_mark(ticket=self.ticket, now=due)

    def _after(self, business_minutes: float) -> datetime:
        """`business_minutes` later on the calendar of the team holding the ticket."""
        team = self.ticket.team if self.ticket.team_id else None
        calendar = sla.working_calendar_for(policy=self.ticket.sla_policy, team=team)
        return add_business_minutes(calendar, self.t, business_minutes)

    def _agent(self) -> User:
        return self.staff.by_id(self.ticket.assignee_id) or self.staff.agent_for(
            self.rng, self.lang
        )

    # --- steps: each returns False to stop the life here -----------------------------------

    def _first_reply(self) -> bool:
        r = self.rng.random()
        if r < 0.88:
            minutes = self.rng.triangular(0.5, 13, 3)
        else:
            minutes = self.rng.uniform(13, 30) if r < 0.95 else self.rng.uniform(30, 120)
        if not self._at(self._after(minutes)):
            return False
        ask = self.ticket.category.code in ASK_CATEGORIES and self.rng.random() < 0.35
        body = self.rng.choice(texts.FIRST_REPLIES[self.lang]).format(
            order=self.ticket.order.external_id if self.ticket.order else ""
        )
        if ask:
            body += "\n" + texts.ASK_CUSTOMER[self.lang]
        ticket_reply(
            ticket=self.ticket,
            actor=self._agent(),
            body=body,
            status_after=TicketStatus.PENDING_CUSTOMER if ask else None,
            now=self.t,
        )
        return True

    def _follow_up(self) -> bool:
        if self.ticket.status != TicketStatus.PENDING_CUSTOMER:
            return True
        if not self._at(self.t + timedelta(minutes=self.rng.uniform(20, 600))):
            return False
        body = self.rng.choice(texts.CUSTOMER_FOLLOW_UPS[self.lang])
        ticket_customer_message(
            ticket=self.ticket, author=self.customer_user, body=body, now=self.t
        )
        return True

    def _merchant(self) -> bool:
        merchant_user = self.staff.merchant_staff.get(self.ticket.merchant_id or 0)
        if (
            merchant_user is None
            or self.ticket.category.code not in MERCHANT_CATEGORIES
            or self.rng.random() >= 0.45
        ):
            return True
        if not self._at(self._after(self.rng.uniform(5, 40))):
            return False
        reason = texts.HANDOFF_REASONS[self.lang]
        ticket_hand_off(
            ticket=self.ticket,
            to_party=Party.MERCHANT,
            reason=reason,
            actor=self._agent(),
            now=self.t,
        )
        r = self.rng.random()
        wait = self.rng.uniform(30, 200) if r < 0.85 else self.rng.uniform(300, 700)
        if not self._at(self._after(wait)):
            return False
        if self.ticket.responsible_party != Party.MERCHANT:
            return True  # late: the SLA scan took it back
        if r < 0.25:
            ticket_hand_off(
                ticket=self.ticket,
                to_party=Party.PLATFORM,
                reason=texts.MERCHANT_BOUNCE_REASON,
                actor=merchant_user,
                now=self.t,
            )
            return True
        body = self.rng.choice(texts.MERCHANT_REPLIES[self.lang])
        ticket_reply(
            ticket=self.ticket,
            actor=merchant_user,
            body=body,
            status_after=TicketStatus.RESOLVED,
            now=self.t,
        )
        return True

    def _resolve(self) -> bool:
        if self.ticket.status in _DONE:
            return True
        quick = self.rng.random() < 0.75
        minutes = self.rng.uniform(10, 55) if quick else self.rng.uniform(60, 900)
        if not self._at(self._after(minutes)):
            return False
        zh, en = texts.OUTCOMES.get(self.ticket.category.code, texts.DEFAULT_OUTCOME)
        outcome = zh if self.lang == "zh-hans" else en
        body = self.rng.choice(texts.RESOLUTIONS[self.lang]).format(outcome=outcome)
        ticket_reply(
            ticket=self.ticket,
            actor=self._agent(),
            body=body,
            status_after=TicketStatus.RESOLVED,
            now=self.t,
        )
        return True

    def _reopen(self) -> bool:
        if self.rng.random() >= 0.04:
            return True
        if not self._at(self.t + timedelta(hours=self.rng.uniform(2, 48))):
            return False
        body = texts.REOPEN_MESSAGES[self.lang]
        ticket_customer_message(
            ticket=self.ticket, author=self.customer_user, body=body, now=self.t
        )
        return self._resolve()

    def _rate(self) -> bool:
        if self.ticket.status not in _DONE or self.rng.random() >= 0.6:
            return True
        if not self._at(self.t + timedelta(hours=self.rng.uniform(0.5, 30))):
            return False
        rating = self.rng.choices(RATINGS, weights=RATING_WEIGHTS)[0]
        comment = self.rng.choice(texts.RATING_COMMENTS[rating][self.lang])
        ticket_rate(
            ticket=self.ticket,
            author=self.customer_user,
            rating=rating,
            comment=comment,
            now=self.t,
        )
        if rating <= 2 and self.staff.complaints < MAX_COMPLAINTS and self.rng.random() < 0.5:
            self._complain()
        return True

    def _complain(self) -> None:
        if not self._at(self.t + timedelta(minutes=self.rng.uniform(5, 90))):
            return
        body = texts.COMPLAINTS[self.lang]
        complaint = ticket_complain(
            ticket=self.ticket, author=self.customer_user, body=body, now=self.t
        ).ticket
        self.staff.complaints += 1
        answered = self.t + timedelta(minutes=self.rng.uniform(10, 40))
        # The supervisor answers; a complaint older than two days has been settled since.
        settled = answered < self.now - timedelta(days=2)
        if answered < self.now:
            ticket_reply(
                ticket=complaint,
                actor=self.staff.supervisor,
                body=texts.COMPLAINT_ANSWER[self.lang],
                status_after=TicketStatus.RESOLVED if settled else None,
                now=answered,
            )
